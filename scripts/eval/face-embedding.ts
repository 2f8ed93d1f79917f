/**
 * Identity embedding for quality checks (tests, scripts/eval-identity.ts): face-api's
 * FaceRecognitionNet (dlib's ResNet face descriptor) converted to models/face-recognition.onnx
 * (scripts/models/face-recognition-net.ts; input [1, 150, 150, 3] RGB in [0, 1], 128-d output).
 *
 * The crop follows face-api's own alignment (FaceLandmarks.align → alignMinBbox): the box around
 * the 68 landmarks, grown by 20 %, padded to a square, resized to 150×150 — plus one step of our
 * own: the box is taken in a frame rotated so the eyes are level (a tilted slot or a tilted photo
 * otherwise puts the face askew in the crop, which dlib's training chips never were). A photo face
 * and a fused comic face are cropped the same way from their own points — no second detection on
 * the comic. Compare with `cosine` of the L2-normalised descriptors.
 */
import { getModel, ort } from '../../engine/analysis/onnx-session';
import { sampleAffine } from '../../engine/core/image-decode';
import { MESH_TO_IBUG68 } from '../../engine/analysis/landmarks68';
import type { RgbImage } from '../../engine/core/raster';

const SIZE = 150;
/** face-api's default `minBoxPadding`: the landmark box grows by this fraction of its size. */
const BOX_PADDING = 0.2;

/** The 68 iBUG points (x, y) from 468 mesh points given as a flat array with `stride`. */
function points68(pts: ArrayLike<number>, stride: number): Array<[number, number]> {
  return MESH_TO_IBUG68.map((i) => [pts[i * stride], pts[i * stride + 1]]);
}

/** The 150×150 face crop (RGB in [0, 1], NHWC) the recognition net is fed. */
export function alignedFaceCrop(img: RgbImage, pts: ArrayLike<number>, stride = 2): Float32Array {
  const p = points68(pts, stride);
  const mean = (from: number, to: number) => {
    let x = 0, y = 0;
    for (let i = from; i < to; i++) { x += p[i][0]; y += p[i][1]; }
    return [x / (to - from), y / (to - from)];
  };
  const [rx, ry] = mean(36, 42), [lx, ly] = mean(42, 48);
  const angle = Math.atan2(ly - ry, lx - rx);
  const c = Math.cos(angle), s = Math.sin(angle);
  // Box of the points in the eye-levelled frame (rotate by −angle).
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of p) {
    const u = c * x + s * y, v = -s * x + c * y;
    x0 = Math.min(x0, u); x1 = Math.max(x1, u); y0 = Math.min(y0, v); y1 = Math.max(y1, v);
  }
  const w = (x1 - x0) * (1 + BOX_PADDING), h = (y1 - y0) * (1 + BOX_PADDING);
  const side = Math.max(w, h);
  const cu = (x0 + x1) / 2, cv = (y0 + y1) / 2;
  const k = side / SIZE;
  // Output pixel (i, j) → levelled frame (cu − side/2 + (i + ½)·k, …) → image (rotate back by angle).
  const u0 = cu - side / 2 + k / 2, v0 = cv - side / 2 + k / 2;
  const m = { a: c * k, b: -s * k, c: c * u0 - s * v0, d: s * k, e: c * k, f: s * u0 + c * v0 };
  const taps = Math.max(1, Math.min(4, Math.round(k)));
  return sampleAffine(img.data as Uint8Array, img.width, img.height, SIZE, SIZE, m, 1 / 255, 0, taps);
}

/** Identity embedding (unit length) of the face given by its mesh points (468 × stride, x and y first). */
export async function faceEmbedding(img: RgbImage, pts: ArrayLike<number>, stride = 2): Promise<Float32Array> {
  const input = alignedFaceCrop(img, pts, stride);
  const model = await getModel('face-recognition');
  const out = await model.session.run({ [model.info.inputName]: new ort.Tensor('float32', input, [1, SIZE, SIZE, 3]) });
  return normalise(Float32Array.from(out[model.session.outputNames[0]].data as Float32Array));
}

function normalise(e: Float32Array): Float32Array {
  let n = 0;
  for (const v of e) n += v * v;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < e.length; i++) e[i] /= n;
  return e;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

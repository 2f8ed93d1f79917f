/**
 * Stage 3: 468-point face mesh. MediaPipe FaceMesh (192×192 input in [0, 1]) on a square crop
 * around the detection, rotated so the eye line is level — the model was trained on upright faces,
 * and a tilted head otherwise bends the mesh.
 *
 * Two passes, as MediaPipe's tracking graph does between video frames: the first crop comes from
 * the detector (box ×1.5, rotation from its eye keypoints), the second from the first mesh (its
 * extent ×1.5, rotation from the outer eye corners 33/263). The detector's box is loose and its
 * eye keypoints are coarse; the refined crop centres and scales the face the way FaceMesh expects,
 * which is what makes the jaw and eye contours sit right on turned or tilted faces.
 *
 * Face presence: FaceMesh also outputs a face-presence probability. It is the gate that removes
 * the detector's false positives (a dog, a pattern) but it accepts partial faces, so callers also
 * need the detector's containment filter (see face-detector.ts).
 */
import { getModel, ort, type SessionOptions } from './onnx-session';
import { sampleFast, type Affine } from '../core/image-decode';
import type { Detection, RgbImage, Point } from './face-detector';
import { MESH_TO_IBUG68, IBUG68_MIRROR } from './landmarks68';

export const MESH_INPUT = 192;
export const MESH_POINTS = 468;
/**
 * Face-presence cut-off. 0.5 lets a dog's face through (DESIGN pitfalls), ≈0.8 rejected it without
 * losing group-photo faces; measured on our photos in docs/face-analysis.md.
 */
export const MESH_MIN_PRESENCE = 0.8;
/** Crop side relative to the face extent (MediaPipe's scale for both ROI calculators). */
export const ROI_SCALE = 1.5;
/**
 * When the detector's crop gives a presence below the gate, one retry with a tighter crop: the
 * detector's box is loose and off-centre on strong profiles (the face sits at one side of it), and
 * FaceMesh then sees too little face — a profile beside a frontal face in a two-person frame
 * measured presence 0.26 at 1.5× and 0.996 at 1.3× (docs/face-analysis.md, "Group photos").
 */
export const RETRY_ROI_SCALE = 1.3;
/** Outer eye corners (subject's right, left) used to level the second crop. */
export const EYE_OUTER_RIGHT = 33;
export const EYE_OUTER_LEFT = 263;

export type Point3 = [number, number, number];

export interface MeshRaw {
  /** 468 × (x, y, z) in model-input pixels (0…192). */
  mesh: Float32Array;
  /** Face-presence probability (already a sigmoid in the model). */
  presence: number;
}
export type FaceMeshRunner = (input: Float32Array) => Promise<MeshRaw>;

export interface Roi {
  cx: number;
  cy: number;
  /** side of the square crop in image pixels */
  size: number;
  /** angle of the crop's x axis in the image, radians, y down (= angle of the eye line). */
  angle: number;
}

export interface FaceMesh {
  /** 468 points in the coordinates of the image given to `landmarkFace`; z in the same pixel units, smaller = nearer the camera. */
  points: Point3[];
  presence: number;
  /** The crop FaceMesh last saw (for the fusion stage's aligned face crop). */
  roi: Roi;
  /** FaceMesh runs it took (1–3). */
  runs?: number;
}

export interface LandmarkOptions extends SessionOptions {
  runner?: FaceMeshRunner;
  /** Second, mesh-based crop (default true). */
  refine?: boolean;
  /** Retry a rejected detection with a tighter crop (default true). */
  retry?: boolean;
  /** Crop side / face extent (default ROI_SCALE; evaluation of the crop, docs/face-analysis.md). */
  roiScale?: number;
}

/** Crop rectangle from a detection: box centre, long side × ROI_SCALE, eye-line angle from keypoints 0/1. */
export function roiFromDetection(det: Detection, scale = ROI_SCALE): Roi {
  const [x, y, w, h] = det.box;
  const [re, le] = det.keypoints; // subject's right eye (image left), left eye
  return {
    cx: x + w / 2,
    cy: y + h / 2,
    size: Math.max(w, h) * scale,
    angle: Math.atan2(le[1] - re[1], le[0] - re[0]),
  };
}

/** Crop rectangle from a mesh: extent of the points in the eye-levelled frame × ROI_SCALE. */
export function roiFromMesh(points: Point3[], scale = ROI_SCALE): Roi {
  const a = points[EYE_OUTER_RIGHT];
  const b = points[EYE_OUTER_LEFT];
  const angle = Math.atan2(b[1] - a[1], b[0] - a[0]);
  const c = Math.cos(angle), s = Math.sin(angle);
  let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
  for (const [px, py] of points) {
    const u = px * c + py * s; // rotate into the face frame
    const v = -px * s + py * c;
    if (u < minU) minU = u;
    if (u > maxU) maxU = u;
    if (v < minV) minV = v;
    if (v > maxV) maxV = v;
  }
  const mu = (minU + maxU) / 2, mv = (minV + maxV) / 2;
  return { cx: mu * c - mv * s, cy: mu * s + mv * c, size: Math.max(maxU - minU, maxV - minV) * scale, angle };
}

/** Affine from crop pixels (0…n) to image pixels for a ROI. */
export function roiAffine(roi: Roi, n: number): Affine {
  const k = roi.size / n;
  const c = Math.cos(roi.angle) * k, s = Math.sin(roi.angle) * k;
  // Continuous coordinates (pixel i spans [i, i+1]): output pixel u has its centre at u + 0.5, and
  // sampleAffine addresses source pixels by index, i.e. continuous − 0.5:
  // source = centre + R·(u + 0.5 − n/2)·k − 0.5.
  const o = 0.5 - n / 2;
  return { a: c, b: -s, c: roi.cx - 0.5 + c * o - s * o, d: s, e: c, f: roi.cy - 0.5 + s * o + c * o };
}

/** The input tensor wrapping a crop buffer, made once per buffer and reused between runs. */
const tensorCache = new WeakMap<Float32Array, ort.Tensor>();

async function ortRunner(opts: SessionOptions): Promise<FaceMeshRunner> {
  const model = await getModel('facemesh', opts);
  return async (input) => {
    let tensor = tensorCache.get(input);
    if (!tensor) tensorCache.set(input, (tensor = new ort.Tensor('float32', input, [1, MESH_INPUT, MESH_INPUT, 3])));
    const feeds = { [model.info.inputName]: tensor };
    const outs = await model.session.run(feeds);
    const all = Object.values(outs);
    const mesh = all.find((t) => t.data.length === MESH_POINTS * 3);
    const flag = all.find((t) => t.data.length === 1);
    if (!mesh || !flag) throw new Error('facemesh outputs missing');
    return { mesh: mesh.data as Float32Array, presence: (flag.data as Float32Array)[0] };
  };
}

async function runOnRoi(img: RgbImage, roi: Roi, run: FaceMeshRunner, buf: Float32Array): Promise<FaceMesh> {
  const m = roiAffine(roi, MESH_INPUT);
  // Box prefilter of up to 4×4 nearest samples when shrinking (a selfie face in a 1–2 MP photo
  // is 2–4× the 192 px input), one bilinear sample when enlarging a small face.
  sampleFast(img.data, img.width, img.height, MESH_INPUT, MESH_INPUT, m, 1 / 255, 0, 4, buf);
  const raw = await run(buf);
  const k = roi.size / MESH_INPUT;
  const points: Point3[] = new Array(MESH_POINTS);
  for (let i = 0; i < MESH_POINTS; i++) {
    // Model coordinates are continuous (0…192 spans the crop edges), so no half-pixel shift.
    const u = raw.mesh[i * 3] - MESH_INPUT / 2;
    const v = raw.mesh[i * 3 + 1] - MESH_INPUT / 2;
    const x = roi.cx + (m.a * u + m.b * v) ;
    const y = roi.cy + (m.d * u + m.e * v);
    points[i] = [x, y, raw.mesh[i * 3 + 2] * k];
  }
  return { points, presence: raw.presence, roi };
}

/** 468 points for one detected face, in the image's pixels. */
export async function landmarkFace(img: RgbImage, det: Detection, opts: LandmarkOptions = {}): Promise<FaceMesh> {
  const run = opts.runner ?? (await ortRunner(opts));
  const buf = new Float32Array(MESH_INPUT * MESH_INPUT * 3);
  let mesh = await runOnRoi(img, roiFromDetection(det, opts.roiScale), run, buf);
  let runs = 1;
  if (mesh.presence < MESH_MIN_PRESENCE && opts.retry !== false) {
    const tight = await runOnRoi(img, roiFromDetection(det, RETRY_ROI_SCALE), run, buf);
    runs++;
    if (tight.presence > mesh.presence) mesh = tight;
  }
  if (opts.refine !== false && mesh.presence >= MESH_MIN_PRESENCE * 0.5) {
    const second = await runOnRoi(img, roiFromMesh(mesh.points, opts.roiScale), run, buf);
    runs++;
    // Keep the better-supported answer: the refined crop almost always wins; if it loses the face
    // (presence collapses) the first pass stands.
    if (second.presence >= mesh.presence - 0.1) mesh = second;
  }
  return { ...mesh, runs };
}

export type { Point };

/**
 * How differently FaceMesh sees the face in its mirror image: FaceMesh runs once more on the final
 * crop flipped left–right, the answer is flipped back, and the two are compared on the 68 iBUG
 * vertices (each against its mirror partner), as mean distance / outer-eye-corner distance.
 *
 * Why: on a human face the model is nearly mirror-equivariant (≤ 0.035 on frontal faces, growing
 * with |yaw|), on what it was not trained for it is not — a dog's face that FaceMesh gave presence
 * 0.98 measured 0.056 at yaw 0 (docs/face-analysis.md, "False positives").
 */
export async function mirrorDisagreement(img: RgbImage, mesh: FaceMesh, opts: LandmarkOptions = {}): Promise<number> {
  const run = opts.runner ?? (await ortRunner(opts));
  const n = MESH_INPUT;
  const buf = new Float32Array(n * n * 3);
  const m = roiAffine(mesh.roi, n);
  sampleFast(img.data, img.width, img.height, n, n, m, 1 / 255, 0, 4, buf);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n / 2; x++) {
      const a = (y * n + x) * 3, b = (y * n + n - 1 - x) * 3;
      for (let c = 0; c < 3; c++) { const t = buf[a + c]; buf[a + c] = buf[b + c]; buf[b + c] = t; }
    }
  }
  const raw = await run(buf);
  const at = (i: number): [number, number] => {
    const u = n / 2 - raw.mesh[i * 3]; // flipped back: n − x, then centred
    const v = raw.mesh[i * 3 + 1] - n / 2;
    return [mesh.roi.cx + m.a * u + m.b * v, mesh.roi.cy + m.d * u + m.e * v];
  };
  const p = mesh.points;
  const iod = Math.hypot(p[EYE_OUTER_LEFT][0] - p[EYE_OUTER_RIGHT][0], p[EYE_OUTER_LEFT][1] - p[EYE_OUTER_RIGHT][1]) || 1;
  let sum = 0;
  for (let k = 0; k < 68; k++) {
    const q = at(MESH_TO_IBUG68[IBUG68_MIRROR[k]]); // the flipped face's mirror partner lands on point k
    const o = p[MESH_TO_IBUG68[k]];
    sum += Math.hypot(o[0] - q[0], o[1] - q[1]);
  }
  return sum / 68 / iod;
}

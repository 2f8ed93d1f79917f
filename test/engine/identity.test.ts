/**
 * Identity (engine/face-embedding.ts) on the npm fixture faces only (sample3: three adults, near
 * frontal). Two parts:
 *
 * 1. The measure itself: a degraded copy of each photo (60 % size, gamma, JPEG q60, re-analysed so
 *    the alignment points move too) is closer to its own face than to either other face, by a clear
 *    margin. This fails if the embedding's input is wrong again (e.g. the un-centred output gives
 *    cosine ≈ 0.9998 for every pair, so the margin collapses).
 * 2. The product requirement: a face fused into the story hero frames is closer to its own photo
 *    than to another person's, on average over the frames. TODAY THIS DOES NOT HOLD (docs/fusion.md,
 *    "Identity": own-vs-other wins ≈ chance), so it is declared `test.failing`: jest reports it as
 *    passing while the requirement fails, and turns it red the day it holds — then make it a
 *    plain `test`.
 */
import fs from 'fs';
import sharp from 'sharp';
import { analyzeImage, type Analysis } from '../../engine/analyze';
import { prepareFace, fuseFrame, type PreparedFace } from '../../engine/fuse';
import { faceEmbedding, cosine } from '../../engine/face-embedding';
import { loadStory, storyIds } from '../../engine/story-frames';
import { meshOf, FIXTURE } from '../../scripts/eval-identity';

jest.setTimeout(60_000);

let photo: Analysis;
let embeddings: Float32Array[];
let faces: PreparedFace[];

beforeAll(async () => {
  photo = await analyzeImage(fs.readFileSync(FIXTURE(3)));
  embeddings = await Promise.all(photo.internal.faces.map((_, i) => faceEmbedding(photo.internal.image, meshOf(photo, i), 3)));
  faces = photo.internal.faces.map((_, i) => prepareFace(photo, i));
});

/** Index of the face in `b` nearest (by box centre) to face i of `a`, scaled by `s`. */
function matchFace(a: Analysis, i: number, b: Analysis, s: number): number {
  const c = (x: Analysis, k: number) => { const [bx, by, bw, bh] = x.result.faces[k].box; return [bx + bw / 2, by + bh / 2]; };
  const [ax, ay] = c(a, i);
  let best = -1, bd = Infinity;
  b.result.faces.forEach((_, k) => { const [x, y] = c(b, k); const d = Math.hypot(x / s - ax, y / s - ay); if (d < bd) { bd = d; best = k; } });
  return best;
}

test('the embedding tells the three sample3 faces apart (degraded copy → own face, clear margin)', async () => {
  expect(embeddings.length).toBe(3);
  const meta = await sharp(FIXTURE(3)).metadata();
  const s = 0.6;
  const copy = await analyzeImage(await sharp(FIXTURE(3)).resize(Math.round(meta.width! * s)).gamma(1.3).jpeg({ quality: 60 }).toBuffer());
  for (let i = 0; i < 3; i++) {
    const k = matchFace(photo, i, copy, s);
    const e = await faceEmbedding(copy.internal.image, meshOf(copy, k), 3);
    const own = cosine(e, embeddings[i]);
    const other = Math.max(...embeddings.filter((_, j) => j !== i).map((x) => cosine(e, x)));
    expect(own).toBeGreaterThan(0.8);
    expect(own - other).toBeGreaterThan(0.3);
  }
});

test.failing('a fused face is closer to its own photo than to another person\'s (mean over hero frames)', async () => {
  const stories = await Promise.all(storyIds().slice(0, 4).map((id) => loadStory(id)));
  const frames = stories.flatMap((st) => st.frames.filter((f) => f.slots.some((x) => x.role === 'hero')));
  for (let i = 0; i < faces.length; i++) {
    let own = 0, other = 0;
    for (const f of frames) {
      const r = fuseFrame(f.image, f.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? faces[i] : null })));
      const hero = r.slots.find((x) => f.slots.find((y) => y.id === x.id)?.role === 'hero')!;
      const e = await faceEmbedding({ data: r.data, width: r.width, height: r.height }, hero.points, 3);
      own += cosine(e, embeddings[i]);
      other += Math.max(...embeddings.filter((_, j) => j !== i).map((x) => cosine(e, x)));
    }
    expect(own / frames.length).toBeGreaterThan(other / frames.length);
  }
});

/**
 * Identity (scripts/eval/face-embedding.ts: face-api's FaceRecognitionNet, converted) on the npm fixture
 * faces only (sample3: three adults, near frontal). Three parts:
 *
 * 1. The measure itself: a degraded copy of each photo (60 % size, gamma, JPEG q60, re-analysed so
 *    the alignment points move too) is closer to its own face than to either other face.
 * 2. Identity in the strong sense, as issue #4 asks: every fused hero frame (all 32, default
 *    degrees) is closer to its own user's photo than to the other two people's in ≥ 90 % of the
 *    96 frames and ≥ 80 % per person (turned slots lose some likeness, docs/fusion.md).
 * 3. `features` moves the likeness: at 100 the fused face is closer to the user than at 0 (the
 *    drawn face), for every person.
 * Plus identity by geometry, as a viewer sees it: re-detecting the fused hero with our own
 * analysis finds a face at the slot, and its 68-point shape is closer to the user's than the
 * drawn face's was (shape 100).
 */
import fs from 'fs';
import sharp from 'sharp';
import { analyzeImage, type Analysis } from '../../engine/analysis/analyze';
import { prepareFace, fuseFrame, type PreparedFace } from '../../engine/fusion/fuse';
import { faceEmbedding, cosine } from '../../scripts/eval/face-embedding';
import { loadStory, storyIds } from '../../engine/pipeline/story-frames';
import type { StoryFrame } from '../../engine/pipeline/story-frames';
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
    expect(own).toBeGreaterThan(0.95);
    expect(own - other).toBeGreaterThan(0.05);
  }
});

async function heroEmbedding(f: StoryFrame, face: PreparedFace, features?: number) {
  const r = fuseFrame(f.image, f.slots.map((sl) => ({ slot: sl, face: sl.role === 'hero' ? face : null })), { features });
  const hero = r.slots.find((s) => f.slots.find((x) => x.id === s.id)?.role === 'hero')!;
  return faceEmbedding({ data: r.data, width: r.width, height: r.height }, hero.points, 3);
}

test('every fused hero frame is closer to its own user than to the other people (rank-1)', async () => {
  const stories = await Promise.all(storyIds().map((id) => loadStory(id)));
  const frames = stories.flatMap((st) => st.frames.filter((f) => f.slots.some((x) => x.role === 'hero')));
  expect(frames.length).toBe(32);
  const misses: string[] = [];
  for (let i = 0; i < faces.length; i++) {
    for (const f of frames) {
      const e = await heroEmbedding(f, faces[i]);
      const own = cosine(e, embeddings[i]);
      const other = Math.max(...embeddings.filter((_, j) => j !== i).map((x) => cosine(e, x)));
      const yaw = Math.abs(f.slots.find((x) => x.role === 'hero')!.pose.yaw ?? 0);
      if (own <= other) misses.push(`face ${i}, yaw ${yaw}`);
    }
    // Each person: at least 26 of their 32 frames (≥ 80 %).
    expect(misses.filter((m) => m.startsWith(`face ${i},`)).length).toBeLessThanOrEqual(6);
  }
  // All 96 fused frames: ≥ 90 % (measured: 5 misses, all one person, 3 of them on turned slots;
  // the style before the identity measure gave 25 for one person alone).
  expect(misses.length).toBeLessThanOrEqual(9);
});

test('features 100 keeps more of the user than features 0 (the drawn face)', async () => {
  const story = await loadStory(storyIds()[0]);
  const f = story.frames.find((x) => x.slots.some((s) => s.role === 'hero'))!;
  for (let i = 0; i < faces.length; i++) {
    const at0 = cosine(await heroEmbedding(f, faces[i], 0), embeddings[i]);
    const at100 = cosine(await heroEmbedding(f, faces[i], 100), embeddings[i]);
    expect(at100).toBeGreaterThan(at0 + 0.02);
  }
});

/** Procrustes distance between two 2D point sets (translation, scale and rotation removed). */
function shapeDistance(a: number[][], b: number[][]): number {
  const norm = (p: number[][]) => {
    const cx = p.reduce((s, q) => s + q[0], 0) / p.length;
    const cy = p.reduce((s, q) => s + q[1], 0) / p.length;
    const c = p.map(([x, y]) => [x - cx, y - cy]);
    const r = Math.sqrt(c.reduce((s, [x, y]) => s + x * x + y * y, 0));
    return c.map(([x, y]) => [x / r, y / r]);
  };
  const A = norm(a);
  const B = norm(b);
  let sxy = 0;
  let cross = 0;
  for (let i = 0; i < A.length; i++) {
    sxy += A[i][0] * B[i][0] + A[i][1] * B[i][1];
    cross += A[i][0] * B[i][1] - A[i][1] * B[i][0];
  }
  const t = Math.atan2(cross, sxy);
  const [c, s2] = [Math.cos(t), Math.sin(t)];
  return Math.sqrt(A.reduce((sum, [x, y], i) => sum + (c * x - s2 * y - B[i][0]) ** 2 + (s2 * x + c * y - B[i][1]) ** 2, 0));
}

async function heroLandmarks(img: { data: Uint8Array | Uint8ClampedArray; width: number; height: number }, slot: { pose: { center: [number, number]; width: number } }) {
  const png = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
  const [cx, cy] = slot.pose.center;
  return (await analyzeImage(png)).result.faces.find(
    ({ box: [x, y, w, h] }) => Math.abs(x + w / 2 - cx) < slot.pose.width * 0.3 && Math.abs(y + h / 2 - cy) < slot.pose.width * 0.4,
  );
}

test('at shape 100 the fused hero is found at its slot and its face shape has moved from the drawing to the user', async () => {
  const stories = await Promise.all(storyIds().slice(0, 4).map((id) => loadStory(id)));
  const frames = stories.flatMap((st) => st.frames.filter((f) => f.slots.some((x) => x.role === 'hero')));
  for (let i = 0; i < faces.length; i++) {
    const user = photo.result.faces[i].landmarks68;
    let fusedToUser = 0;
    let drawnToUser = 0;
    let compared = 0;
    for (const f of frames) {
      const slot = f.slots.find((x) => x.role === 'hero')!;
      const r = fuseFrame(f.image, f.slots.map((sl) => ({ slot: sl, face: sl.role === 'hero' ? faces[i] : null })), { shape: 100 });
      const fused = await heroLandmarks(r, slot);
      expect(fused).toBeDefined(); // the fused hero is still a face
      expect(fused!.quality.presence).toBeGreaterThan(0.8);
      const drawn = await heroLandmarks(f.image, slot);
      if (!drawn) continue; // some drawn faces are too stylised to be detected at all
      fusedToUser += shapeDistance(fused!.landmarks68, user);
      drawnToUser += shapeDistance(drawn.landmarks68, user);
      compared++;
    }
    expect(compared).toBeGreaterThan(2);
    expect(fusedToUser / compared).toBeLessThan(drawnToUser / compared);
  }
});

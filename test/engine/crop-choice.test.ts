/**
 * engine/fusion/fuse.ts cropFor: a turned photo is shown as its mirror image on slots turned the
 * other way, so the photo's squeezed far side is never stretched across a slot's near side. On
 * synthetic prepared faces (the canonical mesh at a known yaw), so the rule is tested alone; the
 * likeness it keeps is measured on real photos by test/engine/identity.test.ts.
 */
import { cropFor, fuseFrame, MIRROR_PHOTO_FROM, type PreparedFace } from '../../engine/fusion/fuse';
import { meshMirror } from '../../engine/fusion/face-occlusion';
import { CANONICAL_MESH, MESH_POINTS, projectShape } from '../../engine/fusion/canonical-mesh';
import { SlotSchema, type Slot } from '../../engine/fusion/slot';
import { newPlanes } from '../../engine/core/raster';

const W = 336, H = 368;

/** A prepared face whose photo was turned `yaw` degrees; its crop's L runs left to right (x / 4), so a flip shows. */
function face(yaw: number): PreparedFace {
  const points = projectShape(CANONICAL_MESH, { yaw, pitch: 0, roll: 0, width: 240, center: [W / 2, H / 2] });
  const lab = newPlanes(W, H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) { lab.c0[y * W + x] = 20 + x / 4; lab.c1[y * W + x] = 10; lab.c2[y * W + x] = 15; }
  // a slightly wider right half, so the shape's mirror is not the shape itself
  const shape = Float32Array.from(CANONICAL_MESH, (v, i) => (i % 3 === 0 && v > 0 ? v * 1.05 : v));
  return { lab, points, shape, stats: { mean: [60, 10, 15], std: [8, 3, 3] }, faceWidth: 240, faceIndex: 0 };
}

const slot = (yaw: number, extra: Partial<Slot> = {}): Slot =>
  SlotSchema.parse({ id: 'hero', role: 'hero', pose: { center: [360, 500], width: 240, yaw }, ...extra });

test('a turned photo is mirrored on slots turned the other way, and only there', () => {
  const f = face(20);
  expect(cropFor(f, slot(-15))).not.toBe(f);
  expect(cropFor(f, slot(-8))).not.toBe(f);
  expect(cropFor(f, slot(15))).toBe(f); // turned the photo's way: its own far side fits
  expect(cropFor(f, slot(0))).toBe(f);
  expect(cropFor(f, slot(-5))).toBe(f); // barely turned: the far side is hardly stretched
  // a template made from a photo (its own 468 points, no pose to compare)
  const pts = Array.from({ length: MESH_POINTS }, (_, i) => [300 + CANONICAL_MESH[i * 3] * 200, 500 + CANONICAL_MESH[i * 3 + 1] * 200] as [number, number]);
  expect(cropFor(f, slot(-15, { points: pts }))).toBe(f);
  // the other way round
  const g = face(-20);
  expect(cropFor(g, slot(15))).not.toBe(g);
  expect(cropFor(g, slot(-15))).toBe(g);
});

test('a photo within MIRROR_PHOTO_FROM of face-on is never mirrored', () => {
  for (const yaw of [0, 4, -(MIRROR_PHOTO_FROM - 2)]) {
    const f = face(yaw);
    for (const s of [-22, -15, 0, 15, 22]) expect(cropFor(f, slot(s))).toBe(f);
  }
});

test('the mirrored crop is the face flipped left–right, its points and shape through the mesh mirror pairs', () => {
  const f = face(20);
  const c = cropFor(f, slot(-18));
  const m = meshMirror();
  // pixels: flipped
  for (const [x, y] of [[0, 0], [10, 50], [W - 1, H - 1], [170, 200]]) {
    expect(c.lab.c0[y * W + x]).toBe(f.lab.c0[y * W + (W - 1 - x)]);
  }
  // vertex v of the mirror sits where v's partner was, flipped: the user's right eye corner (33)
  // now holds what was the left one (263), on the other side
  expect(m[33]).toBe(263);
  expect(c.points[33 * 3]).toBeCloseTo(W - 1 - f.points[263 * 3], 4);
  expect(c.points[33 * 3 + 1]).toBeCloseTo(f.points[263 * 3 + 1], 4);
  for (let v = 0; v < MESH_POINTS; v += 37) expect(c.shape[v * 3]).toBeCloseTo(-f.shape[m[v] * 3], 5);
  // the mirrored photo is turned the slot's way now: its nose (vertex 1) is left of the oval's middle
  const noseX = (p: Float32Array) => p[1 * 3];
  expect(noseX(f.points)).toBeGreaterThan(W / 2);
  expect(noseX(c.points)).toBeLessThan(W / 2);
  // one mirror per prepared face, not one per frame
  expect(cropFor(f, slot(-15))).toBe(c);
});

test('fusing onto an opposite slot warps from the mirror: the crop\'s left-to-right ramp arrives reversed', () => {
  const f = face(20);
  const frame = { data: new Uint8Array(720 * 1000 * 3).fill(200), width: 720, height: 1000 };
  const fused = (yaw: number) => {
    const s = slot(yaw);
    const r = fuseFrame(frame, [{ slot: s, face: f }], { features: 100 });
    // mean luma of the face's left and right thirds inside the mask
    const { box, mask } = r.slots[0];
    const bw = box.x1 - box.x0;
    const side = [0, 0], n = [0, 0];
    for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) {
      const k = mask[(y - box.y0) * bw + x - box.x0];
      if (k < 0.9) continue;
      const third = (x - box.x0) / bw;
      const j = third < 1 / 3 ? 0 : third > 2 / 3 ? 1 : -1;
      if (j < 0) continue;
      const i = (y * 720 + x) * 3;
      side[j] += r.data[i] + r.data[i + 1] + r.data[i + 2]; n[j]++;
    }
    return side[1] / n[1] - side[0] / n[0]; // right minus left
  };
  // the crop is lighter on its right; as photographed the right stays right, mirrored it goes left
  expect(fused(18)).toBeGreaterThan(0);
  expect(fused(-18)).toBeLessThan(0);
});

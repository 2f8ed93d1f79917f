/**
 * engine/fusion/face-occlusion.ts: a one-sided occluder (hair over one eye) is filled from the mirrored
 * face; a clean face is left (nearly) alone. On a real fixture face (sample3, first face: near frontal).
 */
import fs from 'fs';
import { analyzeImage } from '../../engine/analysis/analyze';
import { prepareFace, CROP_FACE_WIDTH } from '../../engine/fusion/fuse';
import { fillOcclusions, meshMirror, farSideWeights } from '../../engine/fusion/face-occlusion';
import { CANONICAL_MESH, MESH_POINTS, NON_SKIN_REGIONS, TRIANGLES, projectShape } from '../../engine/fusion/canonical-mesh';
import { fillPolygon, type Planes } from '../../engine/core/raster';
import { FIXTURE } from '../../scripts/eval-identity';

jest.setTimeout(60_000);

const copy = (p: Planes): Planes => ({ c0: p.c0.slice(), c1: p.c1.slice(), c2: p.c2.slice(), width: p.width, height: p.height });

test('the mesh mirror pairs vertices across the face (an involution, x flipped)', () => {
  const m = meshMirror();
  let mutual = 0;
  for (let i = 0; i < MESH_POINTS; i++) {
    if (m[m[i]] === i) mutual++;
    // partner on the other side (or on the midline with itself)
    expect(CANONICAL_MESH[i * 3] * CANONICAL_MESH[m[i] * 3]).toBeLessThanOrEqual(1e-3);
  }
  expect(mutual).toBeGreaterThan(0.95 * MESH_POINTS);
});

test('hair painted over one eye is replaced by the mirrored eye; a clean face stays as it is', async () => {
  const a = await analyzeImage(fs.readFileSync(FIXTURE(3)));
  const face = prepareFace(a, 0);
  const { lab, points } = face;
  const w = lab.width, h = lab.height;
  // A fringe over the image-left eye and brow: a dark ("hair", L 8) block around the eye centre.
  const eye = NON_SKIN_REGIONS[0];
  const cx = eye.reduce((s, i) => s + points[i * 3], 0) / eye.length, cy = eye.reduce((s, i) => s + points[i * 3 + 1], 0) / eye.length;
  const region = new Float32Array(w * h);
  const fw = face.faceWidth;
  fillPolygon(region, w, h, [cx - 0.2 * fw, cx + 0.12 * fw, cx + 0.12 * fw, cx - 0.2 * fw], [cy - 0.18 * fw, cy - 0.18 * fw, cy + 0.1 * fw, cy + 0.1 * fw]);
  const hair = copy(lab);
  let n = 0, before = 0;
  for (let i = 0; i < w * h; i++) if (region[i]) { before += lab.c0[i]; n++; hair.c0[i] = 8; hair.c1[i] = 0; hair.c2[i] = 0; }
  expect(n).toBeGreaterThan(2000);
  const share = fillOcclusions(hair, points, face.stats.mean[0], CROP_FACE_WIDTH);
  expect(share).toBeGreaterThan(0.01);
  let after = 0;
  for (let i = 0; i < w * h; i++) if (region[i]) after += hair.c0[i];
  // Back near the real eye region's brightness (not the hair's L 8).
  expect(after / n).toBeGreaterThan(before / n - 15);
  // A clean face: (almost) nothing replaced, and the painted area's far side untouched.
  const clean = copy(lab);
  expect(fillOcclusions(clean, points, face.stats.mean[0], CROP_FACE_WIDTH)).toBeLessThan(0.02);
});

/** The canonical mesh at a pose, in a 336 × 368 crop (face 240 px wide), as prepareFace's points. */
function posed(yaw: number): Float32Array {
  return projectShape(CANONICAL_MESH, { yaw, pitch: 0, roll: 0, width: CROP_FACE_WIDTH, center: [168, 184] });
}

test('the far side of a turned face is found on the half the nose turns towards; a frontal face has none', () => {
  expect(Math.max(...farSideWeights(posed(0)))).toBeLessThan(0.05);
  for (const yaw of [20, -20]) {
    const p = posed(yaw), far = farSideWeights(p);
    let farMax = 0, farSum = 0, nearSum = 0;
    for (let v = 0; v < MESH_POINTS; v++) {
      // which half of the face the vertex is on (the canonical face's x; the midline belongs to neither)
      const x = CANONICAL_MESH[v * 3];
      if (Math.abs(x) < 0.02) continue;
      if (Math.sign(x) === Math.sign(yaw)) { farMax = Math.max(farMax, far[v]); farSum += far[v]; } else nearSum += far[v];
    }
    expect(farMax).toBe(1);
    expect(farSum).toBeGreaterThan(50); // the far cheek, not a strip
    // (one vertex at the mesh's open edge by the ear has an ill-defined normal)
    expect(nearSum).toBeLessThan(0.02 * farSum);
  }
});

test('hair over a turned face\'s near cheek is not filled from the far side (the background by the silhouette)', () => {
  const w = 336, h = 368, points = posed(25), far = farSideWeights(points), m = meshMirror();
  const lab: Planes = { c0: new Float32Array(w * h).fill(60), c1: new Float32Array(w * h).fill(12), c2: new Float32Array(w * h).fill(16), width: w, height: h };
  // The far strip by the silhouette shows a light background (L 95); the mirror of that strip on
  // the near cheek is covered by dark hair (L 10).
  const strip = new Float32Array(w * h), hair = new Float32Array(w * h);
  for (let t = 0; t < TRIANGLES.length / 3; t++) {
    const tri = [TRIANGLES[t * 3], TRIANGLES[t * 3 + 1], TRIANGLES[t * 3 + 2]];
    if (!tri.every((v) => far[v] > 0.9)) continue;
    fillPolygon(strip, w, h, tri.map((v) => points[v * 3]), tri.map((v) => points[v * 3 + 1]));
    fillPolygon(hair, w, h, tri.map((v) => points[m[v] * 3]), tri.map((v) => points[m[v] * 3 + 1]));
  }
  let n = 0;
  for (let i = 0; i < w * h; i++) {
    if (strip[i]) lab.c0[i] = 95;
    if (hair[i]) { lab.c0[i] = 10; n++; }
  }
  expect(n).toBeGreaterThan(1000);
  fillOcclusions(lab, points, 60, CROP_FACE_WIDTH);
  let bright = 0;
  for (let i = 0; i < w * h; i++) if (hair[i] && lab.c0[i] > 40) bright++;
  expect(bright / n).toBeLessThan(0.02);
});

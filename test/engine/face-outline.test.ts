/**
 * The jaw's outline (engine/fusion/face-outline.ts): drawn where the user's face meets something
 * other than the drawing's own face, not where the art's outline is visible beyond a strip of drawn
 * skin, and never outside the oval. Synthetic frames around the canonical mesh, one per rule.
 */
import { CANONICAL_MESH, projectShape } from '../../engine/fusion/canonical-mesh';
import { drawFaceOutline, OUTLINE_WIDTH } from '../../engine/fusion/face-outline';
import { faceMask, featherWidth } from '../../engine/fusion/face-mask';
import { boundsOf, type RgbImage } from '../../engine/core/raster';
import { drawnFaceFrame } from '../helpers/drawn-face';

const W = 300, H = 340, FACE = 200;
const INK: [number, number, number] = [27, 27, 31];
const SKIN: [number, number, number] = [243, 201, 164];
const SKY: [number, number, number] = [30, 120, 200];
const dst = projectShape(CANONICAL_MESH, { center: [W / 2, H / 2], width: FACE, yaw: 0, pitch: 0, roll: 0 });
const box = boundsOf(dst, 3, null, 2, W, H);
const band = featherWidth(dst);
const mask = faceMask(dst, box, band);
const CHIN = 152;

/** A frame of `bg` with, optionally, a drawn face: the oval grown by `grow` px, skin inside an ink ring of `ring` px. */
const frameWith = (bg: readonly [number, number, number], drawn?: { grow: number; ring: number; halftone?: boolean }): RgbImage =>
  drawnFaceFrame(W, H, dst, { bg, skin: SKIN, ink: INK, drawn });

/** Mean luma of the fused copy over `n` px just inside the chin (the line's place). */
function chinInside(out: Uint8Array, from: number, to: number): number {
  const x = Math.round(dst[CHIN * 3]), y0 = Math.round(dst[CHIN * 3 + 1]);
  let s = 0, n = 0;
  for (let y = y0 - to; y <= y0 - from; y++) { const o = (y * W + x) * 3; s += 0.299 * out[o] + 0.587 * out[o + 1] + 0.114 * out[o + 2]; n++; }
  return s / n;
}

/** The fused copy: the frame with the face region painted in a mid skin (as the blend leaves it). */
function fusedCopy(frame: RgbImage): Uint8Array {
  const out = new Uint8Array(frame.data);
  const bw = box.x1 - box.x0;
  for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) {
    const m = mask[(y - box.y0) * bw + x - box.x0];
    const o = (y * W + x) * 3;
    for (let c = 0; c < 3; c++) out[o + c] = Math.round(out[o + c] + m * ([200, 160, 130][c] - out[o + c]));
  }
  return out;
}

test('a face over the sky gets the jaw line, inside the oval only', () => {
  const frame = frameWith(SKY);
  const out = fusedCopy(frame);
  const before = out.slice();
  const share = drawFaceOutline(frame, out, dst, box, mask, FACE, INK, SKIN, 1);
  expect(share).toBeCloseTo(1, 6);
  // the line: dark just inside the chin, the face untouched a line's width further in
  expect(chinInside(out, 1, 3)).toBeLessThan(50);
  expect(chinInside(before, 1, 3)).toBeGreaterThan(100);
  const deeper = Math.ceil(OUTLINE_WIDTH * FACE) + 3;
  expect(chinInside(out, deeper, deeper + 2)).toBeCloseTo(chinInside(before, deeper, deeper + 2), 5);
  // nothing outside the oval (mask 0) changed
  const bw = box.x1 - box.x0;
  let changedOutside = 0, changed = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const inBox = x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1;
    const m = inBox ? mask[(y - box.y0) * bw + x - box.x0] : 0;
    const o = (y * W + x) * 3;
    const diff = out[o] !== before[o] || out[o + 1] !== before[o + 1] || out[o + 2] !== before[o + 2];
    if (diff) { changed++; if (m <= 0) changedOutside++; }
  }
  expect(changed).toBeGreaterThan(200);
  expect(changedOutside).toBe(0);
});

test('where the art draws this face wider (a strip of drawn skin, then its outline), no second line', () => {
  for (const halftone of [false, true]) {
    const frame = frameWith(SKY, { grow: 8, ring: 6, halftone });
    const out = fusedCopy(frame);
    const before = out.slice();
    expect(drawFaceOutline(frame, out, dst, box, mask, FACE, INK, SKIN, 1)).toBe(0);
    expect(Buffer.compare(Buffer.from(out), Buffer.from(before))).toBe(0);
  }
});

test('where the art\'s outline is right at the edge, it stays the only line', () => {
  const frame = frameWith(SKY, { grow: 0, ring: 6 });
  const out = fusedCopy(frame);
  const before = out.slice();
  expect(drawFaceOutline(frame, out, dst, box, mask, FACE, INK, SKIN, 1)).toBe(0);
  expect(Buffer.compare(Buffer.from(out), Buffer.from(before))).toBe(0);
});

test('a drawn skin strip wider than the reach (the neck under a longer chin) still gets the line', () => {
  // all skin below and around: no ink within reach, so the chin needs its own line over the neck
  const frame = frameWith(SKIN);
  const out = fusedCopy(frame);
  expect(drawFaceOutline(frame, out, dst, box, mask, FACE, INK, SKIN, 1)).toBeCloseTo(1, 6);
  expect(chinInside(out, 1, 3)).toBeLessThan(50);
});

/**
 * The skin's shading (engine/fusion/stylise.ts drawComicFace): band shapes are cut from a lightly
 * blurred tone (no speck islands), and the shadows are printed as a dot screen (`halftone`): dots
 * of one dark tone on the skin's own flat ground, growing with the shadow and keeping its mean
 * tone; the skin's own tone, the lips and the brows stay flat, the dots stay out of the
 * feather band, and the screen is fixed in frame coordinates; on a dark skin the shadow bands
 * still step by a visible amount; inside the mouth opening teeth are drawn white and lips are not. Synthetic planes on the canonical mesh, each built to trigger one rule.
 */
import { CANONICAL_MESH, projectShape, LIPS_INNER_UPPER, LIPS_INNER_LOWER } from '../../engine/fusion/canonical-mesh';
import { drawComicFace, halftoneDot, HALFTONE_PITCH, HALFTONE_DOT, HALFTONE_MAX_COVER, BAND_RANGE, WHITE_MIN_L, MIN_SHADOW_STEP_L, type ComicDrawParams } from '../../engine/fusion/stylise';
import { newPlanes, fillPolygon, type Rect } from '../../engine/core/raster';
import { SlotStyleSchema } from '../../engine/fusion/slot';

const W = 320, H = 340, FACE = 240, SKIN_L = 70;
const points = projectShape(CANONICAL_MESH, { center: [W / 2, H / 2], width: FACE, yaw: 0, pitch: 0, roll: 0 });
const STEP = BAND_RANGE / 4;

/** Draws a box whose relative tone is `rel` everywhere (detail = rel on a flat skin L), or as `detail` gives it; returns its L plane. */
function draw(box: Rect, rel: number, halftone: number, mask = 1, detail?: Float32Array, skinL = SKIN_L): Float32Array {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const lab = newPlanes(bw, bh);
  lab.c0.fill(skinL); lab.c1.fill(12); lab.c2.fill(14);
  const params: ComicDrawParams = { bands: 4, centre: skinL, inkLab: [15, 0, 0], ink: 0.7, dst: points, eyes: [], halftone };
  drawComicFace(lab, detail ?? new Float32Array(bw * bh).fill(rel), new Float32Array(bw * bh), box, new Float32Array(bw * bh).fill(mask), params);
  return lab.c0;
}
const stats = (a: Float32Array) => {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const v of a) { s += v; s2 += v * v; min = Math.min(min, v); max = Math.max(max, v); }
  const mean = s / a.length;
  return { mean, sd: Math.sqrt(Math.max(0, s2 / a.length - mean * mean)), min, max };
};
// a cheek box (canonical point 50), away from the eyes and the mouth
const cheek: Rect = { x0: Math.round(points[50 * 3]) - 24, y0: Math.round(points[50 * 3 + 1]) - 24, x1: Math.round(points[50 * 3]) + 24, y1: Math.round(points[50 * 3 + 1]) + 24 };

test('band shapes: a speck of one or two pixels stays skin, a blob of six is a band (flat bands, no dots)', () => {
  const bw = cheek.x1 - cheek.x0, bh = cheek.y1 - cheek.y0;
  const spot = (size: number, at: [number, number]) => {
    const d = new Float32Array(bw * bh);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) d[(at[1] + y) * bw + at[0] + x] = -0.13;
    return d;
  };
  const flat = stats(draw(cheek, 0, 0)).mean;
  const L1 = draw(cheek, 0, 0, 1, spot(1, [10, 10])), L2 = draw(cheek, 0, 0, 1, spot(2, [10, 10])), L6 = draw(cheek, 0, 0, 1, spot(6, [20, 20]));
  // the speck's own pixels keep the skin's tone (a photo's pore or stubble dot is no band island)
  expect(Math.abs(L1[10 * bw + 10] - flat)).toBeLessThan(0.5);
  for (const [x, y] of [[10, 10], [11, 11]]) expect(Math.abs(L2[y * bw + x] - flat)).toBeLessThan(0.5);
  // a real shadow shape keeps its band (−12 % of the skin's lightness) in its middle
  expect(L6[23 * bw + 23]).toBeCloseTo(SKIN_L * (1 - STEP), 0);
});

const area = (box: Rect) => (box.x1 - box.x0) * (box.y1 - box.y0);

test('a shadow is printed as dots of one dark tone on the skin\'s flat ground, keeping its mean tone; flat bands at halftone 0', () => {
  const shares: number[] = [];
  for (const rel of [-0.13, -0.25, -0.4]) {
    const flat = stats(draw(cheek, rel, 0));
    expect(flat.sd).toBeLessThan(0.01); // one flat band
    const L = draw(cheek, rel, 1), dots = stats(L);
    // the ground between the dots is the skin's own tone, the dots' centres HALFTONE_DOT under it…
    expect(dots.max).toBeCloseTo(SKIN_L, 1);
    expect(dots.min).toBeCloseTo(SKIN_L * (1 + HALFTONE_DOT), 0);
    // …averaging to the shadow's own tone (what a recogniser or a thumbnail sees)
    expect(Math.abs(dots.mean - SKIN_L * (1 + rel))).toBeLessThan(0.02 * SKIN_L);
    // and the dots cover rel / HALFTONE_DOT of the skin
    const share = L.filter((v) => v < SKIN_L * (1 + HALFTONE_DOT / 2)).length / area(cheek);
    expect(Math.abs(share - rel / HALFTONE_DOT)).toBeLessThan(0.06);
    shares.push(share);
  }
  // a deeper shadow has bigger dots, not darker ones
  expect(shares[1]).toBeGreaterThan(shares[0] + 0.1);
  expect(shares[2]).toBeGreaterThan(shares[1] + 0.1);
});

test('past the largest cover the ground darkens instead of the dots merging', () => {
  const rel = HALFTONE_DOT * (HALFTONE_MAX_COVER + 0.2);
  const L = draw(cheek, rel, 1), dots = stats(L);
  expect(dots.max).toBeCloseTo(SKIN_L * (1 + rel - HALFTONE_DOT * HALFTONE_MAX_COVER), 0);
  expect(dots.max).toBeLessThan(SKIN_L - 5);
  expect(Math.abs(dots.mean - SKIN_L * (1 + rel))).toBeLessThan(0.02 * SKIN_L);
  const share = L.filter((v) => v < dots.max + (SKIN_L * HALFTONE_DOT) / 2).length / area(cheek);
  expect(Math.abs(share - HALFTONE_MAX_COVER)).toBeLessThan(0.06);
});

test('the skin\'s own tone and its highlights stay flat', () => {
  for (const rel of [0, 0.13]) expect(stats(draw(cheek, rel, 1)).sd).toBeLessThan(0.01);
});

test('no dots on the lips, the brows or in the feather band', () => {
  // a box in the middle of each brow (canonical points: upper 105 / 334 over lower 52 / 282)
  for (const [up, low] of [[105, 52], [334, 282]]) {
    const cx = (points[up * 3] + points[low * 3]) / 2, cy = (points[up * 3 + 1] + points[low * 3 + 1]) / 2;
    expect(points[low * 3 + 1] - points[up * 3 + 1]).toBeGreaterThan(8);
    const brow: Rect = { x0: Math.round(cx - 8), y0: Math.round(cy - 2), x1: Math.round(cx + 8), y1: Math.round(cy + 2) };
    expect(stats(draw(brow, -0.25, 1)).sd).toBeLessThan(0.5);
  }
  // a box on the upper lip's body: between its outer edge (point 0) and the mouth line (point 13)
  const [cx, top, bottom] = [points[0], points[0 * 3 + 1], points[13 * 3 + 1]];
  expect(bottom - top).toBeGreaterThan(8);
  const lips: Rect = { x0: Math.round(cx - 10), y0: Math.round(top + 3), x1: Math.round(cx + 10), y1: Math.round(bottom - 3) };
  expect(stats(draw(lips, -0.25, 1)).sd).toBeLessThan(0.5);
  // the same cheek where the soft mask is 0.8 (the feather band) — flat; at 0.95 dotted
  expect(stats(draw(cheek, -0.25, 1, 0.8)).sd).toBeLessThan(0.01);
  expect(stats(draw(cheek, -0.25, 1, 0.95)).sd).toBeGreaterThan(5);
});

test('on a dark skin the first shadow band is still a visible step below the skin; highlights and a light skin\'s bands are as they were', () => {
  const mean = (rel: number, skinL: number, mask = 1) => stats(draw(cheek, rel, 0, mask, undefined, skinL)).mean;
  // light skin (L 70): 12 % is 8.4 units, already past the minimum step
  expect(mean(0, 70) - mean(-0.13, 70)).toBeCloseTo(70 * STEP, 1);
  // dark skin (L 35): 12 % would be 4.2 units; the shadow is deepened to the minimum step…
  const dark = 35;
  expect(mean(0, dark) - mean(-0.13, dark)).toBeCloseTo(MIN_SHADOW_STEP_L, 1);
  // …and the second band by the same factor (the bands keep their order and shapes)
  expect(mean(0, dark) - mean(-0.25, dark)).toBeCloseTo(2 * MIN_SHADOW_STEP_L, 1);
  // in the feather band (where the face blends into the drawn skin beside it) the band keeps its own step
  expect(mean(0, dark, 0.8) - mean(-0.13, dark, 0.8)).toBeCloseTo(dark * STEP, 1);
  // the skin's own tone and its highlight band are not touched
  expect(mean(0, dark)).toBeCloseTo(dark, 1);
  expect(mean(0.13, dark)).toBeCloseTo(dark * (1 + STEP), 1);
});

test('the screen is fixed in frame coordinates (a box moved by a pixel shows the same dots where they overlap)', () => {
  const moved: Rect = { x0: cheek.x0 + 1, y0: cheek.y0 + 2, x1: cheek.x1 + 1, y1: cheek.y1 + 2 };
  const a = draw(cheek, -0.25, 1), b = draw(moved, -0.25, 1);
  const bw = cheek.x1 - cheek.x0;
  let diff = 0;
  for (let y = 2; y < cheek.y1 - cheek.y0; y++) for (let x = 1; x < bw; x++) diff = Math.max(diff, Math.abs(a[y * bw + x] - b[(y - 2) * bw + x - 1]));
  expect(diff).toBeLessThan(1e-3);
  // and it is a 45° lattice of HALFTONE_PITCH: a dot's centre repeats one pitch along the diagonal
  const d = HALFTONE_PITCH * Math.SQRT1_2;
  expect(halftoneDot(0, 0, 0.4)).toBe(1);
  expect(halftoneDot(d, d, 0.4)).toBe(1);
  expect(halftoneDot(d / 2, d / 2, 0.4)).toBe(0);
});

test('templates get screen-tone shading by default', () => {
  expect(SlotStyleSchema.parse({}).halftone).toBe(1);
});

test('inside the mouth opening a tooth is drawn white, a lip lighter than the skin keeps its colour', () => {
  // The canonical mouth opened 12 px (the inner lower lip moved down), drawn in a box around it.
  const open = Float32Array.from(points);
  for (const i of LIPS_INNER_LOWER) if (!(LIPS_INNER_UPPER as readonly number[]).includes(i)) open[i * 3 + 1] += 12;
  const mx = points[13 * 3], my = (points[13 * 3 + 1] + open[14 * 3 + 1]) / 2;
  const box: Rect = { x0: Math.round(mx - 40), y0: Math.round(my - 30), x1: Math.round(mx + 40), y1: Math.round(my + 30) };
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const opening = new Float32Array(bw * bh);
  const poly = [...LIPS_INNER_UPPER, ...[...LIPS_INNER_LOWER].reverse()];
  fillPolygon(opening, bw, bh, poly.map((i) => open[i * 3]), poly.map((i) => open[i * 3 + 1]), box.x0, box.y0);
  /** Lips a* 28, b* 14 all round; the opening in `inside` colour; everything 10 % lighter than the skin (a dark skin's lips, or teeth). */
  const drawMouth = (inside: [number, number], tone = 0.1) => {
    const lab = newPlanes(bw, bh);
    lab.c0.fill(SKIN_L);
    for (let i = 0; i < bw * bh; i++) { lab.c1[i] = opening[i] ? inside[0] : 28; lab.c2[i] = opening[i] ? inside[1] : 14; }
    const params: ComicDrawParams = { bands: 4, centre: SKIN_L, inkLab: [15, 0, 0], ink: 0.7, dst: open, eyes: [], halftone: 1 };
    drawComicFace(lab, new Float32Array(bw * bh).fill(tone), new Float32Array(bw * bh), box, new Float32Array(bw * bh).fill(1), params);
    // the opening's middle (3 px in from its edges), where the mouth mask is whole
    const c = Math.round(mx - box.x0), r = Math.round(my - box.y0);
    const L: number[] = [], chroma: number[] = [];
    for (let y = r - 2; y <= r + 2; y++) for (let x = c - 10; x <= c + 10; x++) { const i = y * bw + x; expect(opening[i]).toBe(1); L.push(lab.c0[i]); chroma.push(Math.hypot(lab.c1[i], lab.c2[i])); }
    return { L: Math.min(...L), chroma: Math.max(...chroma) };
  };
  const teeth = drawMouth([2, 6]);
  expect(teeth.L).toBeGreaterThanOrEqual(WHITE_MIN_L);
  expect(teeth.chroma).toBeLessThan(2);
  const lips = drawMouth([28, 14]);
  expect(lips.L).toBeLessThan(WHITE_MIN_L);
  expect(lips.chroma).toBeGreaterThan(25);
  // teeth in the lips' shadow, 25 % under the skin's tone (at the eyes' threshold they stayed
  // two bands under it), are still drawn white; the mouth's dark inside stays dark
  const shaded = drawMouth([2, 6], -0.25);
  expect(shaded.L).toBeGreaterThanOrEqual(WHITE_MIN_L);
  expect(shaded.chroma).toBeLessThan(2);
  expect(drawMouth([2, 6], -0.6).L).toBeLessThan(0.6 * SKIN_L);
});

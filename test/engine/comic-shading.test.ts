/**
 * The skin's shading (engine/fusion/stylise.ts drawComicFace): band shapes are cut from a lightly
 * blurred tone (no speck islands), and the shadows are drawn as a dot screen (`halftone`) that
 * keeps the band's mean tone; the skin's own tone and the lips stay flat, the dots stay out of the
 * feather band, and the screen is fixed in frame coordinates. Synthetic planes on the canonical
 * mesh, each built to trigger one rule.
 */
import { CANONICAL_MESH, projectShape } from '../../engine/fusion/canonical-mesh';
import { drawComicFace, halftoneDot, HALFTONE_PITCH, HALFTONE_COVER, HALFTONE_DEPTH, BAND_RANGE, type ComicDrawParams } from '../../engine/fusion/stylise';
import { newPlanes, type Rect } from '../../engine/core/raster';
import { SlotStyleSchema } from '../../engine/fusion/slot';

const W = 320, H = 340, FACE = 240, SKIN_L = 70;
const points = projectShape(CANONICAL_MESH, { center: [W / 2, H / 2], width: FACE, yaw: 0, pitch: 0, roll: 0 });
const STEP = BAND_RANGE / 4;

/** Draws a box whose relative tone is `rel` everywhere (detail = rel on a flat skin L), or as `detail` gives it; returns its L plane. */
function draw(box: Rect, rel: number, halftone: number, mask = 1, detail?: Float32Array): Float32Array {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const lab = newPlanes(bw, bh);
  lab.c0.fill(SKIN_L); lab.c1.fill(12); lab.c2.fill(14);
  const params: ComicDrawParams = { bands: 4, centre: SKIN_L, inkLab: [15, 0, 0], ink: 0.7, dst: points, eyes: [], halftone };
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

test('a shadow band is drawn as dots that keep its mean tone; flat at halftone 0', () => {
  for (const rel of [-0.13, -0.25]) {
    const flat = stats(draw(cheek, rel, 0));
    expect(flat.sd).toBeLessThan(0.01); // one flat band
    const dots = stats(draw(cheek, rel, 1));
    // dots and their ground HALFTONE_DEPTH bands apart…
    expect(dots.max - dots.min).toBeGreaterThan(0.9 * HALFTONE_DEPTH * STEP * SKIN_L);
    expect(dots.sd).toBeGreaterThan(5);
    // …averaging to the flat band's tone (what a recogniser or a thumbnail sees)
    expect(Math.abs(dots.mean - flat.mean)).toBeLessThan(0.03 * SKIN_L * STEP * HALFTONE_DEPTH);
    // about HALFTONE_COVER of the pixels are dot
    const dotShare = draw(cheek, rel, 1).filter((v) => v < flat.mean).length / ((cheek.x1 - cheek.x0) * (cheek.y1 - cheek.y0));
    expect(Math.abs(dotShare - HALFTONE_COVER)).toBeLessThan(0.08);
  }
  // a deeper shadow's dots are darker than a lighter one's
  expect(stats(draw(cheek, -0.25, 1)).min).toBeLessThan(stats(draw(cheek, -0.13, 1)).min - 5);
});

test('the skin\'s own tone and its highlights stay flat', () => {
  for (const rel of [0, 0.13]) expect(stats(draw(cheek, rel, 1)).sd).toBeLessThan(0.01);
});

test('no dots on the lips or in the feather band', () => {
  // a box on the upper lip's body: between its outer edge (point 0) and the mouth line (point 13)
  const [cx, top, bottom] = [points[0], points[0 * 3 + 1], points[13 * 3 + 1]];
  expect(bottom - top).toBeGreaterThan(8);
  const lips: Rect = { x0: Math.round(cx - 10), y0: Math.round(top + 3), x1: Math.round(cx + 10), y1: Math.round(bottom - 3) };
  expect(stats(draw(lips, -0.25, 1)).sd).toBeLessThan(0.5);
  // the same cheek where the soft mask is 0.8 (the feather band) — flat; at 0.95 dotted
  expect(stats(draw(cheek, -0.25, 1, 0.8)).sd).toBeLessThan(0.01);
  expect(stats(draw(cheek, -0.25, 1, 0.95)).sd).toBeGreaterThan(5);
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
  expect(halftoneDot(0, 0)).toBe(1);
  expect(halftoneDot(d, d)).toBe(1);
  expect(halftoneDot(d / 2, d / 2)).toBe(0);
});

test('templates get screen-tone shading by default', () => {
  expect(SlotStyleSchema.parse({}).halftone).toBe(1);
});

/**
 * The blend mask's edge (engine/fusion/face-mask.ts crispenAgainstArt): soft where the face meets
 * the drawing's skin (the seam is hidden there), crisp against any other art, and never beyond the
 * oval; and the artwork's hair in front of the face (keepArtworkHair). Synthetic frames around the
 * canonical mesh.
 */
import { CANONICAL_MESH, projectShape } from '../../engine/fusion/canonical-mesh';
import { faceMask, featherWidth, crispenAgainstArt, keepArtworkHair, CRISP_RAMP_PX } from '../../engine/fusion/face-mask';
import { HAIR_REACH } from '../../engine/fusion/fuse';
import { boundsOf } from '../../engine/core/raster';
import { drawnFaceFrame } from '../helpers/drawn-face';

const W = 300, H = 340, FACE = 200;
const SKIN: [number, number, number] = [243, 201, 164];
const dst = projectShape(CANONICAL_MESH, { center: [W / 2, H / 2], width: FACE, yaw: 0, pitch: 0, roll: 0 });
const box = boundsOf(dst, 3, null, 2, W, H);
const bw = box.x1 - box.x0;
const band = featherWidth(dst);

const frameOf = (rgb: readonly [number, number, number]) => {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) data.set(rgb, i * 3);
  return { data, width: W, height: H };
};
/** Pixels of the mask's ramp (strictly between 0.05 and 0.95) on the column through the chin. */
const rampUnderChin = (m: Float32Array) => {
  const x = Math.round(dst[152 * 3]) - box.x0;
  let n = 0;
  // the lower half of the column only: the chin's edge, not the forehead's
  for (let y = Math.round(H / 2) - box.y0; y < box.y1 - box.y0; y++) { const v = m[y * bw + x]; if (v > 0.05 && v < 0.95) n++; }
  return n;
};

test('against the sky the face\'s edge is crisp; the oval, its pixels > 0 and the interior stay as they were', () => {
  const soft = faceMask(dst, box, band);
  const m = soft.slice();
  crispenAgainstArt(frameOf([30, 120, 200]), box, m, band, SKIN);
  expect(rampUnderChin(soft)).toBeGreaterThanOrEqual(Math.floor(band) - 2);
  expect(rampUnderChin(m)).toBeLessThanOrEqual(Math.ceil(CRISP_RAMP_PX) + 1);
  // the same pixels are > 0 (the face's colours are computed there; the Poisson ring reads them)
  let grew = 0, shrank = 0, interior = 0;
  for (let i = 0; i < m.length; i++) {
    if (soft[i] === 0 && m[i] !== 0) grew++;
    if (soft[i] > 0 && m[i] <= 0) shrank++;
    if (soft[i] === 1 && m[i] !== 1) interior++;
  }
  expect(grew).toBe(0);
  expect(shrank).toBe(0);
  expect(interior).toBe(0);
});

test('against the drawing\'s skin, and its shades, the soft edge stays (it hides the seam)', () => {
  for (const rgb of [SKIN, SKIN.map((v) => Math.round(0.7 * v)) as [number, number, number]]) {
    const soft = faceMask(dst, box, band);
    const m = soft.slice();
    crispenAgainstArt(frameOf(rgb), box, m, band, SKIN);
    expect(Array.from(m)).toEqual(Array.from(soft));
  }
});

/** Drawn skin inside the oval grown by `gap` px, an ink ring of 6 px around it, sky beyond. */
const drawnFace = (gap: number) => drawnFaceFrame(W, H, dst, { bg: [30, 120, 200], skin: SKIN, ink: [27, 27, 31], drawn: { grow: gap, ring: 6 } });

test('the art\'s outline at the oval\'s edge gets the crisp edge; beyond a strip of drawn skin the soft one stays', () => {
  const soft = faceMask(dst, box, band);
  const atEdge = soft.slice(), beyond = soft.slice();
  crispenAgainstArt(drawnFace(0), box, atEdge, band, SKIN);
  crispenAgainstArt(drawnFace(6), box, beyond, band, SKIN);
  expect(rampUnderChin(atEdge)).toBeLessThanOrEqual(Math.ceil(CRISP_RAMP_PX) + 1);
  expect(rampUnderChin(beyond)).toBe(rampUnderChin(soft));
});

test('a hat\'s brim slanting past the brows goes on along its own edge, not in a step; deeper down the face still covers the hair', () => {
  // Hair (a dark brim) above a line through the top of the image-left brow's middle, falling 1.2 px
  // per px towards the image's left, past the brow's outer end.
  const yMax = dst[105 * 3 + 1] - box.y0, xa = dst[105 * 3] - box.x0, s = 1.2;
  const frame = frameOf(SKIN);
  const edgeAt = (x: number) => yMax + s * (xa - x);
  for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) if (y - box.y0 < edgeAt(x - box.x0)) frame.data.set([40, 30, 32], (y * W + x) * 3);
  const fade = 0.05 * FACE, radius = 0.04 * FACE, reach = HAIR_REACH * FACE;
  const oval = faceMask(dst, box, band);
  const stepped = oval.slice(), slanted = oval.slice();
  keepArtworkHair(frame, box, stepped, SKIN, yMax, radius, fade);
  keepArtworkHair(frame, box, slanted, SKIN, yMax, radius, fade, reach);
  let below = 0, keptStepped = 0, keptSlanted = 0, deep = 0, deepChanged = 0, skinChanged = 0;
  for (let y = 0; y < box.y1 - box.y0; y++) for (let x = 0; x < bw; x++) {
    const i = y * bw + x;
    if (oval[i] < 0.99) continue;
    const depth = (edgeAt(x) - y) / Math.hypot(1, s); // distance to the brim's edge, inside the hair
    if (depth <= 0) { if (slanted[i] !== oval[i]) skinChanged++; continue; }
    // below the old cut (the ramp's middle, where crispenAgainstArt puts the edge), above the new
    // one (the cut comes down by the depth into the hair, up to `reach`), off the brim's own edge
    if (y > yMax + 2 && y - yMax < Math.min(reach, depth) - 3 && depth > radius + 4) {
      below++;
      if (stepped[i] < 0.5) keptStepped++;
      if (slanted[i] < 0.5) keptSlanted++;
    }
    if (y > yMax + reach + fade + 1) { deep++; if (slanted[i] !== oval[i]) deepChanged++; }
  }
  expect(below).toBeGreaterThan(30);
  expect(keptStepped).toBe(0); // the old horizontal cut: the face covered the brim there (the notch)
  expect(keptSlanted).toBe(below); // now the brim stays in front
  expect(deep).toBeGreaterThan(30);
  expect(deepChanged).toBe(0); // past `reach` the face covers the hair, as before (temples show)
  expect(skinChanged).toBe(0); // drawn skin is never taken for hair
});

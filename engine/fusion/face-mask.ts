/**
 * Blend mask: the face oval (forehead to the hairline included, hair excluded — FaceMesh's oval
 * stops at the hairline) with a soft edge that lies entirely INSIDE the oval.
 *
 * Why inside: the warp only has face pixels inside the oval; a feather that reached outside would
 * blend in pixels that do not exist. The oval is shrunk by the band width, filled, and blurred by
 * a box filter whose support is exactly the band: the mask is 1 at `band` pixels inside
 * the oval and exactly 0 on and outside it — so nothing outside the oval can change.
 */
import { FACE_OVAL } from './canonical-mesh';
import { boxBlur, fillPolygon, scratch, type Rect } from '../core/raster';
import { skinVariant } from './drawn-skin';

/** Feather band as a fraction of the face's width. */
export const FEATHER_FRACTION = 0.03;

export function featherWidth(dst: Float32Array): number {
  let minX = Infinity, maxX = -Infinity;
  for (const i of FACE_OVAL) { minX = Math.min(minX, dst[i * 3]); maxX = Math.max(maxX, dst[i * 3]); }
  return Math.max(2, FEATHER_FRACTION * (maxX - minX));
}

/**
 * Feathered mask over `box` (row-major Float32, 0–1) from the target points (468 × 3, frame px).
 * `band`: width of the soft edge in pixels. `cover` (optional) zeroes pixels the warp did not reach.
 */
export function faceMask(dst: Float32Array, box: Rect, band: number, cover?: Uint8Array): Float32Array {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const n = FACE_OVAL.length;
  // centroid of the oval
  let cx = 0, cy = 0;
  for (const i of FACE_OVAL) { cx += dst[i * 3] / n; cy += dst[i * 3 + 1] / n; }
  // Inward offset by band/2 (the blur's radius) along each vertex's normal (bisector of the two edges).
  const xs = new Float32Array(n), ys = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const p = FACE_OVAL[(k + n - 1) % n], c = FACE_OVAL[k], q = FACE_OVAL[(k + 1) % n];
    let tx = dst[q * 3] - dst[p * 3], ty = dst[q * 3 + 1] - dst[p * 3 + 1];
    const tl = Math.hypot(tx, ty) || 1;
    tx /= tl; ty /= tl;
    let nx = -ty, ny = tx; // one of the normals; point it towards the centroid
    if (nx * (cx - dst[c * 3]) + ny * (cy - dst[c * 3 + 1]) < 0) { nx = -nx; ny = -ny; }
    xs[k] = dst[c * 3] + nx * band / 2;
    ys[k] = dst[c * 3 + 1] + ny * band / 2;
  }
  const hard = scratch('mask-hard', bw * bh);
  fillPolygon(hard, bw, bh, xs, ys, box.x0, box.y0);
  // One box pass of radius band/2 (a linear ramp that reaches the oval and stops there), shaped
  // by a smoothstep so the ramp has no visible start and end (cheaper than a second blur).
  const r = Math.max(1, Math.floor(band / 2));
  const m = boxBlur(hard, bw, bh, r, new Float32Array(bw * bh), scratch('mask-tmp', bw * bh, false));
  for (let i = 0; i < m.length; i++) { const v = m[i]; if (v > 0 && v < 1) m[i] = v * v * (3 - 2 * v); }
  if (cover) for (let i = 0; i < m.length; i++) if (!cover[i]) m[i] = 0;
  return m;
}

/**
 * The artwork's hair stays in front of the face: above `yMax` (box rows; the brows' top), mask
 * (fading out over `fade` rows below it) pixels where the frame is drawn in a colour far from its skin (`skin`, RGB) and that belong to a
 * large non-skin area (a fringe, a hat — not a thin drawn brow or outline) are removed, so the
 * user's forehead does not show through the drawn hair as a pale, blurred band. The edge follows
 * the artwork's own antialiased edge. Only lowers the mask (nothing outside the band can change).
 *
 * Inside the hair the cut comes down by the pixel's depth into it (its distance to the nearest
 * non-hair pixel), at most `reach` rows: where a hat's brim or a bob slants down past the brows, its
 * edge goes on along its own line and then meets the face, instead of stopping in a horizontal step
 * with a block of skin under it (a notch of ≈ 10 px at phone size). Deeper hair (a bob's side
 * hanging down to the jaw) is still cut within `reach`: hair hanging over the temples hid them and
 * cost likeness (docs/fusion.md "Ninth round").
 */
export function keepArtworkHair(frame: { data: ArrayLike<number>; width: number }, box: Rect, mask: Float32Array, skin: readonly [number, number, number], yMax: number, radius: number, fade: number, reach = 0): void {
  const bw = box.x1 - box.x0;
  const rows = Math.max(0, Math.min(box.y1 - box.y0, Math.floor(yMax + fade + reach)));
  if (rows < 2) return;
  const n = bw * rows, F = frame.data, W = frame.width;
  const px = scratch('hair-px', n, false);
  for (let y = 0; y < rows; y++) {
    let fo = ((box.y0 + y) * W + box.x0) * 3;
    for (let x = 0; x < bw; x++, fo += 3) {
      const d = Math.max(Math.abs(F[fo] - skin[0]), Math.abs(F[fo + 1] - skin[1]), Math.abs(F[fo + 2] - skin[2]));
      const t = (d - 35) / 50;
      px[y * bw + x] = t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
    }
  }
  const r = Math.max(2, Math.round(radius));
  const area = boxBlur(px, bw, rows, r, scratch('hair-area', n, false), scratch('hair-tmp', n, false));
  // Depth into the hair only where it can move the cut: from `fade` above yMax (higher rows keep
  // the hair whatever the depth), and from `reach` above that (farther non-hair pixels only give
  // depths past the cap).
  const d0 = Math.max(0, Math.floor(yMax - fade - reach));
  let depth: Float32Array | null = null;
  if (reach > 0 && rows > d0) {
    const m = (rows - d0) * bw;
    depth = scratch('hair-depth', m, false);
    for (let i = 0; i < m; i++) depth[i] = px[d0 * bw + i] < 0.5 ? 0 : 1e6;
    chamferInPlace(depth, scratch('hair-skip', m), bw, rows - d0); // zeros: no pixel skipped
  }
  for (let y = 0, i = 0; y < rows; y++) {
    for (let x = 0; x < bw; x++, i++) {
      if (mask[i] <= 0 || px[i] <= 0) continue;
      const cut = yMax + (depth && y >= d0 ? Math.min(reach, depth[i - d0 * bw]) : 0);
      const rw = Math.max(0, Math.min(1, (cut + fade - y) / (2 * fade)));
      let t = (area[i] - 0.45) / 0.35;
      t = t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
      mask[i] *= 1 - rw * t * px[i];
    }
  }
}

/** Width (px) of the mask's ramp where the face meets art other than drawn skin (crispenAgainstArt). */
export const CRISP_RAMP_PX = 1.5;
/**
 * Mask value at the middle of the steepened ramp: the soft ramp's own middle, so the face's edge
 * stays where it was, only sharper (at 0.35, a little more of the face, sample3's fixture lost a
 * dlib frame on a 22° slot; ../shared/faces unchanged).
 */
const CRISP_PIVOT = 0.5;
/** Lowest crisped mask value (invisible: under a thousandth of the face shows). */
const CRISP_FLOOR = 1e-3;
/** Gap (px) of drawn skin between the oval's edge and other art from which the soft ramp stays (fully from GAP + 2). */
export const CRISP_GAP = 1;

/** v for m = smoothstep(v) = v²(3 − 2v), tabulated over m in 1024 steps (the mask's ramp → depth in the band). */
const INV_SMOOTHSTEP = Float32Array.from({ length: 1025 }, (_, k) => 0.5 - Math.sin(Math.asin(1 - 2 * Math.min(1, (k + 0.5) / 1024)) / 3));

/**
 * Distance (px, chamfer 1 / √2) from each pixel to the nearest pixel with `dist` 0, in place: `dist`
 * comes in as 0 (a source) or `big`; pixels where `skip` is set are neither read nor written (the
 * face's interior: only the band and the art around it matter). Two passes over the grid.
 */
function chamferInPlace(dist: Float32Array, skip: Float32Array, w: number, h: number): void {
  const D = Math.SQRT2;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    if (skip[i] >= 1) continue;
    let v = dist[i];
    if (x > 0 && dist[i - 1] + 1 < v) v = dist[i - 1] + 1;
    if (y > 0) {
      if (dist[i - w] + 1 < v) v = dist[i - w] + 1;
      if (x > 0 && dist[i - w - 1] + D < v) v = dist[i - w - 1] + D;
      if (x < w - 1 && dist[i - w + 1] + D < v) v = dist[i - w + 1] + D;
    }
    dist[i] = v;
  }
  for (let y = h - 1; y >= 0; y--) for (let x = w - 1; x >= 0; x--) {
    const i = y * w + x;
    if (skip[i] >= 1) continue;
    let v = dist[i];
    if (x < w - 1 && dist[i + 1] + 1 < v) v = dist[i + 1] + 1;
    if (y < h - 1) {
      if (dist[i + w] + 1 < v) v = dist[i + w] + 1;
      if (x < w - 1 && dist[i + w + 1] + D < v) v = dist[i + w + 1] + D;
      if (x > 0 && dist[i + w - 1] + D < v) v = dist[i + w - 1] + D;
    }
    dist[i] = v;
  }
}

/**
 * The soft ramp of the mask (3 % of the face width, ≈ 7 px) hides the seam where the face meets
 * the drawing's skin (ears, neck, the drawn face around a smaller one). Where other art — the
 * drawing's outline, dark hair, the sky — touches the oval's edge, it reads as a grey halo, the face
 * fading into the line. There the ramp is steepened to `CRISP_RAMP_PX`, so the face meets the art at
 * a crisp edge like every edge of the drawing. Where a strip of drawn skin (≥ CRISP_GAP + 2 px)
 * separates the oval from the art, the soft ramp stays: it fades the face into that skin, and a
 * crisp edge there would show any colour step as a seam. `skin`: the slot's drawn skin colour
 * (RGB); its shades count as skin (drawn-skin.ts skinVariant). Band pixels only (0 < mask < 1),
 * and they stay above 0: 0 stays 0, so nothing outside the oval can change.
 */
export function crispenAgainstArt(frame: { data: ArrayLike<number>; width: number }, box: Rect, mask: Float32Array, band: number, skin: readonly [number, number, number]): void {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0, n = bw * bh, F = frame.data, W = frame.width;
  // 0 where the art is not drawn skin, far (w + h) elsewhere; the face's interior (mask 1) is skipped
  const dist = scratch('crisp-dist', n, false), BIG = bw + bh;
  for (let y = 0; y < bh; y++) {
    let fo = ((box.y0 + y) * W + box.x0) * 3;
    for (let x = 0; x < bw; x++, fo += 3) {
      const i = y * bw + x;
      dist[i] = mask[i] < 1 && skinVariant(F[fo], F[fo + 1], F[fo + 2], skin) <= 0 ? 0 : BIG;
    }
  }
  chamferInPlace(dist, mask, bw, bh);
  const gain = band / CRISP_RAMP_PX;
  for (let i = 0; i < n; i++) {
    const m = mask[i];
    if (m <= 0 || m >= 1) continue;
    // depth of this pixel inside the oval's edge: faceMask's ramp is a smoothstep of depth / band
    const depth = band * INV_SMOOTHSTEP[(m * 1024) | 0];
    const gap = dist[i] - depth; // drawn skin between the oval's edge and the nearest other art
    const d = gap <= CRISP_GAP ? 1 : gap >= CRISP_GAP + 2 ? 0 : (CRISP_GAP + 2 - gap) / 2;
    if (d <= 0) continue;
    let s = (m - CRISP_PIVOT) * gain + 0.5;
    s = s <= 0 ? 0 : s >= 1 ? 1 : s;
    // Never down to 0: which pixels are > 0 must not change (the face's colours are computed only
    // there, and the Poisson ring over the oval reads them as boundary values).
    mask[i] = Math.max(CRISP_FLOOR, m + d * (s - m));
  }
}

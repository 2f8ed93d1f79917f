/**
 * The hero's drawn skin around the fused face — the ears, the ring of drawn skin inside the head's
 * outline, the top of the neck — takes the fused face's skin tone, so a dark-skinned (or very
 * fair) user's face does not sit in light drawn ears and neck with a pale crescent around it.
 *
 * What counts as drawn skin: a pixel of the frame that is the slot's `skinTone` scaled in brightness
 * (flat fill, its shadow and halftone tints, and its antialiased edge against a dark outline all
 * are), near the face (an ellipse around the oval whose weight fades out at its rim) or inside the
 * figure's hands and bare forearms as the template lists them (slot `bodySkin` capsules). Such
 * pixels are scaled per channel by face tone / drawn tone; nothing else in the frame changes. A
 * user whose tone is the drawing's changes nothing at all.
 */
import { FACE_OVAL } from './canonical-mesh';
import type { Rect, RgbImage } from '../core/raster';

/** Largest per-channel distance (0–255) of a pixel from `s · skin` that still counts as drawn skin. */
export const SKIN_VARIANT_TOLERANCE = 12;
/** Brightness scale range of drawn-skin variants (shadow tints … the fill itself). */
const SCALE_MIN = 0.45, SCALE_MAX = 1.08;

/** 0 … 1: how much `p` is a brightness-scaled copy of `skin` (1 = exactly, 0 = not skin). */
export function skinVariant(r: number, g: number, b: number, skin: readonly [number, number, number]): number {
  return variantShare(r, g, b, skin[0], skin[1], skin[2], 1 / (skin[0] * skin[0] + skin[1] * skin[1] + skin[2] * skin[2]));
}
/** skinVariant with the skin's channels and 1 / |skin|² passed in (the per-pixel loops). */
function variantShare(r: number, g: number, b: number, s0: number, s1: number, s2: number, iss: number): number {
  const s = (r * s0 + g * s1 + b * s2) * iss;
  if (s < SCALE_MIN || s > SCALE_MAX) return 0;
  const d = Math.max(Math.abs(r - s * s0), Math.abs(g - s * s1), Math.abs(b - s * s2));
  if (d >= SKIN_VARIANT_TOLERANCE) return 0;
  const t = d / SKIN_VARIANT_TOLERANCE;
  return 1 - t * t;
}

/**
 * Recolour the drawn skin around one fused face in `out` (a copy of `frame`), in place.
 * `dst`: the face's target points (468 × 3, frame px). `from`: the slot's drawn skin colour; `to`:
 * the fused face's skin colour (RGB). `amount` (0–1, the `features` weight) scales the change.
 * `body`: the figure's hands and bare forearms, capsules [x1, y1, x2, y2, radius] (slot `bodySkin`).
 * Returns the drawn skin's new colour (what the face's seam is matched against), the number of
 * pixels changed and the rectangle they lie in (null when none).
 */
export function recolourDrawnSkin(frame: RgbImage, out: Uint8Array, dst: Float32Array, from: readonly [number, number, number], to: readonly [number, number, number], amount: number, body: readonly Capsule[] = []): { skin: [number, number, number]; changed: number; rect: Rect | null } {
  const k = [0, 1, 2].map((c) => Math.pow(to[c] / Math.max(1, from[c]), amount));
  const skin = from.map((v, c) => Math.min(255, Math.round(v * k[c]))) as [number, number, number];
  if (k.every((v) => Math.abs(v - 1) < 0.01)) return { skin: [from[0], from[1], from[2]], changed: 0, rect: null };
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const i of FACE_OVAL) {
    minX = Math.min(minX, dst[i * 3]); maxX = Math.max(maxX, dst[i * 3]);
    minY = Math.min(minY, dst[i * 3 + 1]); maxY = Math.max(maxY, dst[i * 3 + 1]);
  }
  const fw = maxX - minX, fh = maxY - minY;
  // Ears sit beside the oval, the neck below it: the head's ellipse (1.7 face widths across, from
  // above the forehead to below the chin) and the neck's (narrower, down to the collar), each at full
  // weight within 70 % of its radius and fading out at its rim.
  const regions = [
    { cx: (minX + maxX) / 2, cy: minY + 0.6 * fh, rx: 0.85 * fw, ry: 0.75 * fh },
    { cx: (minX + maxX) / 2, cy: maxY + 0.45 * fh, rx: 0.5 * fw, ry: 0.75 * fh },
  ];
  const W = frame.width, H = frame.height, F = frame.data;
  // every region's bounds: the two ellipses, the capsules grown by their antialiased rim
  let bx0 = Math.min(...regions.map((r) => r.cx - r.rx)), bx1 = Math.max(...regions.map((r) => r.cx + r.rx));
  let by0 = Math.min(...regions.map((r) => r.cy - r.ry)), by1 = Math.max(...regions.map((r) => r.cy + r.ry));
  for (const c of body) {
    const R = c[4] + CAPSULE_FADE;
    bx0 = Math.min(bx0, c[0] - R, c[2] - R); bx1 = Math.max(bx1, c[0] + R, c[2] + R);
    by0 = Math.min(by0, c[1] - R, c[3] - R); by1 = Math.max(by1, c[1] + R, c[3] + R);
  }
  const x0 = Math.max(0, Math.floor(bx0)), x1 = Math.min(W - 1, Math.ceil(bx1));
  const y0 = Math.max(0, Math.floor(by0)), y1 = Math.min(H - 1, Math.ceil(by1));
  if (x1 < x0 || y1 < y0) return { skin, changed: 0, rect: null };
  const [s0, s1, s2] = from, iss = 1 / (s0 * s0 + s1 * s1 + s2 * s2);
  const k0 = k[0] - 1, k1 = k[1] - 1, k2 = k[2] - 1;
  const tw = new Float32Array(x1 - x0 + 1); // region weight of each pixel of the row
  let changed = 0, cx0 = W, cx1 = -1, cy0 = H, cy1 = -1;
  for (let y = y0; y <= y1; y++) {
    // the row's span inside each region, solved per row (no per-pixel test outside it)
    tw.fill(0);
    let lo = x1 + 1, hi = x0 - 1;
    const yc = y + 0.5;
    for (const r of regions) {
      const dy = (yc - r.cy) / r.ry;
      if (dy * dy >= 1) continue;
      const half = r.rx * Math.sqrt(1 - dy * dy);
      const a = Math.max(x0, Math.ceil(r.cx - half - 0.5)), b = Math.min(x1, Math.floor(r.cx + half - 0.5));
      for (let x = a; x <= b; x++) {
        const dx = (x + 0.5 - r.cx) / r.rx;
        const t = rimWeight(Math.sqrt(dx * dx + dy * dy));
        if (t > tw[x - x0]) tw[x - x0] = t;
      }
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    }
    // the hands and bare forearms: whole inside each capsule, off within CAPSULE_FADE beyond it
    for (const c of body) {
      const span = capsuleRowSpan(c, c[4] + CAPSULE_FADE, yc);
      if (!span) continue;
      const a = Math.max(x0, Math.ceil(span[0] - 0.5)), b = Math.min(x1, Math.floor(span[1] - 0.5));
      for (let x = a; x <= b; x++) {
        const t = capsuleWeight(c, x + 0.5, yc);
        if (t > tw[x - x0]) tw[x - x0] = t;
      }
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    }
    for (let x = lo, o = (y * W + lo) * 3; x <= hi; x++, o += 3) {
      const t = tw[x - x0];
      if (t <= 0) continue;
      // the pixel as a brightness-scaled copy of the drawn skin
      const r = F[o], g = F[o + 1], bl = F[o + 2];
      const share = variantShare(r, g, bl, s0, s1, s2, iss);
      if (share <= 0) continue;
      const w = share * t * t * (3 - 2 * t);
      const n0 = r * (1 + w * k0), n1 = g * (1 + w * k1), n2 = bl * (1 + w * k2);
      out[o] = n0 >= 255 ? 255 : n0 + 0.5;
      out[o + 1] = n1 >= 255 ? 255 : n1 + 0.5;
      out[o + 2] = n2 >= 255 ? 255 : n2 + 0.5;
      if (out[o] !== r || out[o + 1] !== g || out[o + 2] !== bl) {
        changed++;
        if (x < cx0) cx0 = x;
        if (x > cx1) cx1 = x;
        if (y < cy0) cy0 = y;
        cy1 = y;
      }
    }
  }
  return { skin, changed, rect: changed ? { x0: cx0, y0: cy0, x1: cx1 + 1, y1: cy1 + 1 } : null };
}

/** An ellipse region's weight at normalised radius `rr`: whole within 0.7, fading out to its rim. */
const rimWeight = (rr: number) => (rr <= 0.7 ? 1 : rr >= 1 ? 0 : (1 - rr) / 0.3);
/** A figure's hand or bare forearm: the segment (x1, y1)–(x2, y2) grown by a radius, frame px. */
export type Capsule = readonly [number, number, number, number, number];
/** Pixels over which a capsule's weight fades to none beyond its radius (its antialiased rim). */
const CAPSULE_FADE = 1.5;
/** Squared distance from (x, y) to a capsule's segment. */
function segmentDistance2(x: number, y: number, c: Capsule): number {
  const vx = c[2] - c[0], vy = c[3] - c[1], ll = vx * vx + vy * vy;
  const u = ll > 0 ? Math.max(0, Math.min(1, ((x - c[0]) * vx + (y - c[1]) * vy) / ll)) : 0;
  const dx = x - c[0] - u * vx, dy = y - c[1] - u * vy;
  return dx * dx + dy * dy;
}
/** A capsule's weight at (x, y): 1 inside its radius, fading to 0 over CAPSULE_FADE (a square root on the rim only). */
function capsuleWeight(c: Capsule, x: number, y: number): number {
  const d2 = segmentDistance2(x, y, c), r = c[4], ro = r + CAPSULE_FADE;
  if (d2 <= r * r) return 1;
  if (d2 >= ro * ro) return 0;
  return (ro - Math.sqrt(d2)) / CAPSULE_FADE;
}
/**
 * The x interval where the row y crosses the capsule's segment grown by R (null when it misses):
 * the union of the two end discs' chords and the band between them — one interval, the shape is convex.
 */
function capsuleRowSpan(c: Capsule, R: number, y: number): [number, number] | null {
  let lo = Infinity, hi = -Infinity;
  for (const [px, py] of [[c[0], c[1]], [c[2], c[3]]]) {
    const dy = y - py;
    if (dy * dy >= R * R) continue;
    const h = Math.sqrt(R * R - dy * dy);
    lo = Math.min(lo, px - h); hi = Math.max(hi, px + h);
  }
  // the band: the segment's side lines offset by ±R, crossed by the row inside the segment's extent
  const vx = c[2] - c[0], vy = c[3] - c[1], len = Math.hypot(vx, vy);
  if (len > 0 && vy !== 0) {
    const nx = -vy / len, ny = vx / len;
    for (const s of [-R, R]) {
      const u = (y - (c[1] + s * ny)) / vy; // where the offset line reaches the row
      if (u < 0 || u > 1) continue;
      const x = c[0] + s * nx + u * vx;
      lo = Math.min(lo, x); hi = Math.max(hi, x);
    }
  } else if (len > 0 && Math.abs(y - c[1]) < R) {
    // a horizontal segment: the band spans it whole
    lo = Math.min(lo, c[0], c[2]); hi = Math.max(hi, c[0], c[2]);
  }
  return lo <= hi ? [lo, hi] : null;
}

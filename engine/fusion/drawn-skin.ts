/**
 * The hero's drawn skin around the fused face — the ears, the ring of drawn skin inside the head's
 * outline, the top of the neck — takes the fused face's skin tone, so a dark-skinned (or very
 * fair) user's face does not sit in light drawn ears and neck with a pale crescent around it.
 *
 * What counts as drawn skin: a pixel of the frame that is the slot's `skinTone` scaled in brightness
 * (flat fill, its shadow and halftone tints, and its antialiased edge against a dark outline all
 * are), near the face (an ellipse around the oval whose weight fades out at its rim). Such pixels
 * are scaled per channel by face tone / drawn tone; nothing else in the frame changes. A user whose
 * tone is the drawing's changes nothing at all.
 */
import { FACE_OVAL } from './canonical-mesh';
import type { Rect, RgbImage } from '../core/raster';

/** Largest per-channel distance (0–255) of a pixel from `s · skin` that still counts as drawn skin. */
export const SKIN_VARIANT_TOLERANCE = 12;
/** Brightness scale range of drawn-skin variants (shadow tints … the fill itself). */
const SCALE_MIN = 0.45, SCALE_MAX = 1.08;

/** 0 … 1: how much `p` is a brightness-scaled copy of `skin` (1 = exactly, 0 = not skin). */
export function skinVariant(r: number, g: number, b: number, skin: readonly [number, number, number]): number {
  const ss = skin[0] * skin[0] + skin[1] * skin[1] + skin[2] * skin[2];
  const s = (r * skin[0] + g * skin[1] + b * skin[2]) / ss;
  if (s < SCALE_MIN || s > SCALE_MAX) return 0;
  const d = Math.max(Math.abs(r - s * skin[0]), Math.abs(g - s * skin[1]), Math.abs(b - s * skin[2]));
  if (d >= SKIN_VARIANT_TOLERANCE) return 0;
  const t = d / SKIN_VARIANT_TOLERANCE;
  return 1 - t * t;
}

/**
 * Recolour the drawn skin around one fused face in `out` (a copy of `frame`), in place.
 * `dst`: the face's target points (468 × 3, frame px). `from`: the slot's drawn skin colour; `to`:
 * the fused face's skin colour (RGB). `amount` (0–1, the `features` weight) scales the change.
 * Returns the drawn skin's new colour (what the face's seam is matched against), the number of
 * pixels changed and the rectangle they lie in (null when none).
 */
export function recolourDrawnSkin(frame: RgbImage, out: Uint8Array, dst: Float32Array, from: readonly [number, number, number], to: readonly [number, number, number], amount: number): { skin: [number, number, number]; changed: number; rect: Rect | null } {
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
  const x0 = Math.max(0, Math.floor(Math.min(...regions.map((r) => r.cx - r.rx)))), x1 = Math.min(W - 1, Math.ceil(Math.max(...regions.map((r) => r.cx + r.rx))));
  const y0 = Math.max(0, Math.floor(Math.min(...regions.map((r) => r.cy - r.ry)))), y1 = Math.min(H - 1, Math.ceil(Math.max(...regions.map((r) => r.cy + r.ry))));
  const [s0, s1, s2] = from, iss = 1 / (s0 * s0 + s1 * s1 + s2 * s2);
  const k0 = k[0] - 1, k1 = k[1] - 1, k2 = k[2] - 1;
  const tw = new Float32Array(x1 - x0 + 1); // region weight of each pixel of the row
  let changed = 0;
  for (let y = y0; y <= y1; y++) {
    // the row's span inside each ellipse, solved per row (no per-pixel test outside it)
    tw.fill(0);
    let lo = x1 + 1, hi = x0 - 1;
    for (const r of regions) {
      const dy = (y + 0.5 - r.cy) / r.ry;
      if (dy * dy >= 1) continue;
      const half = r.rx * Math.sqrt(1 - dy * dy);
      const a = Math.max(x0, Math.ceil(r.cx - half - 0.5)), b = Math.min(x1, Math.floor(r.cx + half - 0.5));
      for (let x = a; x <= b; x++) {
        const dx = (x + 0.5 - r.cx) / r.rx;
        const rr = Math.sqrt(dx * dx + dy * dy);
        const t = rr <= 0.7 ? 1 : rr >= 1 ? 0 : (1 - rr) / 0.3;
        if (t > tw[x - x0]) tw[x - x0] = t;
      }
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    }
    for (let x = lo, o = (y * W + lo) * 3; x <= hi; x++, o += 3) {
      const t = tw[x - x0];
      if (t <= 0) continue;
      // skinVariant, inlined: the pixel as a brightness-scaled copy of the drawn skin
      const r = F[o], g = F[o + 1], bl = F[o + 2];
      const sc = (r * s0 + g * s1 + bl * s2) * iss;
      if (sc < SCALE_MIN || sc > SCALE_MAX) continue;
      const d = Math.max(Math.abs(r - sc * s0), Math.abs(g - sc * s1), Math.abs(bl - sc * s2));
      if (d >= SKIN_VARIANT_TOLERANCE) continue;
      const q = d / SKIN_VARIANT_TOLERANCE;
      const w = (1 - q * q) * t * t * (3 - 2 * t);
      const n0 = r * (1 + w * k0), n1 = g * (1 + w * k1), n2 = bl * (1 + w * k2);
      out[o] = n0 >= 255 ? 255 : n0 + 0.5;
      out[o + 1] = n1 >= 255 ? 255 : n1 + 0.5;
      out[o + 2] = n2 >= 255 ? 255 : n2 + 0.5;
      if (out[o] !== r || out[o + 1] !== g || out[o + 2] !== bl) changed++;
    }
  }
  return { skin, changed, rect: changed ? { x0, y0, x1: x1 + 1, y1: y1 + 1 } : null };
}

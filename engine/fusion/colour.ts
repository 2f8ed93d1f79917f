/**
 * Appearance stage: the user's face moves into the frame's skin palette, its own lighting is
 * replaced by the frame's, and `features` mixes it with the template's drawn face.
 *
 * Colour space: CIE Lab (D65). Mean/std transfer in Lab (Reinhard et al. 2001) changes skin tone
 * without touching the structure that carries identity (the L detail), and it is a per-pixel affine
 * map — cheap. sRGB↔linear goes through lookup tables, so a 300-px face converts in ≈2 ms.
 */
import type { Planes, RgbImage, Rect } from '../core/raster';
import { boxBlur } from '../core/raster';

// --- sRGB ↔ Lab -----------------------------------------------------------------------------
const SRGB_TO_LIN = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  SRGB_TO_LIN[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}
const LIN_LUT_SIZE = 8192;
const LIN_TO_SRGB = new Uint8Array(LIN_LUT_SIZE + 1);
for (let i = 0; i <= LIN_LUT_SIZE; i++) {
  const c = i / LIN_LUT_SIZE;
  const s = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
  LIN_TO_SRGB[i] = Math.max(0, Math.min(255, Math.round(s * 255)));
}
const XN = 0.95047, ZN = 1.08883;
const EPS = 216 / 24389, KAPPA = 24389 / 27;
const fLab = (t: number) => (t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116);

/** RGB bytes (interleaved, any region) → Lab planes. */
export function rgbToLab(rgb: ArrayLike<number>, n: number, out: Planes): Planes {
  const { c0: L, c1: A, c2: B } = out;
  for (let i = 0; i < n; i++) {
    const r = SRGB_TO_LIN[rgb[i * 3]], g = SRGB_TO_LIN[rgb[i * 3 + 1]], b = SRGB_TO_LIN[rgb[i * 3 + 2]];
    const fx = fLab((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / XN);
    const fy = fLab(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const fz = fLab((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / ZN);
    L[i] = 116 * fy - 16;
    A[i] = 500 * (fx - fy);
    B[i] = 200 * (fy - fz);
  }
  return out;
}

/** '#rrggbb' → RGB bytes. */
export function hexRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

export function hexToLab(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  const p = { c0: new Float32Array(1), c1: new Float32Array(1), c2: new Float32Array(1), width: 1, height: 1 };
  rgbToLab([(v >> 16) & 255, (v >> 8) & 255, v & 255], 1, p);
  return [p.c0[0], p.c1[0], p.c2[0]];
}

const finv = (t: number) => (t * t * t > EPS ? t * t * t : (116 * t - 16) / KAPPA);
const lin2s = (c: number) => LIN_TO_SRGB[c <= 0 ? 0 : c >= 1 ? LIN_LUT_SIZE : (c * LIN_LUT_SIZE + 0.5) | 0];

/** One Lab colour → RGB (0–255, rounded). */
export function labToRgb(L: number, a: number, b: number): [number, number, number] {
  const fy = (L + 16) / 116, fx = fy + a / 500, fz = fy - b / 200;
  const X = XN * finv(fx), Y = L > KAPPA * EPS ? fy * fy * fy : L / KAPPA, Z = ZN * finv(fz);
  return [
    lin2s(3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z),
    lin2s(-0.969266 * X + 1.8760108 * Y + 0.041556 * Z),
    lin2s(0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z),
  ];
}

/**
 * Lab planes → RGB planes (0–255 floats) where `mask` > 0, mixed with the frame's own pixels:
 * out = features · rgb(lab) + (1 − features) · frame. Inlined (this is the hottest per-pixel loop
 * after the warp).
 */
export function labToRgbMix(lab: Planes, mask: Float32Array, features: number, frame: RgbImage, box: Rect, out: Planes): void {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const L = lab.c0, A = lab.c1, B = lab.c2, F = frame.data, W = frame.width;
  const R = out.c0, G = out.c1, Bo = out.c2;
  const f1 = 1 - features, k = LIN_LUT_SIZE, lut = LIN_TO_SRGB;
  const kap = KAPPA * EPS;
  for (let y = 0, i = 0; y < bh; y++) {
    let fo = ((box.y0 + y) * W + box.x0) * 3;
    for (let x = 0; x < bw; x++, i++, fo += 3) {
      if (mask[i] <= 0) continue;
      const l = L[i];
      const fy = (l + 16) / 116, fx = fy + A[i] / 500, fz = fy - B[i] / 200;
      const fx3 = fx * fx * fx, fz3 = fz * fz * fz;
      const X = XN * (fx3 > EPS ? fx3 : (116 * fx - 16) / KAPPA);
      const Y = l > kap ? fy * fy * fy : l / KAPPA;
      const Z = ZN * (fz3 > EPS ? fz3 : (116 * fz - 16) / KAPPA);
      let r = 3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z;
      let g = -0.969266 * X + 1.8760108 * Y + 0.041556 * Z;
      let b = 0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z;
      r = r <= 0 ? 0 : r >= 1 ? k : r * k; g = g <= 0 ? 0 : g >= 1 ? k : g * k; b = b <= 0 ? 0 : b >= 1 ? k : b * k;
      R[i] = features * lut[(r + 0.5) | 0] + f1 * F[fo];
      G[i] = features * lut[(g + 0.5) | 0] + f1 * F[fo + 1];
      Bo[i] = features * lut[(b + 0.5) | 0] + f1 * F[fo + 2];
    }
  }
}

// --- statistics ---------------------------------------------------------------------------------
export interface LabStats {
  mean: [number, number, number];
  std: [number, number, number];
}

/**
 * Lab mean/std over the pixels where `mask` > 0.5. Trimmed on L (5th–95th percentile) so a strand
 * of hair, a specular highlight or a glasses rim in the skin region does not drag the statistics.
 */
export function labStats(p: Planes, mask: Float32Array): LabStats {
  const Ls: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i] > 0.5) Ls.push(p.c0[i]);
  if (Ls.length < 10) return { mean: [65, 12, 18], std: [10, 4, 5] };
  Ls.sort((a, b) => a - b);
  const lo = Ls[Math.floor(Ls.length * 0.05)], hi = Ls[Math.floor(Ls.length * 0.95)];
  const s = [0, 0, 0], q = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] <= 0.5) continue;
    const L = p.c0[i];
    if (L < lo || L > hi) continue;
    const v = [L, p.c1[i], p.c2[i]];
    for (let k = 0; k < 3; k++) { s[k] += v[k]; q[k] += v[k] * v[k]; }
    n++;
  }
  const mean = s.map((x) => x / n) as [number, number, number];
  const std = q.map((x, k) => Math.sqrt(Math.max(1e-6, x / n - mean[k] * mean[k]))) as [number, number, number];
  return { mean, std };
}

/**
 * Remove the photo's own large-scale lighting from L (a window on one side, a shadow under the
 * chin): L − (skin-weighted low-pass of L − its mean). Done once per user face, in place. The
 * radius (≈ 1/6 face width) keeps features (eyes, nose, mouth: smaller) and removes gradients.
 */
export function delight(p: Planes, skin: Float32Array, radius: number, mean: number, strength = 0.8): void {
  const w = p.width, h = p.height, n = w * h;
  const num = new Float32Array(n), den = new Float32Array(n);
  for (let i = 0; i < n; i++) { num[i] = p.c0[i] * skin[i]; den[i] = skin[i]; }
  const tmp = new Float32Array(n);
  const bn = boxBlur(boxBlur(num, w, h, radius, undefined, tmp), w, h, radius, undefined, tmp);
  const bd = boxBlur(boxBlur(den, w, h, radius, undefined, tmp), w, h, radius, undefined, tmp);
  for (let i = 0; i < n; i++) {
    if (bd[i] < 0.05) continue;
    p.c0[i] -= strength * (bn[i] / bd[i] - mean);
  }
}

/**
 * The frame's lighting on its drawn face: a coarse grid (cells ≈ 1/8 face) of mean L over the
 * mask, ignoring ink (pixels much darker than the face's median: outlines, drawn eyes), returned
 * as a per-pixel offset around 0 for the box, bilinearly interpolated. Cost ≈ 1 ms.
 */
export function frameShading(frame: RgbImage, box: Rect, mask: Float32Array, cells = 8): Float32Array {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  // L of the frame's box (only where the mask is set), via a cheap luma → L approximation is not
  // good enough for cel shading; convert properly (the box is small).
  const n = bw * bh;
  const rgb = new Uint8Array(n * 3);
  for (let y = 0; y < bh; y++) {
    const s = ((box.y0 + y) * frame.width + box.x0) * 3;
    rgb.set(frame.data.subarray(s, s + bw * 3), y * bw * 3);
  }
  const lab = { c0: new Float32Array(n), c1: new Float32Array(n), c2: new Float32Array(n), width: bw, height: bh };
  rgbToLab(rgb, n, lab);
  const vals: number[] = [];
  for (let i = 0; i < n; i += 3) if (mask[i] > 0.5) vals.push(lab.c0[i]);
  const out = new Float32Array(n);
  if (vals.length < 20) return out;
  vals.sort((a, b) => a - b);
  const med = vals[vals.length >> 1];
  const gx = Math.max(2, cells), gy = Math.max(2, Math.round((cells * bh) / bw));
  const sum = new Float32Array(gx * gy), cnt = new Float32Array(gx * gy);
  for (let y = 0; y < bh; y++) {
    const cy = Math.min(gy - 1, ((y * gy) / bh) | 0);
    for (let x = 0; x < bw; x++) {
      const i = y * bw + x;
      if (mask[i] < 0.5) continue;
      const L = lab.c0[i];
      if (L < med - 20 || L > med + 25) continue; // ink, drawn eyes, highlights
      const c = cy * gx + Math.min(gx - 1, ((x * gx) / bw) | 0);
      sum[c] += L; cnt[c]++;
    }
  }
  // Cells without samples take the median (no shading there).
  let tot = 0, tc = 0;
  const grid = new Float32Array(gx * gy);
  for (let c = 0; c < grid.length; c++) {
    grid[c] = cnt[c] > 8 ? sum[c] / cnt[c] - med : 0;
    tot += grid[c] * cnt[c]; tc += cnt[c];
  }
  const mean = tc ? tot / tc : 0;
  for (let c = 0; c < grid.length; c++) grid[c] = cnt[c] > 8 ? grid[c] - mean : 0;
  for (let y = 0; y < bh; y++) {
    const fy = Math.max(0, Math.min(gy - 1, ((y + 0.5) * gy) / bh - 0.5));
    const y0 = fy | 0, y1 = Math.min(gy - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < bw; x++) {
      const fx = Math.max(0, Math.min(gx - 1, ((x + 0.5) * gx) / bw - 0.5));
      const x0 = fx | 0, x1 = Math.min(gx - 1, x0 + 1), tx = fx - x0;
      out[y * bw + x] =
        (grid[y0 * gx + x0] * (1 - tx) + grid[y0 * gx + x1] * tx) * (1 - ty) + (grid[y1 * gx + x0] * (1 - tx) + grid[y1 * gx + x1] * tx) * ty;
    }
  }
  return out;
}

export interface TransferParams {
  user: LabStats;
  /** Target skin colour (Lab) from the slot's `skinTone`. */
  target: [number, number, number];
  /** Saturation multiplier on a/b after transfer. */
  saturation: number;
  /** Per-pixel L offset (the frame's lighting), or null. */
  shading: Float32Array | null;
  /** How much of the frame's lighting to apply (0–1). */
  lighting: number;
}

/**
 * In-place Lab transfer over the box planes (pixels where `mask` > 0): the mean moves to the
 * target; L keeps the user's own spread (the drawing's tone bands are cut from it, and flattening
 * it measurably cost likeness), the chroma spread shrinks to 70 % (comic skin is one colour).
 */
export function transferColour(p: Planes, t: TransferParams, mask: Float32Array): void {
  const [mL, ma, mb] = t.user.mean;
  const ka = 0.7 * t.saturation, kb = 0.7 * t.saturation;
  const [tL, ta, tb] = t.target;
  const n = p.width * p.height;
  const sh = t.shading, lg = t.lighting;
  for (let i = 0; i < n; i++) {
    if (mask[i] <= 0) continue;
    // L keeps the user's own spread: the drawing's bands come from it (engine/fusion/stylise.ts)
    let L = p.c0[i] - mL + tL;
    if (sh) L += lg * sh[i];
    p.c0[i] = L;
    p.c1[i] = (p.c1[i] - ma) * ka + ta * t.saturation;
    p.c2[i] = (p.c2[i] - mb) * kb + tb * t.saturation;
  }
}

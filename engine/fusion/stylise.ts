/**
 * Comic style, per slot: edge-preserving smoothing (skin becomes flat, edges of eyes, brows, lips
 * and nose stay), soft tone bands (cel shading), and ink lines drawn along the mesh contours so the
 * likeness — the shapes of the user's eyes, brows, mouth and jaw — survives the flattening.
 */
import { INK_STROKES, INK_FILLS, NON_SKIN_REGIONS, FACE_OVAL } from './canonical-mesh';
import { boxBlur, fillPolygon, scratch, newPlanes, type Planes, type Rect } from '../core/raster';

/**
 * Guided filter (He et al. 2010), self-guided on L: q = a·L + b with a = σ²/(σ² + ε), box filters
 * only (O(1) per pixel). Flat skin (σ² ≪ ε) is averaged; edges (σ² ≫ ε) are kept. Chroma gets a
 * plain box blur of the same radius: colour noise carries no identity.
 * Done once per user face and smoothing level on the aligned crop (not per frame).
 */
export function smoothFace(src: Planes, smoothing: number, faceWidth: number): Planes {
  const w = src.width, h = src.height, n = w * h;
  const out = newPlanes(w, h);
  if (smoothing <= 0) { out.c0.set(src.c0); out.c1.set(src.c1); out.c2.set(src.c2); return out; }
  const r = Math.max(1, Math.round((faceWidth / 64) * (0.5 + smoothing)));
  const eps = (4 + 14 * smoothing) ** 2; // L units²: ≈ skin texture variance at full smoothing
  const tmp = new Float32Array(n);
  const I = src.c0;
  const II = new Float32Array(n);
  for (let i = 0; i < n; i++) II[i] = I[i] * I[i];
  const mI = boxBlur(I, w, h, r, undefined, tmp);
  const mII = boxBlur(II, w, h, r, undefined, tmp);
  const A = new Float32Array(n), B = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = mII[i] - mI[i] * mI[i];
    const a = v / (v + eps);
    A[i] = a; B[i] = mI[i] - a * mI[i];
  }
  const mA = boxBlur(A, w, h, r, undefined, tmp), mB = boxBlur(B, w, h, r, undefined, tmp);
  for (let i = 0; i < n; i++) out.c0[i] = mA[i] * I[i] + mB[i];
  const rc = Math.max(1, Math.round(r * smoothing));
  boxBlur(src.c1, w, h, rc, out.c1, tmp);
  boxBlur(src.c2, w, h, rc, out.c2, tmp);
  return out;
}

/**
 * The comic source of one face (once per face and smoothing level, in crop space): the face split
 * into a smooth **base** (skin tone and broad shading: the part that gets palette transfer, frame
 * lighting and tone bands) and a **relative detail** plane `detail` = (L − base) / base with a gain
 * per region, applied per frame as L = banded(base) · (1 + detail).
 *
 * Why: transferring and posterising the whole L pulls the eyes, brows and lips towards the skin
 * mean and into mid-grey bands (pale, ghostly eyes), while the skin keeps a photo's texture. Split,
 * the skin is flat and banded like a drawn face, and the features keep their darkness *relative to
 * the person's own skin* — an iris 55 % darker than its surrounding skin stays 55 % (× gain) darker
 * than the comic skin, on light and dark skin alike.
 *  - Features (eyes, brows, lips; the mesh's own polygons, dilated): the unsmoothed L at full
 *    strength (FEATURE_DARK_GAIN): the user's own lashes, irises, brows and lips are the likeness
 *    (boosting them, or drawing ink over them, measurably cost identity: docs/fusion.md).
 *  - Elsewhere: the guided-filtered L, dark detail slightly damped (SKIN_DARK_GAIN) and highlights
 *    kept at BRIGHT_GAIN: nostrils, folds, cheekbones and the mouth corners stay, stubble and
 *    blotchy shadows fade.
 *  - base: skin-weighted low-pass (features excluded, so an eye does not darken its own base).
 */
export const FEATURE_DARK_GAIN = 1;
export const SKIN_DARK_GAIN = 0.8;
export const BRIGHT_GAIN = 0.6;
export interface ComicSource { planes: Planes; detail: Float32Array }
/** Broad shading darker than the skin mean is soft-limited to this many L units (hair over the face, a deep shadow). */
export const BASE_SHADOW_LIMIT = 8;
/** Skin chroma variation kept (blush, razor shadow, coloured light): comic skin is one colour. */
export const SKIN_CHROMA_KEEP = 0.3;
export function comicSource(src: Planes, points: Float32Array, smoothing: number, faceWidth: number, skinMean: readonly [number, number, number]): ComicSource {
  const w = src.width, h = src.height, n = w * h;
  const sm = smoothFace(src, smoothing, faceWidth);
  const tmp = new Float32Array(n);
  // Feature mask: eyes, brows, lips, dilated by ≈ 1/40 face width and softened.
  const hard = new Float32Array(n);
  for (const r of NON_SKIN_REGIONS) fillPolygon(hard, w, h, r.map((i) => points[i * 3]), r.map((i) => points[i * 3 + 1]));
  const rd = Math.max(1, Math.round(faceWidth / 40));
  const feat = boxBlur(boxBlur(hard, w, h, rd, undefined, tmp), w, h, rd, undefined, tmp);
  for (let i = 0; i < n; i++) feat[i] = Math.min(1, feat[i] * 2.5);
  // Face region (oval) for the base weights; outside it the base is a plain local mean.
  const oval = new Float32Array(n);
  fillPolygon(oval, w, h, FACE_OVAL.map((i) => points[i * 3]), FACE_OVAL.map((i) => points[i * 3 + 1]));
  const [mL, ma, mb] = skinMean;
  // Occluders: outside the features, pixels far darker than the skin (hair across the face, a
  // hand, a hard shadow) are not the person's skin; they are repainted as skin (base from the
  // skin around, no detail), not drawn as a dark blotch.
  // Below the nose and around the mouth a dark area is more likely a beard or moustache
  // (identity): kept as detail. Further out to the sides it is hair.
  const noseY = points[2 * 3 + 1], fade = faceWidth / 12;
  const mx0 = points[61 * 3], mx1 = points[291 * 3], mw = 0.5 * Math.abs(mx1 - mx0);
  const mcx = 0.5 * (mx0 + mx1);
  const occ = new Float32Array(n);
  // Tested on a local mean: hair and hands are areas; thin dark lines (glasses, wrinkles) are not.
  const area = boxBlur(boxBlur(sm.c0, w, h, rd, undefined, tmp), w, h, rd, undefined, tmp);
  for (let y = 0, i = 0; y < h; y++) {
    const below = Math.max(0, Math.min(1, (y - noseY) / fade));
    for (let x = 0; x < w; x++, i++) {
      const side = Math.max(0, Math.min(1, (Math.abs(x - mcx) - 1.6 * mw) / fade));
      const up = 1 - below * (1 - side);
      const t = (0.8 * mL - area[i]) / (0.12 * mL);
      occ[i] = up * (t <= 0 ? 0 : t >= 1 ? 1 - feat[i] : (t * t * (3 - 2 * t)) * (1 - feat[i]));
    }
  }
  const occS = boxBlur(occ, w, h, rd, undefined, tmp);
  for (let i = 0; i < n; i++) occ[i] = Math.max(occ[i], occS[i]);
  const Ld = new Float32Array(n);
  for (let i = 0; i < n; i++) Ld[i] = feat[i] * src.c0[i] + (1 - feat[i]) * sm.c0[i];
  // Skin-weighted low-pass of the smoothed L (two box passes ≈ Gaussian σ ≈ faceWidth/24).
  const rb = Math.max(2, Math.round(faceWidth / 20));
  const num = new Float32Array(n), den = new Float32Array(n);
  for (let i = 0; i < n; i++) { const wt = (1 - feat[i]) * (1 - occ[i]) * (0.05 + 0.95 * oval[i]); num[i] = sm.c0[i] * wt; den[i] = wt; }
  const bn = boxBlur(boxBlur(num, w, h, rb, undefined, tmp), w, h, rb, undefined, tmp);
  const bd = boxBlur(boxBlur(den, w, h, rb, undefined, tmp), w, h, rb, undefined, tmp);
  const detail = new Float32Array(n);
  const base = sm.c0;
  const lim = BASE_SHADOW_LIMIT;
  // Chroma: features keep theirs (lips, eyes); skin gets a wide blur and a reduced spread.
  const rc = Math.max(2, Math.round(faceWidth / 24));
  const ca = boxBlur(boxBlur(src.c1, w, h, rc, undefined, tmp), w, h, rc, undefined, tmp);
  const cb = boxBlur(boxBlur(src.c2, w, h, rc, undefined, tmp), w, h, rc, undefined, tmp);
  for (let i = 0; i < n; i++) {
    // Where hardly any skin is near (a side covered by hair), the base falls back to the mean.
    const q = bd[i] > 0.15 ? 1 : bd[i] / 0.15;
    let b = q * (bd[i] > 1e-4 ? bn[i] / bd[i] : mL) + (1 - q) * mL;
    const r = (Ld[i] - b) / Math.max(15, b);
    const f = feat[i], o = occ[i];
    let d = r < 0 ? r * (f * FEATURE_DARK_GAIN + (1 - f) * SKIN_DARK_GAIN) : r * BRIGHT_GAIN;
    d *= 1 - o;
    // Outside the features, dark detail is soft-limited too (a strand of hair is not a feature).
    const dl = 0.4 + 0.6 * f;
    if (d < 0) d = -dl * Math.tanh(-d / dl);
    detail[i] = d;
    if (b < mL) b = mL - lim * Math.tanh((mL - b) / lim);
    base[i] = b;
    const k = SKIN_CHROMA_KEEP * (1 - o);
    sm.c1[i] = f * src.c1[i] + (1 - f) * (ma + k * (ca[i] - ma));
    sm.c2[i] = f * src.c2[i] + (1 - f) * (mb + k * (cb[i] - mb));
  }
  return { planes: sm, detail };
}

/**
 * Soft posterisation of L into `bands` tone bands, centred so the skin's mean tone sits in the
 * middle of a band (the face reads as one flat tone with a shadow band and a highlight band).
 * The band transition is a smoothstep, not a hard step: no jaggies along the band edges.
 */
export function toneBands(L: Float32Array, bands: number, centre: number, strength = 0.65): void {
  if (bands <= 0) return;
  // Band height: 48 L units shared by the bands (12 for 4): a skin's ±1σ spread spans about two
  // bands — shadow and light — and no band jumps to paper white.
  const step = 48 / bands;
  const lo = 0.5 - 0.18, hi = 0.5 + 0.18, inv = 1 / (hi - lo);
  for (let i = 0; i < L.length; i++) {
    const t = (L[i] - centre) / step + 0.5;
    const k = Math.floor(t);
    const f = t - k;
    let s = (f - lo) * inv;
    s = s <= 0 ? 0 : s >= 1 ? 1 : s * s * (3 - 2 * s);
    const q = (k + s - 0.5) * step + centre;
    L[i] += strength * (q - L[i]);
  }
}

/**
 * Highlights roll off instead of clipping: a light comic skin tone (L ≈ 80) plus the photo's own
 * highlights would burn the nose and forehead to paper white.
 */
export function softKnee(L: Float32Array, knee = 86, slope = 0.35): void {
  for (let i = 0; i < L.length; i++) if (L[i] > knee) L[i] = knee + (L[i] - knee) * slope;
}

/** Catmull-Rom subdivision: mesh contour points are 10–20 px apart on a 300-px face; lines must be round. */
function smoothPolyline(xs: number[], ys: number[], sub = 3): [number[], number[]] {
  const n = xs.length;
  const ox: number[] = [], oy: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    const i0 = Math.max(0, i - 1), i3 = Math.min(n - 1, i + 2);
    for (let s = 0; s < sub; s++) {
      const t = s / sub, t2 = t * t, t3 = t2 * t;
      const c = (p0: number, p1: number, p2: number, p3: number) =>
        0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t3);
      ox.push(c(xs[i0], xs[i], xs[i + 1], xs[i3]));
      oy.push(c(ys[i0], ys[i], ys[i + 1], ys[i3]));
    }
  }
  ox.push(xs[n - 1]); oy.push(ys[n - 1]);
  return [ox, oy];
}

/**
 * Ink coverage (0–1, antialiased) of the contour strokes over `box`. Each stroke is a tapered
 * thick polyline (thin at its ends like a brush line); coverage = clamp(halfWidth + 0.5 − distance)
 * per segment, max over segments. Cost is proportional to the strokes' area, not the box.
 */
export function inkCoverage(dst: Float32Array, box: Rect, baseWidth: number, featureInk = 0): Float32Array {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const cov = scratch('ink', bw * bh);
  for (const stroke of INK_STROKES) {
    // Feature strokes get thinner, not fainter, as featureInk falls: a faint line reads as dirt.
    const g = stroke.feature ? featureInk : 1;
    if (g <= 0) continue;
    const [xs, ys] = smoothPolyline(
      stroke.indices.map((i) => dst[i * 3] - box.x0),
      stroke.indices.map((i) => dst[i * 3 + 1] - box.y0),
    );
    const n = xs.length;
    const wmax = baseWidth * stroke.weight * g;
    const half = (k: number) => 0.5 * wmax * (0.35 + 0.65 * Math.sin((Math.PI * k) / (n - 1)));
    for (let k = 0; k < n - 1; k++) {
      const ax = xs[k], ay = ys[k], bx = xs[k + 1], by = ys[k + 1];
      const ha = half(k), hb = half(k + 1);
      const hm = Math.max(ha, hb) + 1;
      const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - hm)), x1 = Math.min(bw - 1, Math.ceil(Math.max(ax, bx) + hm));
      const y0 = Math.max(0, Math.floor(Math.min(ay, by) - hm)), y1 = Math.min(bh - 1, Math.ceil(Math.max(ay, by) + hm));
      const dx = bx - ax, dy = by - ay;
      const len2 = dx * dx + dy * dy || 1e-6;
      for (let y = y0; y <= y1; y++) {
        const py = y + 0.5 - ay;
        for (let x = x0; x <= x1; x++) {
          const px = x + 0.5 - ax;
          let t = (px * dx + py * dy) / len2;
          t = t < 0 ? 0 : t > 1 ? 1 : t;
          const ex = px - t * dx, ey = py - t * dy;
          const d = Math.sqrt(ex * ex + ey * ey);
          const c = ha + t * (hb - ha) + 0.5 - d;
          if (c > 0) {
            const o = y * bw + x;
            const v = c > 1 ? 1 : c;
            if (v > cov[o]) cov[o] = v;
          }
        }
      }
    }
  }
  // Brows (with featureInk): filled, softened by a 1-px box blur (antialiasing), at most 80 % so
  // the hair texture reads. Only over the brows' own rectangle (a small part of the box).
  if (featureInk <= 0) return cov;
  let fy0 = bh, fy1 = 0;
  for (const f of INK_FILLS) for (const i of f) { const y = dst[i * 3 + 1] - box.y0; fy0 = Math.min(fy0, y); fy1 = Math.max(fy1, y); }
  const ry0 = Math.max(0, Math.floor(fy0) - 3), ry1 = Math.min(bh, Math.ceil(fy1) + 4);
  if (ry1 > ry0) {
    const rh = ry1 - ry0;
    const fill = scratch('ink-fill', bw * rh);
    for (const f of INK_FILLS) fillPolygon(fill, bw, rh, f.map((i) => dst[i * 3]), f.map((i) => dst[i * 3 + 1]), box.x0, box.y0 + ry0);
    const soft = boxBlur(fill, bw, rh, 1, scratch('ink-soft', bw * rh, false), scratch('ink-tmp', bw * rh, false));
    for (let i = 0; i < bw * rh; i++) { const v = 0.8 * featureInk * soft[i], o = ry0 * bw + i; if (v > cov[o]) cov[o] = v; }
  }
  return cov;
}

/** Paint ink (colour, opacity `alpha` × coverage × clip) onto the frame copy within `box`. */
export function paintInk(out: Uint8Array, W: number, box: Rect, cov: Float32Array, rgb: [number, number, number], alpha: number, clip: Float32Array): void {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const i = y * bw + x;
      const c = cov[i];
      if (c <= 0) continue;
      // Clip to the blend mask so ink never lands outside the band; ramp quickly near the edge.
      const m = clip[i] * 4;
      const a = alpha * c * (m > 1 ? 1 : m);
      if (a <= 0) continue;
      const o = ((box.y0 + y) * W + box.x0 + x) * 3;
      out[o] += (rgb[0] - out[o]) * a;
      out[o + 1] += (rgb[1] - out[o + 1]) * a;
      out[o + 2] += (rgb[2] - out[o + 2]) * a;
    }
  }
}

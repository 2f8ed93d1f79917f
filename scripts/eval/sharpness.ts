/**
 * Sharpness of the fused face against the drawing around it (issue #11: "sharp edges at full frame
 * resolution … the face region's gradient energy against the drawn parts of the same frame; target
 * ≥ 0.8 of the art's own"). Reported by scripts/eval-identity.ts; usable alone:
 *
 *   npx tsx scripts/eval/sharpness.ts [--photo <image>] [--face N] [--stories a,b] [--quick] [--shape N] [--features N]
 *       fuses face N (default 0) of the photo (default the npm fixture sample3.jpg) into the hero
 *       frames and prints the ratio per frame and its distribution.
 *
 * Definition (docs/fusion.md, "Sharpness"):
 * - G = Sobel gradient magnitude of luma (0.299 R + 0.587 G + 0.114 B), |(Gx, Gy)| / 8, borders
 *   clamped; computed on the whole frame, so a region's edge pixels see their real neighbours.
 * - E(region) = mean of the top 10 % of G over the region's pixels (the strongest edges: ink lines,
 *   lids, pupils, lip edges; flat fills and skin count for nothing, so a region is not "soft" just
 *   because it is mostly flat).
 * - Face region: the fused slot's pixels with blend mask ≥ 0.95 (the interior, not the feather). The
 *   mask is the slot's soft one when fuseFrame returns it (`keepSoftMask`): as blended before the
 *   face's edge was crisped against the art (face-mask.ts crispenAgainstArt, 2026-12-06), whose
 *   edge reaches into the old feather — the regions stay the same from round to round.
 * - Art region: pixels of the same fused frame inside the slot's box grown by 60 % of its width
 *   (left and right) and height (top and bottom), clipped to the frame, where the mask is 0 — the
 *   untouched drawing around the face (hair, outline, clothes, background).
 * - ratio = E(face) / E(art) of the fused frame; `drawnRatio` is the same on the template's own
 *   frame over the same two regions (what the artist drew at the slot) — the reference.
 */
import fs from 'fs';
import path from 'path';
import type { Rect, RgbImage } from '../../engine/core/raster';

/** Fraction of a region's pixels whose gradients are averaged. */
export const TOP_FRACTION = 0.1;
/** Mask value from which a pixel belongs to the face interior. */
export const FACE_MASK_MIN = 0.95;
/** Growth of the slot box on each side, as a fraction of its size, for the art region. */
export const ART_GROW = 0.6;

/** Luma range (5 × 5 window) from which a pixel counts as on an edge, for the acutance. */
export const EDGE_MIN_RANGE = 20;

/** Luma (0.299 R + 0.587 G + 0.114 B) of `rect` plus a ring of `ring` pixels, borders clamped to the image edge. */
function lumaWithRing(img: RgbImage, rect: Rect, ring: number): Float32Array {
  const W = img.width, H = img.height, d = img.data;
  const lw = rect.x1 - rect.x0 + 2 * ring, lh = rect.y1 - rect.y0 + 2 * ring;
  const luma = new Float32Array(lw * lh);
  for (let ly = 0; ly < lh; ly++) {
    const y = Math.min(H - 1, Math.max(0, rect.y0 - ring + ly));
    for (let lx = 0; lx < lw; lx++) {
      const x = Math.min(W - 1, Math.max(0, rect.x0 - ring + lx));
      const j = (y * W + x) * 3;
      luma[ly * lw + lx] = 0.299 * d[j] + 0.587 * d[j + 1] + 0.114 * d[j + 2];
    }
  }
  return luma;
}

/** Luma range (max − min) in the 5 × 5 window around each pixel of `rect` (rect-sized, borders clamped). */
export function localRange(img: RgbImage, rect: Rect): Float32Array {
  const rw = rect.x1 - rect.x0, rh = rect.y1 - rect.y0;
  const lw = rw + 4, lh = rh + 4;
  const luma = lumaWithRing(img, rect, 2);
  // separable: row min/max over 5, then column min/max over 5
  const rmin = new Float32Array(lw * lh), rmax = new Float32Array(lw * lh);
  for (let y = 0; y < lh; y++) for (let x = 2; x < lw - 2; x++) {
    let lo = Infinity, hi = -Infinity;
    for (let k = -2; k <= 2; k++) { const v = luma[y * lw + x + k]; if (v < lo) lo = v; if (v > hi) hi = v; }
    rmin[y * lw + x] = lo; rmax[y * lw + x] = hi;
  }
  const out = new Float32Array(rw * rh);
  for (let y = 0; y < rh; y++) for (let x = 0; x < rw; x++) {
    let lo = Infinity, hi = -Infinity;
    for (let k = 0; k < 5; k++) { const j = (y + k) * lw + x + 2; if (rmin[j] < lo) lo = rmin[j]; if (rmax[j] > hi) hi = rmax[j]; }
    out[y * rw + x] = hi - lo;
  }
  return out;
}

/** Sobel magnitude of luma over `rect` of the image (rect-sized, row-major). */
export function sobelMagnitude(img: RgbImage, rect: Rect): Float32Array {
  const lw = rect.x1 - rect.x0 + 2;
  const luma = lumaWithRing(img, rect, 1);
  const rw = rect.x1 - rect.x0, rh = rect.y1 - rect.y0;
  const out = new Float32Array(rw * rh);
  for (let y = 0; y < rh; y++) {
    const a = y * lw, b = a + lw, c = b + lw; // rows above, at, below (luma has the ring)
    for (let x = 0; x < rw; x++) {
      const gx = luma[a + x + 2] + 2 * luma[b + x + 2] + luma[c + x + 2] - luma[a + x] - 2 * luma[b + x] - luma[c + x];
      const gy = luma[c + x] + 2 * luma[c + x + 1] + luma[c + x + 2] - luma[a + x] - 2 * luma[a + x + 1] - luma[a + x + 2];
      out[y * rw + x] = Math.sqrt(gx * gx + gy * gy) / 8;
    }
  }
  return out;
}

/** G never exceeds 255·4·√2 / 8 ≈ 180.3. */
const G_MAX = 181;
const BINS = 4096;

/**
 * Mean of the largest values of a region, accumulated without keeping them: counts and sums per
 * histogram bin (4096 bins over [0, 181], 0.044 wide); the bin the cut falls in contributes its own
 * mean — exact up to that bin's spread, far below what the ratio can resolve.
 */
export class TopMean {
  private readonly count = new Float64Array(BINS);
  private readonly sum = new Float64Array(BINS);
  n = 0;
  add(v: number): void {
    const b = Math.min(BINS - 1, Math.floor((v / G_MAX) * BINS));
    this.count[b]++;
    this.sum[b] += v;
    this.n++;
  }
  /** Mean of the top `fraction` (at least one value); 0 for none. */
  mean(fraction = TOP_FRACTION): number {
    if (!this.n) return 0;
    const k = Math.max(1, Math.ceil(fraction * this.n));
    let left = k, total = 0;
    for (let b = BINS - 1; b >= 0 && left > 0; b--) {
      const c = this.count[b];
      if (!c) continue;
      const take = Math.min(c, left);
      total += take === c ? this.sum[b] : (this.sum[b] / c) * take;
      left -= take;
    }
    return total / k;
  }
}

/** Mean of the largest `fraction` of the values (at least one); 0 for none. Exact (sorts). */
export function topMean(values: Float32Array, fraction = TOP_FRACTION): number {
  if (!values.length) return 0;
  const s = Float32Array.from(values).sort();
  const k = Math.max(1, Math.ceil(fraction * s.length));
  let sum = 0;
  for (let i = s.length - k; i < s.length; i++) sum += s[i];
  return sum / k;
}

export interface SharpnessFigures {
  /** E over the face interior of the fused frame. */
  face: number;
  /** E over the untouched drawing around the slot, fused frame. */
  art: number;
  /** face / art: target ≥ 0.8. */
  ratio: number;
  /** Acutance (edge steepness for its height) of the face interior, of the art around, and their ratio. */
  faceAcutance: number;
  artAcutance: number;
  acutanceRatio: number;
  /** The same two regions on the template frame as drawn (reference). */
  drawnFace: number;
  drawnArt: number;
  drawnRatio: number;
  facePixels: number;
  artPixels: number;
}

/** Sharpness figures of one fused slot (`box`, `mask` as fuseFrame returns them). */
export function slotSharpness(drawn: RgbImage, fused: RgbImage, slot: { box: Rect; mask: Float32Array; softMask?: Float32Array }): SharpnessFigures {
  const { box } = slot;
  const mask = slot.softMask ?? slot.mask;
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const gx = Math.round(ART_GROW * bw), gy = Math.round(ART_GROW * bh);
  const grown: Rect = { x0: Math.max(0, box.x0 - gx), y0: Math.max(0, box.y0 - gy), x1: Math.min(fused.width, box.x1 + gx), y1: Math.min(fused.height, box.y1 + gy) };
  const gw = grown.x1 - grown.x0;
  const gFused = sobelMagnitude(fused, grown), gDrawn = sobelMagnitude(drawn, grown);
  const range = localRange(fused, grown);
  const faceF = new TopMean(), faceD = new TopMean(), artF = new TopMean(), artD = new TopMean();
  const faceA: number[] = [], artA: number[] = [];
  for (let y = grown.y0; y < grown.y1; y++) for (let x = grown.x0; x < grown.x1; x++) {
    const inBox = x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1;
    const m = inBox ? mask[(y - box.y0) * bw + x - box.x0] : 0;
    const k = (y - grown.y0) * gw + x - grown.x0;
    const a = range[k] >= EDGE_MIN_RANGE ? gFused[k] / range[k] : -1;
    if (m >= FACE_MASK_MIN) { faceF.add(gFused[k]); faceD.add(gDrawn[k]); if (a >= 0) faceA.push(a); }
    else if (m === 0) { artF.add(gFused[k]); artD.add(gDrawn[k]); if (a >= 0) artA.push(a); }
  }
  const face = faceF.mean(), art = artF.mean(), drawnFace = faceD.mean(), drawnArt = artD.mean();
  const faceAcutance = topMean(Float32Array.from(faceA), 0.5), artAcutance = topMean(Float32Array.from(artA), 0.5);
  return { face, art, ratio: art > 0 ? face / art : 0, faceAcutance, artAcutance, acutanceRatio: artAcutance > 0 ? faceAcutance / artAcutance : 0, drawnFace, drawnArt, drawnRatio: drawnArt > 0 ? drawnFace / drawnArt : 0, facePixels: faceF.n, artPixels: artF.n };
}

// ---------------------------------------------------------------- alone

async function main(): Promise<void> {
  const { analyzeImage } = await import('../../engine/analysis/analyze');
  const { prepareFace, fuseFrame } = await import('../../engine/fusion/fuse');
  const { loadStory, storyIds } = await import('../../engine/pipeline/story-frames');
  const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : undefined; };
  const num = (name: string) => (arg(name) !== undefined ? Number(arg(name)) : undefined);
  const photo = arg('photo') ?? path.resolve(__dirname, '..', '..', 'node_modules/@vladmandic/face-api/demo/sample3.jpg');
  const analysis = await analyzeImage(fs.readFileSync(photo));
  const faceIndex = num('face') ?? 0;
  if (faceIndex >= analysis.internal.faces.length) throw new Error(`${path.basename(photo)} has ${analysis.internal.faces.length} face(s)`);
  const face = prepareFace(analysis, faceIndex);
  const ids = arg('stories')?.split(',') ?? storyIds();
  const rows: Array<{ frame: string; ratio: number; drawn: number; acutance: number }> = [];
  for (const id of ids) {
    const story = await loadStory(id);
    const frames = story.frames.map((f, i) => ({ f, i })).filter(({ f }) => f.slots.some((s) => s.role === 'hero'));
    for (const { f, i } of process.argv.includes('--quick') ? frames.slice(0, 1) : frames) {
      const r = fuseFrame(f.image, f.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? face : null })), { shape: num('shape'), features: num('features'), keepSoftMask: true });
      const heroId = f.slots.find((s) => s.role === 'hero')!.id;
      const s = slotSharpness(f.image, r, r.slots.find((x) => x.id === heroId)!);
      rows.push({ frame: `${id}/${i + 1}`, ratio: +s.ratio.toFixed(3), drawn: +s.drawnRatio.toFixed(3), acutance: +s.acutanceRatio.toFixed(3) });
    }
  }
  const sorted = (k: 'ratio' | 'drawn' | 'acutance') => rows.map((r) => r[k]).sort((a, b) => a - b);
  const q = (a: number[], p: number) => a[Math.min(a.length - 1, Math.floor(p * (a.length - 1) + 0.5))];
  const d = (a: number[]) => `min ${q(a, 0)} p10 ${q(a, 0.1)} median ${q(a, 0.5)} max ${q(a, 1)}`;
  process.stdout.write(`sharpness E(face)/E(art) over ${rows.length} frames: fused ${d(sorted('ratio'))} | drawn ${d(sorted('drawn'))} | acutance A(face)/A(art): ${d(sorted('acutance'))} | target ≥ 0.8\n`);
  for (const r of rows) process.stdout.write(`  ${r.frame.padEnd(14)} fused ${r.ratio.toFixed(3)}  drawn ${r.drawn.toFixed(3)}  acutance ${r.acutance.toFixed(3)}\n`);
}

if (require.main === module) {
  main().then(() => process.exit(0), (e) => { process.stderr.write(`sharpness: ${e?.stack ?? e}\n`); process.exit(1); });
}

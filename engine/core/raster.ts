/**
 * Shared pixel types and the few raster primitives several fusion stages use (box blur, polygon
 * fill, bounding boxes). Pixels live in typed arrays: RGB frames as interleaved bytes, working
 * planes as Float32Array (one plane per channel, so per-channel loops stay tight).
 */

/** Interleaved RGB, 3 bytes per pixel, row-major, no padding. */
export interface RgbImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** Three Float32 planes of the same size (e.g. L, a, b). */
export interface Planes {
  c0: Float32Array;
  c1: Float32Array;
  c2: Float32Array;
  width: number;
  height: number;
}

/** Integer pixel rectangle [x0, x1) × [y0, y1) inside a frame. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function newPlanes(width: number, height: number): Planes {
  const n = width * height;
  return { c0: new Float32Array(n), c1: new Float32Array(n), c2: new Float32Array(n), width, height };
}

/** Bounding rectangle of points (x, y at `stride`), padded and clipped to the frame. */
export function boundsOf(pts: ArrayLike<number>, stride: number, idx: ArrayLike<number> | null, pad: number, W: number, H: number): Rect {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const n = idx ? idx.length : pts.length / stride;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    const x = pts[i * stride], y = pts[i * stride + 1];
    if (x < minX) minX = x; if (x > maxX) maxX = x;
    if (y < minY) minY = y; if (y > maxY) maxY = y;
  }
  return {
    x0: Math.max(0, Math.floor(minX - pad)),
    y0: Math.max(0, Math.floor(minY - pad)),
    x1: Math.min(W, Math.ceil(maxX + pad) + 1),
    y1: Math.min(H, Math.ceil(maxY + pad) + 1),
  };
}

/**
 * Separable box blur of radius r (window 2r+1) with running sums: O(1) per pixel whatever r.
 * Edges clamp (replicate), so a blurred mask does not darken at the rectangle's border.
 */
export function boxBlur(src: Float32Array, w: number, h: number, r: number, out: Float32Array = new Float32Array(w * h), tmp: Float32Array = new Float32Array(w * h)): Float32Array {
  if (r < 1) { out.set(src.subarray(0, w * h)); return out; }
  const inv = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += src[row + (k < 0 ? 0 : k > w - 1 ? w - 1 : k)];
    const first = src[row], last = src[row + w - 1];
    for (let x = 0; x < w; x++) {
      tmp[row + x] = acc * inv;
      const add = x + r + 1 < w ? src[row + x + r + 1] : last;
      const sub = x - r >= 0 ? src[row + x - r] : first;
      acc += add - sub;
    }
  }
  // Vertical pass row by row (cache friendly): a running sum per column.
  const col = new Float64Array(w);
  for (let k = -r; k <= r; k++) {
    const row = (k < 0 ? 0 : k > h - 1 ? h - 1 : k) * w;
    for (let x = 0; x < w; x++) col[x] += tmp[row + x];
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const addRow = (y + r + 1 < h ? y + r + 1 : h - 1) * w;
    const subRow = (y - r >= 0 ? y - r : 0) * w;
    for (let x = 0; x < w; x++) {
      out[row + x] = col[x] * inv;
      col[x] += tmp[addRow + x] - tmp[subRow + x];
    }
  }
  return out;
}

/**
 * Scratch buffers reused between frames (per thread): a fused frame allocates nothing big, which
 * keeps the garbage collector out of the per-frame time. Each name is one buffer: callers must not
 * hold two results of the same name at once.
 */
const scratchF = new Map<string, Float32Array>();
export function scratch(name: string, n: number, zero = true): Float32Array {
  let b = scratchF.get(name);
  if (!b || b.length < n) { b = new Float32Array(Math.ceil(n * 1.25)); scratchF.set(name, b); }
  const v = b.subarray(0, n);
  if (zero) v.fill(0);
  return v;
}

/**
 * Drop the scratch buffers whose names start with `prefix` (work done once per face, not per frame:
 * keeping its ≈ 10 MB of buffers for the thread's lifetime would only raise the peak).
 */
export function releaseScratch(prefix: string): void {
  for (const k of [...scratchF.keys()]) if (k.startsWith(prefix)) scratchF.delete(k);
}

/**
 * Fill a polygon (even-odd, pixel centres) into a w×h Float32 mask with value 1; `ox, oy` is the
 * mask's origin in the polygon's coordinates.
 */
export function fillPolygon(mask: Float32Array, w: number, h: number, xs: ArrayLike<number>, ys: ArrayLike<number>, ox = 0, oy = 0, value = 1): void {
  const n = xs.length;
  const cross: number[] = [];
  for (let y = 0; y < h; y++) {
    const py = y + 0.5 + oy;
    cross.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = ys[i], yj = ys[j];
      if ((yi > py) !== (yj > py)) cross.push(xs[i] + ((py - yi) / (yj - yi)) * (xs[j] - xs[i]));
    }
    cross.sort((a, b) => a - b);
    for (let k = 0; k + 1 < cross.length; k += 2) {
      const a = Math.max(0, Math.ceil(cross[k] - ox - 0.5)), b = Math.min(w - 1, Math.floor(cross[k + 1] - ox - 0.5));
      for (let x = a; x <= b; x++) mask[y * w + x] = value;
    }
  }
}

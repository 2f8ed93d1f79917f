/**
 * Stage 1 of face analysis: untrusted photo bytes → an upright RGB pixel buffer.
 *
 * Why it is careful:
 * - Uploads come from phones and from anybody: we sniff the real format from the magic bytes
 *   (file names and MIME types lie) and accept only what sharp decodes reliably everywhere
 *   (JPEG, PNG, WebP). iPhones send HEIC; we name the formats that work instead of failing vaguely.
 * - Decompression bombs: a 50 KB PNG can claim 100 000 × 100 000 pixels. We read the header
 *   dimensions first (sharp's metadata() does not decode pixels) and refuse before any pixel
 *   buffer is allocated; sharp's own `limitInputPixels` is a second fence.
 * - Speed: a 12 MP phone JPEG decodes in ~100 ms at full size, but the face models only need a
 *   working copy of ≈1 MP. JPEG and WebP can decode directly at 1/2, 1/4, 1/8 scale
 *   (shrink-on-load), so we ask sharp for a working size where that applies (see workingSide;
 *   1–2 MP photos are simply decoded whole, which is cheaper than any resize) and keep the scale
 *   factor so every coordinate we report is in the original (EXIF-oriented) pixels.
 * - EXIF orientation: phones store pixels sideways and set an orientation tag. We apply it, and
 *   remember that sharp's metadata() reports the *stored* size (orientations 5–8 swap w/h).
 */
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { AppError } from './errors';

/** Largest upload we read at all (matches the 20MB in the IMAGE_TOO_LARGE message). */
export const MAX_INPUT_BYTES = 20 * 1024 * 1024;
/** Largest pixel count a header may claim (40 MP, matches the IMAGE_TOO_LARGE message); phones top out near 50 MP only in special modes. */
export const MAX_INPUT_PIXELS = 40_000_000;
/**
 * Smallest accepted shorter side. Below this a face cannot hold enough pixels for 468 points
 * (a tight 115 px portrait still analyses well; FACE_TOO_SMALL judges the face itself).
 */
export const MIN_IMAGE_SIDE = 64;
/**
 * Longest side of the working copy. 1280 keeps ≈40 px faces of a 12 MP group photo at ≈13 px…
 * but a selfie's face at 300+ px, which is all FaceMesh (192 px input) can use; it bounds decode
 * time and memory (1280×960×3 ≈ 3.7 MB) whatever the camera.
 */
export const MAX_WORK_SIDE = 1280;
/**
 * Photos up to this long side are decoded at full size, not resized to MAX_WORK_SIDE.
 * Why: sharp applies JPEG shrink-on-load only when the requested shrink is ≥ 3× for 1/2, ≥ 5× for
 * 1/4 and ≥ 9× for 1/8 (it backs off at exact powers of two for libjpeg rounding), so a 1920 px
 * photo asked for 1280 (or 960) is decoded at full size *and then* resized: 22 ms against 13 ms for
 * the plain decode on this machine. A 1–2 MP working copy (≤ 6 MB) is cheap to keep, the detector
 * and mesh samplers cost the same whatever its size, and fusion gets more face pixels.
 */
export const MAX_FULL_DECODE_SIDE = 2048;
/** Smallest long side we accept for a shrink-on-load working copy of a big photo. */
export const MIN_SHRUNK_SIDE = 1000;

export const SUPPORTED_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type SupportedFormat = (typeof SUPPORTED_FORMATS)[number];

export interface DecodedImage {
  /** RGB, 3 bytes per pixel, row-major, no padding. Alpha is flattened onto white. */
  data: Uint8Array;
  /** Working-copy size (full size up to MAX_FULL_DECODE_SIDE, else ≤ MAX_WORK_SIDE; see workingSide). */
  width: number;
  height: number;
  channels: 3;
  /** Size of the original after EXIF orientation: the coordinate system of every result. */
  originalWidth: number;
  originalHeight: number;
  /** original pixels per working pixel (≥ 1): multiply working coordinates by it. */
  scale: number;
  format: SupportedFormat;
  /** EXIF orientation tag of the input (1 when absent). */
  orientation: number;
}

export interface DecodeOptions {
  /** Override MAX_WORK_SIDE (0 = keep full resolution). */
  maxSide?: number;
}

/** Format from magic bytes; `null` = not one we know at all. Named unsupported formats help the message. */
export function sniffFormat(bytes: Uint8Array): SupportedFormat | 'heic' | 'gif' | 'bmp' | 'tiff' | 'avif' | null {
  const b = bytes;
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a) return 'png';
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (b.length >= 6 && ascii(0, 3) === 'GIF') return 'gif';
  if (b.length >= 2 && ascii(0, 2) === 'BM') return 'bmp';
  if (b.length >= 4 && (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*')) return 'tiff';
  if (b.length >= 12 && ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand.startsWith('avi')) return 'avif';
    return 'heic'; // heic, heix, mif1, msf1, hevc…: the ISO-BMFF family phones use
  }
  return null;
}

function unsupported(what: string): AppError {
  return new AppError('UNSUPPORTED_FORMAT', {
    reason: `${what}; supported formats: JPEG, PNG, WebP`,
    details: { supported: ['JPEG', 'PNG', 'WebP'] },
  });
}

/** Decode untrusted bytes. Throws AppError with UNSUPPORTED_FORMAT / CORRUPT_IMAGE / IMAGE_TOO_LARGE / IMAGE_TOO_SMALL. */
export async function decodeImage(input: Uint8Array, opts: DecodeOptions = {}): Promise<DecodedImage> {
  if (!(input instanceof Uint8Array)) throw new AppError('INVALID_ARGUMENT', { reason: 'image must be bytes' });
  if (input.length === 0) throw new AppError('CORRUPT_IMAGE', { reason: 'empty file' });
  // Byte budget first: cheapest check, and it bounds everything sharp would read.
  if (input.length > MAX_INPUT_BYTES) {
    throw new AppError('IMAGE_TOO_LARGE', { reason: `${input.length} bytes > ${MAX_INPUT_BYTES}` });
  }
  const format = sniffFormat(input);
  if (format === null) {
    // Too short to carry any magic number: a broken upload rather than a foreign format.
    if (input.length < 12) throw new AppError('CORRUPT_IMAGE', { reason: 'too short to be an image' });
    throw unsupported('unknown format');
  }
  if (format !== 'jpeg' && format !== 'png' && format !== 'webp') throw unsupported(`${format} input`);

  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  // ignoreIcc: converting an embedded camera profile (Display P3, Adobe RGB) to sRGB costs ~3× the
  // decode itself (75 ms vs 20 ms on a 2.5 MP photo) and the face models do not care about a
  // slight gamut shift; pixels are read as if they were sRGB.
  const sharpOpts = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' as const, sequentialRead: true, ignoreIcc: true };

  // Header only: no pixel buffer is allocated here, so a bomb costs nothing.
  let meta: Metadata;
  try {
    meta = await sharp(buf, { ...sharpOpts, limitInputPixels: false }).metadata();
  } catch (err) {
    throw new AppError('CORRUPT_IMAGE', { reason: `header unreadable: ${(err as Error).message}` });
  }
  const storedW = meta.width ?? 0;
  const storedH = meta.height ?? 0;
  if (!(storedW > 0 && storedH > 0)) throw new AppError('CORRUPT_IMAGE', { reason: 'no dimensions in header' });
  if (storedW * storedH > MAX_INPUT_PIXELS) {
    throw new AppError('IMAGE_TOO_LARGE', { reason: `${storedW}x${storedH} > ${MAX_INPUT_PIXELS} px` });
  }
  if ((meta.pages ?? 1) > 1 && format !== 'webp') throw unsupported('multi-page image');
  const orientation = meta.orientation ?? 1;
  // EXIF 5–8 are the transposing orientations: the upright image is stored sideways.
  const swap = orientation >= 5 && orientation <= 8;
  const W = swap ? storedH : storedW;
  const H = swap ? storedW : storedH;
  if (Math.min(W, H) < MIN_IMAGE_SIDE) {
    throw new AppError('IMAGE_TOO_SMALL', { reason: `${W}x${H} < ${MIN_IMAGE_SIDE} px`, details: { minSide: MIN_IMAGE_SIDE } });
  }

  const target = workingSide(Math.max(W, H), format, opts.maxSide);
  let pipeline = sharp(buf, sharpOpts).rotate(); // rotate() with no angle = apply EXIF orientation
  if (target < Math.max(W, H)) {
    // fit 'inside' on the *oriented* size; fastShrinkOnLoad lets libjpeg/libwebp decode at 1/2…1/8.
    pipeline = pipeline.resize({ width: target, height: target, fit: 'inside', fastShrinkOnLoad: true, kernel: 'linear' });
  }
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipeline.flatten({ background: '#ffffff' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    const msg = (err as Error).message || '';
    if (/pixel limit/i.test(msg)) throw new AppError('IMAGE_TOO_LARGE', { reason: msg });
    throw new AppError('CORRUPT_IMAGE', { reason: `decode failed: ${msg}` });
  }
  const { width, height, channels } = out.info;
  if (channels !== 3) throw new AppError('INTERNAL', { reason: `expected 3 channels, got ${channels}` });
  return {
    data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength),
    width,
    height,
    channels: 3,
    originalWidth: W,
    originalHeight: H,
    // Use the long side: rounding in the resize makes the two axes differ by < 1 px.
    scale: Math.max(W, H) / Math.max(width, height),
    format,
    orientation,
  };
}

/**
 * Long side of the working copy for a photo whose (oriented) long side is `long`.
 * - `maxSide` given: that bound (0 = full size), as before.
 * - up to MAX_FULL_DECODE_SIDE: full size (no shrink-on-load applies, a resize would only add work).
 * - JPEG above it: the largest size at which sharp really decodes at 1/2, 1/4 or 1/8 (a requested
 *   shrink of ≥ 3, 5 or 9, see MAX_FULL_DECODE_SIDE) while keeping ≥ MIN_SHRUNK_SIDE, capped at
 *   MAX_WORK_SIDE; e.g. 12 MP 4000 px → 1280 (decoded at 1/2), 3000 px → 1000 (1/2).
 * - otherwise MAX_WORK_SIDE (PNG has no shrink-on-load; WebP scales on load at any factor).
 */
export function workingSide(long: number, format: SupportedFormat, maxSide?: number): number {
  if (maxSide !== undefined) return maxSide > 0 ? Math.min(long, maxSide) : long;
  if (long <= MAX_FULL_DECODE_SIDE) return long;
  if (format === 'jpeg') {
    for (const need of [9, 5, 3]) {
      const side = Math.min(MAX_WORK_SIDE, Math.floor(long / need));
      if (side >= MIN_SHRUNK_SIDE) return side;
    }
  }
  return Math.min(long, MAX_WORK_SIDE);
}

/**
 * Affine map from output pixel coordinates to source pixel coordinates:
 * sx = a·u + b·v + c, sy = d·u + e·v + f (u, v = output pixel centres).
 */
export interface Affine {
  a: number; b: number; c: number;
  d: number; e: number; f: number;
}

/**
 * Sample an RGB image through an affine map into a float NHWC tensor (1×outH×outW×3),
 * value = pixel·mul + add. Used for the detector's letterbox/tiles ([-1,1]) and the rotated face
 * crops for FaceMesh ([0,1]).
 *
 * Why in plain JS: each call makes a 256² or 192² tensor (≤ 200 k samples); doing it here avoids
 * a libvips round trip per crop and lets one pass rotate, scale, pad and normalise.
 * `taps`×`taps` bilinear sub-samples per output pixel act as a box prefilter when shrinking a
 * lot (a 1280 px photo into 256 px), which plain bilinear would alias. Outside the image = black.
 */
export function sampleAffine(
  src: Uint8Array, srcW: number, srcH: number,
  outW: number, outH: number, m: Affine,
  mul: number, add: number, taps = 1,
  out: Float32Array = new Float32Array(outW * outH * 3),
): Float32Array {
  const k = Math.max(1, Math.min(4, Math.floor(taps)));
  const inv = 1 / (k * k);
  const maxX = srcW - 1;
  const maxY = srcH - 1;
  let o = 0;
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      let r = 0, g = 0, bl = 0;
      for (let ty = 0; ty < k; ty++) {
        const vv = v + (ty + 0.5) / k - 0.5;
        for (let tx = 0; tx < k; tx++) {
          const uu = u + (tx + 0.5) / k - 0.5;
          const sx = m.a * uu + m.b * vv + m.c;
          const sy = m.d * uu + m.e * vv + m.f;
          if (sx < -0.5 || sy < -0.5 || sx > maxX + 0.5 || sy > maxY + 0.5) continue; // black border
          const cx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
          const cy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
          const x0 = cx | 0, y0 = cy | 0;
          const x1 = x0 < maxX ? x0 + 1 : x0, y1 = y0 < maxY ? y0 + 1 : y0;
          const fx = cx - x0, fy = cy - y0;
          const i00 = (y0 * srcW + x0) * 3, i01 = (y0 * srcW + x1) * 3;
          const i10 = (y1 * srcW + x0) * 3, i11 = (y1 * srcW + x1) * 3;
          const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
          r += src[i00] * w00 + src[i01] * w01 + src[i10] * w10 + src[i11] * w11;
          g += src[i00 + 1] * w00 + src[i01 + 1] * w01 + src[i10 + 1] * w10 + src[i11 + 1] * w11;
          bl += src[i00 + 2] * w00 + src[i01 + 2] * w01 + src[i10 + 2] * w10 + src[i11 + 2] * w11;
        }
      }
      out[o++] = r * inv * mul + add;
      out[o++] = g * inv * mul + add;
      out[o++] = bl * inv * mul + add;
    }
  }
  return out;
}

/**
 * The fast sampler for the analysis crops: same mapping, border and value conventions as
 * `sampleAffine` (output pixel centre u+0.5 ↦ source index m·(u+0.5, v+0.5) − 0.5 already folded
 * into `m`; outside = black; value = pixel·mul + add), written for speed:
 * - shrinking (scale ≥ 1.5 source px per output px): a k×k grid of nearest source pixels per output
 *   pixel, k = ⌈scale⌉ capped at `maxTaps`, spread over the output pixel's footprint: a box prefilter
 *   at 3 reads per sample instead of bilinear's 12;
 * - otherwise one bilinear sample per output pixel (enlarging small faces needs the interpolation);
 * - the affine is stepped incrementally and axis-aligned maps use precomputed row/column offsets.
 * Measured on one core: a 256² detector input from a 1920 px photo ≈ 1.5 ms (sampleAffine with 2×2
 * bilinear taps ≈ 9 ms), a 192² mesh crop ≈ 1 ms.
 */
export function sampleFast(
  src: Uint8Array, srcW: number, srcH: number,
  outW: number, outH: number, m: Affine,
  mul: number, add: number, maxTaps = 3,
  out: Float32Array = new Float32Array(outW * outH * 3),
): Float32Array {
  const scale = Math.sqrt(Math.max(m.a * m.a + m.d * m.d, m.b * m.b + m.e * m.e));
  if (scale < 1.5) return sampleBilinear(src, srcW, srcH, outW, outH, m, mul, add, out);
  const k = Math.max(1, Math.min(maxTaps, Math.ceil(scale - 1e-6)));
  if (m.b === 0 && m.d === 0) return sampleBoxAxis(src, srcW, srcH, outW, outH, m, mul, add, k, out);
  const n = k * k;
  // Tap offsets inside the output pixel (in output pixel units, from its centre).
  const du = new Float64Array(n), dv = new Float64Array(n);
  for (let ty = 0, t = 0; ty < k; ty++) for (let tx = 0; tx < k; tx++, t++) { du[t] = (tx + 0.5) / k - 0.5; dv[t] = (ty + 0.5) / k - 0.5; }
  const tx = new Float64Array(n), ty = new Float64Array(n);
  for (let t = 0; t < n; t++) { tx[t] = m.a * du[t] + m.b * dv[t]; ty[t] = m.d * du[t] + m.e * dv[t]; }
  const scaleOut = mul / n;
  let o = 0;
  for (let v = 0; v < outH; v++) {
    // +0.5: rounding to the nearest pixel index is floor(p + 0.5).
    let bx = m.b * v + m.c + 0.5;
    let by = m.e * v + m.f + 0.5;
    for (let u = 0; u < outW; u++, bx += m.a, by += m.d) {
      let r = 0, g = 0, bl = 0;
      for (let t = 0; t < n; t++) {
        const sx = bx + tx[t], sy = by + ty[t];
        if (sx < 0 || sy < 0 || sx >= srcW || sy >= srcH) continue; // black border
        const i = ((sy | 0) * srcW + (sx | 0)) * 3;
        r += src[i]; g += src[i + 1]; bl += src[i + 2];
      }
      out[o++] = r * scaleOut + add;
      out[o++] = g * scaleOut + add;
      out[o++] = bl * scaleOut + add;
    }
  }
  return out;
}

/** Axis-aligned k×k nearest-pixel box sampling with precomputed offsets (detector windows). */
function sampleBoxAxis(
  src: Uint8Array, srcW: number, srcH: number, outW: number, outH: number, m: Affine,
  mul: number, add: number, k: number, out: Float32Array,
): Float32Array {
  const col = new Int32Array(outW * k);
  const row = new Int32Array(outH * k);
  for (let u = 0; u < outW; u++) {
    for (let t = 0; t < k; t++) {
      const x = Math.floor(m.a * (u + (t + 0.5) / k - 0.5) + m.c + 0.5);
      col[u * k + t] = x >= 0 && x < srcW ? x * 3 : -1;
    }
  }
  for (let v = 0; v < outH; v++) {
    for (let t = 0; t < k; t++) {
      const y = Math.floor(m.e * (v + (t + 0.5) / k - 0.5) + m.f + 0.5);
      row[v * k + t] = y >= 0 && y < srcH ? y * srcW * 3 : -1;
    }
  }
  const scaleOut = mul / (k * k);
  let o = 0;
  for (let v = 0; v < outH; v++) {
    const rv = v * k;
    let anyRow = false;
    for (let t = 0; t < k; t++) if (row[rv + t] >= 0) anyRow = true;
    if (!anyRow) { out.fill(add, o, o + outW * 3); o += outW * 3; continue; } // letterbox bar
    for (let u = 0; u < outW; u++) {
      const cu = u * k;
      let r = 0, g = 0, bl = 0;
      for (let ty = 0; ty < k; ty++) {
        const ro = row[rv + ty];
        if (ro < 0) continue;
        for (let tx = 0; tx < k; tx++) {
          const co = col[cu + tx];
          if (co < 0) continue;
          const i = ro + co;
          r += src[i]; g += src[i + 1]; bl += src[i + 2];
        }
      }
      out[o++] = r * scaleOut + add;
      out[o++] = g * scaleOut + add;
      out[o++] = bl * scaleOut + add;
    }
  }
  return out;
}

/** One bilinear sample per output pixel, stepped incrementally (same border rule as sampleAffine). */
function sampleBilinear(
  src: Uint8Array, srcW: number, srcH: number, outW: number, outH: number, m: Affine,
  mul: number, add: number, out: Float32Array,
): Float32Array {
  const maxX = srcW - 1, maxY = srcH - 1;
  let o = 0;
  for (let v = 0; v < outH; v++) {
    let sx = m.b * v + m.c, sy = m.e * v + m.f;
    for (let u = 0; u < outW; u++, sx += m.a, sy += m.d) {
      if (sx < -0.5 || sy < -0.5 || sx > maxX + 0.5 || sy > maxY + 0.5) {
        out[o++] = add; out[o++] = add; out[o++] = add;
        continue;
      }
      const cx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      const cy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      const x0 = cx | 0, y0 = cy | 0;
      const x1 = x0 < maxX ? x0 + 1 : x0, y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = cx - x0, fy = cy - y0;
      const i00 = (y0 * srcW + x0) * 3, i01 = (y0 * srcW + x1) * 3;
      const i10 = (y1 * srcW + x0) * 3, i11 = (y1 * srcW + x1) * 3;
      const w00 = (1 - fx) * (1 - fy) * mul, w01 = fx * (1 - fy) * mul, w10 = (1 - fx) * fy * mul, w11 = fx * fy * mul;
      out[o++] = src[i00] * w00 + src[i01] * w01 + src[i10] * w10 + src[i11] * w11 + add;
      out[o++] = src[i00 + 1] * w00 + src[i01 + 1] * w01 + src[i10 + 1] * w10 + src[i11 + 1] * w11 + add;
      out[o++] = src[i00 + 2] * w00 + src[i01 + 2] * w01 + src[i10 + 2] * w10 + src[i11 + 2] * w11 + add;
    }
  }
  return out;
}

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
 *   (shrink-on-load), so we ask sharp for the working size and keep the scale factor so every
 *   coordinate we report is in the original (EXIF-oriented) pixels.
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

export const SUPPORTED_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type SupportedFormat = (typeof SUPPORTED_FORMATS)[number];

export interface DecodedImage {
  /** RGB, 3 bytes per pixel, row-major, no padding. Alpha is flattened onto white. */
  data: Uint8Array;
  /** Working-copy size (≤ MAX_WORK_SIDE). */
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

  const maxSide = opts.maxSide === undefined ? MAX_WORK_SIDE : opts.maxSide;
  let pipeline = sharp(buf, sharpOpts).rotate(); // rotate() with no angle = apply EXIF orientation
  if (maxSide > 0 && Math.max(W, H) > maxSide) {
    // fit 'inside' on the *oriented* size; fastShrinkOnLoad lets libjpeg/libwebp decode at 1/2…1/8.
    pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', fastShrinkOnLoad: true, kernel: 'linear' });
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

/**
 * Hostile files for test/backend/hostile.test.ts, built in the test from the npm fixture photos or
 * from bytes: decompression bombs, truncated and polyglot files, giant or broken EXIF, formats we
 * do not accept, odd encodings of good photos.
 */
import zlib from 'node:zlib';
import sharp from 'sharp';
import { crc32 } from '../../scripts/fuzz-images';
import { selfieJpeg } from '../helpers/fixtures';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A well-formed PNG declaring `width`×`height` RGB pixels whose image data inflates from `idat`. */
export function pngDeclaring(width: number, height: number, idat: Buffer = zlib.deflateSync(Buffer.alloc(1024))): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A real deflate bomb: 4000×4000 black RGB pixels (48 MB once inflated, 16 MP: inside the pixel
 * budget) in ≈ 210 KB. The decoder must bound time and memory by the working size, not the file size.
 */
export function pngDeflateBomb(): Buffer {
  const w = 4000, h = 4000;
  const raw = Buffer.alloc((w * 3 + 1) * h); // filter byte 0 + black pixels per row
  return pngDeclaring(w, h, zlib.deflateSync(raw, { level: 1 }));
}

/** The selfie as JPEG with its frame header (SOF0) claiming another size. */
export async function jpegDeclaring(width: number, height: number): Promise<Buffer> {
  const b = Buffer.from(await selfieJpeg());
  for (let i = 2; i + 9 < b.length; ) {
    const marker = b[i + 1];
    if (marker >= 0xc0 && marker <= 0xc2) {
      b.writeUInt16BE(height, i + 5);
      b.writeUInt16BE(width, i + 7);
      return b;
    }
    i += 2 + b.readUInt16BE(i + 2);
  }
  throw new Error('no SOF in the fixture JPEG');
}

/** A WebP with an extended header (VP8X) claiming a 16384×16384 canvas and a token image. */
export function webpDeclaringHugeCanvas(): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x.writeUIntLE(16383, 4, 3); // canvas width - 1
  vp8x.writeUIntLE(16383, 7, 3); // canvas height - 1
  const body = Buffer.concat([Buffer.from('WEBP'), Buffer.from('VP8X'), Buffer.from([10, 0, 0, 0]), vp8x]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF'), size, body]);
}

/** A lossless WebP of the face whose VP8L header claims `side`×`side` pixels (at most 16384). */
export async function webpLosslessDeclaring(side: number): Promise<Buffer> {
  const b = Buffer.from(await sharp(await selfieJpeg()).resize({ width: 80 }).webp({ lossless: true }).toBuffer());
  if (b.toString('latin1', 12, 16) !== 'VP8L' || b[20] !== 0x2f) throw new Error('not a simple lossless WebP');
  // 14 bits width-1, 14 bits height-1, then alpha and version bits (kept).
  b.writeUInt32LE(((b.readUInt32LE(21) & 0xf0000000) | (side - 1) | ((side - 1) << 14)) >>> 0, 21);
  return b;
}

/** An APP1 segment of `bytes` payload: an EXIF header with a TIFF IFD, then filler. */
function exifSegment(bytes: number, ifd: Buffer = Buffer.alloc(0)): Buffer {
  const payload = Buffer.alloc(bytes, 0x41);
  Buffer.from('Exif\0\0II*\0\x08\0\0\0', 'latin1').copy(payload, 0);
  ifd.copy(payload, 14);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(bytes + 2, 2);
  return Buffer.concat([head, payload]);
}

/** The selfie with `segments` maximum-size EXIF segments (64 KB each) after the start marker. */
export async function jpegWithGiantExif(segments: number): Promise<Buffer> {
  const jpeg = await selfieJpeg();
  const exif = exifSegment(65533 - 2);
  return Buffer.concat([jpeg.subarray(0, 2), ...Array.from({ length: segments }, () => exif), jpeg.subarray(2)]);
}

/** The selfie with an EXIF IFD claiming 65535 entries that point far outside the segment. */
export async function jpegWithBrokenExif(): Promise<Buffer> {
  const jpeg = await selfieJpeg();
  const ifd = Buffer.alloc(2 + 12 * 4);
  ifd.writeUInt16LE(0xffff, 0); // entry count
  for (let k = 0; k < 4; k++) {
    const e = 2 + 12 * k;
    ifd.writeUInt16LE(0x0112 + k, e); // orientation, …
    ifd.writeUInt16LE(7, e + 2); // UNDEFINED
    ifd.writeUInt32LE(0xfffffff0, e + 4); // count
    ifd.writeUInt32LE(0x7ffffff0, e + 8); // offset
  }
  return Buffer.concat([jpeg.subarray(0, 2), exifSegment(200, ifd), jpeg.subarray(2)]);
}

/** The selfie with an EXIF orientation tag of an undefined value. */
export async function jpegWithOrientation(value: number): Promise<Buffer> {
  const b = Buffer.from(await sharp(await selfieJpeg()).withMetadata({ orientation: 1 }).jpeg().toBuffer());
  const be = b.indexOf(Buffer.from([0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]));
  const le = b.indexOf(Buffer.from([0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00]));
  if (be > 0) b.writeUInt16BE(value, be + 8);
  else if (le > 0) b.writeUInt16LE(value, le + 8);
  else throw new Error('no orientation tag written');
  return b;
}

export const ascii = (s: string) => Buffer.from(s, 'latin1');

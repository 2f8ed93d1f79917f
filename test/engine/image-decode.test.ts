import sharp from 'sharp';
import zlib from 'zlib';
import path from 'path';
import fs from 'fs';
import { decodeImage, sniffFormat, sampleAffine, sampleFast, workingSide, MAX_INPUT_BYTES, MAX_WORK_SIDE, MIN_SHRUNK_SIDE, type Affine } from '../../engine/core/image-decode';
import { AppError } from '../../engine/core/errors';

const DEMO = path.dirname(require.resolve('@vladmandic/face-api/package.json')) + '/demo';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).code;
  }
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A PNG whose header claims w×h but carries almost no data: a decompression bomb's header. */
function bombPng(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const idat = zlib.deflateSync(Buffer.alloc(1024));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

describe('image decode', () => {
  const jpeg = fs.readFileSync(`${DEMO}/sample1.jpg`); // 1920×1280

  test('sniffs formats from magic bytes', () => {
    expect(sniffFormat(jpeg)).toBe('jpeg');
    expect(sniffFormat(Buffer.from('GIF89a......'))).toBe('gif');
    expect(sniffFormat(Buffer.from('\0\0\0\x18ftypheic\0\0\0\0', 'binary'))).toBe('heic');
    expect(sniffFormat(Buffer.from('hello world, not an image'))).toBeNull();
  });

  test('a 2.5 MP JPEG decodes whole (no shrink-on-load applies, a resize would only cost time)', async () => {
    const img = await decodeImage(jpeg);
    expect(img.format).toBe('jpeg');
    expect([img.originalWidth, img.originalHeight]).toEqual([1920, 1280]);
    expect([img.width, img.height, img.scale]).toEqual([1920, 1280, 1]);
    expect(img.data.length).toBe(img.width * img.height * 3);
  });

  test('a big JPEG decodes to a shrink-on-load working copy with the scale back to original pixels', async () => {
    const big = await sharp(jpeg).resize(4000).jpeg().toBuffer(); // 4000×2667
    const img = await decodeImage(big);
    expect([img.originalWidth, img.originalHeight]).toEqual([4000, 2667]);
    expect(Math.max(img.width, img.height)).toBe(MAX_WORK_SIDE);
    expect(img.scale).toBeCloseTo(4000 / MAX_WORK_SIDE, 5);
    // The working side is one that sharp reaches through libjpeg's 1/2…1/8 decode (shrink ≥ 3, 5, 9).
    expect(workingSide(4000, 'jpeg')).toBe(1280);
    expect(workingSide(3000, 'jpeg')).toBe(1000);
    expect(workingSide(6000, 'jpeg')).toBe(1200);
    expect(workingSide(12000, 'jpeg')).toBe(1280);
    expect(workingSide(2500, 'jpeg')).toBe(MAX_WORK_SIDE);
    expect(workingSide(2500, 'png')).toBe(MAX_WORK_SIDE);
    expect(workingSide(1920, 'png')).toBe(1920);
    expect(workingSide(1920, 'jpeg', 960)).toBe(960);
    for (const long of [2100, 3000, 4000, 5000, 8000, 12000]) expect(workingSide(long, 'jpeg')).toBeGreaterThanOrEqual(MIN_SHRUNK_SIDE);
  });

  test('the fast sampler agrees with the reference sampler (box prefilter, bilinear when enlarging)', async () => {
    const img = await decodeImage(jpeg);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    const check = (m: Affine, taps: number, tol: number) => {
      const ref = sampleAffine(img.data, img.width, img.height, 64, 64, m, 1, 0, taps);
      const fast = sampleFast(img.data, img.width, img.height, 64, 64, m, 1, 0, 4);
      let err = 0;
      for (let i = 0; i < ref.length; i++) err += Math.abs(ref[i] - fast[i]);
      expect(err / ref.length).toBeLessThan(tol); // mean absolute difference, 0–255 scale
      expect(Math.abs(mean(ref) - mean(fast))).toBeLessThan(2);
    };
    // Axis-aligned shrink ×4 spilling over the border (letterbox), rotated shrink ×3, enlargement ×0.5.
    check({ a: 4, b: 0, c: 1800, d: 0, e: 4, f: 1100 }, 4, 12);
    const c = Math.cos(0.3) * 3, s = Math.sin(0.3) * 3;
    check({ a: c, b: -s, c: 900, d: s, e: c, f: 500 }, 4, 12);
    check({ a: 0.5, b: 0, c: 900, d: 0, e: 0.5, f: 500 }, 1, 0.01);
  });

  test('PNG with alpha and WebP decode', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0 } } }).png().toBuffer();
    const a = await decodeImage(png);
    expect([a.width, a.height, a.format]).toEqual([300, 200, 'png']);
    expect(Array.from(a.data.subarray(0, 3))).toEqual([255, 255, 255]); // transparent → white
    const webp = await sharp(jpeg).resize(400).webp().toBuffer();
    const b = await decodeImage(webp);
    expect(b.format).toBe('webp');
    expect(b.width).toBe(400);
  });

  test('EXIF orientation 6 swaps width and height', async () => {
    const small = await sharp(jpeg).resize(600).jpeg().toBuffer(); // 600×400 stored
    const tagged = await sharp(small).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const img = await decodeImage(tagged);
    expect(img.orientation).toBe(6);
    expect([img.originalWidth, img.originalHeight]).toEqual([400, 600]);
    expect([img.width, img.height]).toEqual([400, 600]);
  });

  test('bad inputs give their codes without crashing', async () => {
    expect(await codeOf(decodeImage(Buffer.alloc(0)))).toBe('CORRUPT_IMAGE');
    expect(await codeOf(decodeImage(jpeg.subarray(0, 2000)))).toBe('CORRUPT_IMAGE');
    expect(await codeOf(decodeImage(Buffer.concat([jpeg.subarray(0, 4), Buffer.alloc(5000, 7)])))).toBe('CORRUPT_IMAGE');
    expect(await codeOf(decodeImage(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary')))).toBe('UNSUPPORTED_FORMAT');
    expect(await codeOf(decodeImage(Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'binary')))).toBe('UNSUPPORTED_FORMAT');
    expect(await codeOf(decodeImage(Buffer.from('just some text, definitely not a photo')))).toBe('UNSUPPORTED_FORMAT');
    expect(await codeOf(decodeImage(bombPng(100000, 100000)))).toBe('IMAGE_TOO_LARGE');
    expect(await codeOf(decodeImage(Buffer.concat([jpeg, Buffer.alloc(MAX_INPUT_BYTES)])))).toBe('IMAGE_TOO_LARGE');
    const tiny = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#888' } }).png().toBuffer();
    expect(await codeOf(decodeImage(tiny))).toBe('IMAGE_TOO_SMALL');
  });

  test('the bomb is refused before allocating its pixels', async () => {
    const before = process.memoryUsage().rss;
    await codeOf(decodeImage(bombPng(30000, 30000)));
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });
});

import sharp from 'sharp';
import zlib from 'zlib';
import path from 'path';
import fs from 'fs';
import { decodeImage, sniffFormat, MAX_INPUT_BYTES, MAX_WORK_SIDE } from '../../engine/image-decode';
import { AppError } from '../../engine/errors';

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

  test('JPEG decodes to an RGB working copy with the scale back to original pixels', async () => {
    const img = await decodeImage(jpeg);
    expect(img.format).toBe('jpeg');
    expect([img.originalWidth, img.originalHeight]).toEqual([1920, 1280]);
    expect(Math.max(img.width, img.height)).toBe(MAX_WORK_SIDE);
    expect(img.data.length).toBe(img.width * img.height * 3);
    expect(img.scale).toBeCloseTo(1920 / MAX_WORK_SIDE, 5);
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

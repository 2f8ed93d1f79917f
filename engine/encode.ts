/**
 * Output encoding: RGB bytes → JPEG with the implicit AI-generated label (engine/ai-label.ts) in
 * its metadata.
 *
 * Codec: sharp (libvips + mozjpeg-free libjpeg-turbo). Measured here (docs/fusion.md): a 720×1280
 * frame encodes in ≈8–10 ms at quality 85; a pure-JS encoder (jimp's) was 10–20× slower in the
 * first probe — encoding would cost more than the whole fusion — so sharp is the one codec.
 */
import sharp from 'sharp';
import { withAiLabel } from './ai-label';

sharp.concurrency(1); // one libvips thread per worker: the pool provides the parallelism

export const JPEG_QUALITY = 85;

export async function encodeJpeg(data: Uint8Array, width: number, height: number, opts: { quality?: number; produceId?: string } = {}): Promise<Buffer> {
  const img = sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: opts.quality ?? JPEG_QUALITY, chromaSubsampling: '4:2:0' });
  return withAiLabel(img, { produceId: opts.produceId ?? '' }).toBuffer();
}

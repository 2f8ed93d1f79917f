import jsQR from 'jsqr';
import sharp from 'sharp';

/** The text of the QR code in an image (PNG/JPEG), or undefined when none is found. `region` crops first. */
export async function decodeQr(image: Buffer, region?: { left: number; top: number; width: number; height: number }): Promise<string | undefined> {
  let pipeline = sharp(image);
  if (region) pipeline = pipeline.extract(region);
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data;
}

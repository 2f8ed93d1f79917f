/**
 * Pieces shared by the look-at-it sheets (scripts/templates-sheet.ts, scripts/fusion-preview.ts,
 * scripts/contact-sheets.ts): text rendered with the product's fonts, a raw RGB frame as PNG, the
 * square neighbourhood of a face slot, a face cropped out of a photo with a selfie-like margin.
 */
import sharp, { type Sharp } from 'sharp';
import { Resvg } from '@resvg/resvg-js';
import { resvgFontOptions } from '../../engine/output/fonts';
import type { RgbImage } from '../../engine/core/raster';
import type { SlotPose } from '../../engine/fusion/slot';

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An SVG body (no <svg> wrapper) rendered at w×h with the product's fonts (Noto Sans SC, ZCOOL KuaiLe). */
export function textPng(svgBody: string, w: number, h: number): Buffer {
  return new Resvg(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${svgBody}</svg>`, { font: resvgFontOptions() }).render().asPng();
}

/** A sharp pipeline over raw RGB pixels (no copy). */
export function rawImage(img: RgbImage): Sharp {
  const d = img.data;
  return sharp(Buffer.from(d.buffer, d.byteOffset, d.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } });
}

/**
 * The square around a face slot, `factor` × the slot's face width on a side, its centre moved
 * `down` × width below the face centre (0.25: head and shoulders), kept inside the frame;
 * resized to `cell` px.
 */
export function slotCrop(img: RgbImage, pose: Pick<SlotPose, 'center' | 'width'>, factor: number, cell: number, down = 0): Promise<Buffer> {
  const W = img.width, H = img.height;
  const side = Math.min(W, H, Math.round(pose.width * factor));
  const left = Math.max(0, Math.min(W - side, Math.round(pose.center[0] - side / 2)));
  const top = Math.max(0, Math.min(H - side, Math.round(pose.center[1] + down * pose.width - side / 2)));
  return rawImage(img).extract({ left, top, width: side, height: side }).resize(cell, cell).png().toBuffer();
}

/**
 * A face of a photo cropped with a margin (`side` × the box size left and right, `top` above,
 * `bottom` below): a selfie-like framing that leaves exactly one face to analyse. `box` = [x, y, w, h].
 */
export function selfieCrop(bytes: Buffer, box: [number, number, number, number], imgW: number, imgH: number, margin = { side: 0.6, top: 0.7, bottom: 0.6 }): Promise<Buffer> {
  const [x, y, w, h] = box;
  const m = Math.max(w, h);
  const left = Math.max(0, Math.round(x - m * margin.side)), top = Math.max(0, Math.round(y - m * margin.top));
  const width = Math.min(imgW - left, Math.round(w + m * 2 * margin.side)), height = Math.min(imgH - top, Math.round(h + m * (margin.top + margin.bottom)));
  return sharp(bytes).rotate().extract({ left, top, width, height }).jpeg({ quality: 95 }).toBuffer();
}

/**
 * Photos without a human face, made on the spot (CI has no licensed animal or scene photos): each
 * one is built to look like part of what a face detector keys on, without being a face.
 *  - `shuffled-face`: a real face (fixture sample6) cut into a 6×6 grid of tiles, shuffled: skin,
 *    eyes, lips and hair texture, no face layout;
 *  - `skin-blob`: a skin-coloured ellipse with two dark spots and a dark bar (eyes and mouth at face
 *    positions, nothing else): the crudest drawn face. Returned separately (`drawnFaces`): both
 *    models call it a face (detector 0.73, FaceMesh presence 1.0), like a painting or a cartoon;
 *    the product does not promise to refuse drawings (the photo checks and the content check do);
 *  - `fur-noise`: brown, blurred, oriented noise (fur) with two bright round spots;
 *  - `noise`, `gradient`, `flat`: plain backgrounds.
 */
import sharp from 'sharp';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A drawn face (see the header): not a photo of a person, but a face to both models. */
export async function drawnFaces(): Promise<Array<[string, Buffer]>> {
  const blob = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="640" height="480" fill="#6b7f8e"/>
    <ellipse cx="320" cy="240" rx="120" ry="160" fill="#d9a583"/>
    <ellipse cx="275" cy="200" rx="18" ry="10" fill="#2a1a12"/><ellipse cx="365" cy="200" rx="18" ry="10" fill="#2a1a12"/>
    <rect x="280" y="320" width="80" height="14" rx="7" fill="#8a3b33"/></svg>`;
  return [['skin-blob', await sharp(Buffer.from(blob)).jpeg({ quality: 90 }).toBuffer()]];
}

export async function hardNegatives(): Promise<Array<[string, Buffer]>> {
  const out: Array<[string, Buffer]> = [];
  const rand = rng(12345);

  // A real face, tiles shuffled.
  const src = require.resolve('@vladmandic/face-api/demo/sample6.jpg');
  const side = 600, n = 6, t = side / n;
  const face = await sharp(src).extract({ left: 476, top: 190, width: side, height: side }).raw().toBuffer();
  const order = Array.from({ length: n * n }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const shuffled = Buffer.alloc(face.length);
  order.forEach((from, to) => {
    const fx = (from % n) * t, fy = Math.floor(from / n) * t, tx = (to % n) * t, ty = Math.floor(to / n) * t;
    for (let y = 0; y < t; y++) face.copy(shuffled, ((ty + y) * side + tx) * 3, ((fy + y) * side + fx) * 3, ((fy + y) * side + fx + t) * 3);
  });
  out.push(['shuffled-face', await sharp(shuffled, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 90 }).toBuffer()]);

  // Fur: brown noise smeared along one direction, two glints.
  const w = 640, h = 480;
  const fur = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    let v = rand();
    for (let x = 0; x < w; x++) {
      v = 0.85 * v + 0.15 * rand();
      const k = 60 + v * 120;
      fur.set([k, k * 0.72, k * 0.45], (y * w + x) * 3);
    }
  }
  const glints = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><circle cx="260" cy="210" r="16" fill="#111"/><circle cx="380" cy="210" r="16" fill="#111"/>
    <circle cx="264" cy="205" r="4" fill="#fff"/><circle cx="384" cy="205" r="4" fill="#fff"/><ellipse cx="320" cy="300" rx="26" ry="18" fill="#1a1210"/></svg>`;
  out.push(['fur-noise', await sharp(fur, { raw: { width: w, height: h, channels: 3 } }).blur(1.2).composite([{ input: Buffer.from(glints) }]).jpeg({ quality: 90 }).toBuffer()]);

  const noise = Buffer.alloc(w * h * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(rand() * 256);
  out.push(['noise', await sharp(noise, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer()]);
  const grad = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) grad.set([x % 256, y % 256, (x * y) % 256], (y * w + x) * 3);
  out.push(['gradient', await sharp(grad, { raw: { width: w, height: h, channels: 3 } }).webp().toBuffer()]);
  out.push(['flat', await sharp({ create: { width: w, height: h, channels: 3, background: '#7f8fa0' } }).jpeg().toBuffer()]);
  return out;
}

/**
 * npx tsx scripts/fusion-preview.ts [--out /tmp/fusion-preview.png] [--faces <dir>] [--shape N] [--features N]
 *     [--frames chao:0,xin:2,…] [--scale 1]
 * A look-at-it sheet for tuning the fusion: one row per face (the input face crop first), one column
 * per frame (the hero slot's neighbourhood, cropped from the fused frame; the last column is the
 * drawn frame itself for comparison). Faces: the npm fixtures (a selfie-like crop of sample6, the
 * faces of sample1 and sample3, each cropped and re-analysed) and, when `--faces` (default
 * ../shared/faces) exists, a handful of photos from it, read in place (never copied).
 * `--only <text>` keeps the faces whose label contains it; `--cell N` sets the cell size (default 200).
 * Writes a PNG (default /tmp/fusion-preview.png) and prints per-frame fuse timings.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import { analyzeImage } from '../engine/analysis/analyze';
import { prepareFace, fuseFrame, type PreparedFace } from '../engine/fusion/fuse';
import { loadStory, type StoryFrame } from '../engine/pipeline/story-frames';
import { selfieCrop, slotCrop } from './lib/sheet';

const ROOT = path.resolve(__dirname, '..');
const DEMO = path.join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');
const arg = (name: string, dflt?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const OUT = arg('out', '/tmp/fusion-preview.png')!;
const FACES_DIR = arg('faces', path.resolve(ROOT, '..', 'shared', 'faces'))!;
const shape = arg('shape') !== undefined ? Number(arg('shape')) : undefined;
const features = arg('features') !== undefined ? Number(arg('features')) : undefined;
const CELL = Number(arg('cell', '200'));
const FRAMES = (arg('frames', 'chao:0,chuang:1,kuai:2,mei:0,rong:1,xin:3')!).split(',').map((s) => {
  const [id, i] = s.split(':');
  return { id, index: Number(i) };
});
/** Shared photos used when present: a spread of skin tones, ages, lighting, glasses and beards. */
const SHARED = [
  'interfaces_cc0/001_1000.jpg', 'interfaces_cc0/016_500.jpg', 'interfaces_cc0/058_500.jpg', 'interfaces_cc0/081_500.jpg',
  'interfaces_cc0/086_500.jpg', 'interfaces_cc0/028_1000.jpg', 'ibm_max_facial_recognizer/Paul.jpeg',
  'debian_python-matplotlib-data/grace_hopper.jpg', 'debian_python3-skimage/astronaut.png',
];

interface Face { label: string; prepared: PreparedFace; thumb: Buffer }

/** Crop each face of a photo with a margin (a selfie-like framing), re-analyse, prepare. */
async function facesOf(label: string, bytes: Buffer, max = 6): Promise<Face[]> {
  const first = await analyzeImage(bytes);
  const out: Face[] = [];
  for (const [k, f] of first.result.faces.slice(0, max).entries()) {
    const crop = await selfieCrop(bytes, f.box, first.result.width, first.result.height);
    try {
      const a = await analyzeImage(crop);
      if (!a.result.faces.length) continue;
      out.push({ label: `${label}#${k}`, prepared: prepareFace(a, 0), thumb: await sharp(crop).resize(CELL, CELL, { fit: 'cover' }).png().toBuffer() });
    } catch (e) {
      console.error(`${label}#${k}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return out;
}

async function main() {
  const faces: Face[] = [];
  // The selfie-like crop of sample6 that looked ghostly.
  const s6 = await sharp(path.join(DEMO, 'sample6.jpg')).extract({ left: 476, top: 150, width: 600, height: 720 }).jpeg({ quality: 95 }).toBuffer();
  const a6 = await analyzeImage(s6);
  faces.push({ label: 'sample6 crop', prepared: prepareFace(a6, 0), thumb: await sharp(s6).resize(CELL, CELL, { fit: 'cover' }).png().toBuffer() });
  faces.push(...(await facesOf('sample1', fs.readFileSync(path.join(DEMO, 'sample1.jpg')), 3)));
  faces.push(...(await facesOf('sample3', fs.readFileSync(path.join(DEMO, 'sample3.jpg')), 3)));
  if (fs.existsSync(FACES_DIR)) {
    for (const rel of SHARED) {
      const p = path.join(FACES_DIR, rel);
      if (fs.existsSync(p)) faces.push(...(await facesOf(path.basename(rel), fs.readFileSync(p), 1)));
    }
  }
  const only = arg('only');
  if (only) faces.splice(0, faces.length, ...faces.filter((f) => f.label.includes(only)));
  const frames: Array<{ label: string; frame: StoryFrame }> = [];
  for (const { id, index } of FRAMES) {
    const s = await loadStory(id);
    const fr = s.frames[Math.min(index, s.frames.length - 1)];
    if (fr.slots.some((sl) => sl.role === 'hero')) frames.push({ label: `${id}:${index}`, frame: fr });
  }
  const cols = frames.length + 1;
  const rows = faces.length + 1; // last row: the drawn frames
  const layers: OverlayOptions[] = [];
  const times: number[] = [];
  const cropOf = (data: Uint8Array | Uint8ClampedArray, fr: StoryFrame) =>
    slotCrop({ data, width: fr.image.width, height: fr.image.height }, fr.slots.find((sl) => sl.role === 'hero')!.pose, 1.7, CELL);
  for (const [r, face] of faces.entries()) {
    layers.push({ input: face.thumb, left: 0, top: r * CELL });
    for (const [c, { frame }] of frames.entries()) {
      const sf = frame.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? face.prepared : null }));
      fuseFrame(frame.image, sf, { shape, features }); // warm (smoothing cache)
      const t = performance.now();
      const fused = fuseFrame(frame.image, sf, { shape, features });
      times.push(performance.now() - t);
      layers.push({ input: await cropOf(fused.data, frame), left: (c + 1) * CELL, top: r * CELL });
    }
  }
  for (const [c, { frame }] of frames.entries()) layers.push({ input: await cropOf(frame.image.data, frame), left: (c + 1) * CELL, top: faces.length * CELL });
  await sharp({ create: { width: cols * CELL, height: rows * CELL, channels: 3, background: '#ffffff' } }).composite(layers).png().toFile(OUT);
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({
    out: OUT, faces: faces.map((f) => f.label), frames: frames.map((f) => f.label),
    fuse_ms: { median: +times[times.length >> 1].toFixed(1), p90: +times[Math.floor(times.length * 0.9)].toFixed(1) },
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });

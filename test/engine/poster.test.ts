/**
 * Posters: size per layout, the visible AI label and the code where the layout says (measured in the
 * pixels), the frames placed in their regions, the metadata label readable, and the square cover.
 */
import QRCode from 'qrcode';
import sharp from 'sharp';
import { composePoster, composeCover, type PosterLayout } from '../../engine/output/poster';
import { qrCodePng, sceneUrl } from '../../engine/output/qr-code';
import { readAiLabel, withAiLabel } from '../../engine/output/ai-label';
import { loadStory } from '../../templates/render';

jest.setTimeout(30_000); // a busy 2-core machine can be slow; the work itself takes well under a second

const story = loadStory('chuang');
const layout: PosterLayout = story.poster;
const SCENE = sceneUrl('http://127.0.0.1:8787', 'pages/poster/index', 'p=Ab3xYz9');

/** Solid frames in distinct colours, as raw RGB (what the fusion engine hands over). */
const colours: Array<[number, number, number]> = [
  [200, 60, 60],
  [60, 160, 80],
  [60, 90, 200],
  [220, 180, 40],
];
const rawFrames = colours.map(([r, g, b]) => {
  const data = Buffer.alloc(720 * 1280 * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
  }
  return { data, width: 720, height: 1280, channels: 3 as const };
});

let poster: Buffer;
let px: { data: Buffer; width: number; height: number };
let ms = 0;

beforeAll(async () => {
  const code = await qrCodePng(SCENE);
  await composePoster({ story, frames: rawFrames, caption: '热身', code, layout }); // warm the page cache
  const t = performance.now();
  poster = await composePoster({ story, frames: rawFrames, caption: '我在深圳的第一天，海风好大！', aiLabel: 'AI合成', code, layout, label: { produceId: 'job-42' } });
  ms = performance.now() - t;
  const { data, info } = await sharp(poster).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  px = { data, width: info.width, height: info.height };
});

function stats(r: { x: number; y: number; w: number; h: number }) {
  let dark = 0, light = 0, n = 0;
  const sum = [0, 0, 0];
  for (let y = Math.round(r.y); y < Math.round(r.y + r.h); y++)
    for (let x = Math.round(r.x); x < Math.round(r.x + r.w); x++) {
      const i = (y * px.width + x) * 3;
      const l = 0.299 * px.data[i] + 0.587 * px.data[i + 1] + 0.114 * px.data[i + 2];
      if (l < 70) dark++;
      if (l > 200) light++;
      for (let c = 0; c < 3; c++) sum[c] += px.data[i + c];
      n++;
    }
  return { dark: dark / n, light: light / n, mean: sum.map((v) => v / n) };
}

const luma = (x: number, y: number) => {
  const i = (Math.round(y) * px.width + Math.round(x)) * 3;
  return 0.299 * px.data[i] + 0.587 * px.data[i + 1] + 0.114 * px.data[i + 2];
};

test('a JPEG the size the layout says, made quickly', async () => {
  const meta = await sharp(poster).metadata();
  expect(meta.format).toBe('jpeg');
  expect([meta.width, meta.height]).toEqual([layout.width, layout.height]);
  expect(layout.width).toBe(1080);
  console.log(`poster: ${Math.round(ms)} ms, ${Math.round(poster.length / 1024)} KB`);
});

test('the visible AI label is where the layout says: a dark badge with light glyphs', () => {
  const s = stats(layout.aiLabel);
  expect(s.dark).toBeGreaterThan(0.45);
  expect(s.light).toBeGreaterThan(0.04);
  // the same-sized patch of page just below the label holds neither
  const below = stats({ ...layout.aiLabel, y: layout.aiLabel.y + layout.aiLabel.h + 12, h: 40 });
  expect(below.dark).toBeLessThan(0.05);
});

test('each frame fills its layout region', () => {
  layout.frames.forEach((f) => {
    const inner = { x: f.x + f.w * 0.25, y: f.y + f.h * 0.25, w: f.w * 0.5, h: f.h * 0.5 };
    const s = stats(inner);
    const want = colours[f.frame];
    s.mean.forEach((v, c) => expect(Math.abs(v - want[c])).toBeLessThan(12));
  });
});

test('the code is where the layout says, with scannable finder patterns', () => {
  const q = layout.code;
  const size = QRCode.create(SCENE, { errorCorrectionLevel: 'M' }).modules.size;
  const mod = q.w / (size + 4); // qrCodePng uses a 2-module quiet zone
  const at = (mx: number, my: number) => luma(q.x + (mx + 0.5) * mod, q.y + (my + 0.5) * mod);
  // three finder patterns: dark outer ring, light ring, dark 3×3 core
  for (const [ox, oy] of [[2, 2], [2 + size - 7, 2], [2, 2 + size - 7]]) {
    expect(at(ox, oy + 3)).toBeLessThan(80); // outer ring
    expect(at(ox + 1, oy + 3)).toBeGreaterThan(180); // light ring
    expect(at(ox + 3, oy + 3)).toBeLessThan(80); // core
    expect(at(ox + 7, oy + 3)).toBeGreaterThan(180); // separator
  }
  // quiet zone is white
  expect(luma(q.x + mod * 0.5, q.y + q.h / 2)).toBeGreaterThan(200);
});

test('title and user caption are drawn in their regions', () => {
  expect(stats(layout.title).dark).toBeGreaterThan(0.04);
  expect(stats(layout.caption).dark).toBeGreaterThan(0.03);
  const hint = stats(layout.codeHint);
  expect(hint.light).toBeLessThan(0.99); // grey hint text on the page
  expect(hint.mean[0]).toBeLessThan(250);
});

test('the metadata label is in the JPEG (EXIF and XMP)', async () => {
  const label = await readAiLabel(poster);
  expect(label).toMatchObject({ Label: '1', ContentProducer: 'my-shenzhen-story', ProduceID: 'job-42' });
  const meta = await sharp(poster).metadata();
  expect(meta.exif?.toString('latin1')).toContain('"AIGC"');
  expect(meta.xmp?.toString('utf8')).toContain('AI合成');
  // an image without the label reads back as null
  expect(await readAiLabel(await sharp(rawFrames[0].data, { raw: rawFrames[0] }).jpeg().toBuffer())).toBeNull();
});

test('encoded frames work as well as raw pixels; a missing frame is an error', async () => {
  const jpgs = await Promise.all(rawFrames.map((f) => sharp(f.data, { raw: f }).jpeg().toBuffer()));
  const code = await qrCodePng('p=x');
  const out = await composePoster({ story, frames: jpgs, code, layout });
  expect((await sharp(out).metadata()).height).toBe(layout.height);
  await expect(composePoster({ story, frames: jpgs.slice(0, 2), code, layout })).rejects.toThrow(/frame 2/);
});

test('square cover with the label in its top-right corner', async () => {
  const cover = await composeCover({ story, frame: rawFrames[1], focus: { center: [360, 700], width: 230 }, accent: layout.accent });
  const meta = await sharp(cover).metadata();
  expect([meta.width, meta.height]).toEqual([1080, 1080]);
  const { data, info } = await sharp(cover).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  let n = 0;
  for (let y = 40; y < 96; y++)
    for (let x = 860; x < 1030; x++) {
      const i = (y * info.width + x) * 3;
      if (data[i] < 70 && data[i + 1] < 70) dark++;
      n++;
    }
  expect(dark / n).toBeGreaterThan(0.45);
  expect(await readAiLabel(cover)).not.toBeNull();
});

test('withAiLabel labels PNG output too (for fused frames)', async () => {
  const png = await withAiLabel(sharp(rawFrames[2].data, { raw: rawFrames[2] }).png(), { produceId: 'f1' }).toBuffer();
  expect((await readAiLabel(png))?.ProduceID).toBe('f1');
});

/**
 * npm run contact-sheets -- [--faces <dir>] [--out dist/contact-sheets] [--photos a,b,…]
 *                           [--shape N] [--features N] [--cell 300]
 *
 * Review sheets of the fused face (issue #11): 8 photos × the 8 stories' first frames.
 *   <out>/heads.png   each cell the hero slot's head and shoulders (a square 2.2 × the slot's face
 *                     width, centred a quarter width below the face), `--cell` px (default 300);
 *                     the row header is the photo's own face.
 *   <out>/frames.png  the same fusions as whole frames at a quarter size (180 × 320).
 * Photos (read in place from --faces, default ../shared/faces — local review only, never copied):
 * `--photos` takes manifest paths or parts of them (e.g. 001,Paul,grace); the default is eight
 * photos the checks accept, spread over skin tones, ages, glasses and a beard. A photo the photo
 * checks reject is skipped (the product would refuse it). The title names the git revision (and
 * "+ uncommitted engine changes" when engine/ differs from it), the degrees and the time, so a
 * before/after pair made in two worktrees stays told apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp, { type OverlayOptions } from 'sharp';
import { analyzeImage } from '../engine/analysis/analyze';
import { faceIssues } from '../engine/analysis/photo-checks';
import { prepareFace, fuseFrame, DEFAULT_FEATURES, DEFAULT_SHAPE, type PreparedFace } from '../engine/fusion/fuse';
import { loadManifest, loadStory, storyIds, type StoryFrame } from '../engine/pipeline/story-frames';
import { FONT_COMIC, FONT_SANS } from '../engine/output/fonts';
import { esc, rawImage, slotCrop, textPng } from './lib/sheet';

const ROOT = path.resolve(__dirname, '..');
/** Skin tones, ages, glasses, a beard: light-skinned woman, bearded man with glasses, Black woman,
 *  East Asian woman, Black man in a cap, elderly man, elderly woman with glasses, East Asian woman with
 *  hair across her face (the East Asian man of ../shared/faces wears sunglasses: FACE_OCCLUDED). */
export const DEFAULT_PHOTOS = [
  'interfaces_cc0/001_1000.jpg', 'interfaces_cc0/016_500.jpg', 'interfaces_cc0/058_500.jpg', 'interfaces_cc0/081_500.jpg',
  'interfaces_cc0/086_500.jpg', 'interfaces_cc0/028_1000.jpg', 'debian_python-matplotlib-data/grace_hopper.jpg', 'interfaces_cc0/054_500.jpg',
];
/** Head-and-shoulders crop: side in face widths, centre below the face centre in face widths. */
const HEAD_FACTOR = 2.2;
const HEAD_DOWN = 0.25;
const FRAME_SCALE = 0.25;

const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : undefined; };

interface Row { file: string; face: PreparedFace; thumb: (size: number) => Promise<Buffer> }

/** The photos to show: manifest paths matching each requested name (in request order), accepted by the checks. */
async function loadPhotos(dir: string, wanted: string[]): Promise<Row[]> {
  const manifest = path.join(dir, 'manifest.csv');
  const files = fs.existsSync(manifest) ? fs.readFileSync(manifest, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]) : fs.readdirSync(dir);
  const rows: Row[] = [];
  for (const w of wanted) {
    const file = files.find((f) => f === w) ?? files.find((f) => f.includes(w));
    if (!file) { console.error(`contact-sheets: no photo matches "${w}" in ${dir}`); continue; }
    const bytes = fs.readFileSync(path.join(dir, file));
    const a = await analyzeImage(bytes);
    if (!a.result.faces.length) { console.error(`contact-sheets: ${file}: no face found, skipped`); continue; }
    const issues = faceIssues(a.result.faces[0]);
    if (issues.length) { console.error(`contact-sheets: ${file}: refused by the photo checks (${issues.join(', ')}), skipped`); continue; }
    const [x, y, bw, bh] = a.result.faces[0].box;
    const thumb = (size: number) => {
      // The photo's face: a square 1.6 × the face box, inside the photo.
      const side = Math.round(Math.min(a.result.width, a.result.height, Math.max(bw, bh) * 1.6));
      const left = Math.max(0, Math.min(a.result.width - side, Math.round(x + bw / 2 - side / 2)));
      const top = Math.max(0, Math.min(a.result.height - side, Math.round(y + bh / 2 - side / 2)));
      return sharp(bytes).rotate().extract({ left, top, width: side, height: side }).resize(size, size).png().toBuffer();
    };
    rows.push({ file, face: prepareFace(a, 0), thumb });
  }
  return rows;
}

function revision(): string {
  const git = (...a: string[]) => spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const rev = git('rev-parse', '--short', 'HEAD') || 'no git';
  return git('status', '--porcelain', '--', 'engine') ? `${rev} + uncommitted engine changes` : rev;
}

interface SheetSpec {
  file: string;
  title: string;
  /** [title, story id] per column. */
  columns: Array<[string, string]>;
  rows: Row[];
  headerSize: number;
  cellW: number;
  cellH: number;
  cells: Buffer[][];
}

/** A grid: a title, story names over the columns, each row headed by the photo's face and name. */
async function writeSheet(s: SheetSpec): Promise<void> {
  const GAP = 6, TITLE = 56, COLHEAD = 54;
  const W = GAP + s.headerSize + GAP + s.columns.length * (s.cellW + GAP);
  const rowH = Math.max(s.cellH, s.headerSize);
  const H = TITLE + COLHEAD + s.rows.length * (rowH + GAP) + GAP;
  const layers: OverlayOptions[] = [];
  const x0 = GAP + s.headerSize + GAP;
  for (const [r, row] of s.rows.entries()) {
    const top = TITLE + COLHEAD + r * (rowH + GAP);
    layers.push({ input: await row.thumb(s.headerSize), left: GAP, top });
    s.cells[r].forEach((b, c) => layers.push({ input: b, left: x0 + c * (s.cellW + GAP), top }));
  }
  let text = `<text x="${GAP + 4}" y="40" font-family="${FONT_SANS}" font-weight="700" font-size="24" fill="#1b1b1f">${esc(s.title)}</text>`;
  s.columns.forEach(([title, id], i) => {
    const x = x0 + i * (s.cellW + GAP) + 4;
    text += `<text x="${x}" y="${TITLE + 24}" font-family="${FONT_COMIC}" font-size="${s.cellW < 250 ? 18 : 24}" fill="#1b1b1f">${esc(title)}</text>`;
    text += `<text x="${x}" y="${TITLE + 44}" font-family="${FONT_SANS}" font-weight="700" font-size="14" fill="#777">${esc(id)}</text>`;
  });
  // Photo names over the bottom of their face thumbnails.
  s.rows.forEach((row, r) => {
    const y = TITLE + COLHEAD + r * (rowH + GAP) + s.headerSize;
    const name = path.basename(row.file).replace(/\.[^.]+$/, '');
    text += `<rect x="${GAP}" y="${y - 26}" width="${s.headerSize}" height="26" fill="#000" fill-opacity="0.55"/><text x="${GAP + 6}" y="${y - 7}" font-family="${FONT_SANS}" font-weight="700" font-size="16" fill="#fff">${esc(name)}</text>`;
  });
  layers.push({ input: textPng(text, W, H), left: 0, top: 0 });
  await sharp({ create: { width: W, height: H, channels: 3, background: '#f1f1f1' } }).composite(layers).png({ compressionLevel: 6 }).toFile(s.file);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const dir = arg('faces') ?? path.resolve(ROOT, '..', 'shared', 'faces');
  const out = path.resolve(arg('out') ?? path.join(ROOT, 'dist', 'contact-sheets'));
  const cell = Number(arg('cell') ?? 300);
  const num = (name: string) => (arg(name) !== undefined ? Number(arg(name)) : undefined);
  const shape = num('shape'), features = num('features');
  if (!fs.existsSync(dir)) throw new Error(`${dir} does not exist: pass --faces <dir>`);
  const rows = await loadPhotos(dir, arg('photos')?.split(',').map((s) => s.trim()).filter(Boolean) ?? DEFAULT_PHOTOS);
  if (!rows.length) throw new Error('no photo to show');
  const ids = storyIds();
  const frames: Array<{ id: string; title: string; frame: StoryFrame }> = [];
  for (const id of ids) {
    const story = await loadStory(id);
    const frame = story.frames.find((f) => f.slots.some((s) => s.role === 'hero'))!;
    frames.push({ id, title: loadManifest(id).title, frame });
  }
  const heads: Buffer[][] = [], whole: Buffer[][] = [];
  let fuseMs = 0;
  for (const row of rows) {
    const h: Buffer[] = [], w: Buffer[] = [];
    for (const { frame } of frames) {
      const t = performance.now();
      const r = fuseFrame(frame.image, frame.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? row.face : null })), { shape, features });
      fuseMs += performance.now() - t;
      h.push(await slotCrop(r, frame.slots.find((s) => s.role === 'hero')!.pose, HEAD_FACTOR, cell, HEAD_DOWN));
      w.push(await rawImage(r).resize(Math.round(r.width * FRAME_SCALE)).png().toBuffer());
    }
    heads.push(h);
    whole.push(w);
  }
  fs.mkdirSync(out, { recursive: true });
  const fw = Math.round(frames[0].frame.image.width * FRAME_SCALE), fh = Math.round(frames[0].frame.image.height * FRAME_SCALE);
  const title = (what: string) => `${what} · ${revision()} · shape ${shape ?? DEFAULT_SHAPE}, features ${features ?? DEFAULT_FEATURES} · ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
  const columns = frames.map((f): [string, string] => [f.title, f.id]);
  const files = [path.join(out, 'heads.png'), path.join(out, 'frames.png')];
  await writeSheet({ file: files[0], title: title(`${rows.length} photos × ${frames.length} stories, first frame, hero head and shoulders`), columns, rows, headerSize: cell, cellW: cell, cellH: cell, cells: heads });
  await writeSheet({ file: files[1], title: title(`${rows.length} photos × ${frames.length} stories, first frame`), columns, rows, headerSize: fw, cellW: fw, cellH: fh, cells: whole });
  for (const f of files) console.log(`  ${path.relative(process.cwd(), f)}`);
  console.log(`contact-sheets: ${rows.length} photos × ${frames.length} frames (fuse ${Math.round(fuseMs / (rows.length * frames.length))} ms each), done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().then(() => process.exit(0), (e) => {
  console.error(`contact-sheets failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});

/**
 * npm run templates:sheet [-- --no-fuse] [--photo <image>] [storyId…]
 * One contact sheet per story in dist/contact-sheets/<id>.png: every frame with its face slots
 * outlined (oval, pose axes, id/role/width/yaw/pitch/roll) and, when the fusion engine and models are
 * available, the same frames fused with a sample face from the npm fixtures
 * (@vladmandic/face-api/demo, cropped to its largest face). Run templates:build first.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import { Resvg } from '@resvg/resvg-js';
import { resvgFontOptions, FONT_COMIC, FONT_SANS } from '../engine/output/fonts';
import { esc, rawImage, selfieCrop, textPng } from './lib/sheet';
import { loadCampaign, loadStory, renderedFramePath } from '../templates/render';
import type { Slot } from '../engine/fusion/slot';
import type { Story } from '../engine/pipeline/story-schema';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'contact-sheets');
const CELL_W = 360;
const SCALE = CELL_W / 720;
const GAP = 24;

/** SVG drawing of a frame's slots: face oval, yaw/pitch arrow, roll axes, a label. */
export function slotOutlineSvg(slots: Slot[], width: number, height: number): string {
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`;
  for (const slot of slots) {
    const { center: [cx, cy], width: w, yaw, pitch, roll } = slot.pose;
    const col = slot.role === 'hero' ? '#ff006e' : '#00b4d8';
    const ry = 0.65 * w;
    s += `<g transform="rotate(${roll} ${cx} ${cy})">`;
    s += `<ellipse cx="${cx}" cy="${cy}" rx="${w / 2}" ry="${ry}" fill="${col}" fill-opacity="0.12" stroke="${col}" stroke-width="5" stroke-dasharray="14 8"/>`;
    s += `<line x1="${cx - w / 2}" y1="${cy}" x2="${cx + w / 2}" y2="${cy}" stroke="${col}" stroke-width="3"/>`;
    s += `<line x1="${cx}" y1="${cy - ry}" x2="${cx}" y2="${cy + ry}" stroke="${col}" stroke-width="3"/>`;
    const ax = cx + Math.sin((yaw * Math.PI) / 180) * w * 0.9;
    const ay = cy - Math.sin((pitch * Math.PI) / 180) * w * 0.9;
    s += `<line x1="${cx}" y1="${cy}" x2="${ax.toFixed(1)}" y2="${ay.toFixed(1)}" stroke="#1b1b1f" stroke-width="7" stroke-linecap="round"/><circle cx="${ax.toFixed(1)}" cy="${ay.toFixed(1)}" r="9" fill="${col}" stroke="#1b1b1f" stroke-width="3"/>`;
    s += `</g>`;
    const label = `${slot.id} · ${slot.role} · w${Math.round(w)} y${yaw} p${pitch} r${roll}`;
    const lw = label.length * 15 + 20;
    const lx = Math.max(4, Math.min(width - lw - 4, cx - lw / 2));
    const ly = Math.min(height - 40, cy + ry + 12);
    s += `<rect x="${lx}" y="${ly}" width="${lw}" height="36" rx="8" fill="${col}"/><text x="${lx + 10}" y="${ly + 26}" font-family="${FONT_SANS}" font-weight="700" font-size="24" fill="#ffffff">${esc(label)}</text>`;
  }
  return s + '</svg>';
}

type Fuser = (storyId: string, story: Story) => Promise<Buffer[]>;

/** The fusion engine, if this checkout has it and its models: a function fusing a story's frames. */
async function loadFuser(photoPath: string | undefined): Promise<{ fuse: Fuser; sample: string } | { reason: string }> {
  let fuseMod: typeof import('../engine/fusion/fuse');
  let analyzeMod: typeof import('../engine/analysis/analyze');
  let framesMod: typeof import('../engine/pipeline/story-frames');
  try {
    fuseMod = await import('../engine/fusion/fuse');
    analyzeMod = await import('../engine/analysis/analyze');
    framesMod = await import('../engine/pipeline/story-frames');
    if (typeof fuseMod.fuseFrame !== 'function' || typeof fuseMod.prepareFace !== 'function') return { reason: 'engine/fusion/fuse.ts exports no fuseFrame/prepareFace' };
  } catch (e) {
    return { reason: `fusion engine not loadable (${(e as Error).message.split('\n')[0]})` };
  }
  const demo = path.join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');
  const candidates = photoPath ? [photoPath] : [1, 2, 3, 4, 5, 6].map((n) => path.join(demo, `sample${n}.jpg`));
  for (const file of candidates) {
    if (!fs.existsSync(file)) continue;
    try {
      const bytes = fs.readFileSync(file);
      const first = await analyzeMod.analyzeImage(bytes);
      const face = first.result.faces[0];
      if (!face) continue;
      // crop the largest face with a margin so exactly one face is analysed
      const crop = await selfieCrop(bytes, face.box, first.result.width, first.result.height, { side: 0.8, top: 0.9, bottom: 0.8 });
      const analysis = await analyzeMod.analyzeImage(crop);
      if (analysis.result.faces.length < 1) continue;
      const prepared = fuseMod.prepareFace(analysis, 0);
      const fuse: Fuser = async (id) => {
        const loaded = await framesMod.loadStory(id);
        const out: Buffer[] = [];
        for (const fr of loaded.frames) {
          const fused = fuseMod.fuseFrame(fr.image, fr.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? prepared : null })));
          out.push(await rawImage(fused).resize(CELL_W).png().toBuffer());
        }
        return out;
      };
      return { fuse, sample: path.relative(ROOT, file) };
    } catch (e) {
      return { reason: `fusion failed on ${path.basename(file)} (${(e as Error).message.split('\n')[0]})` };
    }
  }
  return { reason: 'no sample face found' };
}

async function sheet(id: string, story: Story, fused: Buffer[] | null, sample: string | undefined): Promise<string> {
  const n = story.frames.length;
  const cellH = Math.round(story.frames[0].height * SCALE);
  const rows = fused ? 2 : 1;
  const headH = 110;
  const capH = 70;
  const W = GAP + n * (CELL_W + GAP);
  const H = headH + rows * (cellH + capH + GAP) + GAP;
  const layers: OverlayOptions[] = [];
  const cells = await Promise.all(
    story.frames.map(async (f, i) => {
      const png = renderedFramePath(id, i);
      if (!fs.existsSync(png)) throw new Error(`${path.relative(ROOT, png)} is missing: run npm run templates:build first`);
      const outline = new Resvg(slotOutlineSvg(f.slots, f.width, f.height), { font: resvgFontOptions(['sans']) }).render().asPng();
      // composite() runs after resize() in one pipeline: outline at full size first, then shrink
      const full = await sharp(png).composite([{ input: outline }]).raw().toBuffer({ resolveWithObject: true });
      return sharp(full.data, { raw: full.info }).resize(CELL_W).png().toBuffer();
    }),
  );
  cells.forEach((b, i) => layers.push({ input: b, left: GAP + i * (CELL_W + GAP), top: headH }));
  if (fused) fused.forEach((b, i) => layers.push({ input: b, left: GAP + i * (CELL_W + GAP), top: headH + cellH + capH + GAP }));
  let text = `<rect width="${W}" height="${H}" fill="#f1f1f1"/><text x="${GAP}" y="62" font-family="${FONT_COMIC}" font-size="48" fill="#1b1b1f">${esc(`${story.title}  ${story.year}`)}</text>`;
  text += `<text x="${GAP}" y="96" font-family="${FONT_SANS}" font-weight="700" font-size="20" fill="#666">${esc(`${id} · ${n} frames · slots outlined (magenta hero, cyan extra; dot = yaw/pitch)${fused ? ` · row 2 fused with ${sample}` : ' · fusion not available'}`)}</text>`;
  story.frames.forEach((f, i) => {
    const x = GAP + i * (CELL_W + GAP);
    text += `<text x="${x}" y="${headH + cellH + 30}" font-family="${FONT_SANS}" font-weight="700" font-size="20" fill="#1b1b1f">${esc(`${i + 1}. ${f.caption}`.slice(0, 22))}</text>`;
    text += `<text x="${x}" y="${headH + cellH + 56}" font-family="${FONT_SANS}" font-weight="700" font-size="18" fill="#888">${esc(`${f.art} · ${f.slots.length} slot${f.slots.length > 1 ? 's' : ''}`)}</text>`;
  });
  const base = textPng(text, W, H);
  const file = path.join(OUT, `${id}.png`);
  await sharp(base).composite(layers).png({ compressionLevel: 6 }).toFile(file);
  return file;
}

async function main() {
  const args = process.argv.slice(2);
  const noFuse = args.includes('--no-fuse');
  const pi = args.indexOf('--photo');
  const photo = pi >= 0 ? args[pi + 1] : undefined;
  const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--photo');
  fs.mkdirSync(OUT, { recursive: true });
  const t0 = performance.now();
  const campaign = loadCampaign();
  const fuser = noFuse ? { reason: '--no-fuse' } : await loadFuser(photo);
  if ('reason' in fuser) console.log(`templates:sheet — outlined frames only: ${fuser.reason}`);
  for (const cs of campaign.stories) {
    if (only.length && !only.includes(cs.id)) continue;
    const story = loadStory(cs.id);
    const fused = 'fuse' in fuser ? await fuser.fuse(cs.id, story) : null;
    const file = await sheet(cs.id, story, fused, 'sample' in fuser ? fuser.sample : undefined);
    console.log(`  ${path.relative(ROOT, file)}`);
  }
  console.log(`templates:sheet — done in ${Math.round(performance.now() - t0)} ms`);
}

main().catch((e) => {
  console.error(`templates:sheet failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});

/**
 * Posters: a story's fused frames laid out per the story's poster layout (story.json `poster`), with
 * the story title, the user's short caption, the visible 「AI合成」 label, the mini-program code, and
 * the implicit AI label in the JPEG metadata. Plus a square 1:1 cover for the share card.
 *
 * Frames and the code are given as images: either encoded bytes (JPEG/PNG/WebP Buffer) or raw pixels
 * `{ data, width, height, channels }` (RGBA or RGB, e.g. straight from the fusion engine).
 * Text is drawn with resvg and the npm TTF fonts (engine/fonts.ts): no system fonts needed.
 */
import sharp, { type Sharp, type OverlayOptions } from 'sharp';
import { renderAsync } from '@resvg/resvg-js';
import { FONT_COMIC, resvgFontOptions } from './fonts';
import { AI_LABEL_TEXT, withAiLabel, type AiLabelInfo } from './ai-label';

export type RawImage = { data: Buffer | Uint8Array; width: number; height: number; channels?: 3 | 4 };
export type ImageInput = Buffer | RawImage;

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Same shape as templates/schema.ts PosterLayoutSchema (story.json `poster`). */
export interface PosterLayout {
  width: number;
  height: number;
  background: string;
  accent: string;
  title: Rect;
  frames: Array<Rect & { frame: number; rotate?: number }>;
  caption: Rect;
  aiLabel: Rect;
  code: Rect;
  codeHint: Rect;
}

export interface PosterInput {
  story: { title: string; character: string; year?: string };
  /** The story's frames in order; layout.frames[].frame indexes into this list. */
  frames: ImageInput[];
  /** The user's short caption (trimmed to 30 characters, at most two lines). */
  caption?: string;
  /** Visible label text (campaign.json `aiLabel`), default 「AI合成」. */
  aiLabel?: string;
  /** The mini-program code image (WeChat wxacode PNG, or engine/qr-code.ts locally). */
  code: ImageInput;
  layout: PosterLayout;
  campaignTitle?: string;
  codeHint?: string;
  /** Implicit metadata label details (producer, output id). */
  label?: AiLabelInfo;
  /** JPEG quality, default 86. */
  quality?: number;
  /** When given, filled with per-stage milliseconds (for the bench). */
  timings?: Record<string, number>;
}

const INK = '#1b1b1f';
const r1 = (n: number) => Math.round(n * 10) / 10;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cw = (ch: string) => ((ch.codePointAt(0) ?? 0) < 0x80 ? 0.55 : 1);

/** Greedy wrap by estimated advance; the last line is cut with … when there are too many. */
export function wrapLines(text: string, size: number, maxW: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  let w = 0;
  for (const ch of [...text.replace(/\s+/g, ' ').trim()]) {
    const a = cw(ch) * size;
    if (w + a > maxW && line) {
      lines.push(line);
      line = '';
      w = 0;
    }
    line += ch;
    w += a;
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = [...kept[maxLines - 1]].slice(0, -1).join('') + '…';
    return kept;
  }
  return lines;
}

function fitSize(text: string, maxW: number, start: number, min: number): number {
  const w = [...text].reduce((a, ch) => a + cw(ch), 0);
  return Math.max(min, Math.min(start, Math.floor(maxW / Math.max(1, w))));
}

async function toSharp(img: ImageInput): Promise<Sharp> {
  if (Buffer.isBuffer(img)) return sharp(img);
  const channels = img.channels ?? (img.data.length === img.width * img.height * 3 ? 3 : 4);
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels } });
}

export async function renderOverlay(svg: string, width: number): Promise<{ input: Buffer; raw: { width: number; height: number; channels: 4 } }> {
  const img = await renderAsync(svg, { font: resvgFontOptions(), fitTo: { mode: 'width', value: width } });
  return { input: Buffer.from(img.pixels), raw: { width: img.width, height: img.height, channels: 4 } };
}

function labelBadge(r: Rect, text: string): string {
  const size = fitSize(text, r.w - 28, Math.round(r.h * 0.56), 16);
  return `<g class="ai-label"><rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" rx="${r1(r.h / 2)}" fill="${INK}"/><rect x="${r.x + 5}" y="${r.y + 5}" width="${r.w - 10}" height="${r.h - 10}" rx="${r1(r.h / 2 - 5)}" fill="none" stroke="#ffffff" stroke-width="2.5"/><text x="${r1(r.x + r.w / 2)}" y="${r1(r.y + r.h / 2 + size * 0.36)}" text-anchor="middle" font-family="${FONT_COMIC}" font-size="${size}" fill="#ffffff">${esc(text)}</text></g>`;
}

function union(rs: Rect[], pad: number, W: number, H: number): Rect {
  const x0 = Math.max(0, Math.floor(Math.min(...rs.map((r) => r.x)) - pad));
  const y0 = Math.max(0, Math.floor(Math.min(...rs.map((r) => r.y)) - pad));
  const x1 = Math.min(W, Math.ceil(Math.max(...rs.map((r) => r.x + r.w)) + pad));
  const y1 = Math.min(H, Math.ceil(Math.max(...rs.map((r) => r.y + r.h)) + pad));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/**
 * Renders several regions of a poster-sized drawing in one resvg pass (fonts load once per pass):
 * the regions are stacked into one small canvas, rendered, then cut apart into overlays.
 */
async function renderPieces(pieces: Array<{ r: Rect; svg: string }>, W: number): Promise<OverlayOptions[]> {
  let y = 0;
  let body = '';
  const at: number[] = [];
  for (const p of pieces) {
    at.push(y);
    body += `<svg x="0" y="${y}" width="${p.r.w}" height="${p.r.h}" viewBox="${p.r.x} ${p.r.y} ${p.r.w} ${p.r.h}" overflow="hidden">${p.svg}</svg>`;
    y += p.r.h;
  }
  const img = await renderAsync(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}">${body}</svg>`, { font: resvgFontOptions() });
  const px = Buffer.from(img.pixels);
  return pieces.map((p, i) => {
    const rowBytes = img.width * 4;
    const out = Buffer.alloc(p.r.w * p.r.h * 4);
    for (let row = 0; row < p.r.h; row++) px.copy(out, row * p.r.w * 4, (at[i] + row) * rowBytes, (at[i] + row) * rowBytes + p.r.w * 4);
    return { input: out, raw: { width: p.r.w, height: p.r.h, channels: 4 as const }, left: p.r.x, top: p.r.y };
  });
}

/**
 * The static page behind a layout (paper, halftone dots, border, frame and code mounts): the same for
 * every user, so it is rendered once per layout geometry and kept in memory (raw RGB, ~7.6 MB).
 */
const backgrounds = new Map<string, Promise<{ data: Buffer; width: number; height: number }>>();
function background(L: PosterLayout) {
  const key = JSON.stringify([L.width, L.height, L.background, L.frames, L.code]);
  let hit = backgrounds.get(key);
  if (!hit) {
    let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}"><defs><pattern id="dots" width="22" height="22" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><circle cx="11" cy="11" r="3" fill="${INK}" fill-opacity="0.07"/></pattern></defs>`;
    svg += `<rect width="${L.width}" height="${L.height}" fill="${L.background}"/><rect width="${L.width}" height="${L.height}" fill="url(#dots)"/>`;
    svg += `<rect x="14" y="14" width="${L.width - 28}" height="${L.height - 28}" fill="none" stroke="${INK}" stroke-width="8"/>`;
    for (const f of L.frames) {
      const cx = f.x + f.w / 2;
      const cy = f.y + f.h / 2;
      svg += `<g transform="rotate(${f.rotate ?? 0} ${r1(cx)} ${r1(cy)})"><rect x="${f.x - 4}" y="${f.y + 6}" width="${f.w + 20}" height="${f.h + 16}" fill="${INK}" opacity="0.85"/><rect x="${f.x - 10}" y="${f.y - 10}" width="${f.w + 20}" height="${f.h + 20}" fill="#ffffff" stroke="${INK}" stroke-width="5"/></g>`;
    }
    const q = L.code;
    svg += `<rect x="${q.x - 6}" y="${q.y - 6}" width="${q.w + 12}" height="${q.h + 12}" rx="16" fill="#ffffff" stroke="${INK}" stroke-width="6"/></svg>`;
    hit = renderAsync(svg, { font: { loadSystemFonts: false } }).then(async (img) => {
      // kept as RGB: the composite then writes straight into a 3-channel page
      const data = await sharp(Buffer.from(img.pixels), { raw: { width: img.width, height: img.height, channels: 4 } }).removeAlpha().raw().toBuffer();
      return { data, width: img.width, height: img.height };
    });
    if (backgrounds.size > 8) backgrounds.delete(backgrounds.keys().next().value as string);
    backgrounds.set(key, hit);
  }
  return hit;
}

/** The poster as a JPEG Buffer (layout.width × layout.height). */
export async function composePoster(input: PosterInput): Promise<Buffer> {
  const t0 = performance.now();
  const tm = input.timings;
  const mark = (k: string, t: number) => {
    if (tm) tm[k] = Math.round(performance.now() - t);
  };
  const L = input.layout;
  const aiText = input.aiLabel ?? AI_LABEL_TEXT;
  const campaign = input.campaignTitle ?? '我的深圳故事';
  const hint = input.codeHint ?? '长按识别小程序码，演你自己的深圳故事';
  // header: the character badge, the story title, year · campaign, and the AI label
  const t = L.title;
  const badge = Math.min(t.h, 200);
  const bx = t.x + badge / 2;
  const by = t.y + t.h / 2;
  let head = `<circle cx="${r1(bx + 8)}" cy="${r1(by + 8)}" r="${r1(badge / 2)}" fill="${INK}"/><circle cx="${r1(bx)}" cy="${r1(by)}" r="${r1(badge / 2)}" fill="${L.accent}" stroke="${INK}" stroke-width="7"/>`;
  head += `<text x="${r1(bx)}" y="${r1(by + badge * 0.2)}" text-anchor="middle" font-family="${FONT_COMIC}" font-size="${r1(badge * 0.58)}" fill="#ffffff" stroke="${INK}" stroke-width="4" paint-order="stroke">${esc(input.story.character)}</text>`;
  const tx = t.x + badge + 30;
  const titleSize = fitSize(input.story.title, t.x + t.w - tx, 76, 40);
  head += `<text x="${tx}" y="${r1(t.y + t.h * 0.5)}" font-family="${FONT_COMIC}" font-size="${titleSize}" fill="${INK}">${esc(input.story.title)}</text>`;
  const sub = [input.story.year, campaign].filter(Boolean).join(' · ');
  head += `<rect x="${tx}" y="${r1(t.y + t.h * 0.62)}" width="${r1(Math.min(t.x + t.w - tx, [...sub].reduce((a, c) => a + cw(c), 0) * 32 + 36))}" height="50" fill="${INK}"/>`;
  head += `<text x="${tx + 18}" y="${r1(t.y + t.h * 0.62 + 36)}" font-family="${FONT_COMIC}" font-size="32" fill="#ffd166">${esc(sub)}</text>`;
  const label = labelBadge(L.aiLabel, aiText);
  // footer: the user's caption and the hint next to the code
  const c = L.caption;
  const capText = [...(input.caption ?? '').trim()].slice(0, 30).join('') || campaign;
  const oneLine = Math.floor((c.w - 60) / [...capText].reduce((a, ch) => a + cw(ch), 0));
  const size = oneLine >= 40 ? Math.min(56, oneLine) : 44;
  const lines = wrapLines(capText, size, c.w - 60, 2);
  let foot = `<text x="${c.x}" y="${c.y + 70}" font-family="${FONT_COMIC}" font-size="96" fill="${L.accent}">“</text>`;
  const y0 = c.y + (lines.length === 1 ? 70 : 52);
  lines.forEach((l, i) => {
    foot += `<text x="${c.x + 58}" y="${r1(y0 + i * size * 1.3)}" font-family="${FONT_COMIC}" font-size="${size}" fill="${INK}">${esc(l)}</text>`;
  });
  const h = L.codeHint;
  foot += `<text x="${h.x}" y="${r1(h.y + h.h * 0.7)}" font-family="${FONT_COMIC}" font-size="${fitSize(hint, h.w, 30, 18)}" fill="#555555">${esc(hint)}</text>`;
  const q = L.code;

  const [bg, texts, ...layers] = await Promise.all([
    background(L).then((b) => (mark('background', t0), b)),
    renderPieces(
      [
        { r: union([t], 16, L.width, L.height), svg: head },
        { r: union([L.aiLabel], 4, L.width, L.height), svg: label },
        { r: union([c, h], 16, L.width, L.height), svg: foot },
      ],
      L.width,
    ).then((p) => (mark('text', t0), p)),
    ...L.frames.map(async (f) => {
      const src = input.frames[f.frame];
      if (!src) throw new Error(`composePoster: layout wants frame ${f.frame}, only ${input.frames.length} given`);
      let img = (await toSharp(src)).resize(Math.round(f.w), Math.round(f.h), { fit: 'cover' });
      if (f.rotate) img = img.ensureAlpha().rotate(f.rotate, { background: { r: 0, g: 0, b: 0, alpha: 0 } });
      const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
      return {
        input: data,
        raw: { width: info.width, height: info.height, channels: info.channels },
        left: Math.round(f.x + f.w / 2 - info.width / 2),
        top: Math.round(f.y + f.h / 2 - info.height / 2),
      } as OverlayOptions;
    }),
    (async () => {
      const { data, info } = await (await toSharp(input.code))
        .resize(Math.round(q.w), Math.round(q.h), { fit: 'contain', background: '#ffffff', kernel: 'nearest' })
        .flatten({ background: '#ffffff' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { input: data, raw: { width: info.width, height: info.height, channels: info.channels }, left: Math.round(q.x), top: Math.round(q.y) } as OverlayOptions;
    })(),
  ]);
  mark('layers', t0);
  const t1 = performance.now();
  const out = sharp(bg.data, { raw: { width: bg.width, height: bg.height, channels: 3 } })
    .composite([...layers, ...texts])
    .jpeg({ quality: input.quality ?? 86 });
  const jpg = await withAiLabel(out, { label: aiText, ...input.label }).toBuffer();
  mark('encode', t1);
  mark('total', t0);
  return jpg;
}

export interface CoverInput {
  story: { title: string; character: string; year?: string };
  /** The frame to crop from (usually the story's cover frame, fused). */
  frame: ImageInput;
  /** The hero slot's centre and width in the frame's pixels: the crop centres on the face. */
  focus?: { center: [number, number]; width: number };
  aiLabel?: string;
  accent?: string;
  /** Output side in pixels, default 1080 (square). */
  size?: number;
  label?: AiLabelInfo;
  quality?: number;
}

/** A square 1:1 share-card cover: the hero's face crop, the title band and the AI label. */
export async function composeCover(input: CoverInput): Promise<Buffer> {
  const size = input.size ?? 1080;
  const img = await toSharp(input.frame);
  const meta = await img.metadata();
  const fw = Buffer.isBuffer(input.frame) ? meta.width! : input.frame.width;
  const fh = Buffer.isBuffer(input.frame) ? meta.height! : input.frame.height;
  const side = Math.min(fw, fh);
  const fy = input.focus ? input.focus.center[1] + input.focus.width * 0.35 : fh / 2;
  const fx = input.focus ? input.focus.center[0] : fw / 2;
  const left = Math.round(Math.max(0, Math.min(fw - side, fx - side / 2)));
  const top = Math.round(Math.max(0, Math.min(fh - side, fy - side / 2)));
  const accent = input.accent ?? '#e63946';
  const aiText = input.aiLabel ?? AI_LABEL_TEXT;
  const k = size / 1080;
  const band = Math.round(200 * k);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">`;
  svg += `<rect x="0" y="${size - band}" width="${size}" height="${band}" fill="${INK}"/><rect x="0" y="${size - band}" width="${size}" height="${r1(10 * k)}" fill="${accent}"/>`;
  const r = 70 * k;
  svg += `<circle cx="${r1(40 * k + r)}" cy="${r1(size - band / 2)}" r="${r1(r)}" fill="${accent}" stroke="#ffffff" stroke-width="${r1(6 * k)}"/><text x="${r1(40 * k + r)}" y="${r1(size - band / 2 + r * 0.38)}" text-anchor="middle" font-family="${FONT_COMIC}" font-size="${r1(r * 1.1)}" fill="#ffffff">${esc(input.story.character)}</text>`;
  svg += `<text x="${r1(200 * k)}" y="${r1(size - band / 2 + 24 * k)}" font-family="${FONT_COMIC}" font-size="${r1(fitSize(input.story.title, (size - 240 * k) / k, 72, 40) * k)}" fill="#ffffff">${esc(input.story.title)}</text>`;
  svg += `<rect x="0" y="0" width="${size}" height="${size}" fill="none" stroke="${INK}" stroke-width="${r1(16 * k)}"/>`;
  svg += labelBadge({ x: size - 230 * k, y: 36 * k, w: 190 * k, h: 64 * k }, aiText);
  svg += '</svg>';
  const [photo, overlay] = await Promise.all([
    img.extract({ left, top, width: side, height: side }).resize(size, size).removeAlpha().raw().toBuffer({ resolveWithObject: true }),
    renderOverlay(svg, size),
  ]);
  const out = sharp(photo.data, { raw: { width: photo.info.width, height: photo.info.height, channels: photo.info.channels as 3 } })
    .composite([{ input: overlay.input, raw: overlay.raw }])
    .jpeg({ quality: input.quality ?? 86 });
  return withAiLabel(out, { label: aiText, ...input.label }).toBuffer();
}

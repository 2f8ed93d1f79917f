/**
 * Posters: a story's fused frames laid out per the story's poster layout (story.json `poster`), with
 * the story title, the user's short caption, the visible 「AI合成」 label, the mini-program code, and
 * the implicit AI label in the JPEG metadata. Plus a square 1:1 cover for the share card.
 *
 * Frames and the code are given as images: either encoded bytes (JPEG/PNG/WebP Buffer) or raw pixels
 * `{ data, width, height, channels }` (RGBA or RGB, e.g. straight from the fusion engine).
 * Text is drawn with resvg and the npm TTF fonts (engine/output/fonts.ts): no system fonts needed.
 */
import zlib from 'zlib';
import sharp, { type Sharp, type OverlayOptions } from 'sharp';
import type * as ResvgJs from '@resvg/resvg-js';
import { FONT_COMIC, resvgFontOptions } from './fonts';
import { AI_LABEL_TEXT, withAiLabel, type AiLabelInfo } from './ai-label';

/*
 * resvg-js brings its own allocator (mimalloc), which keeps freed pages resident until the same
 * thread allocates again after a 10 ms delay — the libuv threads that run `renderAsync` rarely do,
 * so 30–45 MB stayed resident after the text and page renders (docs/fusion.md, "Memory"). Purge at
 * once instead; mimalloc reads this when the library loads, so it is set before the first require
 * (an operator's own setting wins; it has no effect if resvg was loaded earlier in the process).
 */
process.env.MIMALLOC_PURGE_DELAY ??= '0';
const { renderAsync } = require('@resvg/resvg-js') as typeof ResvgJs;

export type RawImage = { data: Buffer | Uint8Array; width: number; height: number; channels?: 3 | 4 };
export type ImageInput = Buffer | RawImage;

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Same shape as engine/pipeline/story-schema.ts PosterLayoutSchema (story.json `poster`). */
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
  /** The mini-program code image (WeChat wxacode PNG, or engine/output/qr-code.ts locally). */
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
  const img = await renderAsync(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}">${body}</svg>`, { font: resvgFontOptions(['comic']) });
  const px = Buffer.from(img.pixels);
  return pieces.map((p, i) => {
    const rowBytes = img.width * 4;
    const out = Buffer.alloc(p.r.w * p.r.h * 4);
    for (let row = 0; row < p.r.h; row++) px.copy(out, row * p.r.w * 4, (at[i] + row) * rowBytes, (at[i] + row) * rowBytes + p.r.w * 4);
    return { input: out, raw: { width: p.r.w, height: p.r.h, channels: 4 as const }, left: p.r.x, top: p.r.y };
  });
}

/**
 * Cached pixels are kept packed (deflate level 1) and unpacked where they are drawn: the flat page
 * background and text on transparency pack 20–70:1 and unpack in ≈ 0.1–2 ms, so a thread's caches for
 * all eight stories stay ≈ 1 MB instead of ≈ 20 MB (every pool worker holds its own: docs/fusion.md, "Memory").
 */
const pack = (b: Uint8Array): Buffer => zlib.deflateSync(b, { level: 1 });
function unpack(z: Buffer, size: number): Buffer {
  // one output chunk a little larger than the result: no concatenation
  const out = zlib.inflateSync(z, { chunkSize: size + 64 });
  if (out.length !== size) throw new Error(`poster layer: ${out.length} bytes, expected ${size}`);
  return out;
}

/**
 * The static page behind a layout (paper, halftone dots, border, frame and code mounts): the same for
 * every user, so it is rendered once per layout geometry and kept in memory (RGB, packed: ≈ 7.6 MB → ≈ 0.3 MB).
 */
const backgrounds = new Map<string, Promise<{ packed: Buffer; width: number; height: number }>>();
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
      return { packed: pack(data), width: img.width, height: img.height };
    });
    if (backgrounds.size > 8) backgrounds.delete(backgrounds.keys().next().value as string);
    backgrounds.set(key, hit);
  }
  return hit;
}

/** A premultiplied RGBA layer (resvg output) placed on the page; its pixels packed (see `pack`). */
interface Layer {
  packed: Buffer;
  width: number;
  height: number;
  left: number;
  top: number;
}

const asLayer = (o: OverlayOptions): Layer => ({ packed: pack(o.input as Buffer), width: o.raw!.width, height: o.raw!.height, left: o.left!, top: o.top! });

/** Draws a premultiplied RGBA layer (resvg's pixels) over an RGB page, in place. */
function blendLayer(page: Buffer, W: number, H: number, l: Layer): void {
  const x0 = Math.max(0, l.left);
  const x1 = Math.min(W, l.left + l.width);
  const y0 = Math.max(0, l.top);
  const y1 = Math.min(H, l.top + l.height);
  const d = unpack(l.packed, l.width * l.height * 4);
  for (let y = y0; y < y1; y++) {
    let s = ((y - l.top) * l.width + (x0 - l.left)) * 4;
    let o = (y * W + x0) * 3;
    for (let x = x0; x < x1; x++, s += 4, o += 3) {
      const a = d[s + 3];
      if (a === 0) continue;
      if (a === 255) {
        page[o] = d[s];
        page[o + 1] = d[s + 1];
        page[o + 2] = d[s + 2];
      } else {
        const k = 255 - a;
        page[o] = d[s] + (page[o] * k + 127) / 255;
        page[o + 1] = d[s + 1] + (page[o + 1] * k + 127) / 255;
        page[o + 2] = d[s + 2] + (page[o + 2] * k + 127) / 255;
      }
    }
  }
}

/**
 * Draws an RGB or RGBA (straight alpha) image, rotated by `deg` clockwise about its centre, centred
 * at (cx, cy) on an RGB page, in place: bilinear sampling, the edges anti-aliased by coverage (what
 * sharp's rotate + composite did, in one pass without the intermediate RGBA canvas).
 */
function drawRotated(page: Buffer, W: number, H: number, src: Buffer, sw: number, sh: number, ch: 3 | 4, cx: number, cy: number, deg: number): void {
  const th = (deg * Math.PI) / 180;
  const cos = Math.cos(th);
  const sin = Math.sin(th);
  const hw = (Math.abs(sw * cos) + Math.abs(sh * sin)) / 2 + 1;
  const hh = (Math.abs(sw * sin) + Math.abs(sh * cos)) / 2 + 1;
  const x0 = Math.max(0, Math.floor(cx - hw));
  const x1 = Math.min(W, Math.ceil(cx + hw));
  const y0 = Math.max(0, Math.floor(cy - hh));
  const y1 = Math.min(H, Math.ceil(cy + hh));
  const scx = sw / 2;
  const scy = sh / 2;
  const row = sw * ch;
  // the interior of an opaque source in 16.16 fixed point (integer maths: ≈ 25 % faster here)
  const dU = Math.round(cos * 65536);
  const dV = Math.round(-sin * 65536);
  const maxU = (sw - 1) * 65536;
  const maxV = (sh - 1) * 65536;
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - cy;
    // inverse rotation: source = R(−θ)·(dest − centre) + source centre, in pixel-centre coordinates
    let u = (x0 + 0.5 - cx) * cos + dy * sin + scx - 0.5;
    let v = -(x0 + 0.5 - cx) * sin + dy * cos + scy - 0.5;
    let U = Math.round(u * 65536);
    let V = Math.round(v * 65536);
    let o = (y * W + x0) * 3;
    for (let x = x0; x < x1; x++, u += cos, v -= sin, U += dU, V += dV, o += 3) {
      if (ch === 3 && U >= 0 && V >= 0 && U < maxU && V < maxV) {
        // inside an opaque source: plain bilinear, 8-bit weights
        const s = (V >> 16) * row + (U >> 16) * 3;
        const fx = (U >> 8) & 255;
        const fy = (V >> 8) & 255;
        const w00 = (256 - fx) * (256 - fy);
        const w10 = fx * (256 - fy);
        const w01 = (256 - fx) * fy;
        const w11 = fx * fy;
        page[o] = (src[s] * w00 + src[s + 3] * w10 + src[s + row] * w01 + src[s + row + 3] * w11 + 32768) >> 16;
        page[o + 1] = (src[s + 1] * w00 + src[s + 4] * w10 + src[s + row + 1] * w01 + src[s + row + 4] * w11 + 32768) >> 16;
        page[o + 2] = (src[s + 2] * w00 + src[s + 5] * w10 + src[s + row + 2] * w01 + src[s + row + 5] * w11 + 32768) >> 16;
        continue;
      }
      if (u <= -1 || v <= -1 || u >= sw || v >= sh) continue;
      const ix = Math.floor(u);
      const iy = Math.floor(v);
      const fx = u - ix;
      const fy = v - iy;
      // edges (or a source with alpha): coverage-weighted, outside samples transparent
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let j = 0; j < 4; j++) {
        const px = ix + (j & 1);
        const py = iy + (j >> 1);
        if (px < 0 || py < 0 || px >= sw || py >= sh) continue;
        const s = py * row + px * ch;
        const w = (j & 1 ? fx : 1 - fx) * (j >> 1 ? fy : 1 - fy) * (ch === 4 ? src[s + 3] / 255 : 1);
        r += src[s] * w;
        g += src[s + 1] * w;
        b += src[s + 2] * w;
        a += w;
      }
      if (a <= 0) continue;
      const k = 1 - a;
      page[o] = r + page[o] * k + 0.5;
      page[o + 1] = g + page[o + 1] * k + 0.5;
      page[o + 2] = b + page[o + 2] * k + 0.5;
    }
  }
}

/** Copies an RGB image onto an RGB page at (left, top), clipped. */
function copyRgb(page: Buffer, W: number, H: number, src: Buffer, sw: number, sh: number, left: number, top: number): void {
  const x0 = Math.max(0, left);
  const x1 = Math.min(W, left + sw);
  if (x1 <= x0) return;
  for (let y = Math.max(0, top); y < Math.min(H, top + sh); y++) {
    const s = ((y - top) * sw + (x0 - left)) * 3;
    src.copy(page, (y * W + x0) * 3, s, s + (x1 - x0) * 3);
  }
}

/** Small per-process caches of rendered layers (the same for every user); oldest dropped first. */
function cached<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>, max = 16): Promise<T> {
  let hit = map.get(key);
  if (!hit) {
    hit = make();
    hit.catch(() => map.delete(key));
    if (map.size >= max) map.delete(map.keys().next().value as string);
    map.set(key, hit);
  }
  return hit;
}

/**
 * The text that is the same for every user of a story (header, visible AI label, the hint by the
 * code): rendered by resvg once per story and layout, kept as small RGBA layers (≈1 MB per story).
 */
const posterTexts = new Map<string, Promise<Layer[]>>();
const captions = new Map<string, Promise<Layer>>();

/** Resize kernel for the frames drawn on a poster (also used by engine/pipeline/fuse-task.ts `thumb`) (downscale ≈ 0.65×: linear is antialiased here and 2–3× cheaper than lanczos3). */
export const FRAME_KERNEL = 'linear';

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
  for (const f of L.frames) {
    if (!input.frames[f.frame]) throw new Error(`composePoster: layout wants frame ${f.frame}, only ${input.frames.length} given`);
  }
  const c = L.caption;
  const staticKey = JSON.stringify([L.width, L.height, L.accent, L.title, L.aiLabel, L.codeHint, L.caption, input.story.title, input.story.character, input.story.year, aiText, campaign, hint]);
  const statics = cached(posterTexts, staticKey, () => {
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
    const quote = `<text x="${c.x}" y="${c.y + 70}" font-family="${FONT_COMIC}" font-size="96" fill="${L.accent}">“</text>`;
    const h = L.codeHint;
    const hintSvg = `<text x="${h.x}" y="${r1(h.y + h.h * 0.7)}" font-family="${FONT_COMIC}" font-size="${fitSize(hint, h.w, 30, 18)}" fill="#555555">${esc(hint)}</text>`;
    return renderPieces(
      [
        { r: union([t], 16, L.width, L.height), svg: head },
        { r: union([L.aiLabel], 4, L.width, L.height), svg: labelBadge(L.aiLabel, aiText) },
        { r: union([h], 16, L.width, L.height), svg: hintSvg },
        // the opening quote (accent colour, a full-width glyph drawn right in its 96 px box): its own piece, over the caption's
        { r: union([{ x: c.x, y: c.y, w: 130, h: 100 }], 16, L.width, L.height), svg: quote },
      ],
      L.width,
    ).then((ps) => ps.map(asLayer));
  });
  // the user's caption: the only text that differs per user (the same in all of a user's stories: cached briefly)
  const capText = [...(input.caption ?? '').trim()].slice(0, 30).join('') || campaign;
  const oneLine = Math.floor((c.w - 60) / [...capText].reduce((a, ch) => a + cw(ch), 0));
  const size = oneLine >= 40 ? Math.min(56, oneLine) : 44;
  const lines = wrapLines(capText, size, c.w - 60, 2);
  const y0 = c.y + (lines.length === 1 ? 70 : 52);
  let foot = '';
  lines.forEach((l, i) => {
    foot += `<text x="${c.x + 58}" y="${r1(y0 + i * size * 1.3)}" font-family="${FONT_COMIC}" font-size="${size}" fill="${INK}">${esc(l)}</text>`;
  });
  const capRect = union([{ ...c, x: c.x + 50, w: c.w - 50 }], 16, L.width, L.height);
  const q = L.code;

  const [bg, texts, caption, frames, codeImg] = await Promise.all([
    background(L).then((b) => (mark('background', t0), b)),
    statics,
    cached(captions, JSON.stringify([capRect, foot]), () => renderPieces([{ r: capRect, svg: foot }], L.width).then((p) => asLayer(p[0])), 4).then((l) => (mark('text', t0), l)),
    Promise.all(
      L.frames.map(async (f) => {
        const src = input.frames[f.frame];
        // already the drawn size (engine/pipeline/fuse-task.ts `thumb`): no resize
        if (!Buffer.isBuffer(src) && src.width === Math.round(f.w) && src.height === Math.round(f.h) && (src.channels ?? 3) === 3 && src.data.length === src.width * src.height * 3) {
          return { data: Buffer.from(src.data.buffer, src.data.byteOffset, src.data.byteLength), width: src.width, height: src.height, channels: 3 as const };
        }
        const { data, info } = await (await toSharp(src))
          .resize(Math.round(f.w), Math.round(f.h), { fit: 'cover', kernel: FRAME_KERNEL })
          .raw()
          .toBuffer({ resolveWithObject: true });
        if (info.channels !== 3 && info.channels !== 4) throw new Error(`composePoster: frame ${f.frame} has ${info.channels} channels`);
        return { data, width: info.width, height: info.height, channels: info.channels as 3 | 4 };
      }),
    ),
    (async () => {
      const { data, info } = await (await toSharp(input.code))
        .resize(Math.round(q.w), Math.round(q.h), { fit: 'contain', background: '#ffffff', kernel: 'nearest' })
        .flatten({ background: '#ffffff' })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height };
    })(),
  ]);
  mark('layers', t0);
  const t1 = performance.now();
  // one RGB page: the cached background, the frames (rotated), the code, the text layers; one JPEG encode
  const W = bg.width;
  const H = bg.height;
  const page = unpack(bg.packed, W * H * 3);
  L.frames.forEach((f, i) => drawRotated(page, W, H, frames[i].data, frames[i].width, frames[i].height, frames[i].channels, f.x + f.w / 2, f.y + f.h / 2, f.rotate ?? 0));
  copyRgb(page, W, H, codeImg.data, codeImg.width, codeImg.height, Math.round(q.x), Math.round(q.y));
  for (const l of [...texts, caption]) blendLayer(page, W, H, l);
  mark('draw', t1);
  const t2 = performance.now();
  const out = sharp(page, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: input.quality ?? 86 });
  const jpg = await withAiLabel(out, { label: aiText, ...input.label }).toBuffer();
  mark('encode', t2);
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

/**
 * A cover's drawing over the photo (title band, border, AI label): the same for every user of a
 * story, rendered once per story and size and kept as strips (≈1 MB at 1080), not a full canvas.
 */
const coverOverlays = new Map<string, Promise<Layer[]>>();

function coverOverlay(size: number, story: CoverInput['story'], accent: string, aiText: string): Promise<Layer[]> {
  const key = JSON.stringify([size, story.title, story.character, accent, aiText]);
  return cached(coverOverlays, key, () => {
    const k = size / 1080;
    const band = Math.round(200 * k);
    let svg = `<rect x="0" y="${size - band}" width="${size}" height="${band}" fill="${INK}"/><rect x="0" y="${size - band}" width="${size}" height="${r1(10 * k)}" fill="${accent}"/>`;
    const r = 70 * k;
    svg += `<circle cx="${r1(40 * k + r)}" cy="${r1(size - band / 2)}" r="${r1(r)}" fill="${accent}" stroke="#ffffff" stroke-width="${r1(6 * k)}"/><text x="${r1(40 * k + r)}" y="${r1(size - band / 2 + r * 0.38)}" text-anchor="middle" font-family="${FONT_COMIC}" font-size="${r1(r * 1.1)}" fill="#ffffff">${esc(story.character)}</text>`;
    svg += `<text x="${r1(200 * k)}" y="${r1(size - band / 2 + 24 * k)}" font-family="${FONT_COMIC}" font-size="${r1(fitSize(story.title, (size - 240 * k) / k, 72, 40) * k)}" fill="#ffffff">${esc(story.title)}</text>`;
    svg += `<rect x="0" y="0" width="${size}" height="${size}" fill="none" stroke="${INK}" stroke-width="${r1(16 * k)}"/>`;
    const badge = { x: size - 230 * k, y: 36 * k, w: 190 * k, h: 64 * k };
    svg += labelBadge(badge, aiText);
    // non-overlapping regions that hold everything drawn: the band, the border strips, the badge
    const edge = Math.ceil(8 * k) + 1;
    const bandTop = size - band - 1;
    const rects: Rect[] = [
      { x: 0, y: bandTop, w: size, h: size - bandTop },
      { x: 0, y: 0, w: size, h: edge },
      { x: 0, y: edge, w: edge, h: bandTop - edge },
      { x: size - edge, y: edge, w: edge, h: bandTop - edge },
      union([badge], 4, size, size),
    ];
    return renderPieces(rects.map((rr) => ({ r: rr, svg })), size).then((ps) => ps.map(asLayer));
  });
}

/** The square a cover crops from a frame: as wide as the frame's short side, centred a little below the face. */
export function coverCrop(fw: number, fh: number, focus?: CoverInput['focus']): { left: number; top: number; side: number } {
  const side = Math.min(fw, fh);
  const fy = focus ? focus.center[1] + focus.width * 0.35 : fh / 2;
  const fx = focus ? focus.center[0] : fw / 2;
  const left = Math.round(Math.max(0, Math.min(fw - side, fx - side / 2)));
  const top = Math.round(Math.max(0, Math.min(fh - side, fy - side / 2)));
  return { left, top, side };
}

/** A square 1:1 share-card cover: the hero's face crop, the title band and the AI label. */
export async function composeCover(input: CoverInput): Promise<Buffer> {
  const size = input.size ?? 1080;
  const img = await toSharp(input.frame);
  const fw = Buffer.isBuffer(input.frame) ? (await img.metadata()).width! : input.frame.width;
  const fh = Buffer.isBuffer(input.frame) ? (await img.metadata()).height! : input.frame.height;
  const { left, top, side } = coverCrop(fw, fh, input.focus);
  const accent = input.accent ?? '#e63946';
  const aiText = input.aiLabel ?? AI_LABEL_TEXT;
  const [photo, overlay] = await Promise.all([
    img.extract({ left, top, width: side, height: side }).resize(size, size).removeAlpha().raw().toBuffer({ resolveWithObject: true }),
    coverOverlay(size, input.story, accent, aiText),
  ]);
  const page = photo.data;
  for (const l of overlay) blendLayer(page, size, size, l);
  const out = sharp(page, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: input.quality ?? 86 });
  return withAiLabel(out, { label: aiText, ...input.label }).toBuffer();
}

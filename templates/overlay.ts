/**
 * Text drawn over the frame art at build time, from the manifest: the caption box and the speech
 * bubbles. Keeping text in story.json (not in the SVG) lets an operator edit words without touching art.
 */
import { FONT_COMIC, FONT_SANS } from '../engine/output/fonts';
import type { Bubble, Frame, Rect } from '../engine/pipeline/story-schema';

const INK = '#1b1b1f';
const r1 = (n: number) => Math.round(n * 10) / 10;

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Approximate advance of one character in em (CJK and full-width = 1, Latin narrower). */
export function charWidth(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  if (c < 0x80) return ch === ' ' ? 0.3 : /[A-Z0-9]/.test(ch) ? 0.62 : 0.52;
  return 1;
}
const NO_LINE_START = '，。！？、；：”’）》…,.!?;:)';

/** Greedy line breaking for Chinese text (keeps closing punctuation off line starts). */
export function wrapText(text: string, size: number, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    let w = 0;
    for (const ch of [...para]) {
      const cw = charWidth(ch) * size;
      if (w + cw > maxWidth && line && !NO_LINE_START.includes(ch)) {
        lines.push(line);
        line = '';
        w = 0;
      }
      line += ch;
      w += cw;
    }
    lines.push(line);
  }
  return lines;
}

export const CAPTION = { size: 34, lineHeight: 1.4, padX: 26, padY: 18 };

/** Lines of a caption inside its box, and whether they fit. */
export function layoutCaption(text: string, box: Rect) {
  const lines = wrapText(text, CAPTION.size, box.w - 2 * CAPTION.padX);
  const need = lines.length * CAPTION.size * CAPTION.lineHeight + 2 * CAPTION.padY - (CAPTION.lineHeight - 1) * CAPTION.size;
  return { lines, fits: need <= box.h + 1, need };
}

export function captionSvg(text: string, box: Rect): string {
  const { lines } = layoutCaption(text, box);
  const lh = CAPTION.size * CAPTION.lineHeight;
  const textH = (lines.length - 1) * lh + CAPTION.size;
  const y0 = box.y + (box.h - textH) / 2 + CAPTION.size * 0.86;
  let s = `<g class="caption"><rect x="${box.x + 8}" y="${box.y + 8}" width="${box.w}" height="${box.h}" fill="${INK}"/>`;
  s += `<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" fill="#ffd166" stroke="${INK}" stroke-width="6"/>`;
  lines.forEach((l, i) => {
    s += `<text x="${box.x + CAPTION.padX}" y="${r1(y0 + i * lh)}" font-family="${FONT_SANS}" font-weight="700" font-size="${CAPTION.size}" fill="${INK}">${esc(l)}</text>`;
  });
  return s + '</g>';
}

/** The box a bubble occupies (its height follows from the text). */
export function bubbleBox(b: Bubble): Rect & { lines: string[] } {
  const size = b.size ?? 38;
  const pad = b.kind === 'thought' ? 34 : 24;
  const lines = wrapText(b.text, size, b.w - 2 * pad);
  const h = lines.length * size * 1.25 + 2 * pad - size * 0.25;
  return { x: b.x, y: b.y, w: b.w, h: r1(h), lines };
}

export function bubbleSvg(b: Bubble): string {
  const box = bubbleBox(b);
  const size = b.size ?? 38;
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  let shape = '';
  let tail = '';
  if (b.tail) {
    const [tx, ty] = b.tail;
    const dx = tx - cx, dy = ty - cy;
    const len = Math.hypot(dx, dy) || 1;
    const nx = (-dy / len) * 22, ny = (dx / len) * 22;
    if (b.kind === 'thought') {
      for (let k = 1; k <= 3; k++) {
        const t = 0.55 + k * 0.13;
        tail += `<circle cx="${r1(cx + dx * t)}" cy="${r1(cy + dy * t)}" r="${r1(16 - k * 3.5)}" fill="#ffffff" stroke="${INK}" stroke-width="5"/>`;
      }
    } else tail = `<polygon points="${r1(cx + nx)},${r1(cy + ny)} ${r1(tx)},${r1(ty)} ${r1(cx - nx)},${r1(cy - ny)}" FILL/>`;
  }
  if (b.kind === 'shout') {
    const n = 18;
    let d = '';
    for (let i = 0; i < n * 2; i++) {
      const a = (i / (n * 2)) * Math.PI * 2;
      const k = i % 2 ? 1.0 : 1.22;
      d += `${i ? 'L' : 'M'}${r1(cx + Math.cos(a) * (box.w / 2) * k)},${r1(cy + Math.sin(a) * (box.h / 2 + 10) * k)} `;
    }
    shape = `<path d="${d}Z" FILL/>`;
  } else if (b.kind === 'thought') {
    shape = `<ellipse cx="${r1(cx)}" cy="${r1(cy)}" rx="${r1(box.w / 2 + 6)}" ry="${r1(box.h / 2 + 6)}" FILL/>`;
  } else {
    shape = `<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="${r1(Math.min(36, box.h / 2))}" FILL/>`;
  }
  const fillShout = b.kind === 'shout' ? '#fff3b0' : '#ffffff';
  let s = '<g class="bubble">';
  if (b.kind === 'thought') s += tail;
  else s += tail.replace('FILL', `fill="${INK}" stroke="${INK}" stroke-width="12" stroke-linejoin="round"`);
  s += shape.replace('FILL', `fill="${INK}" stroke="${INK}" stroke-width="12" stroke-linejoin="round"`);
  if (b.kind !== 'thought') s += tail.replace('FILL', `fill="${fillShout}"`);
  s += shape.replace('FILL', `fill="${fillShout}"`);
  const lh = size * 1.25;
  const y0 = cy - ((box.lines.length - 1) * lh) / 2 + size * 0.36;
  box.lines.forEach((l, i) => {
    s += `<text x="${r1(cx)}" y="${r1(y0 + i * lh)}" text-anchor="middle" font-family="${FONT_COMIC}" font-size="${size}" fill="${INK}">${esc(l)}</text>`;
  });
  return s + '</g>';
}

/** The SVG that is rendered: the art with caption and bubbles added on top. */
export function composeFrameSvg(artSvg: string, frame: Pick<Frame, 'caption' | 'captionBox' | 'bubbles'>): string {
  const overlay = (frame.bubbles ?? []).map(bubbleSvg).join('\n') + '\n' + (frame.caption ? captionSvg(frame.caption, frame.captionBox) : '');
  const end = artSvg.lastIndexOf('</svg>');
  if (end < 0) throw new Error('art is not an SVG document (no </svg>)');
  return artSvg.slice(0, end) + overlay + '\n</svg>\n';
}

/**
 * Every check behind `npm run templates:check`: schema errors plus what a schema cannot express
 * (geometry inside the frame, minimum face sizes, art files present, unique ids, text that fits).
 * Returns all problems, each with its file and field path; an empty list means the campaign is valid.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ZodIssue } from 'zod';
import { BubbleSchema, CampaignSchema, PosterLayoutSchema, RectSchema, StorySchema, type Rect } from '../engine/pipeline/story-schema';
import { bubbleBox, layoutCaption } from './overlay';
import { MAX_SLOTS_PER_FRAME, SlotPoseSchema } from '../engine/fusion/slot';

export interface Problem {
  /** Path relative to the templates root's parent (e.g. templates/stories/kuai/story.json). */
  file: string;
  /** Field path like frames[1].slots[0].pose.width ('' for the whole file). */
  field: string;
  message: string;
}

/** Minimum face widths (px, frontal) so the fused face stays recognisable. */
export const MIN_FACE_WIDTH = { hero: 160, extra: 100 } as const;

export function formatField(p: Array<string | number>): string {
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');
}

export function formatProblem(p: Problem): string {
  return `${p.file}${p.field ? `: ${p.field}` : ''} — ${p.message}`;
}

/** Axis-aligned half extents of a slot's face oval (width × 1.3 width, rotated by roll). */
export function ovalExtents(width: number, roll: number): [number, number] {
  const a = width / 2;
  const b = 0.65 * width;
  const t = (roll * Math.PI) / 180;
  return [Math.sqrt(a * a * Math.cos(t) ** 2 + b * b * Math.sin(t) ** 2), Math.sqrt(a * a * Math.sin(t) ** 2 + b * b * Math.cos(t) ** 2)];
}

function inside(r: Rect, w: number, h: number): boolean {
  return r.x >= 0 && r.y >= 0 && r.x + r.w <= w && r.y + r.h <= h;
}

function readJson(file: string, rel: string, out: Problem[]): unknown {
  if (!fs.existsSync(file)) {
    out.push({ file: rel, field: '', message: 'file is missing' });
    return undefined;
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    out.push({ file: rel, field: '', message: `not valid JSON: ${(e as Error).message}` });
    return undefined;
  }
}

function zodProblems(rel: string, issues: ZodIssue[], prefix: Array<string | number> = []): Problem[] {
  return issues.map((i) => {
    let message = i.message;
    if (i.code === 'unrecognized_keys') message = `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    if (i.code === 'too_big' && i.path.at(-1) === 'slots') message = `more than ${MAX_SLOTS_PER_FRAME} face slots`;
    return { file: rel, field: formatField([...prefix, ...i.path]), message };
  });
}

/**
 * Checks of one frame beyond its schema. Works on the raw JSON, field by field, so a frame with a
 * schema error elsewhere (say an empty caption) still gets its geometry checked.
 */
export function checkFrame(raw: unknown, dir: string, rel: string, prefix: string): Problem[] {
  const out: Problem[] = [];
  const at = (field: string, message: string) => out.push({ file: rel, field: `${prefix}${field}`, message });
  const f = (raw ?? {}) as Record<string, unknown>;
  const width = typeof f.width === 'number' ? f.width : 720;
  const height = typeof f.height === 'number' ? f.height : 1280;
  if (typeof f.art === 'string' && !fs.existsSync(path.join(dir, f.art))) at('.art', `art file ${f.art} is missing`);
  const slots = Array.isArray(f.slots) ? f.slots : [];
  const ids = new Set<string>();
  let heroes = 0;
  slots.forEach((rs: unknown, k: number) => {
    const fk = `.slots[${k}]`;
    const s = (rs ?? {}) as Record<string, unknown>;
    const role = s.role === 'extra' ? 'extra' : 'hero';
    if (s.role === 'hero') heroes++;
    if (typeof s.id === 'string') {
      if (ids.has(s.id)) at(`${fk}.id`, `duplicate slot id "${s.id}"`);
      ids.add(s.id);
    }
    const pose = SlotPoseSchema.safeParse(s.pose);
    if (!pose.success) return;
    const { width: w, roll, center } = pose.data;
    const min = MIN_FACE_WIDTH[role];
    if (w < min) at(`${fk}.pose.width`, `${role} face slot is ${w} px wide, minimum ${min}`);
    const [ex, ey] = ovalExtents(w, roll);
    const [cx, cy] = center;
    if (cx - ex < 0 || cy - ey < 0 || cx + ex > width || cy + ey > height)
      at(`${fk}.pose.center`, `face oval (${Math.round(cx - ex)},${Math.round(cy - ey)})–(${Math.round(cx + ex)},${Math.round(cy + ey)}) lies outside the ${width}×${height} frame`);
    if (Array.isArray(s.points) && (s.points as number[][]).some(([x, y]) => x < 0 || y < 0 || x > width || y > height)) at(`${fk}.points`, 'points outside the frame');
  });
  if (slots.length && !heroes) at('.slots', 'no hero slot (the user must appear in every frame)');
  const box = RectSchema.safeParse(f.captionBox);
  if (box.success) {
    if (!inside(box.data, width, height)) at('.captionBox', 'caption box lies outside the frame');
    else if (typeof f.caption === 'string' && f.caption.trim()) {
      const lay = layoutCaption(f.caption, box.data);
      if (!lay.fits) at('.caption', `caption needs ${Math.ceil(lay.need)} px, its box is ${box.data.h} px tall (shorten it or enlarge captionBox)`);
    }
  }
  (Array.isArray(f.bubbles) ? f.bubbles : []).forEach((rb: unknown, k: number) => {
    const b = BubbleSchema.safeParse(rb);
    if (!b.success) return;
    const bb = bubbleBox(b.data);
    if (!inside(bb, width, height)) at(`.bubbles[${k}]`, `bubble (${bb.x},${bb.y}, ${bb.w}×${bb.h}) lies outside the frame`);
    const t = b.data.tail;
    if (t && (t[0] < 0 || t[1] < 0 || t[0] > width || t[1] > height)) at(`.bubbles[${k}].tail`, 'tail points outside the frame');
  });
  return out;
}

/** Validate the whole campaign under `root` (the templates folder). */
export function validateTemplates(root: string): Problem[] {
  const out: Problem[] = [];
  const base = path.dirname(root);
  const relOf = (f: string) => path.relative(base, f).split(path.sep).join('/');
  const campaignFile = path.join(root, 'campaign.json');
  const raw = readJson(campaignFile, relOf(campaignFile), out) as { stories?: unknown } | undefined;
  if (raw === undefined) return out;
  const parsed = CampaignSchema.safeParse(raw);
  if (!parsed.success) out.push(...zodProblems(relOf(campaignFile), parsed.error.issues));
  const stories = Array.isArray(raw.stories) ? (raw.stories as Array<Record<string, unknown>>) : [];
  const seen = new Map<string, number>();
  stories.forEach((cs, i) => {
    const id = String(cs?.id ?? '');
    if (seen.has(id)) out.push({ file: relOf(campaignFile), field: `stories[${i}].id`, message: `duplicate story id "${id}" (also stories[${seen.get(id)}])` });
    else seen.set(id, i);
    if (!/^[a-z][a-z0-9-]*$/.test(id)) return;
    const dir = path.join(root, 'stories', id);
    const file = path.join(dir, 'story.json');
    const rel = relOf(file);
    const story = readJson(file, rel, out) as Record<string, unknown> | undefined;
    if (!story) return;
    const res = StorySchema.safeParse(story);
    if (!res.success) out.push(...zodProblems(rel, res.error.issues));
    if (story.id !== id) out.push({ file: rel, field: 'id', message: `id "${String(story.id)}" differs from its folder and campaign entry "${id}"` });
    if (cs.title !== undefined && story.title !== cs.title) out.push({ file: rel, field: 'title', message: `title "${String(story.title)}" differs from campaign.json ("${String(cs.title)}")` });
    if (cs.char !== undefined && story.character !== cs.char) out.push({ file: rel, field: 'character', message: `character "${String(story.character)}" differs from campaign.json ("${String(cs.char)}")` });
    const frames = Array.isArray(story.frames) ? story.frames : [];
    const arts = new Map<string, number>();
    frames.forEach((rf: unknown, k: number) => {
      const art = (rf as { art?: unknown } | null)?.art;
      if (typeof art === 'string') {
        if (arts.has(art)) out.push({ file: rel, field: `frames[${k}].art`, message: `art ${art} is also used by frames[${arts.get(art)}]` });
        arts.set(art, k);
      }
      out.push(...checkFrame(rf, dir, rel, `frames[${k}]`));
    });
    const poster = PosterLayoutSchema.safeParse(story.poster);
    if (poster.success) {
      const p = poster.data;
      const regions: Array<[string, Rect]> = [['title', p.title], ['caption', p.caption], ['aiLabel', p.aiLabel], ['code', p.code], ['codeHint', p.codeHint]];
      p.frames.forEach((f, k) => regions.push([`frames[${k}]`, f]));
      for (const [name, r] of regions) if (!inside(r, p.width, p.height)) out.push({ file: rel, field: `poster.${name}`, message: `lies outside the ${p.width}×${p.height} poster` });
      p.frames.forEach((f, k) => {
        if (f.frame >= frames.length) out.push({ file: rel, field: `poster.frames[${k}].frame`, message: `frame ${f.frame} does not exist (story has ${frames.length})` });
      });
      if (Math.abs(p.code.w - p.code.h) > 1) out.push({ file: rel, field: 'poster.code', message: 'the code region must be square' });
      if (p.code.w < 160) out.push({ file: rel, field: 'poster.code.w', message: 'the code must be at least 160 px to scan' });
    }
    const cover = (story.cover as { frame?: number } | undefined)?.frame;
    if (typeof cover === 'number' && cover >= frames.length) out.push({ file: rel, field: 'cover.frame', message: `frame ${cover} does not exist` });
  });
  return out;
}

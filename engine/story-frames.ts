/**
 * Story templates for fusion: the manifest (templates/stories/<id>/story.json) and its rendered
 * frames (rendered/frame-<n>.png).
 *
 * - Manifests are read without touching any pixels (`loadManifest`): callers that only need slot
 *   lists, poster layouts or frame counts never decode a frame.
 * - Frames are decoded once per process, on first use, into a SharedArrayBuffer (`loadFrame`): a
 *   720×1280 frame is 2.7 MB of RGB, all 32 frames ≈ 88 MB. The worker pool posts that same memory
 *   to its workers (structured clone of a SharedArrayBuffer shares, it does not copy), so the
 *   process holds one decoded copy however many workers run; sharp's own output buffer is dropped
 *   after the copy.
 */
import fs from 'fs';
import path from 'path';
import sharp from 'sharp';
import { StorySchema, CampaignSchema, type Story } from '../templates/schema';
import { AppError } from './errors';
import type { RgbImage } from './raster';
import type { Slot } from './slot';

export interface StoryFrame {
  image: RgbImage;
  slots: Slot[];
}
export interface LoadedStory {
  id: string;
  frames: StoryFrame[];
}

/**
 * The templates folder: TEMPLATES_DIR, else `templates/` beside the engine folder (repository), else
 * `templates/` beside this file's bundle (dist/cloudfunctions/<name>/index.js ships templates/ next to it).
 */
export function templatesDir(): string {
  if (process.env.TEMPLATES_DIR) return process.env.TEMPLATES_DIR;
  const repo = path.resolve(__dirname, '..', 'templates');
  if (fs.existsSync(path.join(repo, 'campaign.json'))) return repo;
  const bundled = path.resolve(__dirname, 'templates');
  return fs.existsSync(path.join(bundled, 'campaign.json')) ? bundled : repo;
}

/** Story ids of the campaign, in campaign order. */
export function storyIds(dir = templatesDir()): string[] {
  const c = CampaignSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'campaign.json'), 'utf8')));
  return c.stories.map((s) => s.id);
}

const manifests = new Map<string, Story>();

/** The story's manifest (cached); INVALID_ARGUMENT for an unknown story. No pixels are decoded. */
export function loadManifest(id: string, dir = templatesDir()): Story {
  const key = `${dir}|${id}`;
  let m = manifests.get(key);
  if (!m) {
    let raw: string;
    if (!/^[a-z0-9][a-z0-9_-]*$/i.test(id)) throw new AppError('INVALID_ARGUMENT', { reason: `unknown theme ${id}`, details: { field: 'theme' } });
    try {
      raw = fs.readFileSync(path.join(dir, 'stories', id, 'story.json'), 'utf8');
    } catch {
      throw new AppError('INVALID_ARGUMENT', { reason: `unknown theme ${id}`, details: { field: 'theme' } });
    }
    m = StorySchema.parse(JSON.parse(raw));
    manifests.set(key, m);
  }
  return m;
}

/** Cache key of one decoded frame (also how workers name the frames they were sent). */
export const frameKey = (id: string, index: number, dir = templatesDir()) => `${dir}|${id}|${index}`;

const frames = new Map<string, Promise<RgbImage>>();
/** Frames are decoded one after another: concurrent PNG decodes only raise the peak (each holds its own libvips buffers). */
let decoding: Promise<unknown> = Promise.resolve();

/** One rendered frame as RGB over a SharedArrayBuffer, decoded once per process and kept. */
export function loadFrame(id: string, index: number, dir = templatesDir()): Promise<RgbImage> {
  const key = frameKey(id, index, dir);
  let p = frames.get(key);
  if (!p) {
    const m = loadManifest(id, dir);
    if (!Number.isInteger(index) || index < 0 || index >= m.frames.length) {
      return Promise.reject(new AppError('INVALID_ARGUMENT', { reason: `story ${id} has no frame ${index}`, details: { field: 'frame' } }));
    }
    p = decoding.then(async () => {
      const { data, info } = await sharp(path.join(dir, 'stories', id, 'rendered', `frame-${index + 1}.png`))
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const shared = new Uint8Array(new SharedArrayBuffer(data.length));
      shared.set(data);
      return { data: shared, width: info.width, height: info.height };
    });
    decoding = p.catch(() => undefined);
    frames.set(key, p);
    p.catch(() => frames.delete(key));
  }
  return p;
}

/** Manifest slots plus decoded frames (for the bench, tests and contact sheets). */
export async function loadStory(id: string, dir = templatesDir()): Promise<LoadedStory> {
  const m = loadManifest(id, dir);
  const images = await Promise.all(m.frames.map((_, i) => loadFrame(id, i, dir)));
  return { id, frames: m.frames.map((f, i) => ({ image: images[i], slots: f.slots as Slot[] })) };
}

/** Drops the decoded frames (not the manifests); the next use decodes again. */
export function releaseFrames(): void {
  frames.clear();
}

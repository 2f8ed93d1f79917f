/**
 * Story templates for fusion: the manifest (templates/stories/<id>/story.json) and its rendered
 * frames (rendered/frame-<n>.png).
 *
 * - Manifests are read without touching any pixels (`loadManifest`): callers that only need slot
 *   lists, poster layouts or frame counts never decode a frame.
 * - Frames are decoded from PNG once per process, on first use, and kept **packed**: the RGB rows
 *   deflated at level 1 (`loadPackedFrame`), ≈ 170 KB per 720×1280 frame instead of 2.7 MB — all 32
 *   frames ≈ 5.4 MB instead of 88 MB — in a SharedArrayBuffer that the worker pool posts to its
 *   workers (shared, not copied). A frame is unpacked where it is fused (`unpackFrame`, ≈ 1.5–3 ms,
 *   against ≈ 19 ms for the PNG) and dropped after the task, so a process holds only the frames
 *   being fused right now, however many stories and workers there are (docs/fusion.md, "Memory").
 */
import fs from 'fs';
import path from 'path';
import zlib from 'zlib';
import { promisify } from 'util';
import sharp from 'sharp';
import { StorySchema, CampaignSchema, type Campaign, type Story } from './story-schema';
import { AppError } from '../core/errors';
import type { RgbImage } from '../core/raster';
import type { Slot } from '../fusion/slot';

export interface StoryFrame {
  image: RgbImage;
  slots: Slot[];
}
export interface LoadedStory {
  id: string;
  frames: StoryFrame[];
}

/**
 * The templates folder: TEMPLATES_DIR, else `templates/` of the repository, else
 * `templates/` beside this file's bundle (dist/cloudfunctions/<name>/index.js ships templates/ next to it).
 */
export function templatesDir(): string {
  if (process.env.TEMPLATES_DIR) return process.env.TEMPLATES_DIR;
  const repo = path.resolve(__dirname, '..', '..', 'templates');
  if (fs.existsSync(path.join(repo, 'campaign.json'))) return repo;
  const bundled = path.resolve(__dirname, 'templates');
  return fs.existsSync(path.join(bundled, 'campaign.json')) ? bundled : repo;
}

/** The campaign (templates/campaign.json), read and checked on every call. */
export function loadCampaignFile(dir = templatesDir()): Campaign {
  return CampaignSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'campaign.json'), 'utf8')));
}

/** Story ids of the campaign, in campaign order. */
export function storyIds(dir = templatesDir()): string[] {
  return loadCampaignFile(dir).stories.map((s) => s.id);
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

/** A rendered frame, packed: its RGB rows (width × height × 3 bytes) deflated; `data` may live in a SharedArrayBuffer. */
export interface PackedFrame {
  data: Uint8Array;
  width: number;
  height: number;
}

const deflate = promisify(zlib.deflate);
const packed = new Map<string, Promise<PackedFrame>>();
/** Frames are decoded one after another: concurrent PNG decodes only raise the peak (each holds its own libvips buffers). */
let decoding: Promise<unknown> = Promise.resolve();

/** One rendered frame, packed (decoded from its PNG once per process and kept; ≈ 170 KB). */
export function loadPackedFrame(id: string, index: number, dir = templatesDir()): Promise<PackedFrame> {
  const key = frameKey(id, index, dir);
  let p = packed.get(key);
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
      // level 1: the flat comic art deflates ≈ 16:1 (5.4 MB for the 32 frames) and inflates in ≈ 1.5–3 ms
      const z = await deflate(data, { level: 1 });
      const shared = new Uint8Array(new SharedArrayBuffer(z.length));
      shared.set(z);
      return { data: shared, width: info.width, height: info.height };
    });
    decoding = p.catch(() => undefined);
    packed.set(key, p);
    p.catch(() => packed.delete(key));
  }
  return p;
}

/** The frame's RGB pixels in a new buffer (nothing is cached: drop it when done). */
export function unpackFrame(p: PackedFrame): RgbImage {
  const size = p.width * p.height * 3;
  // one output chunk a little larger than the image: no concatenation, no spare chunk
  const data = zlib.inflateSync(p.data, { chunkSize: size + 64 });
  if (data.length !== size) throw new Error(`packed frame: ${data.length} bytes, expected ${size}`);
  return { data, width: p.width, height: p.height };
}

/** One rendered frame as RGB: unpacked from the process's packed copy, a new buffer on every call. */
export async function loadFrame(id: string, index: number, dir = templatesDir()): Promise<RgbImage> {
  return unpackFrame(await loadPackedFrame(id, index, dir));
}

/** Manifest slots plus decoded frames (for the bench, tests and contact sheets). */
export async function loadStory(id: string, dir = templatesDir()): Promise<LoadedStory> {
  const m = loadManifest(id, dir);
  const images = await Promise.all(m.frames.map((_, i) => loadFrame(id, i, dir)));
  return { id, frames: m.frames.map((f, i) => ({ image: images[i], slots: f.slots as Slot[] })) };
}

/**
 * Story templates for fusion: the manifest (templates/stories/<id>/story.json) and its rendered
 * frames (rendered/frame-<n>.png), decoded once per process (or worker) and kept — a 720×1280
 * frame is 2.7 MB of RGB, all 32 frames ≈ 90 MB, decoded in ≈0.4 s: never per request.
 */
import fs from 'fs';
import path from 'path';
import sharp from 'sharp';
import { StorySchema, CampaignSchema } from '../templates/schema';
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

export function templatesDir(): string {
  return process.env.TEMPLATES_DIR || path.resolve(__dirname, '..', 'templates');
}

/** Story ids of the campaign, in campaign order. */
export function storyIds(dir = templatesDir()): string[] {
  const c = CampaignSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'campaign.json'), 'utf8')));
  return c.stories.map((s) => s.id);
}

const cache = new Map<string, Promise<LoadedStory>>();

export function loadStory(id: string, dir = templatesDir()): Promise<LoadedStory> {
  const key = `${dir}|${id}`;
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const base = path.join(dir, 'stories', id);
      let raw: string;
      try {
        raw = fs.readFileSync(path.join(base, 'story.json'), 'utf8');
      } catch {
        throw new AppError('INVALID_ARGUMENT', { reason: `unknown theme ${id}`, details: { field: 'theme' } });
      }
      const story = StorySchema.parse(JSON.parse(raw));
      const frames = await Promise.all(
        story.frames.map(async (f, i) => {
          const { data, info } = await sharp(path.join(base, 'rendered', `frame-${i + 1}.png`)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
          return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }, slots: f.slots };
        }),
      );
      return { id, frames };
    })();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

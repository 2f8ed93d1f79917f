/**
 * One story for one prepared face: every frame fused and encoded (AI label in the metadata), the
 * poster composed from the fused frames, and the square share-card cover. Used by the backend's
 * engine adapter; templates (decoded frames, manifests) come from per-process caches.
 */
import { loadCampaign, loadStory as loadManifest } from '../templates/render';
import type { Story } from '../templates/schema';
import { encodeJpeg } from './encode';
import { fuseFrame, type PreparedFace } from './fuse';
import { composeCover, composePoster } from './poster';
import { loadStory, templatesDir } from './story-frames';

export interface RenderStoryInput {
  storyId: string;
  /** The hero's face; slots of role `extra` keep their drawn face. */
  face: PreparedFace;
  shape?: number;
  features?: number;
  caption?: string;
  /** The mini-program code (PNG) printed on the poster. */
  code: Buffer;
}

export interface RenderedStory {
  frames: Buffer[];
  poster: Buffer;
  cover: Buffer;
  timings: { fuse: number; encode: number; poster: number; total: number };
}

const manifests = new Map<string, Story>();
let aiLabelText: string | undefined;

function manifest(storyId: string): Story {
  let m = manifests.get(storyId);
  if (!m) {
    m = loadManifest(storyId, templatesDir());
    manifests.set(storyId, m);
  }
  return m;
}

export async function renderStory(input: RenderStoryInput): Promise<RenderedStory> {
  const t0 = performance.now();
  const story = await loadStory(input.storyId); // INVALID_ARGUMENT for an unknown story
  const m = manifest(input.storyId);
  aiLabelText ??= loadCampaign(templatesDir()).aiLabel;
  let fuseMs = 0;
  let encodeMs = 0;
  const raw: Array<{ data: Uint8Array; width: number; height: number; channels: 3 }> = [];
  const frames: Buffer[] = [];
  for (const frame of story.frames) {
    const t = performance.now();
    const fused = fuseFrame(frame.image, frame.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? input.face : null })), {
      shape: input.shape,
      features: input.features,
    });
    const t1 = performance.now();
    frames.push(await encodeJpeg(fused.data, fused.width, fused.height));
    encodeMs += performance.now() - t1;
    fuseMs += t1 - t;
    raw.push({ data: fused.data, width: fused.width, height: fused.height, channels: 3 });
  }
  const t2 = performance.now();
  const coverIndex = Math.min(m.cover.frame, raw.length - 1);
  const hero = m.frames[coverIndex].slots.find((s) => s.role === 'hero');
  const [poster, cover] = await Promise.all([
    composePoster({
      story: { title: m.title, character: m.character, year: m.year },
      frames: raw,
      caption: input.caption,
      aiLabel: aiLabelText,
      code: input.code,
      layout: m.poster,
    }),
    composeCover({
      story: { title: m.title, character: m.character, year: m.year },
      frame: raw[coverIndex],
      focus: hero ? { center: hero.pose.center, width: hero.pose.width } : undefined,
      aiLabel: aiLabelText,
      accent: m.poster.accent,
    }),
  ]);
  const t3 = performance.now();
  return { frames, poster, cover, timings: { fuse: fuseMs, encode: encodeMs, poster: t3 - t2, total: t3 - t0 } };
}

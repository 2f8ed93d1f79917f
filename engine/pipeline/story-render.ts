/**
 * THE story-rendering path (fuse CLI, backend engine adapter, bench): every frame of the requested
 * stories goes to the worker pool at once (fuse + encode with the AI label, in workers; the fused RGB
 * comes back too, transferred, not copied); as soon as one story's frames are back, its poster (the
 * story manifest's layout, the campaign's visible label, the mini-program code) and its 1:1 share
 * cover are queued to the pool ahead of the remaining frames (engine/pipeline/poster-task.ts): composed in a
 * worker from the raw frames, with the static layers cached per worker, then the story is handed to
 * `onStory`. This thread only routes messages. Templates come from per-process caches.
 */
import type { Story } from './story-schema';
import type { PreparedFace, FuseOptions } from '../fusion/fuse';
import type { FrameResult, FrameTask } from './fuse-task';
import type { FusePool } from './worker-pool';
import { loadCampaignFile, loadManifest, templatesDir } from './story-frames';
import type { Slot } from '../fusion/slot';

export interface StoryTimings {
  /** Summed over the story's frames (CPU time in the workers). */
  warp: number;
  colour: number;
  style: number;
  blend: number;
  fuse: number;
  encode: number;
  /** Wall clock from the call until the story's last frame came back. */
  frames_wall: number;
  /** Poster + cover composition (wall clock of this story's own composition in its worker, not the wait for its turn). */
  poster: number;
  /** Wall clock from the call until this story was complete. */
  total: number;
}

export interface RenderedStory {
  id: string;
  /** JPEG, AI label in the metadata, in frame order. */
  frames: Buffer[];
  poster: Buffer;
  /** Square share card; absent when `cover: false`. */
  cover?: Buffer;
  timings: StoryTimings;
}

export interface RenderStoriesInput {
  pool: FusePool;
  /** Prepared faces; by default faces[0] goes into every `hero` slot and extras keep their drawn faces. */
  faces: PreparedFace[];
  storyIds: string[];
  /** Which face (index into `faces`) goes into a slot; undefined keeps the artwork. */
  assign?: (slot: Slot, storyId: string, frameIndex: number) => number | undefined;
  shape?: number;
  features?: number;
  blend?: FuseOptions['blend'];
  caption?: string;
  /** The mini-program code (PNG) for a story's poster: wxacode online, engine/output/qr-code.ts locally. */
  codeFor: (storyId: string) => Promise<Buffer>;
  /** Called once per story as soon as it is complete (stories finish roughly in request order). */
  onStory?: (story: RenderedStory) => void | Promise<void>;
  /** Compose the square cover too (default true). */
  cover?: boolean;
  /** Output id written into the metadata label of every frame and poster. */
  produceId?: (storyId: string) => string;
  /**
   * Keep every story's JPEGs until all are done and resolve with them (default true). false: a
   * story's frames, poster and cover are handed to `onStory` and dropped after it, and the result
   * carries ids and timings only — a caller that stores each story as it comes (the fuse CLI) then
   * never holds all of them at once.
   */
  keepOutputs?: boolean;
}

const heroOnly = (slot: Slot) => (slot.role === 'hero' ? 0 : undefined);
let aiLabelText: { dir: string; text: string } | undefined;

function aiLabel(): string {
  const dir = templatesDir();
  if (aiLabelText?.dir !== dir) aiLabelText = { dir, text: loadCampaignFile(dir).aiLabel };
  return aiLabelText.text;
}

const coverFrameIndex = (m: Story) => Math.min(m.cover.frame, m.frames.length - 1);
const toBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * Renders the stories; resolves with them in `storyIds` order once all are done. Throws
 * INVALID_ARGUMENT for an unknown story before any work starts.
 */
export async function renderStories(input: RenderStoriesInput): Promise<RenderedStory[]> {
  const t0 = performance.now();
  const manifests = input.storyIds.map((id) => loadManifest(id)); // INVALID_ARGUMENT for an unknown story
  const label = aiLabel();
  const assign = input.assign ?? heroOnly;
  const options: FuseOptions = { shape: input.shape, features: input.features, blend: input.blend };
  const tasks: FrameTask[] = [];
  const ranges: Array<[number, number]> = [];
  manifests.forEach((m, s) => {
    const id = input.storyIds[s];
    const start = tasks.length;
    // what the poster and cover need from each frame, cut in the worker from the raw fused pixels
    const thumbs = new Map<number, { width: number; height: number }>();
    for (const r of m.poster.frames) {
      const t = { width: Math.round(r.w), height: Math.round(r.h) };
      const had = thumbs.get(r.frame);
      if (!had || t.width * t.height > had.width * had.height) thumbs.set(r.frame, t);
    }
    const coverIndex = coverFrameIndex(m);
    m.frames.forEach((f, frameIndex) => {
      const a: Record<string, number> = {};
      for (const slot of f.slots as Slot[]) {
        const k = assign(slot, id, frameIndex);
        if (k !== undefined) a[slot.id] = k;
      }
      const hero = f.slots.find((x) => x.role === 'hero');
      tasks.push({
        storyId: id,
        frameIndex,
        assign: a,
        options,
        produceId: input.produceId?.(id),
        thumb: thumbs.get(frameIndex),
        crop: input.cover !== false && frameIndex === coverIndex ? { focus: hero ? { center: hero.pose.center, width: hero.pose.width } : undefined } : undefined,
      });
    });
    ranges.push([start, tasks.length]);
  });
  const pending = input.pool.submit(input.faces, tasks);
  pending.forEach((p) => p.catch(() => undefined)); // failures surface through the story that owns them
  const stories = manifests.map(async (m, s): Promise<RenderedStory> => {
    const id = input.storyIds[s];
    const code = input.codeFor(id);
    code.catch(() => undefined);
    const results = await Promise.all(pending.slice(...ranges[s]));
    const t1 = performance.now();
    const codePng = await code;
    const made = await input.pool.submitPoster({
      storyId: id,
      frames: results.map((r) => r.thumb),
      coverFrame: results[coverFrameIndex(m)]?.crop,
      caption: input.caption,
      code: codePng,
      aiLabel: label,
      produceId: input.produceId?.(id),
      cover: input.cover !== false,
    });
    for (const r of results) r.thumb = r.crop = undefined; // transferred to the worker
    const poster = toBuffer(made.poster);
    const cover = made.cover ? toBuffer(made.cover) : undefined;
    const composeMs = made.ms;
    const t2 = performance.now();
    const sum = { warp: 0, colour: 0, style: 0, blend: 0, fuse: 0, encode: 0 };
    for (const r of results) for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += r.timings[k];
    const frames = results.map((r) => toBuffer(r.jpeg));
    const out: RenderedStory = { id, frames, poster, cover, timings: { ...sum, frames_wall: t1 - t0, poster: composeMs, total: t2 - t0 } };
    await input.onStory?.(out);
    if (input.keepOutputs === false) return { ...out, frames: [], poster: Buffer.alloc(0), cover: undefined };
    return out;
  });
  pending.length = 0; // each story holds its own frames' promises: none kept past its story
  const settled = await Promise.allSettled(stories);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<RenderedStory>).value);
}

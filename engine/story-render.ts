/**
 * THE story-rendering path (fuse CLI, backend engine adapter, bench): every frame of the requested
 * stories goes to the worker pool at once (fuse + encode with the AI label, in workers); as soon as
 * one story's frames are back, its poster (the story manifest's layout, the campaign's visible
 * label, the mini-program code) and its 1:1 share cover are composed (sharp/resvg, off the event
 * loop) and the story is handed to `onStory`. Templates come from per-process caches; only JPEGs
 * travel back from the workers.
 */
import { loadCampaign } from '../templates/render';
import type { Story } from '../templates/schema';
import type { PreparedFace, FuseOptions } from './fuse';
import type { FrameResult, FrameTask } from './fuse-task';
import type { FusePool } from './worker-pool';
import { composeCover, composePoster } from './poster';
import { loadManifest, templatesDir } from './story-frames';
import type { Slot } from './slot';

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
  /** Poster + cover composition (wall clock of this story's own composition, not the wait for its turn). */
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
  /** The mini-program code (PNG) for a story's poster: wxacode online, engine/qr-code.ts locally. */
  codeFor: (storyId: string) => Promise<Buffer>;
  /** Called once per story as soon as it is complete (stories finish roughly in request order). */
  onStory?: (story: RenderedStory) => void | Promise<void>;
  /** Compose the square cover too (default true). */
  cover?: boolean;
  /** Output id written into the metadata label of every frame and poster. */
  produceId?: (storyId: string) => string;
}

const heroOnly = (slot: Slot) => (slot.role === 'hero' ? 0 : undefined);
let aiLabelText: { dir: string; text: string } | undefined;

function aiLabel(): string {
  const dir = templatesDir();
  if (aiLabelText?.dir !== dir) aiLabelText = { dir, text: loadCampaign(dir).aiLabel };
  return aiLabelText.text;
}

/**
 * Posters and covers are composed one story at a time: each composition holds a poster-size canvas
 * and the story's fused frames in libvips; eight at once cost ≈150 MB of peak memory for no gain in
 * wall time (the workers are still fusing the later stories meanwhile).
 */
let composing: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(job: () => Promise<T>): Promise<T> {
  const p = composing.then(job);
  composing = p.catch(() => undefined);
  return p;
}

/**
 * Posters and covers are composed from the frames' JPEGs, not raw pixels: a story's raw frames are
 * 11 MB held in this thread until its turn to compose comes, the JPEGs ≈ 1 MB; libvips decodes them
 * (shrinking on load where it can) off the event loop, and poster frames are drawn at about half
 * size, so quality is the same.
 */
const raw = (r: FrameResult) => Buffer.from(r.jpeg.buffer, r.jpeg.byteOffset, r.jpeg.byteLength);

async function compose(m: Story, results: FrameResult[], input: RenderStoriesInput, code: Buffer, label: string) {
  const story = { title: m.title, character: m.character, year: m.year };
  const coverIndex = Math.min(m.cover.frame, results.length - 1);
  const hero = m.frames[coverIndex]?.slots.find((s) => s.role === 'hero');
  const produceId = input.produceId?.(results[0].storyId);
  return Promise.all([
    composePoster({
      story,
      frames: results.map(raw),
      caption: input.caption,
      aiLabel: label,
      code,
      layout: m.poster,
      label: produceId ? { produceId } : undefined,
    }),
    input.cover === false
      ? Promise.resolve(undefined)
      : composeCover({
          story,
          frame: raw(results[coverIndex]),
          focus: hero ? { center: hero.pose.center, width: hero.pose.width } : undefined,
          aiLabel: label,
          accent: m.poster.accent,
        }),
  ]);
}

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
    m.frames.forEach((f, frameIndex) => {
      const a: Record<string, number> = {};
      for (const slot of f.slots as Slot[]) {
        const k = assign(slot, id, frameIndex);
        if (k !== undefined) a[slot.id] = k;
      }
      tasks.push({ storyId: id, frameIndex, assign: a, options, produceId: input.produceId?.(id) });
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
    let composeMs = 0;
    const [poster, cover] = await oneAtATime(async () => {
      const tc = performance.now();
      const out = await compose(m, results, input, codePng, label);
      composeMs = performance.now() - tc;
      return out;
    });
    const t2 = performance.now();
    const sum = { warp: 0, colour: 0, style: 0, blend: 0, fuse: 0, encode: 0 };
    for (const r of results) for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += r.timings[k];
    const frames = results.map((r) => Buffer.from(r.jpeg.buffer, r.jpeg.byteOffset, r.jpeg.byteLength));
    const out: RenderedStory = { id, frames, poster, cover, timings: { ...sum, frames_wall: t1 - t0, poster: composeMs, total: t2 - t0 } };
    await input.onStory?.(out);
    return out;
  });
  const settled = await Promise.allSettled(stories);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<RenderedStory>).value);
}

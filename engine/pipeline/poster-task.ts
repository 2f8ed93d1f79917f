/**
 * One unit of pool work after a story's frames: its poster and its 1:1 cover, composed from raw RGB
 * cut from the fused frames by the frame tasks (engine/pipeline/fuse-task.ts `thumb`: each frame already at
 * the size the poster draws it; `crop`: the cover's square) — no JPEG decode, no full-size resize —
 * in the worker that picks it up. Shared by the worker threads
 * and the in-thread fallback. The static parts (page background, title/label/hint text, the cover's
 * band) are cached per thread by engine/output/poster.ts; only the caption and the code are drawn per call.
 */
import { composeCover, composePoster } from '../output/poster';
import { loadManifest } from './story-frames';
import type { RgbPixels } from './fuse-task';

export interface PosterTask {
  storyId: string;
  templatesDir?: string;
  /**
   * The story's fused frames, RGB, indexed by frame (transferred to the worker, not copied): any
   * size (resized as the layout needs; no resize when already the drawn size); frames the poster
   * layout does not use may be absent.
   */
  frames: Array<RgbPixels | undefined>;
  /** The cover's source: the square crop of the cover frame (`coverCrop`), or the whole fused frame with `focus`. */
  coverFrame?: RgbPixels;
  coverFocus?: { center: [number, number]; width: number };
  caption?: string;
  /** The mini-program code image (PNG). */
  code: Uint8Array;
  /** Visible label text (campaign `aiLabel`). */
  aiLabel: string;
  produceId?: string;
  /** Compose the square cover too. */
  cover: boolean;
}

export interface PosterResult {
  storyId: string;
  poster: Uint8Array;
  cover?: Uint8Array;
  /** Poster + cover composition, wall clock in the thread that did it. */
  ms: number;
}

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export async function runPosterTask(task: PosterTask): Promise<PosterResult> {
  const t0 = performance.now();
  const m = loadManifest(task.storyId, task.templatesDir);
  const story = { title: m.title, character: m.character, year: m.year };
  const raw = (f: RgbPixels) => ({ data: asBuffer(f.data), width: f.width, height: f.height, channels: 3 as const });
  // a hole stays a hole: composePoster reports a frame the layout wants but did not get
  const frames = task.frames.map((f) => (f ? raw(f) : undefined)) as Array<ReturnType<typeof raw>>;
  const [poster, cover] = await Promise.all([
    composePoster({
      story,
      frames,
      caption: task.caption,
      aiLabel: task.aiLabel,
      code: asBuffer(task.code),
      layout: m.poster,
      label: task.produceId ? { produceId: task.produceId } : undefined,
    }),
    task.cover && task.coverFrame
      ? composeCover({
          story,
          frame: raw(task.coverFrame),
          focus: task.coverFocus,
          aiLabel: task.aiLabel,
          accent: m.poster.accent,
        })
      : Promise.resolve(undefined),
  ]);
  return {
    storyId: task.storyId,
    // own ArrayBuffers (sharp's Buffers may be pooled views) so they can be transferred whole
    poster: new Uint8Array(poster),
    cover: cover ? new Uint8Array(cover) : undefined,
    ms: performance.now() - t0,
  };
}

/**
 * One unit of pool work: fuse one story frame with the job's prepared faces and encode it.
 * Shared by the worker threads and the in-thread fallback so both run the same code.
 */
import { fuseFrame, type FuseOptions, type PreparedFace, type StageTimings } from './fuse';
import { encodeJpeg } from './encode';
import { loadFrame, loadManifest } from './story-frames';
import type { RgbImage } from './raster';
import type { Slot } from './slot';

export interface FrameTask {
  storyId: string;
  /** 0-based frame index in the story. */
  frameIndex: number;
  /** slot id → index into the job's faces; slots not listed keep their artwork. */
  assign: Record<string, number>;
  options: FuseOptions;
  templatesDir?: string;
  produceId?: string;
  /** Also return the fused RGB pixels (for posters), transferred, not copied. */
  raw?: boolean;
}

export interface FrameResult {
  storyId: string;
  frameIndex: number;
  jpeg: Uint8Array;
  /** Fused RGB, frame size, when the task asked for `raw`. */
  rgb?: Uint8Array;
  width: number;
  height: number;
  timings: StageTimings & { encode: number; fuse: number };
}

/**
 * Frame-sized output buffers kept per thread and reused for every frame that is not returned raw: 2.7 MB
 * allocated and freed per frame otherwise, which glibc keeps as resident heap (docs/fusion.md, "Memory").
 */
const spare: Uint8Array[] = [];

/** `image`: the decoded frame when the caller has it (workers get it from the pool), else loaded here. */
export async function runFrameTask(faces: PreparedFace[], task: FrameTask, image?: RgbImage): Promise<FrameResult> {
  const slots = loadManifest(task.storyId, task.templatesDir).frames[task.frameIndex].slots as Slot[];
  const frame = image ?? (await loadFrame(task.storyId, task.frameIndex, task.templatesDir));
  const t0 = performance.now();
  const fused = fuseFrame(
    frame,
    slots.map((slot) => ({ slot, face: task.assign[slot.id] !== undefined ? faces[task.assign[slot.id]] ?? null : null })),
    task.raw ? task.options : { ...task.options, out: spare.pop() },
  );
  const t1 = performance.now();
  const jpeg = await encodeJpeg(fused.data, fused.width, fused.height, { produceId: task.produceId });
  const t2 = performance.now();
  // back to the free list once sharp is done with it (concurrent calls each take their own)
  if (!task.raw && spare.length < 2) spare.push(fused.data);
  return {
    storyId: task.storyId,
    frameIndex: task.frameIndex,
    // copy out of sharp's (possibly pooled) Buffer so the ArrayBuffer can be transferred whole
    jpeg: new Uint8Array(jpeg),
    rgb: task.raw ? fused.data : undefined,
    width: fused.width,
    height: fused.height,
    timings: { ...fused.timings, fuse: t1 - t0, encode: t2 - t1 },
  };
}

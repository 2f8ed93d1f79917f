/**
 * One unit of pool work: fuse one story frame with the job's prepared faces and encode it.
 * Shared by the worker threads and the in-thread fallback so both run the same code.
 */
import { fuseFrame, type FuseOptions, type PreparedFace, type StageTimings } from './fuse';
import { encodeJpeg } from './encode';
import { loadStory } from './story-frames';

export interface FrameTask {
  storyId: string;
  /** 0-based frame index in the story. */
  frameIndex: number;
  /** slot id → index into the job's faces; slots not listed keep their artwork. */
  assign: Record<string, number>;
  options: FuseOptions;
  templatesDir?: string;
  produceId?: string;
}

export interface FrameResult {
  storyId: string;
  frameIndex: number;
  jpeg: Uint8Array;
  timings: StageTimings & { encode: number; fuse: number };
}

export async function runFrameTask(faces: PreparedFace[], task: FrameTask): Promise<FrameResult> {
  const story = await loadStory(task.storyId, task.templatesDir);
  const frame = story.frames[task.frameIndex];
  const t0 = performance.now();
  const fused = fuseFrame(
    frame.image,
    frame.slots.map((slot) => ({ slot, face: task.assign[slot.id] !== undefined ? faces[task.assign[slot.id]] ?? null : null })),
    task.options,
  );
  const t1 = performance.now();
  const jpeg = await encodeJpeg(fused.data, fused.width, fused.height, { produceId: task.produceId });
  const t2 = performance.now();
  return { storyId: task.storyId, frameIndex: task.frameIndex, jpeg: new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.length), timings: { ...fused.timings, fuse: t1 - t0, encode: t2 - t1 } };
}

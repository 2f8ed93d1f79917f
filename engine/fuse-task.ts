/**
 * One unit of pool work: fuse one story frame with the job's prepared faces and encode it.
 * Shared by the worker threads and the in-thread fallback so both run the same code.
 */
import { fuseFrame, type FuseOptions, type PreparedFace, type StageTimings } from './fuse';
import sharp from 'sharp';
import { encodeJpeg } from './encode';
import { coverCrop, FRAME_KERNEL } from './poster';
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
  /** Also return the frame resized (cover fit) to this size, RGB: what a poster draws (engine/poster.ts). */
  thumb?: { width: number; height: number };
  /** Also return the square a story cover crops from this frame (engine/poster.ts `coverCrop`), RGB. */
  crop?: { focus?: { center: [number, number]; width: number } };
}

/** Raw RGB pixels. */
export interface RgbPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface FrameResult {
  storyId: string;
  frameIndex: number;
  jpeg: Uint8Array;
  /** Fused RGB, frame size, when the task asked for `raw`. */
  rgb?: Uint8Array;
  thumb?: RgbPixels;
  crop?: RgbPixels;
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
  // poster pieces are cut from the raw pixels while they are at hand (no JPEG decode later)
  const [jpeg, thumb] = await Promise.all([
    encodeJpeg(fused.data, fused.width, fused.height, { produceId: task.produceId }),
    task.thumb
      ? sharp(fused.data, { raw: { width: fused.width, height: fused.height, channels: 3 } })
          .resize(task.thumb.width, task.thumb.height, { fit: 'cover', kernel: FRAME_KERNEL })
          .raw()
          .toBuffer({ resolveWithObject: true })
          .then(({ data, info }): RgbPixels => ({ data: new Uint8Array(data), width: info.width, height: info.height }))
      : undefined,
  ]);
  let crop: RgbPixels | undefined;
  if (task.crop) {
    const { left, top, side } = coverCrop(fused.width, fused.height, task.crop.focus);
    const data = new Uint8Array(side * side * 3);
    for (let y = 0; y < side; y++) data.set(fused.data.subarray(((top + y) * fused.width + left) * 3, ((top + y) * fused.width + left + side) * 3), y * side * 3);
    crop = { data, width: side, height: side };
  }
  const t2 = performance.now();
  // back to the free list once sharp is done with it (concurrent calls each take their own)
  if (!task.raw && spare.length < 2) spare.push(fused.data);
  return {
    storyId: task.storyId,
    frameIndex: task.frameIndex,
    // copy out of sharp's (possibly pooled) Buffer so the ArrayBuffer can be transferred whole
    jpeg: new Uint8Array(jpeg),
    rgb: task.raw ? fused.data : undefined,
    thumb,
    crop,
    width: fused.width,
    height: fused.height,
    timings: { ...fused.timings, fuse: t1 - t0, encode: t2 - t1 },
  };
}

/**
 * One unit of pool work: fuse one story frame with the job's prepared faces and encode it.
 * Shared by the worker threads and the in-thread fallback so both run the same code.
 */
import zlib from 'zlib';
import { promisify } from 'util';
import { fuseFrame, type FuseOptions, type PreparedFace, type StageTimings } from '../fusion/fuse';
import sharp from 'sharp';
import { encodeJpeg } from '../output/encode';
import { coverCrop, FRAME_KERNEL } from '../output/poster';
import { frameKey, loadManifest, loadPackedFrame, templatesDir, unpackFrame, type PackedFrame } from './story-frames';
import type { Slot } from '../fusion/slot';
import type { Rect, RgbImage } from '../core/raster';

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
  /** Also return the frame resized (cover fit) to this size, RGB: what a poster draws (engine/output/poster.ts). */
  thumb?: { width: number; height: number };
  /** Also return the square a story cover crops from this frame (engine/output/poster.ts `coverCrop`), RGB. */
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
  /** `unpack`: the template frame's pixels from its packed copy (engine/pipeline/story-frames.ts). */
  timings: StageTimings & { encode: number; fuse: number; unpack: number };
}

const deflate = promisify(zlib.deflate);
const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/** Per thread: each template frame's poster-size copy, packed (deflate level 1, ≈ 100 KB instead of 1.2 MB). */
const templateCopies = new Map<string, Promise<Buffer>>();

/**
 * The poster-size copy of a fused frame (fit: cover, FRAME_KERNEL), without resizing the whole frame.
 * fuseFrame changes only the pixels inside its slots' `dirty` rectangles (tested), so the copy is the template's
 * own copy (made once per thread, kept packed) with just the boxes' neighbourhood resized again from
 * the fused pixels and pasted in. That is exact when the scale is a ratio p/q of small numbers
 * (720 → 468 is 13/20): a region starting on a multiple of q source pixels lands on a multiple of p
 * output pixels with the same sampling phase, and only its outermost output pixels (cut off here) see
 * the region's edge. Measured on the 2-core machine under load: ≈ 3.5 ms (unpack the template's copy
 * 1.4 + resize the region 2.2) instead of ≈ 7 ms for the whole frame. Sizes that are not such a
 * ratio fall back to the whole-frame resize.
 */
export async function posterCopy(fused: RgbImage, template: RgbImage, key: string, size: { width: number; height: number }, boxes: Rect[]): Promise<RgbPixels> {
  const W = fused.width, H = fused.height, tw = size.width, th = size.height;
  const whole = (img: RgbImage) =>
    sharp(img.data, { raw: { width: W, height: H, channels: 3 } })
      .resize(tw, th, { fit: 'cover', kernel: FRAME_KERNEL })
      .raw()
      .toBuffer();
  const g = gcd(tw, W);
  const p = tw / g, q = W / g;
  if (th * q !== H * p || q > 64) {
    const data = await whole(fused);
    return { data: new Uint8Array(data), width: tw, height: th };
  }
  const ck = `${key}|${tw}x${th}`;
  let packed = templateCopies.get(ck);
  if (!packed) {
    packed = whole(template).then((b) => deflate(b, { level: 1 }));
    templateCopies.set(ck, packed);
    packed.catch(() => templateCopies.delete(ck));
  }
  const bytes = tw * th * 3;
  const out = zlib.inflateSync(await packed, { chunkSize: bytes + 64 });
  if (boxes.length === 0) return { data: out, width: tw, height: th };
  const CUT = 4; // output pixels at a region edge that may differ from the whole-frame resize
  const margin = q * Math.ceil((CUT + 3) / p); // source pixels around the boxes: ≥ CUT + 3 output pixels
  const r = { x0: W, y0: H, x1: 0, y1: 0 };
  for (const b of boxes) { r.x0 = Math.min(r.x0, b.x0); r.y0 = Math.min(r.y0, b.y0); r.x1 = Math.max(r.x1, b.x1); r.y1 = Math.max(r.y1, b.y1); }
  const x0 = Math.max(0, Math.floor((r.x0 - margin) / q) * q), y0 = Math.max(0, Math.floor((r.y0 - margin) / q) * q);
  const x1 = Math.min(W, Math.ceil((r.x1 + margin) / q) * q), y1 = Math.min(H, Math.ceil((r.y1 + margin) / q) * q);
  const pw = ((x1 - x0) * p) / q, ph = ((y1 - y0) * p) / q, ox = (x0 * p) / q, oy = (y0 * p) / q;
  const part = await sharp(fused.data, { raw: { width: W, height: H, channels: 3 } })
    .extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 })
    .resize(pw, ph, { kernel: FRAME_KERNEL })
    .raw()
    .toBuffer();
  // paste all but the region's cut edges (an edge on the frame's own border is exact: kept)
  const cx0 = x0 === 0 ? 0 : CUT, cy0 = y0 === 0 ? 0 : CUT, cx1 = x1 === W ? pw : pw - CUT, cy1 = y1 === H ? ph : ph - CUT;
  for (let y = cy0; y < cy1; y++) out.set(part.subarray((y * pw + cx0) * 3, (y * pw + cx1) * 3), ((oy + y) * tw + ox + cx0) * 3);
  return { data: out, width: tw, height: th };
}

/**
 * Frame-sized output buffers kept per thread and reused for every frame that is not returned raw: 2.7 MB
 * allocated and freed per frame otherwise, which glibc keeps as resident heap (docs/fusion.md, "Memory").
 */
const spare: Uint8Array[] = [];

/**
 * `packed`: the packed template frame when the caller has it (workers get it from the pool), else
 * loaded here. It is unpacked for this task only and dropped afterwards.
 */
export async function runFrameTask(faces: PreparedFace[], task: FrameTask, packed?: PackedFrame): Promise<FrameResult> {
  const slots = loadManifest(task.storyId, task.templatesDir).frames[task.frameIndex].slots as Slot[];
  const p = packed ?? (await loadPackedFrame(task.storyId, task.frameIndex, task.templatesDir));
  const tu = performance.now();
  const frame = unpackFrame(p);
  const key = frameKey(task.storyId, task.frameIndex, task.templatesDir ?? templatesDir());
  const t0 = performance.now();
  const fused = fuseFrame(
    frame,
    slots.map((slot) => ({ slot, face: task.assign[slot.id] !== undefined ? faces[task.assign[slot.id]] ?? null : null })),
    { ...task.options, frameKey: key, out: task.raw ? undefined : spare.pop() },
  );
  const t1 = performance.now();
  // poster pieces are cut from the raw pixels while they are at hand (no JPEG decode later)
  const [jpeg, thumb] = await Promise.all([
    encodeJpeg(fused.data, fused.width, fused.height, { produceId: task.produceId }),
    task.thumb ? posterCopy(fused, frame, key, task.thumb, fused.slots.map((s) => s.dirty)) : undefined,
  ]);
  let crop: RgbPixels | undefined;
  if (task.crop) {
    const { left, top, side } = coverCrop(fused.width, fused.height, task.crop.focus);
    const data = new Uint8Array(side * side * 3);
    for (let y = 0; y < side; y++) data.set(fused.data.subarray(((top + y) * fused.width + left) * 3, ((top + y) * fused.width + left + side) * 3), y * side * 3);
    crop = { data, width: side, height: side };
  }
  const t2 = performance.now();
  // back to the free list once sharp is done with it (a worker holds up to two tasks at once,
  // engine/pipeline/worker-pool.ts PIPELINE: each takes its own)
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
    timings: { ...fused.timings, fuse: t1 - t0, encode: t2 - t1, unpack: t0 - tu },
  };
}

/**
 * A worker_threads pool that fuses frames in parallel: one worker fewer than the cores
 * (`defaultPoolSize`), each holding two tasks at once (`PIPELINE`).
 *
 * - Template frames are decoded once per process and kept packed in the calling thread's cache
 *   (engine/pipeline/story-frames.ts, ≈ 170 KB per frame in a SharedArrayBuffer), and posted to a worker the
 *   first time it needs one: the worker gets a view of the same memory and unpacks the frame for
 *   each task, so the process holds the decoded pixels of the frames in flight only.
 * - A job's prepared faces (≈1.5 MB of Float32 planes) are posted once per worker per job, then
 *   frames are handed out one at a time to whichever worker has room (no straggler at the end).
 * - `submit` returns one promise per frame, so callers can act on a story as soon as its own frames
 *   are done (engine/pipeline/story-render.ts); `run` waits for all of them.
 * - TypeScript in workers: under tsx or ts-jest the worker is started through a tiny CommonJS
 *   bootstrap that registers tsx's require hook (`tsx/cjs`) and then loads fuse-worker.ts; in a
 *   bundle (dist/cloudfunctions/<name>/fuse-worker.js next to index.js, built by
 *   scripts/build-functions.ts) the JS file is loaded directly.
 * - `submitPoster` queues a story's poster + cover (engine/pipeline/poster-task.ts) AHEAD of waiting frames:
 *   the raw pixels it needs (cut from each fused frame by its frame task) are transferred to whichever worker is idle next and are released
 *   as soon as the poster is done, so at most a couple of stories' raw frames are alive at once.
 * - If workers cannot start at all, the pool runs frames in the calling thread (same code path:
 *   engine/pipeline/fuse-task.ts), so callers never need two code paths.
 */
import os from 'os';
import fs from 'fs';
import path from 'path';
import { Worker } from 'worker_threads';
import { AppError, isErrorCode } from '../core/errors';
import { runFrameTask, type FrameTask, type FrameResult } from './fuse-task';
import { runPosterTask, type PosterTask, type PosterResult } from './poster-task';
import { frameKey, loadPackedFrame, templatesDir, type PackedFrame } from './story-frames';
import type { PreparedFace } from '../fusion/fuse';

export interface WorkerMemory { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number }
interface Slot { worker: Worker; running: number; jobsSent: Set<number>; framesSent: Set<string> }
type Pending =
  | { kind: 'frame'; jobId: number; task: FrameTask; key: string; packed: PackedFrame; resolve: (r: FrameResult) => void; reject: (e: unknown) => void }
  | { kind: 'poster'; task: PosterTask; transfer: ArrayBuffer[]; resolve: (r: PosterResult) => void; reject: (e: unknown) => void };

/** The worker script: the bundled JS beside this file, else the TypeScript source through tsx. */
export function workerScript(dir = __dirname): { file: string; bundled: boolean } {
  const js = path.join(dir, 'fuse-worker.js');
  if (fs.existsSync(js)) return { file: js, bundled: true };
  return { file: path.join(dir, 'fuse-worker.ts'), bundled: false };
}

/**
 * Tasks a worker holds at once. Two: while sharp encodes one frame's JPEG and makes its poster copy
 * on libuv's threads, the worker's own thread already fuses the next frame (with one task at a time
 * it idled ≈ 25 % of each frame waiting for the encode).
 */
export const PIPELINE = 2;

/**
 * The pool size: FUSE_WORKERS when set (a whole number ≥ 1), else one worker fewer than the cores, at
 * least one. The calling thread and libuv's threads — the JPEG encodes and poster copies of
 * PIPELINE, PNG decodes, model runs — keep the last core busy, and every worker costs ≈ 40–70 MB
 * (its own V8 heap and caches, sharp's and resvg's buffers). Measured on the 2-core machine
 * (docs/fusion.md, "Memory"): one pipelined worker fused the 32 frames as fast as two workers
 * (≈ 0.7 s), with the fuse CLI's peak ≈ 280 MB instead of ≈ 345 MB.
 */
export function defaultPoolSize(): number {
  const env = Number(process.env.FUSE_WORKERS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.max(1, (os.availableParallelism?.() ?? os.cpus().length) - 1);
}

/**
 * A small young generation for the workers: V8's default (16 MB semi-spaces) held ≈ 30–45 MB of
 * heap per worker although its live JS data is ≈ 10 MB (the pixels live in ArrayBuffers, outside the
 * heap); 4 MB gives a ≈ 15 MB heap, no measurable change in frame time (docs/fusion.md, "Memory").
 */
const WORKER_YOUNG_GENERATION_MB = 4;

function startWorker(): Worker {
  const { file, bundled } = workerScript();
  const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
  if (bundled) return new Worker(file, { resourceLimits });
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true, resourceLimits });
}

export class FusePool {
  readonly size: number;
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private running = new Map<number, Pending & { slot: Slot }>();
  private faces = new Map<number, PreparedFace[]>();
  private nextTask = 1;
  private nextJob = 1;
  private openJobs = 0;
  private inThread: boolean;
  private inThreadChain: Promise<unknown> = Promise.resolve();
  private memoryAsks = new Map<number, (m: WorkerMemory) => void>();

  constructor(size = defaultPoolSize(), opts: { inThread?: boolean } = {}) {
    this.size = size;
    this.inThread = opts.inThread ?? false;
    if (!this.inThread) {
      try {
        for (let i = 0; i < size; i++) this.slots.push(this.spawn());
      } catch {
        this.slots.forEach((s) => void s.worker.terminate());
        this.slots = [];
        this.inThread = true;
      }
    }
  }

  get mode(): 'workers' | 'in-thread' { return this.inThread ? 'in-thread' : 'workers'; }

  private spawn(): Slot {
    const worker = startWorker();
    const slot: Slot = { worker, running: 0, jobsSent: new Set(), framesSent: new Set() };
    if (this.openJobs === 0) worker.unref();
    worker.on('message', (m: { type: string; taskId: number; result?: FrameResult & PosterResult; error?: { code: string; message: string }; reason?: string; memory?: WorkerMemory }) => {
      if (m.type === 'memory') {
        this.memoryAsks.get(m.taskId)?.(m.memory!);
        this.memoryAsks.delete(m.taskId);
        return;
      }
      const p = this.running.get(m.taskId);
      if (!p) return;
      this.running.delete(m.taskId);
      slot.running--;
      if (m.type === 'done') (p.resolve as (r: unknown) => void)(m.result!);
      else p.reject(new AppError(isErrorCode(m.error?.code) ? m.error!.code : 'INTERNAL', { reason: m.reason }));
      this.pump();
    });
    worker.on('error', (err) => {
      for (const [id, p] of this.running) if (p.slot === slot) { this.running.delete(id); p.reject(err); }
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = this.spawn();
      this.pump();
    });
    return slot;
  }

  /**
   * Fuse many frames with one set of faces. One promise per task, in task order; each settles as
   * soon as its frame is done.
   */
  submit(faces: PreparedFace[], tasks: FrameTask[]): Promise<FrameResult>[] {
    if (this.inThread) {
      return tasks.map((t) => {
        const p = this.inThreadChain.then(() => runFrameTask(faces, t));
        this.inThreadChain = p.catch(() => undefined);
        return p;
      });
    }
    const jobId = this.nextJob++;
    this.faces.set(jobId, faces);
    this.open();
    const promises = tasks.map((task) =>
      // Decoded and packed (once per process) in this thread; workers get the shared memory.
      loadPackedFrame(task.storyId, task.frameIndex, task.templatesDir).then(
        (packed) =>
          new Promise<FrameResult>((resolve, reject) => {
            this.queue.push({ kind: 'frame', jobId, task, key: frameKey(task.storyId, task.frameIndex, task.templatesDir ?? templatesDir()), packed, resolve, reject });
            this.pump();
          }),
      ),
    );
    // the job ends when its last frame settles (counted: Promise.allSettled would hold every
    // frame's result, JPEG included, until then)
    let left = promises.length;
    const settled = () => {
      if (--left > 0) return;
      this.faces.delete(jobId);
      for (const s of this.slots) if (s.jobsSent.delete(jobId)) s.worker.postMessage({ type: 'end', jobId });
      this.close_();
    };
    if (left === 0) { left = 1; settled(); }
    for (const p of promises) p.then(settled, settled);
    return promises;
  }

  /** Workers keep the process alive while any job or poster is open. */
  private open(): void {
    if (this.openJobs++ === 0) this.slots.forEach((s) => s.worker.ref());
  }

  private close_(): void {
    if (--this.openJobs === 0) this.slots.forEach((s) => s.worker.unref());
  }

  /**
   * Compose a story's poster and cover in a worker. The pixels' ArrayBuffers are transferred (they
   * are unusable in this thread afterwards). Runs before any frame still waiting in the queue.
   */
  submitPoster(task: PosterTask): Promise<PosterResult> {
    if (this.inThread) {
      const p = this.inThreadChain.then(() => runPosterTask(task));
      this.inThreadChain = p.catch(() => undefined);
      return p;
    }
    // buffers the pixels own only (a view into a larger, possibly pooled buffer is copied instead;
    // zlib's outputs keep a few spare bytes at the end, engine/pipeline/fuse-task.ts)
    const pixels = [...task.frames, task.coverFrame].filter((f): f is NonNullable<typeof f> => !!f);
    const owned = (u: Uint8Array) => u.byteOffset === 0 && !(u.buffer instanceof SharedArrayBuffer) && u.buffer.byteLength - u.byteLength <= 64;
    const transfer = [...new Set(pixels.filter((f) => owned(f.data)).map((f) => f.data.buffer as ArrayBuffer))];
    this.open();
    const p = new Promise<PosterResult>((resolve, reject) => {
      this.queue.unshift({ kind: 'poster', task, transfer, resolve, reject });
      this.pump();
    });
    void p.then(
      () => this.close_(),
      () => this.close_(),
    );
    return p;
  }

  /** Fuse many frames with one set of faces; results in task order. */
  run(faces: PreparedFace[], tasks: FrameTask[]): Promise<FrameResult[]> {
    return Promise.all(this.submit(faces, tasks));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      // the least busy worker with room: every worker gets a task before any gets a second
      let slot: Slot | undefined;
      for (const s of this.slots) if (s.running < PIPELINE && (!slot || s.running < slot.running)) slot = s;
      if (!slot) return;
      const p = this.queue.shift()!;
      if (p.kind === 'poster') {
        const taskId = this.nextTask++;
        slot.running++;
        this.running.set(taskId, { ...p, slot });
        slot.worker.postMessage({ type: 'poster', taskId, task: p.task }, p.transfer);
        continue;
      }
      if (!slot.jobsSent.has(p.jobId)) {
        slot.worker.postMessage({ type: 'faces', jobId: p.jobId, faces: this.faces.get(p.jobId) });
        slot.jobsSent.add(p.jobId);
      }
      const taskId = this.nextTask++;
      slot.running++;
      this.running.set(taskId, { ...p, slot });
      const first = !slot.framesSent.has(p.key);
      slot.framesSent.add(p.key);
      // A SharedArrayBuffer-backed packed frame is shared with the worker, not copied.
      slot.worker.postMessage({ type: 'frame', jobId: p.jobId, taskId, task: p.task, frameKey: p.key, packed: first ? p.packed : undefined });
    }
  }

  /** Each worker's V8 heap and external memory, in bytes (for the bench; answered between tasks). */
  async workerMemory(): Promise<WorkerMemory[]> {
    return Promise.all(
      this.slots.map(
        (s) =>
          new Promise<WorkerMemory>((resolve) => {
            const id = this.nextTask++;
            this.memoryAsks.set(id, resolve);
            s.worker.ref();
            s.worker.postMessage({ type: 'memory', taskId: id });
          }),
      ),
    ).finally(() => {
      if (this.openJobs === 0) this.slots.forEach((s) => s.worker.unref());
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }
}

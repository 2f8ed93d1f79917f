/**
 * A worker_threads pool that fuses frames in parallel, sized to the cores.
 *
 * - Template frames are decoded once per process, in the calling thread's cache
 *   (engine/story-frames.ts, SharedArrayBuffer), and posted to a worker the first time it needs
 *   one: the worker gets a view of the same memory, so N workers add no copies of the templates.
 * - A job's prepared faces (≈1.5 MB of Float32 planes) are posted once per worker per job, then
 *   frames are handed out one at a time to whichever worker is idle (no straggler at the end).
 * - `submit` returns one promise per frame, so callers can act on a story as soon as its own frames
 *   are done (engine/story-render.ts); `run` waits for all of them.
 * - TypeScript in workers: under tsx or ts-jest the worker is started through a tiny CommonJS
 *   bootstrap that registers tsx's require hook (`tsx/cjs`) and then loads fuse-worker.ts; in a
 *   bundle (dist/cloudfunctions/<name>/fuse-worker.js next to index.js, built by
 *   scripts/build-functions.ts) the JS file is loaded directly.
 * - `submitPoster` queues a story's poster + cover (engine/poster-task.ts) AHEAD of waiting frames:
 *   the raw pixels it needs (cut from each fused frame by its frame task) are transferred to whichever worker is idle next and are released
 *   as soon as the poster is done, so at most a couple of stories' raw frames are alive at once.
 * - If workers cannot start at all, the pool runs frames in the calling thread (same code path:
 *   engine/fuse-task.ts), so callers never need two code paths.
 */
import os from 'os';
import fs from 'fs';
import path from 'path';
import { Worker } from 'worker_threads';
import { AppError, isErrorCode } from './errors';
import { runFrameTask, type FrameTask, type FrameResult } from './fuse-task';
import { runPosterTask, type PosterTask, type PosterResult } from './poster-task';
import { frameKey, loadFrame, templatesDir } from './story-frames';
import type { PreparedFace } from './fuse';
import type { RgbImage } from './raster';

interface Slot { worker: Worker; busy: boolean; jobsSent: Set<number>; framesSent: Set<string> }
type Pending =
  | { kind: 'frame'; jobId: number; task: FrameTask; key: string; image: RgbImage; resolve: (r: FrameResult) => void; reject: (e: unknown) => void }
  | { kind: 'poster'; task: PosterTask; transfer: ArrayBuffer[]; resolve: (r: PosterResult) => void; reject: (e: unknown) => void };

/** The worker script: the bundled JS beside this file, else the TypeScript source through tsx. */
export function workerScript(dir = __dirname): { file: string; bundled: boolean } {
  const js = path.join(dir, 'fuse-worker.js');
  if (fs.existsSync(js)) return { file: js, bundled: true };
  return { file: path.join(dir, 'fuse-worker.ts'), bundled: false };
}

function startWorker(): Worker {
  const { file, bundled } = workerScript();
  if (bundled) return new Worker(file);
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true });
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

  constructor(size = Math.max(1, os.availableParallelism?.() ?? os.cpus().length), opts: { inThread?: boolean } = {}) {
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
    const slot: Slot = { worker, busy: false, jobsSent: new Set(), framesSent: new Set() };
    if (this.openJobs === 0) worker.unref();
    worker.on('message', (m: { type: string; taskId: number; result?: FrameResult & PosterResult; error?: { code: string; message: string }; reason?: string }) => {
      const p = this.running.get(m.taskId);
      if (!p) return;
      this.running.delete(m.taskId);
      slot.busy = false;
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
      // Decoded (once per process) in this thread; workers get the shared memory.
      loadFrame(task.storyId, task.frameIndex, task.templatesDir).then(
        (image) =>
          new Promise<FrameResult>((resolve, reject) => {
            this.queue.push({ kind: 'frame', jobId, task, key: frameKey(task.storyId, task.frameIndex, task.templatesDir ?? templatesDir()), image, resolve, reject });
            this.pump();
          }),
      ),
    );
    void Promise.allSettled(promises).then(() => {
      this.faces.delete(jobId);
      for (const s of this.slots) if (s.jobsSent.delete(jobId)) s.worker.postMessage({ type: 'end', jobId });
      this.close_();
    });
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
    // whole ArrayBuffers only (a view into a larger, possibly pooled buffer is copied instead)
    const pixels = [...task.frames, task.coverFrame].filter((f): f is NonNullable<typeof f> => !!f);
    const transfer = [...new Set(pixels.filter((f) => f.data.byteOffset === 0 && f.data.byteLength === f.data.buffer.byteLength).map((f) => f.data.buffer as ArrayBuffer))];
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
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const p = this.queue.shift()!;
      if (p.kind === 'poster') {
        const taskId = this.nextTask++;
        slot.busy = true;
        this.running.set(taskId, { ...p, slot });
        slot.worker.postMessage({ type: 'poster', taskId, task: p.task }, p.transfer);
        continue;
      }
      if (!slot.jobsSent.has(p.jobId)) {
        slot.worker.postMessage({ type: 'faces', jobId: p.jobId, faces: this.faces.get(p.jobId) });
        slot.jobsSent.add(p.jobId);
      }
      const taskId = this.nextTask++;
      slot.busy = true;
      this.running.set(taskId, { ...p, slot });
      const first = !slot.framesSent.has(p.key);
      slot.framesSent.add(p.key);
      // A SharedArrayBuffer-backed image is shared with the worker, not copied.
      slot.worker.postMessage({ type: 'frame', jobId: p.jobId, taskId, task: p.task, frameKey: p.key, image: first ? p.image : undefined });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }
}

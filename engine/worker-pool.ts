/**
 * A worker_threads pool that fuses frames in parallel, sized to the cores.
 *
 * - Workers load templates once and keep them (engine/story-frames.ts caches per thread).
 * - A job's prepared faces (≈1.5 MB of Float32 planes) are posted once per worker per job, then
 *   frames are handed out one at a time to whichever worker is idle (no straggler at the end).
 * - TypeScript in workers: under tsx or ts-jest the worker is started through a tiny CommonJS
 *   bootstrap that registers tsx's require hook (`tsx/cjs`) and then loads fuse-worker.ts; in a
 *   bundled build (fuse-worker.js next to this file) the JS file is loaded directly.
 * - If workers cannot start at all, the pool runs frames in the calling thread (same code path:
 *   engine/fuse-task.ts), so callers never need two code paths.
 */
import os from 'os';
import fs from 'fs';
import path from 'path';
import { Worker } from 'worker_threads';
import { AppError, isErrorCode } from './errors';
import { runFrameTask, type FrameTask, type FrameResult } from './fuse-task';
import type { PreparedFace } from './fuse';

interface Slot { worker: Worker; busy: boolean; jobsSent: Set<number> }
interface Pending { jobId: number; task: FrameTask; resolve: (r: FrameResult) => void; reject: (e: unknown) => void }

function startWorker(): Worker {
  const js = path.join(__dirname, 'fuse-worker.js');
  if (fs.existsSync(js)) return new Worker(js);
  const ts = path.join(__dirname, 'fuse-worker.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(ts)});`, { eval: true });
}

export class FusePool {
  readonly size: number;
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private running = new Map<number, Pending & { slot: Slot }>();
  private faces = new Map<number, PreparedFace[]>();
  private nextTask = 1;
  private nextJob = 1;
  private inThread: boolean;

  constructor(size = Math.max(1, os.availableParallelism?.() ?? os.cpus().length), opts: { inThread?: boolean } = {}) {
    this.size = size;
    this.inThread = opts.inThread ?? false;
    if (!this.inThread) {
      try {
        for (let i = 0; i < size; i++) this.slots.push(this.spawn());
      } catch {
        this.inThread = true;
      }
    }
  }

  get mode(): 'workers' | 'in-thread' { return this.inThread ? 'in-thread' : 'workers'; }

  private spawn(): Slot {
    const worker = startWorker();
    const slot: Slot = { worker, busy: false, jobsSent: new Set() };
    worker.unref();
    worker.on('message', (m: { type: string; taskId: number; result?: FrameResult; error?: { code: string; message: string }; reason?: string }) => {
      const p = this.running.get(m.taskId);
      if (!p) return;
      this.running.delete(m.taskId);
      slot.busy = false;
      if (m.type === 'done') p.resolve(m.result!);
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

  /** Fuse many frames with one set of faces; results in task order. */
  async run(faces: PreparedFace[], tasks: FrameTask[]): Promise<FrameResult[]> {
    if (this.inThread) {
      const out: FrameResult[] = [];
      for (const t of tasks) out.push(await runFrameTask(faces, t));
      return out;
    }
    const jobId = this.nextJob++;
    this.faces.set(jobId, faces);
    this.slots.forEach((s) => s.worker.ref());
    try {
      return await Promise.all(tasks.map((task) => new Promise<FrameResult>((resolve, reject) => { this.queue.push({ jobId, task, resolve, reject }); this.pump(); })));
    } finally {
      this.faces.delete(jobId);
      for (const s of this.slots) if (s.jobsSent.delete(jobId)) s.worker.postMessage({ type: 'end', jobId });
      if (this.running.size === 0 && this.queue.length === 0) this.slots.forEach((s) => s.worker.unref());
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const p = this.queue.shift()!;
      if (!slot.jobsSent.has(p.jobId)) {
        slot.worker.postMessage({ type: 'faces', jobId: p.jobId, faces: this.faces.get(p.jobId) });
        slot.jobsSent.add(p.jobId);
      }
      const taskId = this.nextTask++;
      slot.busy = true;
      this.running.set(taskId, { ...p, slot });
      slot.worker.postMessage({ type: 'frame', jobId: p.jobId, taskId, task: p.task });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }
}

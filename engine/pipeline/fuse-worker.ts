/**
 * Worker thread body for engine/pipeline/worker-pool.ts. Holds the current jobs' prepared faces until each
 * job ends, and the packed template frames it was sent (engine/pipeline/story-frames.ts): views over the
 * main thread's SharedArrayBuffers, so no worker decodes a PNG; a frame is unpacked per task and
 * dropped after it. Also composes posters and covers (engine/pipeline/poster-task.ts).
 */
import { parentPort } from 'worker_threads';
import { runFrameTask, type FrameTask } from './fuse-task';
import { runPosterTask, type PosterTask } from './poster-task';
import { toErrorPayload } from '../core/errors';
import type { PreparedFace } from '../fusion/fuse';
import type { PackedFrame } from './story-frames';

const jobs = new Map<number, PreparedFace[]>();
const frames = new Map<string, PackedFrame>();

interface Message {
  type: 'faces' | 'end' | 'frame' | 'poster' | 'memory';
  jobId: number;
  faces?: PreparedFace[];
  taskId?: number;
  task?: FrameTask | PosterTask;
  frameKey?: string;
  packed?: PackedFrame;
}

parentPort!.on('message', async (msg: Message) => {
  if (msg.type === 'faces') { jobs.set(msg.jobId, msg.faces!); return; }
  if (msg.type === 'end') { jobs.delete(msg.jobId); return; }
  if (msg.type === 'memory') {
    // this thread's V8 heap and external memory (the bench reports them; RSS is the process's)
    const m = process.memoryUsage();
    parentPort!.postMessage({ type: 'memory', taskId: msg.taskId, memory: { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers } });
    return;
  }
  if (msg.type === 'frame') {
    try {
      if (msg.packed) frames.set(msg.frameKey!, msg.packed);
      const r = await runFrameTask(jobs.get(msg.jobId) ?? [], msg.task as FrameTask, msg.frameKey ? frames.get(msg.frameKey) : undefined);
      const transfer = [r.jpeg.buffer as ArrayBuffer];
      if (r.rgb) transfer.push(r.rgb.buffer as ArrayBuffer);
      if (r.thumb) transfer.push(r.thumb.data.buffer as ArrayBuffer);
      if (r.crop) transfer.push(r.crop.data.buffer as ArrayBuffer);
      parentPort!.postMessage({ type: 'done', taskId: msg.taskId, result: r }, transfer);
    } catch (err) {
      parentPort!.postMessage({ type: 'error', taskId: msg.taskId, error: toErrorPayload(err), reason: err instanceof Error ? err.message : String(err) });
    }
  }
  if (msg.type === 'poster') {
    try {
      const r = await runPosterTask(msg.task as PosterTask);
      const transfer = [r.poster.buffer as ArrayBuffer];
      if (r.cover) transfer.push(r.cover.buffer as ArrayBuffer);
      parentPort!.postMessage({ type: 'done', taskId: msg.taskId, result: r }, transfer);
    } catch (err) {
      parentPort!.postMessage({ type: 'error', taskId: msg.taskId, error: toErrorPayload(err), reason: err instanceof Error ? err.message : String(err) });
    }
  }
});

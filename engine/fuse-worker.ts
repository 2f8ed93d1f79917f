/**
 * Worker thread body for engine/worker-pool.ts. Holds the current jobs' prepared faces until each
 * job ends, and the template frames it was sent: views over the main thread's SharedArrayBuffers,
 * so no worker decodes or copies a frame. Also composes posters and covers (engine/poster-task.ts).
 */
import { parentPort } from 'worker_threads';
import { runFrameTask, type FrameTask } from './fuse-task';
import { runPosterTask, type PosterTask } from './poster-task';
import { toErrorPayload } from './errors';
import type { PreparedFace } from './fuse';
import type { RgbImage } from './raster';

const jobs = new Map<number, PreparedFace[]>();
const frames = new Map<string, RgbImage>();

interface Message {
  type: 'faces' | 'end' | 'frame' | 'poster';
  jobId: number;
  faces?: PreparedFace[];
  taskId?: number;
  task?: FrameTask | PosterTask;
  frameKey?: string;
  image?: RgbImage;
}

parentPort!.on('message', async (msg: Message) => {
  if (msg.type === 'faces') { jobs.set(msg.jobId, msg.faces!); return; }
  if (msg.type === 'end') { jobs.delete(msg.jobId); return; }
  if (msg.type === 'frame') {
    try {
      if (msg.image) frames.set(msg.frameKey!, msg.image);
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

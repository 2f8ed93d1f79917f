/**
 * Worker thread body for engine/worker-pool.ts. Keeps decoded templates (story-frames cache) for
 * its lifetime and the current job's prepared faces until the job ends.
 */
import { parentPort } from 'worker_threads';
import { runFrameTask, type FrameTask } from './fuse-task';
import { toErrorPayload } from './errors';
import type { PreparedFace } from './fuse';

const jobs = new Map<number, PreparedFace[]>();

parentPort!.on('message', async (msg: { type: string; jobId: number; faces?: PreparedFace[]; taskId?: number; task?: FrameTask }) => {
  if (msg.type === 'faces') { jobs.set(msg.jobId, msg.faces!); return; }
  if (msg.type === 'end') { jobs.delete(msg.jobId); return; }
  if (msg.type === 'frame') {
    try {
      const r = await runFrameTask(jobs.get(msg.jobId) ?? [], msg.task!);
      parentPort!.postMessage({ type: 'done', taskId: msg.taskId, result: r }, [r.jpeg.buffer as ArrayBuffer]);
    } catch (err) {
      parentPort!.postMessage({ type: 'error', taskId: msg.taskId, error: toErrorPayload(err), reason: err instanceof Error ? err.message : String(err) });
    }
  }
});

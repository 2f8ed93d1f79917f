import os from 'node:os';
import { boundedQueue } from '../domain/limits';
import { loadSettings } from '../domain/settings';
import type { FaceEngine } from '../engine-port';
import type { Services } from '../functions/types';

/**
 * Per-process services shared by every invocation an instance serves: the engine (models and
 * templates loaded once, on first use) and the bounded fusion queue (one slot per core, a short
 * waiting line, BUSY beyond it).
 */
export function createServices(loadEngine: () => FaceEngine, opts: { concurrency?: number; maxWaiting?: number } = {}): Services {
  let engine: FaceEngine | undefined;
  const concurrency = opts.concurrency ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return {
    engine: () => (engine ??= loadEngine()),
    queue: boundedQueue(concurrency, opts.maxWaiting ?? concurrency * 4),
    settings: loadSettings(),
  };
}

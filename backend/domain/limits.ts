import { AppError } from '../../engine/core/errors';
import type { Ports } from '../ports';

/**
 * Per-user quotas (fixed windows, counted in the document store so every instance sees them) and
 * a bounded fusion queue per instance (BUSY instead of running out of memory).
 */
export interface QuotaRule {
  action: string;
  limit: number;
  windowMs: number;
}

export const QUOTAS = {
  upload: { action: 'upload', limit: 20, windowMs: 10 * 60_000 },
  analyze: { action: 'analyze', limit: 20, windowMs: 10 * 60_000 },
  fuse: { action: 'fuse', limit: 80, windowMs: 10 * 60_000 },
  share: { action: 'share', limit: 60, windowMs: 10 * 60_000 },
} satisfies Record<string, QuotaRule>;

interface QuotaDoc {
  _id: string;
  owner: string;
  createdAt: number;
  expiresAt: number;
  count: number;
}

/** Counts one use; RATE_LIMITED with retry-after when the window is full. Races may overshoot by a few. */
export async function takeQuota(ports: Ports, userId: string, rule: QuotaRule): Promise<void> {
  const now = ports.clock.now();
  const windowStart = now - (now % rule.windowMs);
  const id = `${userId}:${rule.action}:${windowStart}`;
  const doc = await ports.docs.get<QuotaDoc>('quota', id);
  const count = (doc?.count ?? 0) + 1;
  if (count > rule.limit) {
    throw new AppError('RATE_LIMITED', { details: { retryAfterSeconds: Math.ceil((windowStart + rule.windowMs - now) / 1000) } });
  }
  await ports.docs.put<QuotaDoc>('quota', { _id: id, owner: userId, createdAt: doc?.createdAt ?? now, expiresAt: windowStart + rule.windowMs, count });
}

export interface WorkQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
  stats(): { running: number; waiting: number };
}

/**
 * At most `concurrency` tasks run, at most `maxWaiting` wait; beyond that the caller gets BUSY
 * with a retry-after estimated from the queue length.
 */
export function boundedQueue(concurrency: number, maxWaiting: number, typicalTaskSeconds = 2): WorkQueue {
  let running = 0;
  const waiting: Array<() => void> = [];
  const next = () => {
    if (running < concurrency && waiting.length) {
      running++;
      waiting.shift()!();
    }
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running >= concurrency && waiting.length >= maxWaiting) {
        const retry = Math.max(1, Math.ceil(((waiting.length + running) / concurrency) * typicalTaskSeconds));
        throw new AppError('BUSY', { details: { retryAfterSeconds: retry } });
      }
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        next();
      });
      try {
        return await task();
      } finally {
        running--;
        next();
      }
    },
    stats: () => ({ running, waiting: waiting.length }),
  };
}

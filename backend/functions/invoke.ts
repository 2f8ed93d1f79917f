import { AppError, toErrorPayload } from '../../engine/core/errors';
import { describeError, log, redact } from '../log';
import type { FnContext, FnDefinition, FnResult } from './types';

/** Largest event a function accepts (photos travel through storage, never in events). */
export const MAX_EVENT_BYTES = 64 * 1024;

/**
 * Runs one function with the shared rules: identity required unless the function allows
 * anonymous callers, errors become `{ok:false,error}` with a Chinese message, timing is logged.
 * Both runtimes (WeChat and local) call this, so behaviour is the same on both.
 */
export async function invoke<T>(fn: FnDefinition<T>, event: unknown, ctx: FnContext): Promise<FnResult<T>> {
  const started = Date.now();
  try {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw new AppError('INVALID_ARGUMENT', { reason: 'event must be an object' });
    }
    if (!fn.allowAnonymous && !ctx.caller) throw new AppError('FORBIDDEN', { reason: 'login required' });
    const data = await fn.run(event as Record<string, unknown>, ctx);
    log('info', 'fn ok', { fn: fn.name, ms: Date.now() - started });
    return { ok: true, data };
  } catch (err) {
    const payload = toErrorPayload(err);
    log(payload.code === 'INTERNAL' ? 'error' : 'info', 'fn failed', { fn: fn.name, code: payload.code, ms: Date.now() - started, reason: describeError(err) });
    if (payload.code === 'INTERNAL' && process.env.NODE_ENV !== 'production' && !(err instanceof AppError) && process.env.LOG_LEVEL !== 'silent') {
      // Stack only (redacted like the log), never the event: it may carry file IDs.
      process.stderr.write(redact(String((err as Error)?.stack ?? err)) + '\n');
    }
    return { ok: false, error: payload };
  }
}

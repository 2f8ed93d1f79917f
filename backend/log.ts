/**
 * Structured logs, one JSON line each. Only whitelisted scalar fields pass: no face bytes, no
 * photo URLs or file IDs, no raw OPENIDs can reach a log by accident. The one free-text field,
 * `reason` (an AppError's developer reason or an error's message), is redacted on the way out.
 */
import { AppError } from '../engine/core/errors';

export type LogFields = Record<string, string | number | boolean | undefined>;

const ALLOWED = new Set(['fn', 'code', 'ms', 'status', 'event', 'port', 'dataDir', 'version', 'count', 'stage', 'method', 'path', 'reason', 'runs', 'files']);

/**
 * Free text with anything that could name a file or a person taken out: URLs and cloud file IDs,
 * file system paths (they hold user ids), long opaque tokens (user ids, OPENIDs, share tokens);
 * at most 300 characters.
 */
export function redact(text: string): string {
  return text
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, '[url]')
    .replace(/(?:[A-Za-z]:)?(?:[\\/][^\s\\/'"`:,;()[\]]+){2,}[\\/]?/g, '[path]')
    .replace(/[A-Za-z0-9_-]{16,}/g, '[id]')
    .slice(0, 300);
}

/** What went wrong, for the log: an AppError's reason, else the error's name, code and message. */
export function describeError(err: unknown): string {
  if (err instanceof AppError) return err.reason ?? err.code;
  // Duck-typed, not `instanceof Error`: errors from Node's own modules may come from another realm.
  if (err && typeof err === 'object' && typeof (err as Error).message === 'string') {
    const { name = 'Error', code, message } = err as NodeJS.ErrnoException;
    return `${name}${typeof code === 'string' ? ` ${code}` : ''}: ${message}`;
  }
  return String(err);
}

export function log(level: 'info' | 'warn' | 'error', msg: string, fields: LogFields = {}): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  const safe: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!ALLOWED.has(key) || value === undefined) continue;
    safe[key] = key === 'reason' ? redact(String(value)) : value;
  }
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...safe });
  (level === 'error' ? process.stderr : process.stdout).write(line + '\n');
}

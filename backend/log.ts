/**
 * Structured logs, one JSON line each. Only whitelisted scalar fields pass: no face bytes, no
 * photo URLs or file IDs, no raw OPENIDs can reach a log by accident.
 */
export type LogFields = Record<string, string | number | boolean | undefined>;

const ALLOWED = new Set(['fn', 'code', 'ms', 'status', 'event', 'port', 'dataDir', 'version', 'count', 'stage', 'method', 'path']);

export function log(level: 'info' | 'warn' | 'error', msg: string, fields: LogFields = {}): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  const safe: LogFields = {};
  for (const [key, value] of Object.entries(fields)) if (ALLOWED.has(key)) safe[key] = value;
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...safe });
  (level === 'error' ? process.stderr : process.stdout).write(line + '\n');
}

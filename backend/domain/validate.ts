import { AppError } from '../../engine/core/errors';

/** Small event readers: every bad field becomes INVALID_ARGUMENT naming the field. */
const bad = (field: string, reason: string) => new AppError('INVALID_ARGUMENT', { reason: `${field}: ${reason}`, details: { field } });

export function str(event: Record<string, unknown>, field: string, opts: { max?: number; pattern?: RegExp; optional?: boolean } = {}): string | undefined {
  const v = event[field];
  if (v === undefined || v === null || v === '') {
    if (opts.optional) return undefined;
    throw bad(field, 'required');
  }
  if (typeof v !== 'string') throw bad(field, 'must be a string');
  if (v.length > (opts.max ?? 200)) throw bad(field, 'too long');
  if (opts.pattern && !opts.pattern.test(v)) throw bad(field, 'bad format');
  return v;
}

export function int(event: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const v = event[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(field, `must be an integer ${min}–${max}`);
  return v;
}

export function bool(event: Record<string, unknown>, field: string): boolean | undefined {
  const v = event[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw bad(field, 'must be true or false');
  return v;
}

/** Request ids and tokens: URL-safe, bounded. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

import { AppError } from '../../engine/core/errors';

/** Small event readers: every bad field becomes INVALID_ARGUMENT naming the field. */
const bad = (field: string, reason: string) => new AppError('INVALID_ARGUMENT', { reason: `${field}: ${reason}`, details: { field } });

/** Control characters and unpaired surrogates: never valid in any field (NUL, escapes, broken UTF-16). */
const CONTROL = /[\p{Cc}\p{Cs}]/u;
/**
 * What text drawn on a poster may hold: no invisible format characters (bidi overrides, zero
 * widths), private-use or unassigned code points, and no emoji (the poster fonts have no glyphs
 * for them: they would be drawn as empty boxes).
 */
const NOT_DRAWABLE = /[\p{Cf}\p{Co}\p{Cn}\p{Extended_Pictographic}\u{FE0F}]/u;

export function str(
  event: Record<string, unknown>,
  field: string,
  opts: { max?: number; pattern?: RegExp; optional?: boolean; drawable?: boolean } = {},
): string | undefined {
  const v = event[field];
  if (v === undefined || v === null || v === '') {
    if (opts.optional) return undefined;
    throw bad(field, 'required');
  }
  if (typeof v !== 'string') throw bad(field, 'must be a string');
  if (v.length > (opts.max ?? 200)) throw bad(field, 'too long');
  if (CONTROL.test(v)) throw bad(field, 'control characters');
  if (opts.drawable && NOT_DRAWABLE.test(v)) {
    throw new AppError('INVALID_ARGUMENT', {
      reason: `${field}: not drawable text`,
      message: '这段文字里有表情符号或无法显示的字符，请只用文字、数字和常用标点。',
      details: { field },
    });
  }
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

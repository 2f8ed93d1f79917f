import type { ErrorPayload } from '../../engine/errors';
import type { Caller, Ports } from '../ports';

export interface FnContext {
  /** null when the platform gave no identity (e.g. Moments' single-page mode). */
  caller: Caller | null;
  ports: Ports;
}

export type FnResult<T> = { ok: true; data: T } | { ok: false; error: ErrorPayload };

/** A cloud function's domain logic: validated event in, plain data out; errors are AppErrors. */
export interface FnDefinition<T = unknown> {
  name: string;
  /** Whether a caller without identity may call it. */
  allowAnonymous: boolean;
  run(event: Record<string, unknown>, ctx: FnContext): Promise<T>;
}

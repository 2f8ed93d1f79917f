import type { ErrorPayload } from '../../engine/core/errors';
import type { WorkQueue } from '../domain/limits';
import type { Settings } from '../domain/settings';
import type { FaceEngine } from '../engine-port';
import type { Caller, Ports } from '../ports';

/** What every function gets: the caller from the platform, the ports, and per-process services. */
export interface FnContext {
  /** null when the platform gave no identity (e.g. Moments' single-page mode). */
  caller: Caller | null;
  ports: Ports;
  services: Services;
}

export interface Services {
  /** Loaded lazily: functions that never touch images never load models. */
  engine(): FaceEngine;
  queue: WorkQueue;
  settings: Settings;
  /** WeChat: the environment prefix file IDs must carry (`cloud://<env>.`); locally `local`. */
  envPrefix?: string;
}

export type FnResult<T> = { ok: true; data: T } | { ok: false; error: ErrorPayload };

/** A cloud function's domain logic: validated event in, plain data out; errors are AppErrors. */
export interface FnDefinition<T = unknown> {
  name: string;
  /** Whether a caller without identity may call it. */
  allowAnonymous: boolean;
  run(event: Record<string, unknown>, ctx: FnContext): Promise<T>;
}

/** The caller, for functions that require one (invoke() has already refused anonymous calls). */
export const callerOf = (ctx: FnContext) => ctx.caller!;

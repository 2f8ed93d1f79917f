/** What crosses the wire between the client and the cloud functions (both transports). */
import type { ErrorPayload } from '../../../engine/errors';

export type FnResult<T> = { ok: true; data: T } | { ok: false; error: ErrorPayload };

export interface LoginResult {
  /** Opaque, stable id of the caller (never the raw OPENID). */
  userId: string;
  platform: 'wechat' | 'local';
  isNew: boolean;
}

/** The transport a platform provides. */
export interface Backend {
  call<T>(name: string, data?: Record<string, unknown>): Promise<FnResult<T>>;
}

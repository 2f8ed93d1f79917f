import type { Backend, FnResult } from './api-types';
import { ERROR_MESSAGES } from '../../../engine/errors';

declare const API_BASE: string;

/** Browser transport: the local runtime's HTTP API; the session is an HttpOnly cookie it issues. */
export function initBackend(): void {
  // Nothing to set up: the cookie travels with every same-origin request.
}

export const backend: Backend = {
  async call<T>(name: string, data: Record<string, unknown> = {}): Promise<FnResult<T>> {
    try {
      const res = await fetch(`${API_BASE}/api/fn/${encodeURIComponent(name)}`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(data),
      });
      return (await res.json()) as FnResult<T>;
    } catch {
      return { ok: false, error: { code: 'INTERNAL', message: ERROR_MESSAGES.INTERNAL } };
    }
  },
};

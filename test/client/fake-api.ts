/**
 * A scripted backend for jsdom page tests: `fetch` answers POST /api/fn/<name> from per-function
 * handlers, XMLHttpRequest answers the photo upload, and every call is recorded in order.
 */
import type { FnResult } from '../../client/src/services/api-types';
import { ERROR_MESSAGES, type ErrorCode, type ErrorDetails } from '../../engine/core/errors';

export type Handler = (body: Record<string, any>) => FnResult<unknown> | Promise<FnResult<unknown>>;

export const ok = <T>(data: T): FnResult<T> => ({ ok: true, data });
export const fail = (code: ErrorCode, details?: ErrorDetails): FnResult<never> => ({
  ok: false,
  error: details ? { code, message: ERROR_MESSAGES[code], details } : { code, message: ERROR_MESSAGES[code] },
});

export interface Call {
  name: string;
  body: Record<string, any>;
}

export interface FakeApi {
  calls: Call[];
  uploads: Array<{ url: string; size: number }>;
  handlers: Record<string, Handler>;
  names(): string[];
}

export function installFakeApi(handlers: Record<string, Handler> = {}): FakeApi {
  const api: FakeApi = {
    calls: [],
    uploads: [],
    handlers: {
      login: () => ok({ userId: 'u_test', platform: 'local', isNew: true }),
      consent: (b) => ok({ version: b.version ?? 'v', agreed: b.action === 'agree', ageGroup: b.ageGroup }),
      prepareUpload: () => ok({ uploadId: 'UPLOAD_ID_0123456789ab', cloudPath: 'users/u/uploads/x.jpg' }),
      ...handlers,
    },
    names: () => api.calls.map((c) => c.name),
  };
  (globalThis as any).fetch = jest.fn(async (url: string, init: { body?: string }) => {
    const name = decodeURIComponent(String(url).split('/api/fn/')[1] ?? '');
    const body = init?.body ? JSON.parse(init.body) : {};
    api.calls.push({ name, body });
    const handler = api.handlers[name];
    const result = handler ? await handler(body) : fail('NOT_FOUND');
    return { json: async () => result };
  });

  class FakeXHR {
    upload: { onprogress?: (e: { lengthComputable: boolean; loaded: number; total: number }) => void } = {};
    onload?: () => void;
    onerror?: () => void;
    responseText = '';
    private url = '';
    withCredentials = false;
    open(_method: string, url: string) {
      this.url = url;
    }
    setRequestHeader() {}
    send(body: Blob) {
      api.calls.push({ name: 'upload', body: { url: this.url } });
      api.uploads.push({ url: this.url, size: body?.size ?? 0 });
      setTimeout(() => {
        this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
        this.responseText = JSON.stringify(ok({ fileId: 'cloud://local/users/u/uploads/x.jpg' }));
        this.onload?.();
      }, 0);
    }
  }
  (globalThis as any).XMLHttpRequest = FakeXHR;
  // jsdom decodes no images: make the canvas compression give up at once (the original is uploaded).
  (globalThis as any).Image = class {
    onload?: () => void;
    onerror?: (e: unknown) => void;
    set src(_v: string) {
      setTimeout(() => this.onerror?.(new Error('no image decoding in jsdom')), 0);
    }
  };
  (URL as any).createObjectURL = jest.fn(() => 'blob:photo');
  return api;
}

export const photoFile = () => new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], 'me.jpg', { type: 'image/jpeg' });

/**
 * The `wx` the compiled weapp pages run against in miniprogram-simulate: in-memory storage,
 * asynchronous navigation and cloud functions answered by the test (an unexpected function fails
 * the test). Shared by the simulator tests.
 */
import fs from 'node:fs';
import path from 'node:path';

const ERRORS = fs.readFileSync(path.resolve(__dirname, '..', '..', 'engine', 'core', 'errors.ts'), 'utf8');
/** The Chinese message of an error code, as engine/core/errors.ts has it. */
export const message = (code: string) => new RegExp(`${code}: '([^']+)'`).exec(ERRORS)![1];

export type Fn = (data: Record<string, any>) => unknown;
export const ok = (data: unknown) => ({ result: { ok: true, data } });
export const fail = (code: string, extra: Record<string, unknown> = {}) => ({ result: { ok: false, error: { code, message: message(code), ...extra } } });

export function wxWith(fns: Record<string, Fn>, storage: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const store = new Map(Object.entries(storage));
  /** Every cloud call in order (uploads as `uploadFile`), and just their names. */
  const calls: Array<{ name: string; data: Record<string, any> }> = [];
  const called: string[] = [];
  // WeChat answers navigation asynchronously (a synchronous success inside onLoad never ends in Taro).
  const later = (o: any) => void setTimeout(() => o?.success?.({}), 0);
  const wx = {
    getStorageSync: (k: string) => (store.has(k) ? store.get(k) : ''),
    setStorageSync: (k: string, v: unknown) => void store.set(k, v),
    removeStorageSync: (k: string) => void store.delete(k),
    redirectTo: later,
    navigateTo: later,
    reLaunch: later,
    getLaunchOptionsSync: () => ({ scene: 1001, query: {}, path: '' }),
    cloud: {
      callFunction: async ({ name, data }: { name: string; data: Record<string, any> }) => {
        calls.push({ name, data });
        called.push(name);
        const fn = fns[name];
        if (!fn) throw new Error(`cloud function ${name} not expected in this test`);
        return fn(data);
      },
      uploadFile: (o: any) => {
        calls.push({ name: 'uploadFile', data: { cloudPath: o.cloudPath } });
        called.push('uploadFile');
        o.success?.({ fileID: `cloud://env/${o.cloudPath}` });
        return { onProgressUpdate: () => undefined };
      },
    },
    ...extra,
  };
  return { wx, store, calls, called };
}

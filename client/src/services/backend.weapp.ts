import Taro from '@tarojs/taro';
import type { Backend, FnResult } from './api-types';
import { ERROR_MESSAGES } from '../../../engine/errors';

declare const CLOUD_ENV: string;

let ready = false;

/** WeChat transport: cloud functions through Taro.cloud (wx.cloud). */
export function initBackend(): void {
  if (ready) return;
  // CLOUD_ENV comes from config/index.ts (env var CLOUD_ENV at build time); the default
  // DYNAMIC_CURRENT_ENV uses the environment selected in WeChat DevTools.
  const env = CLOUD_ENV === 'DYNAMIC_CURRENT_ENV' ? (Taro.cloud as any).DYNAMIC_CURRENT_ENV : CLOUD_ENV;
  Taro.cloud.init({ env, traceUser: true });
  ready = true;
}

export const backend: Backend = {
  async call<T>(name: string, data: Record<string, unknown> = {}): Promise<FnResult<T>> {
    initBackend();
    try {
      const res = await Taro.cloud.callFunction({ name, data });
      return res.result as FnResult<T>;
    } catch {
      // Network or platform failure: the function never answered.
      return { ok: false, error: { code: 'INTERNAL', message: ERROR_MESSAGES.INTERNAL } };
    }
  },
};

import Taro from '@tarojs/taro';
import type { Backend, FnResult, PickedPhoto, UploadSlot } from './api-types';
import { ERROR_MESSAGES } from '../../../engine/core/errors';

declare const CLOUD_ENV: string;

const INTERNAL = { ok: false as const, error: { code: 'INTERNAL' as const, message: ERROR_MESSAGES.INTERNAL } };
/** Longest side of the uploaded photo: plenty for face analysis, small enough to upload fast. */
export const MAX_SIDE = 1600;

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
      return INTERNAL;
    }
  },

  /** wx.cloud.uploadFile to exactly the slot's cloudPath; progress from the task's onProgressUpdate. */
  upload(photo: PickedPhoto, slot: UploadSlot, onProgress?: (percent: number) => void) {
    initBackend();
    return new Promise<FnResult<{ fileId: string }>>((resolve) => {
      try {
        const task = (Taro.cloud as any).uploadFile({
          cloudPath: slot.cloudPath,
          filePath: photo.path,
          success: (res: { fileID: string }) => {
            onProgress?.(100);
            resolve({ ok: true, data: { fileId: res.fileID } });
          },
          fail: () => resolve(INTERNAL),
        });
        task?.onProgressUpdate?.((e: { progress: number }) => onProgress?.(e.progress));
      } catch {
        resolve(INTERNAL);
      }
    });
  },

  /** Taro.compressImage down to ≤ 1600 px on the longest side (chooseMedia's 'compressed' may leave more). */
  async compress(photo: PickedPhoto): Promise<PickedPhoto> {
    try {
      const info = await Taro.getImageInfo({ src: photo.path });
      const { width, height } = info;
      const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      if (scale === 1 && (photo.size ?? 0) < 1_500_000) return { ...photo, width, height };
      const out = await Taro.compressImage({
        src: photo.path,
        quality: 85,
        ...(scale < 1 ? (width >= height ? { compressedWidth: Math.round(width * scale) } : { compressedHeight: Math.round(height * scale) }) : {}),
      } as any);
      return { path: out.tempFilePath, width: Math.round(width * scale), height: Math.round(height * scale) };
    } catch {
      return photo;
    }
  },
};

import Taro from '@tarojs/taro';

/** Everything this app keeps on the device, under one prefix, so "delete my data" can clear it all. */
export const KEYS = {
  consent: 'szs.consent',
  job: 'szs.job',
  source: 'szs.source',
} as const;

export function readLocal<T>(key: string): T | undefined {
  try {
    const v = Taro.getStorageSync(key);
    return v === '' || v === null || v === undefined ? undefined : (v as T);
  } catch {
    return undefined;
  }
}

export function writeLocal(key: string, value: unknown): void {
  try {
    Taro.setStorageSync(key, value);
  } catch {
    /* storage full or unavailable: the flow still works within this visit */
  }
}

export function removeLocal(key: string): void {
  try {
    Taro.removeStorageSync(key);
  } catch {
    /* nothing to remove */
  }
}

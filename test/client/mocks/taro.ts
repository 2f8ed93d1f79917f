/** The slice of @tarojs/taro the pages use, for jsdom: lifecycle hooks run on mount, storage in memory. */
import { useEffect } from 'react';

let routerParams: Record<string, string> = {};
/** Test helper: the query the next rendered page's useLoad / useRouter sees. */
export const setRouterParams = (params: Record<string, string>) => {
  routerParams = { ...params };
};

export const useLoad = (fn: (params: Record<string, string>) => void) => {
  useEffect(() => fn({ ...routerParams }), []);
};
export const useLaunch = (fn: () => void) => {
  useEffect(() => fn(), []);
};
export const useDidShow = (fn: () => void) => {
  useEffect(() => fn(), []);
};
export const useRouter = () => ({ params: { ...routerParams } });

/** The share callbacks the current page registered (tests call them like WeChat would). */
export const shareHandlers: { appMessage?: () => unknown; timeline?: () => unknown } = {};
export const useShareAppMessage = (fn: () => unknown) => {
  shareHandlers.appMessage = fn;
};
export const useShareTimeline = (fn: () => unknown) => {
  shareHandlers.timeline = fn;
};

export const storage = new Map<string, unknown>();

const Taro = {
  getEnv: () => 'WEB',
  navigateTo: jest.fn(async (_o: { url: string }) => undefined),
  redirectTo: jest.fn(async (_o: { url: string }) => undefined),
  reLaunch: jest.fn(async (_o: { url: string }) => undefined),
  navigateBack: jest.fn(async () => undefined),
  showToast: jest.fn(async () => undefined),
  showLoading: jest.fn(async () => undefined),
  hideLoading: jest.fn(() => undefined),
  showModal: jest.fn(async () => ({ confirm: true, cancel: false })),
  previewImage: jest.fn(async () => undefined),
  canIUse: jest.fn(() => false),
  getLaunchOptionsSync: jest.fn(() => ({ scene: 1001, query: {} })),
  getStorageSync: (key: string) => (storage.has(key) ? storage.get(key) : ''),
  setStorageSync: (key: string, value: unknown) => void storage.set(key, value),
  removeStorageSync: (key: string) => void storage.delete(key),
};
export default Taro;

/** The slice of @tarojs/taro the pages use, for jsdom: lifecycle hooks run on mount. */
import { useEffect } from 'react';

export const useLoad = (fn: (params: Record<string, string>) => void) => {
  useEffect(() => fn({}), []);
};
export const useLaunch = (fn: () => void) => {
  useEffect(() => fn(), []);
};
export const useDidShow = (fn: () => void) => {
  useEffect(() => fn(), []);
};
export const useRouter = () => ({ params: {} as Record<string, string> });
export const useShareAppMessage = () => undefined;
export const useShareTimeline = () => undefined;

const Taro = {
  getEnv: () => 'WEB',
  navigateTo: jest.fn(async () => undefined),
  showToast: jest.fn(async () => undefined),
};
export default Taro;

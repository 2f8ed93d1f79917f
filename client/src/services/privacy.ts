/**
 * WeChat's privacy authorisation (the mini-program privacy guide, `__usePrivacyCheck__`): before a
 * privacy API such as chooseMedia runs, WeChat asks the page through `onNeedPrivacyAuthorization`;
 * the user agrees with a button of `open-type="agreePrivacyAuthorization"`. The browser has no
 * such step: there the privacy policy is acknowledged on the consent page instead.
 */
import Taro from '@tarojs/taro';

type Resolve = (res: { event: 'agree' | 'disagree'; buttonId?: string }) => void;

let pending: Resolve | undefined;
let watching = false;
const listeners = new Set<() => void>();

export const PRIVACY_BUTTON_ID = 'privacy-agree';

/** The platform has WeChat's privacy authorisation. */
export function hasWechatPrivacy(): boolean {
  return process.env.TARO_ENV === 'weapp' && typeof (Taro as any).onNeedPrivacyAuthorization === 'function';
}

/** Registers once per app: WeChat calls back when a privacy API needs the user's agreement. */
export function watchPrivacy(): void {
  if (watching || !hasWechatPrivacy()) return;
  watching = true;
  try {
    (Taro as any).onNeedPrivacyAuthorization((resolve: Resolve) => {
      pending = resolve;
      listeners.forEach((fn) => fn());
    });
  } catch {
    /* older base library: the button alone does the job */
  }
}

/** Whether WeChat still wants the user to agree to the privacy guide (false in the browser). */
export function privacyNeeded(): Promise<boolean> {
  if (!hasWechatPrivacy() || typeof (Taro as any).getPrivacySetting !== 'function') return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      (Taro as any).getPrivacySetting({
        success: (res: { needAuthorization?: boolean }) => resolve(!!res.needAuthorization),
        fail: () => resolve(true),
      });
    } catch {
      resolve(true);
    }
  });
}

export function onPrivacyRequest(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The agree button was tapped: release a waiting privacy API, if any. */
export function privacyAgreed(): void {
  pending?.({ event: 'agree', buttonId: PRIVACY_BUTTON_ID });
  pending = undefined;
}

export function privacyDeclined(): void {
  pending?.({ event: 'disagree' });
  pending = undefined;
}

import crypto from 'node:crypto';
import { systemClock, type Caller, type Ports } from '../../ports';
import { wechatDocStore } from './doc-store';
import { wechatFileStorage } from './file-storage';
import { wechatCodeMaker, wechatContentChecker, wechatFileUrls } from './platform-services';
import type { WxCloud, WxContext } from './sdk';
import { wechatUserRepository } from './user-repository';

export function createWechatPorts(cloud: WxCloud): Ports {
  const db = cloud.database();
  return {
    users: wechatUserRepository(db),
    files: wechatFileStorage(cloud),
    docs: wechatDocStore(db),
    contentCheck: wechatContentChecker(cloud),
    codes: wechatCodeMaker(cloud),
    urls: wechatFileUrls(cloud),
    clock: systemClock,
  };
}

/**
 * The caller from the platform context only. The OPENID is turned into an opaque id so rows,
 * storage paths and logs never carry the raw OPENID.
 */
export function callerFromContext(ctx: WxContext): Caller | null {
  if (!ctx.OPENID) return null;
  const salt = ctx.APPID ?? '';
  const userId = 'w_' + crypto.createHash('sha256').update(`${salt}:${ctx.OPENID}`).digest('base64url').slice(0, 22);
  return { userId, platform: 'wechat' };
}

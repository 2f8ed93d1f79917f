// Cloud function `fuse`: see backend/functions/fuse.ts.
import { fuse } from '../../backend/functions/fuse';
import { createEngine } from '../../backend/engine-adapter';
import { wechatMain } from '../../backend/runtime/wechat-main';

export const main = wechatMain(fuse, () => require('wx-server-sdk'), createEngine);

// Cloud function `viewShared`: see backend/functions/stories.ts.
import { viewShared } from '../../backend/functions/stories';
import { wechatMain } from '../../backend/runtime/wechat-main';

export const main = wechatMain(viewShared, () => require('wx-server-sdk'));

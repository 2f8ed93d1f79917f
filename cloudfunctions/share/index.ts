// Cloud function `share`: see backend/functions/stories.ts.
import { share } from '../../backend/functions/stories';
import { wechatMain } from '../../backend/runtime/wechat-main';

export const main = wechatMain(share, () => require('wx-server-sdk'));

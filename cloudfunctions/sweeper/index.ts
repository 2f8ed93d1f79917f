// Cloud function `sweeper`: see backend/functions/retention.ts.
import { sweeper } from '../../backend/functions/retention';
import { wechatMain } from '../../backend/runtime/wechat-main';

export const main = wechatMain(sweeper, () => require('wx-server-sdk'));

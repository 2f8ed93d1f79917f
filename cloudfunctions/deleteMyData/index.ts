// Cloud function `deleteMyData`: see backend/functions/retention.ts.
import { deleteMyData } from '../../backend/functions/retention';
import { wechatMain } from '../../backend/runtime/wechat-main';

export const main = wechatMain(deleteMyData, () => require('wx-server-sdk'));

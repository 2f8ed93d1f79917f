// Cloud function `consent`: see backend/functions/consent.ts.
import { consent } from '../../backend/functions/consent';
import { wechatMain } from '../../backend/runtime/wechat-main';

export const main = wechatMain(consent, () => require('wx-server-sdk'));

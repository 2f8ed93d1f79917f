// Cloud function `login`: the caller's identity from the platform context.
import { login } from '../../backend/functions/login';
import { wechatMain } from '../../backend/runtime/wechat-main';

export const main = wechatMain(login, () => require('wx-server-sdk'));

// Cloud function `stories`: see backend/functions/stories.ts.
import { stories } from '../../backend/functions/stories';
import { wechatMain } from '../../backend/runtime/wechat-main';

export const main = wechatMain(stories, () => require('wx-server-sdk'));

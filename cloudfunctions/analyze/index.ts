// Cloud function `analyze`: see backend/functions/analyze.ts.
import { analyze } from '../../backend/functions/analyze';
import { createEngine } from '../../backend/engine-adapter';
import { wechatMain } from '../../backend/runtime/wechat-main';

export const main = wechatMain(analyze, () => require('wx-server-sdk'), createEngine);

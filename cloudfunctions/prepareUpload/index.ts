// Cloud function `prepareUpload`: see backend/functions/upload.ts.
import { prepareUploadFn } from '../../backend/functions/upload';
import { wechatMain } from '../../backend/runtime/wechat-main';

export const main = wechatMain(prepareUploadFn, () => require('wx-server-sdk'));

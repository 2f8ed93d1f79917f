import { AppError } from '../../../engine/core/errors';
import type { ContentChecker, FileUrls, MiniProgramCodeMaker } from '../../ports';
import type { WxCloud } from './sdk';

/** `security.imgSecCheck`: errCode 0 passes, 87014 means risky content. */
export function wechatContentChecker(cloud: WxCloud): ContentChecker {
  return {
    async check(jpeg) {
      try {
        const res = await cloud.openapi.security.imgSecCheck({ media: { contentType: 'image/jpeg', value: jpeg } });
        return res.errCode === 0 ? 'pass' : 'reject';
      } catch (err) {
        if ((err as { errCode?: number }).errCode === 87014) return 'reject';
        throw err;
      }
    },
  };
}

/** `wxacode.getUnlimited`: scene ≤ 32 visible characters, page without a leading slash. */
export function wechatCodeMaker(cloud: WxCloud, envVersion = process.env.WXACODE_ENV_VERSION ?? 'release'): MiniProgramCodeMaker {
  return {
    async make(scene, page) {
      if (scene.length > 32) throw new AppError('INVALID_ARGUMENT', { reason: 'scene longer than 32 characters' });
      const res = await cloud.openapi.wxacode.getUnlimited({ scene, page: page.replace(/^\//, ''), checkPath: false, width: 280, envVersion });
      if (!res.buffer || (res.errCode && res.errCode !== 0)) throw new Error(`wxacode.getUnlimited failed (${res.errCode})`);
      return Buffer.from(res.buffer);
    },
  };
}

/** Temporary HTTPS URLs for stored files (valid about two hours by default). */
export function wechatFileUrls(cloud: WxCloud): FileUrls {
  return {
    async temporaryUrls(fileIds) {
      const out: Record<string, string> = {};
      // getTempFileURL takes at most 50 IDs per call.
      for (let i = 0; i < fileIds.length; i += 50) {
        const { fileList } = await cloud.getTempFileURL({ fileList: fileIds.slice(i, i + 50).map((fileID) => ({ fileID, maxAge: 3600 })) });
        for (const f of fileList) if (f.status === 0) out[f.fileID] = f.tempFileURL;
      }
      return out;
    },
  };
}

import crypto from 'node:crypto';
import { AppError } from '../../../engine/core/errors';
import type { FileStorage } from '../../ports';
import { assertSafeKey } from '../local/file-storage';
import type { WxCloud } from './sdk';

/**
 * Cloud storage. wx-server-sdk has no "list files" call, so every stored file is also indexed in
 * the `files` collection (written after the upload succeeds): that index is what deletion,
 * "delete my data" and the sweeper rely on, and what lets them find everything of a user.
 */
const INDEX = 'files';
const docId = (fileId: string) => crypto.createHash('sha256').update(fileId).digest('hex').slice(0, 32);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function wechatFileStorage(cloud: WxCloud): FileStorage {
  const index = () => cloud.database().collection(INDEX);
  return {
    async put(key, bytes, contentType) {
      assertSafeKey(key);
      const { fileID } = await cloud.uploadFile({ cloudPath: key, fileContent: bytes });
      await index().doc(docId(fileID)).set({ data: { fileId: fileID, key, contentType, size: bytes.length, createdAt: Date.now() } });
      return { fileId: fileID };
    },
    async get(fileId) {
      if (!fileId.startsWith('cloud://')) throw new AppError('FORBIDDEN', { reason: 'not a cloud file id' });
      try {
        return (await cloud.downloadFile({ fileID: fileId })).fileContent;
      } catch {
        throw new AppError('NOT_FOUND');
      }
    },
    async delete(fileIds) {
      // deleteFile takes at most 50 IDs per call.
      for (let i = 0; i < fileIds.length; i += 50) {
        const batch = fileIds.slice(i, i + 50);
        const res = await cloud.deleteFile({ fileList: batch });
        // status 0 = deleted; a file already gone is as good as deleted. Drop index rows after.
        const failed = res.fileList.filter((f) => f.status !== 0 && !/not exist|NOT_EXIST/i.test(f.errMsg));
        if (failed.length) throw new Error(`deleteFile failed for ${failed.length} file(s)`);
        for (const id of batch) await index().doc(docId(id)).remove().catch(() => undefined);
      }
    },
    async list(prefix) {
      const out: string[] = [];
      const query = index().where({ key: cloud.database().RegExp({ regexp: '^' + escapeRegExp(prefix) }) });
      // The database returns at most 100 documents per query from a cloud function.
      for (let skip = 0; ; skip += 100) {
        const { data } = await query.skip(skip).limit(100).get();
        out.push(...data.map((d) => d.fileId as string));
        if (data.length < 100) break;
      }
      return out.sort();
    },
  };
}

import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { AppError } from '../../../engine/core/errors';
import type { FileStorage } from '../../ports';

/** Local file IDs look like WeChat's (`cloud://<env>.<bucket>/<key>`) so the domain treats both alike. */
export const LOCAL_FILE_PREFIX = 'cloud://local/';

const KEY_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;

/** A storage key is relative, has no `..` segment, no encoded or doubled slashes. */
export function assertSafeKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.split('/').some((seg) => seg === '.' || seg === '..' || seg.startsWith('.'))) {
    throw new AppError('FORBIDDEN', { reason: 'unsafe storage key' });
  }
}

export function localFileStorage(rootDir: string): FileStorage {
  const keyOf = (fileId: string) => {
    if (!fileId.startsWith(LOCAL_FILE_PREFIX)) throw new AppError('FORBIDDEN', { reason: 'foreign file id' });
    const key = fileId.slice(LOCAL_FILE_PREFIX.length);
    assertSafeKey(key);
    return key;
  };
  const pathOf = (key: string) => path.join(rootDir, ...key.split('/'));

  return {
    async put(key, bytes) {
      assertSafeKey(key);
      const file = pathOf(key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Write then rename: a crash never leaves a half-written file under the real name.
      const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.partial`;
      await fs.writeFile(tmp, bytes);
      await fs.rename(tmp, file);
      return { fileId: LOCAL_FILE_PREFIX + key };
    },
    async get(fileId) {
      try {
        return await fs.readFile(pathOf(keyOf(fileId)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('NOT_FOUND');
        throw err;
      }
    },
    async delete(fileIds) {
      for (const id of fileIds) {
        const file = pathOf(keyOf(id));
        await fs.rm(file, { force: true });
        // Remove folders left empty, so a deleted user leaves no trace (not even their id as a folder name).
        for (let dir = path.dirname(file); dir.startsWith(rootDir + path.sep); dir = path.dirname(dir)) {
          try {
            await fs.rmdir(dir);
          } catch {
            break; // not empty (or already gone)
          }
        }
      }
    },
    async list(prefix) {
      const out: string[] = [];
      const walk = async (dir: string, rel: string): Promise<void> => {
        let entries: import('node:fs').Dirent[];
        try {
          entries = await fs.readdir(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          const childRel = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) await walk(path.join(dir, e.name), childRel);
          else if (childRel.startsWith(prefix)) out.push(LOCAL_FILE_PREFIX + childRel);
        }
      };
      await walk(rootDir, '');
      return out.sort();
    },
  };
}

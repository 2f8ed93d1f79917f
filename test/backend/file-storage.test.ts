import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localFileStorage, LOCAL_FILE_PREFIX } from '../../backend/adapters/local/file-storage';
import { AppError } from '../../engine/core/errors';

describe('local file storage', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-files-'));
  const files = localFileStorage(root);

  it('stores, lists, reads and deletes by file id', async () => {
    const { fileId } = await files.put('users/u1/photos/a.jpg', Buffer.from('abc'), 'image/jpeg');
    expect(fileId).toBe(`${LOCAL_FILE_PREFIX}users/u1/photos/a.jpg`);
    await files.put('users/u2/photos/b.jpg', Buffer.from('xyz'), 'image/jpeg');
    expect((await files.get(fileId)).toString()).toBe('abc');
    expect(await files.list('users/u1/')).toEqual([fileId]);
    await files.delete([fileId]);
    expect(await files.list('users/u1/')).toEqual([]);
    await expect(files.get(fileId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // No temporary files are left behind by the atomic write.
    const leftovers = fs.readdirSync(path.join(root, 'users', 'u2', 'photos'));
    expect(leftovers).toEqual(['b.jpg']);
  });

  it.each([
    '../escape.jpg',
    'users/../../etc/passwd',
    '/etc/passwd',
    'users/u1/%2e%2e/x.jpg',
    'users//u1/x.jpg',
    'users/u1/.hidden',
    'users\\u1\\x.jpg',
  ])('rejects the unsafe key %s', async (key) => {
    await expect(files.put(key, Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(AppError);
    await expect(files.get(LOCAL_FILE_PREFIX + key)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('rejects file ids of another storage', async () => {
    await expect(files.get('cloud://prod-env.1234/users/u1/a.jpg')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

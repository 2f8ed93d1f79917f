import { wechatFileStorage } from '../../backend/adapters/wechat/file-storage';
import { login } from '../../backend/functions/login';
import { wechatMain } from '../../backend/runtime/wechat-main';
import { createFakeCloud } from './fake-wx-server-sdk';

beforeAll(() => {
  process.env.LOG_LEVEL = 'silent';
});

describe('wechat runtime: login', () => {
  it('takes identity from getWXContext only, never the event, and never exposes the raw OPENID', async () => {
    const cloud = createFakeCloud();
    const main = wechatMain(login, () => cloud);
    const first = await main({ userInfo: { openId: 'someone-else' } });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.data.platform).toBe('wechat');
    expect(first.data.isNew).toBe(true);
    expect(first.data.userId).toMatch(/^w_[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(first)).not.toContain('oFAKE-openid-123');
    expect(JSON.stringify([...cloud.collections.get('users')!.entries()])).not.toContain('oFAKE-openid-123');

    const again = await main({});
    expect(again).toEqual({ ok: true, data: { ...first.data, isNew: false } });
    expect(cloud.initCalls).toBe(1); // SDK initialised once per instance

    cloud.context = { ...cloud.context, OPENID: 'oOTHER' };
    const other = await main({});
    expect(other.ok && other.data.userId).not.toBe(first.data.userId);
  });

  it('refuses a call without platform identity', async () => {
    const cloud = createFakeCloud();
    cloud.context = {};
    const res = await wechatMain(login, () => cloud)({});
    expect(res).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('wechat file storage', () => {
  it('indexes uploads so a user’s files can be listed and deleted', async () => {
    const cloud = createFakeCloud();
    const files = wechatFileStorage(cloud);
    const a = await files.put('users/w_a/photos/1.jpg', Buffer.from('a'), 'image/jpeg');
    const b = await files.put('users/w_a/posters/2.jpg', Buffer.from('b'), 'image/jpeg');
    await files.put('users/w_b/photos/3.jpg', Buffer.from('c'), 'image/jpeg');
    expect((await files.get(a.fileId)).toString()).toBe('a');
    expect(await files.list('users/w_a/')).toEqual([a.fileId, b.fileId].sort());
    await files.delete([a.fileId, b.fileId]);
    expect(await files.list('users/w_a/')).toEqual([]);
    expect(cloud.storage.size).toBe(1);
    expect(cloud.collections.get('files')!.size).toBe(1);
    await expect(files.get(a.fileId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(files.put('../x.jpg', Buffer.from('x'), 'image/jpeg')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lists past the 100-documents-per-query limit and deletes in batches of 50', async () => {
    const cloud = createFakeCloud();
    const files = wechatFileStorage(cloud);
    const ids: string[] = [];
    for (let i = 0; i < 130; i++) ids.push((await files.put(`users/w_c/f/${i}.jpg`, Buffer.from([i]), 'image/jpeg')).fileId);
    expect((await files.list('users/w_c/')).length).toBe(130);
    await files.delete(ids);
    expect(cloud.storage.size).toBe(0);
  });
});

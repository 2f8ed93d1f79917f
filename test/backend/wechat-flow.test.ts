/**
 * The whole server flow through the cloud function entries (wechatMain) and the `wechat` adapters,
 * against the fake of wx-server-sdk's documented API — with the real engine.
 */
import campaign from '../../templates/campaign.json';
import { analyze } from '../../backend/functions/analyze';
import { consent } from '../../backend/functions/consent';
import { fuse } from '../../backend/functions/fuse';
import { deleteMyData, sweeper } from '../../backend/functions/retention';
import { share, stories, viewShared } from '../../backend/functions/stories';
import { prepareUploadFn } from '../../backend/functions/upload';
import { wechatDocStore } from '../../backend/adapters/wechat/doc-store';
import { createEngine } from '../../backend/engine-adapter';
import { wechatMain } from '../../backend/runtime/wechat-main';
import { selfieJpeg } from '../helpers/fixtures';
import { createFakeCloud } from './fake-wx-server-sdk';

jest.setTimeout(120_000);

beforeAll(() => {
  process.env.LOG_LEVEL = 'silent';
});

describe('wechat document store', () => {
  it('creates once, reads, finds by owner and by expiry across pages', async () => {
    const cloud = createFakeCloud();
    const docs = wechatDocStore(cloud.database());
    expect(await docs.create('jobs', { _id: 'j1', owner: 'u1', createdAt: 1 })).toBe(true);
    expect(await docs.create('jobs', { _id: 'j1', owner: 'u1', createdAt: 2 })).toBe(false); // idempotency key
    expect(await docs.get('jobs', 'j1')).toMatchObject({ _id: 'j1', createdAt: 1 });
    expect(await docs.get('jobs', 'missing')).toBeUndefined();
    for (let i = 0; i < 150; i++) await docs.put('photos', { _id: `p${i}`, owner: 'u2', createdAt: i, expiresAt: 1000 + i });
    expect(await docs.findByOwner('photos', 'u2')).toHaveLength(150);
    const expired = await docs.findExpired('photos', 1009, 200);
    expect(expired.map((d) => d._id)).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`));
    expect(await docs.findCreatedBefore('photos', 120, 5)).toHaveLength(5);
    await docs.delete('photos', 'p0');
    await docs.delete('photos', 'p0'); // deleting twice is fine
    expect(await docs.findByOwner('photos', 'u2')).toHaveLength(149);
  });
});

describe('cloud functions on the wechat adapters', () => {
  it('runs consent → upload → analyze → fuse → share → view → delete with the platform’s rules', async () => {
    const cloud = createFakeCloud('prod-7g8h');
    cloud.context = { ...cloud.context, ENV: 'prod-7g8h' };
    const engine = createEngine();
    const fn = <T>(def: Parameters<typeof wechatMain<T>>[0]) => wechatMain(def, () => cloud, () => engine);

    expect(await fn(prepareUploadFn)({})).toMatchObject({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
    expect(await fn(consent)({ action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' })).toMatchObject({ ok: true });
    const slot = await fn(prepareUploadFn)({});
    if (!slot.ok) throw new Error('prepareUpload failed');
    // The client uploads with wx.cloud.uploadFile to exactly the given path.
    const { fileID } = await cloud.uploadFile({ cloudPath: slot.data.cloudPath, fileContent: await selfieJpeg() });
    // A file ID of another environment, or another path, is refused.
    expect(await fn(analyze)({ uploadId: slot.data.uploadId, fileId: fileID.replace('prod-7g8h', 'test-1a2b') })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const analysed = await fn(analyze)({ uploadId: slot.data.uploadId, fileId: fileID });
    if (!analysed.ok) throw new Error(JSON.stringify(analysed.error));
    expect(cloud.storage.has(fileID)).toBe(false); // the original is deleted after analysis

    const made = await fn(fuse)({ requestId: 'wx-request-1', photoId: analysed.data.photoId, story: campaign.stories[4].id });
    if (!made.ok) throw new Error(JSON.stringify(made.error));
    expect(made.data.frames[0].url).toMatch(/^https:\/\//);
    // The poster's code was made by wxacode.getUnlimited with a ≤ 32-character scene and no leading slash.
    expect(cloud.codesMade).toHaveLength(1);
    expect(cloud.codesMade[0].scene.length).toBeLessThanOrEqual(32);
    expect(cloud.codesMade[0].page).toBe('pages/index/index');

    const listed = await fn(stories)({});
    expect(listed.ok && listed.data.stories.map((s) => s.storyId)).toEqual([campaign.stories[4].id]);
    const shared = await fn(share)({ story: campaign.stories[4].id });
    if (!shared.ok) throw new Error('share failed');
    expect(cloud.codesMade[0].scene).toBe(shared.data.scene);

    // Moments' single-page mode: no OPENID, viewShared still works.
    const owner = cloud.context;
    cloud.context = { ENV: 'prod-7g8h' };
    expect(await fn(viewShared)({ token: shared.data.token })).toMatchObject({ ok: true, data: { title: campaign.stories[4].title } });
    expect(await fn(stories)({})).toMatchObject({ error: { code: 'FORBIDDEN' } });
    cloud.context = owner;

    const deleted = await fn(deleteMyData)({ confirm: true });
    expect(deleted.ok).toBe(true);
    // Nothing of this user remains in storage, the file index or any collection.
    expect([...cloud.storage.keys()]).toEqual([]);
    for (const [name, col] of cloud.collections) expect([name, col.size]).toEqual([name, 0]);
    expect(await fn(viewShared)({ token: shared.data.token })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await fn(sweeper)({})).toMatchObject({ ok: true });
  });

  it('rejects a photo that fails imgSecCheck and keeps nothing of it', async () => {
    const cloud = createFakeCloud();
    cloud.rejectImages = () => true;
    const engine = createEngine();
    const fn = <T>(def: Parameters<typeof wechatMain<T>>[0]) => wechatMain(def, () => cloud, () => engine);
    await fn(consent)({ action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' });
    const slot = await fn(prepareUploadFn)({});
    if (!slot.ok) throw new Error('prepareUpload failed');
    const { fileID } = await cloud.uploadFile({ cloudPath: slot.data.cloudPath, fileContent: await selfieJpeg() });
    expect(await fn(analyze)({ uploadId: slot.data.uploadId, fileId: fileID })).toMatchObject({ error: { code: 'CONTENT_REJECTED' } });
    expect(cloud.storage.size).toBe(0);
    expect(cloud.collections.get('photos')?.size ?? 0).toBe(0);
  });
});

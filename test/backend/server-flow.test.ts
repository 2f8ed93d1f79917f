import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import campaign from '../../templates/campaign.json';
import { readAiLabel } from '../../engine/output/ai-label';
import { startLocalServer, type LocalServer } from '../../backend/runtime/local-server';
import { ApiClient } from '../../scripts/lib/api-client';
import { allFiles } from '../helpers/files';
import { groupJpeg, selfieJpeg } from '../helpers/fixtures';

jest.setTimeout(120_000);


describe('the server flow over the local runtime’s HTTP API', () => {
  let server: LocalServer;
  let dataDir: string;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-flow-'));
    server = await startLocalServer({ port: 0, dataDir });
  });
  afterAll(() => server.close());

  const userRows = (userId: string) =>
    (server.ports.db.prepare('SELECT COUNT(*) AS n FROM docs WHERE owner = ?').get(userId) as { n: number }).n +
    (server.ports.db.prepare('SELECT COUNT(*) AS n FROM users WHERE user_id = ?').get(userId) as { n: number }).n +
    (server.ports.db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?').get(userId) as { n: number }).n;

  it('consent first, then analysis, fusion, sharing and verified deletion', async () => {
    const api = new ApiClient(server.url);
    const { userId } = await api.ok('login');

    // Consent first: nothing can be uploaded or analysed before it.
    expect(await api.ok('consent')).toMatchObject({ agreed: false, version: campaign.consentVersion });
    expect(await api.call('prepareUpload')).toMatchObject({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
    expect(await api.call('consent', { action: 'agree', agree: true, version: 'old-version', ageGroup: 'adult' })).toMatchObject({ error: { code: 'CONSENT_REQUIRED' } });
    const agreed = await api.ok('consent', { action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' });
    expect(agreed).toMatchObject({ agreed: true, ageGroup: 'adult' });

    const upload = await api.uploadPhoto(await selfieJpeg());
    expect(allFiles(path.join(dataDir, 'files', 'users', userId, 'uploads'))).toHaveLength(1);
    const analysed = await api.ok('analyze', upload);
    expect(analysed.faces).toHaveLength(1);
    expect(analysed.chosenIndex).toBe(0);
    // The original is gone right after analysis; only the prepared face data remains.
    expect(allFiles(path.join(dataDir, 'files', 'users', userId, 'uploads'))).toHaveLength(0);
    expect(allFiles(path.join(dataDir, 'files', 'users', userId, 'faces'))).toHaveLength(1);

    const requestId = 'req-' + Date.now();
    const first = await api.ok('fuse', { requestId, photoId: analysed.photoId, story: campaign.stories[0].id, caption: '我来了' });
    expect(first.storyId).toBe(campaign.stories[0].id);
    expect(first.frames.length).toBeGreaterThanOrEqual(4);
    // The URLs serve real, labelled JPEGs.
    const frameBytes = Buffer.from(await (await fetch(server.url + first.frames[0].url)).arrayBuffer());
    const meta = await sharp(frameBytes).metadata();
    expect(meta.format).toBe('jpeg');
    expect(await readAiLabel(frameBytes)).toMatchObject({ Label: '1' });
    const posterBytes = Buffer.from(await (await fetch(server.url + first.poster.url)).arrayBuffer());
    expect((await sharp(posterBytes).metadata()).format).toBe('jpeg');
    // A tampered or expired URL is refused.
    // (The first signature character is changed to one it is not: writing a fixed 'x' left a
    // signature that already began with 'x' untouched, one run in 64.)
    const tampered = first.poster.url.replace(/sig=(.)/, (_: string, c: string) => 'sig=' + (c === 'A' ? 'B' : 'A'));
    expect(tampered).not.toBe(first.poster.url);
    expect((await fetch(server.url + tampered)).status).toBe(403);

    // The same request id and story return the same result, without fusing again.
    const replay = await api.ok('fuse', { requestId, photoId: analysed.photoId, story: campaign.stories[0].id });
    expect(replay.frames.map((f: { fileId: string }) => f.fileId)).toEqual(first.frames.map((f: { fileId: string }) => f.fileId));
    // The same request id with other parameters is refused.
    expect(await api.call('fuse', { requestId, photoId: analysed.photoId, story: campaign.stories[0].id, shape: 10 })).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });

    const mine = await api.ok('stories');
    expect(mine.stories.map((s: { storyId: string }) => s.storyId)).toEqual([campaign.stories[0].id]);

    // Posters are private until shared; a shared one is reachable by its token alone.
    const anonymous = new ApiClient(server.url);
    const shared = await api.ok('share', { story: campaign.stories[0].id });
    expect(shared.scene.length).toBeLessThanOrEqual(32);
    expect(shared.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const seen = await anonymous.ok('viewShared', { token: shared.token });
    expect(seen.title).toBe(campaign.stories[0].title);
    expect((await fetch(server.url + seen.poster)).status).toBe(200);
    expect(await anonymous.call('viewShared', { token: 'A'.repeat(22) })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    // A visitor brought by the share is attributed to it (first touch), in the visitor's own row.
    const visitor = new ApiClient(server.url);
    const { userId: visitorId } = await visitor.ok('login', { source: shared.token });
    const visit = await server.ports.docs.get<{ sourceToken: string; storyId: string } & import('../../backend/ports').Doc>('visits', visitorId);
    expect(visit).toMatchObject({ sourceToken: shared.token, storyId: campaign.stories[0].id });
    expect(JSON.stringify(visit)).not.toContain(userId);

    // Delete my data: every file and row of this user, verified by scanning storage and database.
    expect(await api.call('deleteMyData', {})).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    const deleted = await api.ok('deleteMyData', { confirm: true });
    expect(deleted.deleted.files).toBeGreaterThan(4);
    expect(fs.existsSync(path.join(dataDir, 'files', 'users', userId))).toBe(false);
    expect(userRows(userId)).toBe(0);
    expect(await anonymous.call('viewShared', { token: shared.token })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await fetch(server.url + first.poster.url)).status).toBe(404);
  });

  it('lets the user pick a face in a group photo', async () => {
    const api = new ApiClient(server.url);
    await api.ok('login');
    await api.ok('consent', { action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'guardian' });
    const upload = await api.uploadPhoto(await groupJpeg());
    const res = await api.call('analyze', upload);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('MULTIPLE_FACES');
    expect(res.error.details.boxes).toHaveLength(3);
    expect(res.error.details.imageSize).toEqual([1280, expect.any(Number)]);
    const picked = await api.ok('fuse', { requestId: 'group-1234', photoId: res.error.details.photoId, faceIndex: 1, story: campaign.stories[1].id });
    expect(picked.frames.length).toBeGreaterThanOrEqual(4);
    expect(await api.call('fuse', { requestId: 'group-5678', photoId: res.error.details.photoId, faceIndex: 5, story: campaign.stories[1].id })).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
  });
});

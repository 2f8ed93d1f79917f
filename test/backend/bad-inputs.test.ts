import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import campaign from '../../templates/campaign.json';
import { startLocalServer, type LocalServer } from '../../backend/runtime/local-server';
import { ERROR_MESSAGES } from '../../engine/core/errors';
import { ApiClient } from '../../scripts/lib/api-client';
import { allFiles } from '../helpers/files';
import { selfieJpeg } from '../helpers/fixtures';

jest.setTimeout(120_000);


/** A valid PNG header claiming 10000×10000 pixels (100 MP) with a tiny compressed body. */
function hugePng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(10000, 0);
  ihdr.writeUInt32BE(10000, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
}

describe('bad inputs through the API: a clear code each, the runtime stays up, nothing left behind', () => {
  let server: LocalServer;
  let dataDir: string;
  let api: ApiClient;
  let userId: string;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-bad-'));
    server = await startLocalServer({ port: 0, dataDir });
    api = new ApiClient(server.url);
    userId = (await api.ok('login')).userId;
    await api.ok('consent', { action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' });
  });
  afterAll(() => server.close());

  afterEach(async () => {
    // The runtime is still up, and the user's storage holds no upload or face data.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const left = allFiles(path.join(dataDir, 'files', 'users', userId)).filter((f) => /[\\/](uploads|faces)[\\/]/.test(f));
    expect(left).toEqual([]);
    // No analysed photo rows either (empty upload slots may wait for the sweeper: they hold no data).
    const photoRows = server.ports.db.prepare("SELECT COUNT(*) AS n FROM docs WHERE collection = 'photos' AND owner = ? AND id NOT LIKE 'upload:%'").get(userId) as { n: number };
    expect(photoRows.n).toBe(0);
  });

  const tinyJpegBody = async () => (await selfieJpeg()).subarray(0, 2000);
  const cases: Array<[string, string, () => Promise<Buffer> | Buffer]> = [
    ['non-image bytes', 'UNSUPPORTED_FORMAT', () => Buffer.from('this is a text file, not a photo'.repeat(20))],
    ['a truncated JPEG', 'CORRUPT_IMAGE', tinyJpegBody],
    ['a GIF', 'UNSUPPORTED_FORMAT', () => Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(200)])],
    ['a HEIC photo', 'UNSUPPORTED_FORMAT', () => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(200)])],
    ['a 100-megapixel PNG', 'IMAGE_TOO_LARGE', hugePng],
  ];
  it.each(cases)('%s → %s', async (_name, code, make) => {
    const { uploadId } = await api.ok('prepareUpload');
    const up = await api.upload(uploadId, await make());
    expect(up.ok).toBe(true);
    if (!up.ok) return;
    const res = await api.call('analyze', { uploadId, fileId: up.data.fileId });
    expect(res).toMatchObject({ ok: false, error: { code, message: ERROR_MESSAGES[code as keyof typeof ERROR_MESSAGES] } });
  });

  it('zero bytes → CORRUPT_IMAGE at upload', async () => {
    const { uploadId } = await api.ok('prepareUpload');
    expect(await api.upload(uploadId, Buffer.alloc(0))).toMatchObject({ ok: false, error: { code: 'CORRUPT_IMAGE' } });
    await api.call('analyze', { uploadId, fileId: `cloud://local/users/${userId}/uploads/${uploadId}.jpg` });
  });

  it('a 30 MB file → 413 IMAGE_TOO_LARGE without storing it', async () => {
    const { uploadId } = await api.ok('prepareUpload');
    const res = await fetch(`${server.url}/api/upload/${uploadId}`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg', cookie: api.cookie! },
      body: new Uint8Array(30 * 1024 * 1024).fill(0xff),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ ok: false, error: { code: 'IMAGE_TOO_LARGE', message: ERROR_MESSAGES.IMAGE_TOO_LARGE, details: { maxBytes: 20 * 1024 * 1024 } } });
    expect(allFiles(path.join(dataDir, 'files', 'users', userId, 'uploads'))).toEqual([]);
    await api.call('analyze', { uploadId, fileId: 'x' }); // lets the slot be cleaned by its owner
  });

  it('another user’s file and path tricks → FORBIDDEN', async () => {
    const other = new ApiClient(server.url);
    await other.ok('login');
    await other.ok('consent', { action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' });
    const theirs = await other.uploadPhoto(await selfieJpeg());
    // Their upload id in my session: not mine.
    expect(await api.call('analyze', theirs)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const { uploadId } = await api.ok('prepareUpload');
    const mine = `cloud://local/users/${userId}/uploads/${uploadId}.jpg`;
    for (const fileId of [
      theirs.fileId,
      mine.replace(`users/${userId}`, `users/${userId}/../${userId}`),
      mine.replace(/\//g, '%2F'),
      `/etc/passwd`,
      mine.replace('cloud://local/', 'cloud://prod-env-1a2b.7072-prod/'),
    ]) {
      expect(await api.call('analyze', { uploadId, fileId })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect(await api.upload('../../../etc/passwd', Buffer.from('x'))).toMatchObject({ ok: false });
    await other.ok('deleteMyData', { confirm: true });
    await api.call('analyze', { uploadId, fileId: mine }); // clean my slot (nothing uploaded there)
  });

  it('unknown story, degrees out of range, face index out of range, malformed ids → INVALID_ARGUMENT', async () => {
    const upload = await api.uploadPhoto(await selfieJpeg());
    const { photoId } = await api.ok('analyze', upload);
    const base = { requestId: 'bad-args-1', photoId, story: campaign.stories[0].id };
    for (const bad of [{ story: 'nope' }, { shape: 101 }, { features: -1 }, { shape: 50.5 }, { faceIndex: 3 }, { requestId: 'x' }, { photoId: '../../x' }]) {
      const res = await api.call('fuse', { ...base, requestId: `bad-${Object.keys(bad)[0]}-1`, ...bad });
      expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
    expect(await api.call('fuse', { ...base, photoId: 'A'.repeat(22) })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    await api.ok('deleteMyData', { confirm: true });
    userId = (await api.ok('login')).userId;
    await api.ok('consent', { action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' });
  });

  it('an oversized event → 413 INVALID_ARGUMENT saying how large an event may be', async () => {
    const res = await fetch(`${server.url}/api/fn/fuse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: api.cookie! },
      body: JSON.stringify({ pad: 'x'.repeat(100_000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: '请求内容太大了（最多 64KB），请返回上一步重新操作。', details: { field: 'body', maxBytes: 64 * 1024 } },
    });
  });

  it('no consent → CONSENT_REQUIRED for upload slots, analysis and fusion', async () => {
    const fresh = new ApiClient(server.url);
    await fresh.ok('login');
    expect(await fresh.call('prepareUpload')).toMatchObject({ error: { code: 'CONSENT_REQUIRED' } });
    expect(await fresh.call('analyze', { uploadId: 'A'.repeat(22), fileId: 'cloud://local/x' })).toMatchObject({ error: { code: 'CONSENT_REQUIRED' } });
    expect(await fresh.call('fuse', { requestId: 'abcdefgh', photoId: 'A'.repeat(22), story: 'chuang' })).toMatchObject({ error: { code: 'CONSENT_REQUIRED' } });
    expect(await fresh.upload('A'.repeat(22), Buffer.from('x'))).toMatchObject({ error: { code: 'CONSENT_REQUIRED' } });
  });

  it('anonymous callers get FORBIDDEN except for viewShared', async () => {
    const anon = new ApiClient(server.url);
    for (const fn of ['consent', 'prepareUpload', 'analyze', 'fuse', 'stories', 'share', 'deleteMyData']) {
      expect(await anon.call(fn, {})).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect(await anon.call('viewShared', { token: 'nope' })).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
  });
});

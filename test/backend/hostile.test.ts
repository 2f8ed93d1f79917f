/**
 * The hostile-input suite (`npm run hostile`; part of `npm test`): what a careless or malicious
 * client can send to the local runtime — decompression bombs, truncated and polyglot files, giant
 * EXIF, formats and MIME types that lie, path traversal in every key and id, another user's ids,
 * replayed request ids, malformed JSON and HTTP, absurd numbers, and emoji, RTL overrides and NUL
 * in every string field. Each case asserts the exact code that comes back; after each, the runtime
 * still answers /healthz and storage holds nothing the case could have left (no original, no face
 * data, no unfinished story, no file without its row); at the end every user deletes their data and
 * the files folder and the database are empty.
 *
 * One in-process runtime with the real engine serves every case; each case has its own user.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import campaign from '../../templates/campaign.json';
import { startLocalServer, type LocalServer } from '../../backend/runtime/local-server';
import { ERROR_MESSAGES, type ErrorCode } from '../../engine/core/errors';
import { ApiClient } from '../../scripts/lib/api-client';
import { allFiles } from '../helpers/files';
import { fixturePath, selfieJpeg } from '../helpers/fixtures';
import * as hostile from './hostile-inputs';

jest.setTimeout(60_000);

let server: LocalServer;
let dataDir: string;
const users: ApiClient[] = [];
const deleted = new Set<ApiClient>();

/** "Delete my data" for a user (their session goes with it: the final sweep skips them). */
async function deleteUser(api: ApiClient): Promise<void> {
  expect(await api.call('deleteMyData', { confirm: true })).toMatchObject({ ok: true });
  deleted.add(api);
}
const STORY = campaign.stories[0].id;

beforeAll(async () => {
  process.env.LOG_LEVEL = 'silent';
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-hostile-'));
  server = await startLocalServer({ port: 0, dataDir });
});

afterAll(async () => {
  // Every user deletes their data: then nothing at all may remain, in files or in the database.
  for (const api of users) if (!deleted.has(api)) await deleteUser(api);
  expect(allFiles(path.join(dataDir, 'files'))).toEqual([]);
  expect(server.ports.db.prepare('SELECT collection, id FROM docs').all()).toEqual([]);
  expect(server.ports.db.prepare('SELECT user_id FROM users').all()).toEqual([]);
  await server.close();
});

/** What a case may find in storage that is not its own: another user's pending upload and photo. */
const allowed = { keys: new Set<string>(), photoIds: new Set<string>() };

afterEach(async () => {
  const health = await fetch(`${server.url}/healthz`);
  expect([health.status, await health.json()]).toEqual([200, { ok: true }]);
  expectNothingLeft();
});

/**
 * Storage holds only what finished work owns: no original or face data on disk, no analysed-photo
 * row, no running story; each upload slot's path empty; each stored file listed by a done story.
 */
function expectNothingLeft(): void {
  const filesDir = path.join(dataDir, 'files');
  const keys = allFiles(filesDir).map((f) => path.relative(filesDir, f).split(path.sep).join('/'));
  const rows = (server.ports.db.prepare('SELECT collection, id, data FROM docs').all() as Array<{ collection: string; id: string; data: string }>).map((r) => ({ ...r, doc: JSON.parse(r.data) }));
  expect(rows.filter((r) => r.collection === 'photos' && !r.id.startsWith('upload:') && !allowed.photoIds.has(r.id)).map((r) => r.id)).toEqual([]);
  expect(rows.filter((r) => r.collection === 'jobs' && r.doc.state && r.doc.state !== 'done').map((r) => r.id)).toEqual([]);
  const listed = new Set(rows.filter((r) => r.doc.state === 'done').flatMap((r) => [...r.doc.frames, r.doc.poster, r.doc.cover].map((id: string) => id.replace('cloud://local/', ''))));
  expect(keys.filter((k) => !listed.has(k) && !allowed.keys.has(k))).toEqual([]);
}

/** A new browser user who has agreed to the consent. */
async function user(): Promise<ApiClient & { userId: string }> {
  const api = new ApiClient(server.url) as ApiClient & { userId: string };
  api.userId = (await api.ok('login')).userId;
  await api.ok('consent', { action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' });
  users.push(api);
  return api;
}

type Answer = { ok: boolean; error?: { code: string; message: string; details?: unknown } };
const refused = (code: ErrorCode) => ({ ok: false, error: expect.objectContaining({ code }) });

/** Uploads `bytes` as a photo and analyses it (what the photo page does), as a new user. */
async function uploadAndAnalyze(bytes: Buffer, contentType = 'image/jpeg'): Promise<{ api: ApiClient; upload: Answer; analyze?: Answer }> {
  const api = await user();
  const { uploadId } = await api.ok('prepareUpload');
  const upload = await api.upload(uploadId, bytes, contentType);
  if (!upload.ok) {
    // Let its owner close the slot it never filled (what the client does on an error).
    await api.call('analyze', { uploadId, fileId: `cloud://local/users/${api.userId}/uploads/${uploadId}.jpg` });
    return { api, upload };
  }
  return { api, upload, analyze: await api.call('analyze', { uploadId, fileId: upload.data.fileId }) };
}

/** One POST with a raw body and headers, as no well-behaved client would send it. */
function rawRequest(pathname: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string; rawHead?: string } = {}): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const { port } = server;
    if (opts.rawHead) {
      // Bytes on a socket: for requests Node's client refuses to send.
      const socket = require('node:net').connect(port, '127.0.0.1', () => socket.end(opts.rawHead));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head, ...body] = text.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), json: JSON.parse(body.join('\r\n\r\n')) });
      });
      return;
    }
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method: opts.method ?? 'POST', headers: opts.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('hostile files through upload → analyze', () => {
  const png = async (img: ReturnType<typeof sharp>) => img.png().toBuffer();
  const face = () => sharp(fixturePath(6)).extract({ left: 476, top: 150, width: 600, height: 720 });
  const cases: Array<[string, ErrorCode | 'ok', () => Promise<Buffer> | Buffer]> = [
    // decompression bombs: refused from the header, before any pixel is allocated
    ['a 74-byte PNG declaring 30000×30000 pixels', 'IMAGE_TOO_LARGE', () => hostile.pngDeclaring(30000, 30000)],
    ['a PNG declaring 2^31-1 × 2^31-1 pixels', 'CORRUPT_IMAGE', () => hostile.pngDeclaring(0x7fffffff, 0x7fffffff)],
    ['a PNG declaring 7000×7000 (49 MP, over the 40 MP budget)', 'IMAGE_TOO_LARGE', () => hostile.pngDeclaring(7000, 7000)],
    ['a PNG declaring 100000×40 (a strip: shorter side under 64)', 'IMAGE_TOO_SMALL', () => hostile.pngDeclaring(100000, 40)],
    ['a PNG declaring 100000×96 with data for a few rows', 'CORRUPT_IMAGE', () => hostile.pngDeclaring(100000, 96)],
    ['a JPEG whose frame header claims 30000×30000', 'IMAGE_TOO_LARGE', () => hostile.jpegDeclaring(30000, 30000)],
    ['a JPEG whose frame header claims 65535×65535 (past JPEG’s own 65500 limit)', 'CORRUPT_IMAGE', () => hostile.jpegDeclaring(65535, 65535)],
    ['a 12 KB lossless WebP whose header claims 8000×8000', 'IMAGE_TOO_LARGE', () => hostile.webpLosslessDeclaring(8000)],
    ['a lossless WebP whose header claims 16384×16384 (refused by the decoder itself)', 'CORRUPT_IMAGE', () => hostile.webpLosslessDeclaring(16384)],
    ['a WebP header claiming a 16384×16384 canvas with no image in it', 'CORRUPT_IMAGE', () => hostile.webpDeclaringHugeCanvas()],
    ['a 210 KB deflate bomb inflating to 48 MB of black pixels', 'NO_FACE', () => hostile.pngDeflateBomb()],
    // libjpeg draws a scan that ends early as grey (a warning, not an error: refusing every warning
    // would refuse phone JPEGs with harmless stray bytes); decoded at 1/8 scale it costs ≈ 60 ms.
    ['a JPEG claiming 7000×5000 with data for 600×720', 'NO_FACE', () => hostile.jpegDeclaring(7000, 5000)],
    // truncated and broken files
    ['a JPEG cut after 2000 bytes', 'CORRUPT_IMAGE', async () => (await selfieJpeg()).subarray(0, 2000)],
    ['a JPEG with only its start and JFIF markers', 'CORRUPT_IMAGE', async () => (await selfieJpeg()).subarray(0, 20)],
    ['a PNG cut in half', 'CORRUPT_IMAGE', async () => { const b = await png(face()); return b.subarray(0, b.length >> 1); }],
    ['a WebP cut in half', 'CORRUPT_IMAGE', async () => { const b = await face().webp().toBuffer(); return b.subarray(0, b.length >> 1); }],
    ['eleven bytes', 'CORRUPT_IMAGE', () => hostile.ascii('\xff\xd8\xff\xe0garbage')],
    // polyglots and formats that are not photos
    ['a JPEG with an HTML page and a ZIP appended (decoded as the JPEG it is)', 'ok', async () => Buffer.concat([await selfieJpeg(), hostile.ascii('<html><script>alert(1)</script></html>PK\x03\x04')])],
    ['an HTML page with a JPEG appended', 'UNSUPPORTED_FORMAT', async () => Buffer.concat([hostile.ascii('<html><body onload=alert(1)>'), await selfieJpeg()])],
    ['a GIF/JavaScript polyglot', 'UNSUPPORTED_FORMAT', () => hostile.ascii('GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(1);' + ' '.repeat(64))],
    ['a PDF', 'UNSUPPORTED_FORMAT', () => hostile.ascii('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF')],
    ['an SVG with a script', 'UNSUPPORTED_FORMAT', () => hostile.ascii('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ['a ZIP archive', 'UNSUPPORTED_FORMAT', () => hostile.ascii('PK\x03\x04\x14\x00\x00\x00\x08\x00' + '\x00'.repeat(40))],
    ['an ELF executable', 'UNSUPPORTED_FORMAT', () => hostile.ascii('\x7fELF\x02\x01\x01\x00' + '\x00'.repeat(56))],
    ['a HEIC photo', 'UNSUPPORTED_FORMAT', () => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), hostile.ascii('ftypheic'), Buffer.alloc(64)])],
    ['an AVIF image', 'UNSUPPORTED_FORMAT', () => Buffer.concat([Buffer.from([0, 0, 0, 0x1c]), hostile.ascii('ftypavif\0\0\0\0avifmif1miaf'), Buffer.alloc(64)])],
    ['a TIFF image', 'UNSUPPORTED_FORMAT', async () => sharp(await selfieJpeg()).tiff().toBuffer()],
    ['a GIF image', 'UNSUPPORTED_FORMAT', () => png(face().resize({ width: 64 })).then((p) => sharp(p).gif().toBuffer())],
    ['a BMP header', 'UNSUPPORTED_FORMAT', () => hostile.ascii('BM' + '\x00'.repeat(60))],
    // EXIF
    ['a JPEG carrying 150 EXIF segments of 64 KB (9.8 MB of metadata)', 'ok', () => hostile.jpegWithGiantExif(150)],
    ['a JPEG whose EXIF IFD claims 65535 entries pointing outside the file', 'ok', () => hostile.jpegWithBrokenExif()],
    ['a JPEG with EXIF orientation 9 (undefined)', 'ok', () => hostile.jpegWithOrientation(9)],
    ['a JPEG with EXIF orientation 65535', 'ok', () => hostile.jpegWithOrientation(65535)],
    // sizes and odd encodings of a good photo
    ['a 1×1 PNG', 'IMAGE_TOO_SMALL', () => png(sharp({ create: { width: 1, height: 1, channels: 3, background: '#888' } }))],
    ['a 63×1000 PNG', 'IMAGE_TOO_SMALL', () => png(sharp({ create: { width: 63, height: 1000, channels: 3, background: '#888' } }))],
    ['a fully transparent PNG of the face', 'NO_FACE', () => png(face().ensureAlpha(0))],
    ['a CMYK JPEG of the face', 'ok', () => face().toColourspace('cmyk').jpeg().toBuffer()],
    ['a 16-bit PNG of the face', 'ok', () => png(face().toColourspace('rgb16'))],
    ['a greyscale JPEG of the face', 'ok', () => face().greyscale().jpeg().toBuffer()],
    ['a lossless WebP of the face', 'ok', () => face().webp({ lossless: true }).toBuffer()],
  ];
  it.each(cases)('%s → %s', async (_name, expected, make) => {
    const { api, upload, analyze } = await uploadAndAnalyze(await make());
    expect(upload).toMatchObject({ ok: true });
    if (expected === 'ok') {
      expect(analyze).toMatchObject({ ok: true, data: { chosenIndex: 0 } });
      expect((analyze as unknown as { data: { faces: unknown[] } }).data.faces).toHaveLength(1);
      await deleteUser(api); // its face data is the user's to delete
    } else expect(analyze).toEqual({ ok: false, error: expect.objectContaining({ code: expected, message: ERROR_MESSAGES[expected] }) });
  });

  const lies: Array<[string, string, () => Promise<Buffer> | Buffer, ErrorCode | 'ok']> = [
    ['a PNG sent as image/jpeg', 'image/jpeg', () => png(face()), 'ok'],
    ['a JPEG sent as text/html', 'text/html', () => selfieJpeg(), 'ok'],
    ['a JPEG sent as application/x-msdownload', 'application/x-msdownload', () => selfieJpeg(), 'ok'],
    ['an HTML page sent as image/png', 'image/png', () => hostile.ascii('<!doctype html><script>alert(1)</script>'), 'UNSUPPORTED_FORMAT'],
    ['a text file sent as image/webp', 'image/webp', () => hostile.ascii('just some text, no picture here at all'), 'UNSUPPORTED_FORMAT'],
  ];
  it.each(lies)('%s (content type %s): the bytes decide', async (_name, type, make, expected) => {
    const { api, upload, analyze } = await uploadAndAnalyze(await make(), type);
    expect(upload).toMatchObject({ ok: true });
    expect(analyze).toMatchObject(expected === 'ok' ? { ok: true } : refused(expected));
    if (expected === 'ok') await deleteUser(api);
  });

  it('zero bytes → CORRUPT_IMAGE at the upload', async () => {
    expect((await uploadAndAnalyze(Buffer.alloc(0))).upload).toEqual({ ok: false, error: { code: 'CORRUPT_IMAGE', message: ERROR_MESSAGES.CORRUPT_IMAGE } });
  });

  it('20 MB + 1 byte (a giant EXIF over the budget) → 413 IMAGE_TOO_LARGE at the upload', async () => {
    const api = await user();
    const { uploadId } = await api.ok('prepareUpload');
    const big = await hostile.jpegWithGiantExif(330);
    expect(big.length).toBeGreaterThan(20 * 1024 * 1024);
    const res = await rawRequest(`/api/upload/${uploadId}`, { headers: { cookie: api.cookie!, 'content-type': 'image/jpeg', 'content-length': String(big.length) }, body: big });
    expect(res).toEqual({ status: 413, json: refused('IMAGE_TOO_LARGE') });
    await api.call('analyze', { uploadId, fileId: `cloud://local/users/${api.userId}/uploads/${uploadId}.jpg` });
  });
});

describe('path traversal in every key and id', () => {
  it.each([
    ['/api/upload/..%2F..%2F..%2Fetc%2Fpasswd'],
    ['/api/upload/AAAAAAAAAAAAAAAAAAAA%2F..'],
    ['/api/fn/..%2Fupload'],
    ['/api/%2E%2E/fn/login'],
  ])('%s → 404 NOT_FOUND', async (p) => {
    expect(await rawRequest(p, { body: '{}' })).toEqual({ status: 404, json: refused('NOT_FOUND') });
  });

  it.each([
    ['/files/..%2F..%2Fapp.db?exp=9999999999999&sig=x'],
    ['/files/users/../url-secret?exp=9999999999999&sig=x'],
    ['/files/%2e%2e/%2e%2e/etc/passwd'],
  ])('GET %s → 403 FORBIDDEN', async (p) => {
    expect(await rawRequest(p, { method: 'GET' })).toEqual({ status: 403, json: refused('FORBIDDEN') });
  });

  it('analyze with traversal in fileId → FORBIDDEN, for each spelling', async () => {
    const api = await user();
    const { uploadId, cloudPath } = await api.ok('prepareUpload');
    const mine = `cloud://local/${cloudPath}`;
    for (const fileId of [
      mine.replace(`users/${api.userId}/`, `users/${api.userId}/../${api.userId}/`),
      mine.replace('uploads/', 'uploads/./'),
      mine.replace(/\//g, '%2F'),
      mine.replace('/uploads/', '/uploads%2F..%2F'),
      mine.replace('/uploads/', '\\uploads\\'),
      `cloud://local//${cloudPath}`,
      `cloud://local/../../app.db`,
      '/etc/passwd',
      `file:///${cloudPath}`,
      mine.replace('cloud://local/', 'cloud://prod-env-1a2b.7072-prod/'),
    ]) {
      expect([fileId, await api.call('analyze', { uploadId, fileId })]).toEqual([fileId, refused('FORBIDDEN')]);
    }
    await api.call('analyze', { uploadId, fileId: mine });
  });

  const idFields: Array<[string, Record<string, unknown>]> = [
    ['analyze.uploadId', { fn: 'analyze', uploadId: '../../../etc/passwd', fileId: 'cloud://local/x' }],
    ['fuse.requestId', { fn: 'fuse', requestId: '../../../../tmp/x', photoId: 'A'.repeat(22), story: STORY }],
    ['fuse.photoId', { fn: 'fuse', requestId: 'request-1', photoId: '../faces/x', story: STORY }],
    ['fuse.story', { fn: 'fuse', requestId: 'request-1', photoId: 'A'.repeat(22), story: '../../templates' }],
    ['share.story', { fn: 'share', story: '..%2f..%2fchuang' }],
    ['viewShared.token', { fn: 'viewShared', token: '../../../../../../etc/pas' }],
    ['login.source', { fn: 'login', source: '../../shares/AAAAAAAAAAAA' }],
  ];
  it.each(idFields)('%s with ../ → INVALID_ARGUMENT', async (_field, { fn, ...event }) => {
    const api = await user();
    expect(await api.call(fn as string, event)).toMatchObject(refused('INVALID_ARGUMENT'));
  });
});

describe('another user’s ids', () => {
  let owner: ApiClient & { userId: string };
  let slot: { uploadId: string; fileId: string };
  let photoId: string;
  beforeAll(async () => {
    // The owner has an analysed photo (face data) and an uploaded, not yet analysed one.
    owner = await user();
    const first = await owner.uploadPhoto(await selfieJpeg());
    photoId = (await owner.ok('analyze', first)).photoId;
    slot = await owner.uploadPhoto(await selfieJpeg());
    allowed.photoIds.add(photoId);
    allowed.keys.add(slot.fileId.replace('cloud://local/', ''));
    allowed.keys.add(`users/${owner.userId}/faces/${photoId}.bin`);
  });
  afterAll(async () => {
    await deleteUser(owner);
    allowed.keys.clear();
    allowed.photoIds.clear();
  });
  const cases: Array<[string, ErrorCode, (api: ApiClient, self: { uploadId: string; fileId: string }) => Promise<Answer>]> = [
    ['analyze with their upload id and file id', 'FORBIDDEN', (api) => api.call('analyze', slot)],
    ['analyze with my upload id and their file id', 'FORBIDDEN', (api, self) => api.call('analyze', { uploadId: self.uploadId, fileId: slot.fileId })],
    ['upload into their slot', 'FORBIDDEN', (api) => api.upload(slot.uploadId, Buffer.from('overwrite'))],
    ['fuse their photo id', 'NOT_FOUND', (api) => api.call('fuse', { requestId: 'theirs-1', photoId, story: STORY })],
    ['share a story I never made', 'NOT_FOUND', (api) => api.call('share', { story: STORY })],
  ];
  it.each(cases)('%s → %s, their files untouched', async (_name, code, act) => {
    const api = await user();
    const { uploadId, cloudPath } = await api.ok('prepareUpload');
    expect(await act(api, { uploadId, fileId: `cloud://local/${cloudPath}` })).toMatchObject(refused(code));
    expect(fs.readFileSync(path.join(dataDir, 'files', ...slot.fileId.replace('cloud://local/', '').split('/'))).equals(await selfieJpeg())).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'files', 'users', owner.userId, 'faces', `${photoId}.bin`))).toBe(true);
    await api.call('analyze', { uploadId, fileId: `cloud://local/${cloudPath}` });
  });
});

describe('replays', () => {
  it('the same fuse request id twice → the same story, once; with other parameters → INVALID_ARGUMENT', async () => {
    const api = await user();
    const { uploadId } = await api.ok('prepareUpload');
    const up = await api.upload(uploadId, await selfieJpeg());
    if (!up.ok) throw new Error('upload failed');
    const { photoId } = await api.ok('analyze', { uploadId, fileId: up.data.fileId });
    const request = { requestId: 'replayed-request', photoId, story: STORY };
    const first = await api.ok('fuse', request);
    const again = await api.ok('fuse', request);
    expect(again).toEqual({ ...first, frames: first.frames.map((f: any) => ({ ...f, url: expect.any(String) })), poster: { ...first.poster, url: expect.any(String) }, cover: { ...first.cover, url: expect.any(String) } });
    expect(await api.call('fuse', { ...request, shape: 10 })).toMatchObject(refused('INVALID_ARGUMENT'));
    expect(await api.call('fuse', { ...request, photoId: 'B'.repeat(22) })).toMatchObject(refused('INVALID_ARGUMENT'));
    // Another user replaying the same request id gets nothing of the first user's.
    const other = await user();
    expect(await other.call('fuse', request)).toMatchObject(refused('NOT_FOUND'));
    expect((await api.ok('stories')).stories).toHaveLength(1);
    // A replayed analyze of a consumed slot, and an upload into it: the slot is gone.
    expect(await api.call('analyze', { uploadId, fileId: up.data.fileId })).toMatchObject(refused('NOT_FOUND'));
    expect(await api.upload(uploadId, await selfieJpeg())).toMatchObject(refused('NOT_FOUND'));
    await deleteUser(api);
  });

  it('a replayed consent is idempotent', async () => {
    const api = await user();
    const agree = { action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' };
    expect(await api.call('consent', agree)).toMatchObject({ ok: true, data: { agreed: true } });
    expect(server.ports.db.prepare(`SELECT COUNT(*) AS n FROM docs WHERE collection = 'consents' AND owner = ?`).get(api.userId)).toEqual({ n: 1 });
  });
});

describe('malformed requests', () => {
  // Unparseable bodies are refused by the runtime (400); parseable non-objects by the function (200, ok:false).
  const bodies: Array<[string, string | Buffer, number]> = [
    ['not JSON', '{not json', 400],
    ['JSON with a byte-order mark', '\ufeff{}', 400],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0xfe, 0x7d]), 400],
    ['JSON null', 'null', 200],
    ['a JSON array', '[]', 200],
    ['a JSON string', '"prepareUpload"', 200],
    ['a JSON number', '123', 200],
    ['JSON nested 20000 deep', '['.repeat(20000) + ']'.repeat(20000), 200],
  ];
  it.each(bodies)('%s → INVALID_ARGUMENT', async (_name, body, status) => {
    const api = await user();
    const res = await rawRequest('/api/fn/prepareUpload', { headers: { cookie: api.cookie!, 'content-type': 'application/json' }, body });
    expect(res).toEqual({ status, json: refused('INVALID_ARGUMENT') });
  });

  it('__proto__ in the event pollutes nothing', async () => {
    const api = await user();
    const res = await rawRequest('/api/fn/consent', { headers: { cookie: api.cookie!, 'content-type': 'application/json' }, body: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"action":"get"}' });
    expect(res).toMatchObject({ status: 200, json: { ok: true, data: { agreed: true } } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['a negative Content-Length', 'POST /api/fn/login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}'],
    ['a Content-Length that is not a number', 'POST /api/fn/login HTTP/1.1\r\nHost: x\r\nContent-Length: NaN\r\n\r\n{}'],
    ['two different Content-Lengths', 'POST /api/fn/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}'],
    ['a NUL in a header', 'POST /api/fn/login HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\n{}'],
  ])('HTTP with %s → 400 INVALID_ARGUMENT (JSON, not a bare reset)', async (_name, rawHead) => {
    expect(await rawRequest('', { rawHead })).toEqual({ status: 400, json: refused('INVALID_ARGUMENT') });
  });

  it('80 KB of headers → 431 INVALID_ARGUMENT', async () => {
    expect(await rawRequest('', { rawHead: `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(80_000)}\r\n\r\n` })).toEqual({ status: 431, json: refused('INVALID_ARGUMENT') });
  });
});

describe('numbers out of every range', () => {
  const base = { requestId: 'numbers-1', photoId: 'A'.repeat(22), story: STORY };
  it.each([
    ['shape', 1e308],
    ['shape', 1e309], // JSON parses it as Infinity
    ['shape', -1],
    ['shape', 50.5],
    ['shape', '50'],
    ['features', -1e-7],
    ['features', 2 ** 53],
    ['faceIndex', -1],
    ['faceIndex', 6],
    ['faceIndex', 'NaN'],
  ] as Array<[string, unknown]>)('fuse %s = %p → INVALID_ARGUMENT naming the field', async (field, value) => {
    const api = await user();
    // JSON.stringify writes Infinity as null: put the literal 1e309 in the body instead.
    const body = JSON.stringify({ ...base, [field]: value === Infinity ? '@inf' : value }).replace('"@inf"', '1e309');
    const res = await rawRequest('/api/fn/fuse', { headers: { cookie: api.cookie!, 'content-type': 'application/json' }, body });
    expect(res.json).toEqual({ ok: false, error: expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { field } }) });
  });

  it.each([['exp=-1'], ['exp=NaN'], ['exp=1e400'], ['exp=99999999999999999999&sig=']])('a file URL with %s → 403 FORBIDDEN', async (q) => {
    expect(await rawRequest(`/files/users/x/results/a.jpg?${q}`, { method: 'GET' })).toEqual({ status: 403, json: refused('FORBIDDEN') });
  });
});

describe('emoji, RTL overrides and NUL in every string field', () => {
  const nasty: Array<[string, string]> = [
    ['emoji', '😀🇨🇳'],
    ['an RTL override', 'abc\u202Edcba'],
    ['NUL', 'abc\u0000def'],
    ['a lone surrogate', 'abc\uD800'],
  ];
  // field, event builder, expected code per variant (emoji, RTL, NUL, lone surrogate)
  const fields: Array<[string, string, (v: string) => Record<string, unknown>, ErrorCode[]]> = [
    ['login.source', 'login', (v) => ({ source: v }), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    ['consent.action', 'consent', (v) => ({ action: v }), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    // Any version other than the current one asks for the current consent again.
    ['consent.version', 'consent', (v) => ({ action: 'agree', agree: true, ageGroup: 'adult', version: v }), ['CONSENT_REQUIRED', 'CONSENT_REQUIRED', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    ['consent.ageGroup', 'consent', (v) => ({ action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: v }), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    ['analyze.uploadId', 'analyze', (v) => ({ uploadId: v, fileId: 'cloud://local/x' }), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    ['analyze.fileId', 'analyze', (v) => ({ uploadId: 'SLOT', fileId: `cloud://local/users/${v}.jpg` }), ['FORBIDDEN', 'FORBIDDEN', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    ['fuse.requestId', 'fuse', (v) => ({ requestId: `req-${v}`, photoId: 'A'.repeat(22), story: STORY }), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    ['fuse.photoId', 'fuse', (v) => ({ requestId: 'request-1', photoId: `${'A'.repeat(20)}${v}`, story: STORY }), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    ['fuse.story', 'fuse', (v) => ({ requestId: 'request-1', photoId: 'A'.repeat(22), story: `chuang${v}` }), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    ['fuse.caption', 'fuse', (v) => ({ requestId: 'request-1', photoId: 'A'.repeat(22), story: STORY, caption: `我来了${v}` }), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    ['share.story', 'share', (v) => ({ story: v }), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    ['viewShared.token', 'viewShared', (v) => ({ token: `${v}${'A'.repeat(22)}`.slice(0, 22) }), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
    ['deleteMyData.confirm', 'deleteMyData', (v) => ({ confirm: v }), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']],
  ];
  it.each(fields)('%s', async (_name, fn, event, codes) => {
    const api = await user();
    const { uploadId, cloudPath } = await api.ok('prepareUpload');
    for (const [i, [variant, value]] of nasty.entries()) {
      const e = event(value);
      if (e.uploadId === 'SLOT') e.uploadId = uploadId;
      const answer = await api.call(fn, e);
      expect([variant, answer]).toEqual([variant, refused(codes[i])]);
    }
    expect(await api.ok('consent')).toMatchObject({ agreed: true }); // the user is intact
    await api.call('analyze', { uploadId, fileId: `cloud://local/${cloudPath}` });
  });

  it('a caption of plain Chinese text with punctuation is still accepted by validation (NOT_FOUND for the made-up photo)', async () => {
    const api = await user();
    expect(await api.call('fuse', { requestId: 'request-1', photoId: 'A'.repeat(22), story: STORY, caption: '我来了，深圳！2026 (ok)' })).toMatchObject(refused('NOT_FOUND'));
  });
});

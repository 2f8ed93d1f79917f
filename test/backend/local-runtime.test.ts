import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startLocalServer, type LocalServer } from '../../backend/runtime/local-server';
import campaign from '../../templates/campaign.json';
import { ERROR_MESSAGES } from '../../engine/core/errors';
import { ApiClient } from '../../scripts/lib/api-client';
import { startRuntime } from '../helpers/runtime-process';

const post = (url: string, body: string, cookie?: string) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) } });

describe('local runtime (in process)', () => {
  let server: LocalServer;
  let dataDir: string;
  let staticDir: string;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-rt-'));
    staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-h5-'));
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<html>home</html>');
    server = await startLocalServer({ port: 0, dataDir, staticDir });
  });
  afterAll(() => server.close());

  it('answers /healthz once ready', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('issues a session on login and recognises it afterwards', async () => {
    const first = await post(`${server.url}/api/fn/login`, '{}');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^szs_sid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/);
    const a = await first.json();
    expect(a).toMatchObject({ ok: true, data: { platform: 'local', isNew: true } });
    const second = await (await post(`${server.url}/api/fn/login`, '{}', cookie.split(';')[0])).json();
    expect(second.data).toEqual({ ...a.data, isNew: false });
    // The session token itself is never stored, only its hash.
    const rows = server.ports.db.prepare('SELECT session_hash FROM sessions').all() as { session_hash: string }[];
    expect(rows.map((r) => r.session_hash)).not.toContain(cookie.split(';')[0].split('=')[1]);
  });

  it('gives clear codes for bad requests and stays up', async () => {
    expect(await (await post(`${server.url}/api/fn/nope`, '{}')).json()).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await (await post(`${server.url}/api/fn/login`, '{not json')).json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect(await (await post(`${server.url}/api/fn/login`, '[1,2]')).json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    const big = await post(`${server.url}/api/fn/login`, JSON.stringify({ pad: 'x'.repeat(200_000) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', details: { field: 'body', maxBytes: 65536 } } });
    expect((await fetch(`${server.url}/api/fn/login`)).status).toBe(405);
    const msg = (await (await post(`${server.url}/api/fn/nope`, '{}')).json()).error.message;
    expect(msg).toMatch(/[\u4e00-\u9fa5]/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers an oversized body with 413 and JSON however it is sent, and keeps serving', async () => {
    const raw = (headers: http.OutgoingHttpHeaders, send: (req: http.ClientRequest) => void) =>
      new Promise<{ status: number; body: any; sent: number }>((resolve, reject) => {
        let sent = 0;
        const req = http.request(`${server.url}/api/fn/login`, { method: 'POST', headers }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), sent }));
        });
        req.on('error', reject);
        const write = req.write.bind(req);
        req.write = ((chunk: Buffer, ...rest: any[]) => ((sent += chunk.length), write(chunk, ...rest))) as typeof req.write;
        send(req);
      });
    const refused = { ok: false, error: { code: 'INVALID_ARGUMENT', details: { field: 'body', maxBytes: 65536 } } };
    // Chunked, no content-length: found out while reading; the rest is drained, then answered.
    const chunked = await raw({ 'content-type': 'application/json' }, (req) => {
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(16 * 1024, 0x20));
      req.end();
    });
    expect(chunked).toMatchObject({ status: 413, body: refused });
    // Expect: 100-continue with a declared size over the budget: refused before any byte is sent.
    const early = await raw({ 'content-type': 'application/json', 'content-length': 5_000_000, expect: '100-continue' }, (req) => {
      req.on('continue', () => req.end(Buffer.alloc(5_000_000)));
      req.flushHeaders();
    });
    expect(early).toMatchObject({ status: 413, body: refused, sent: 0 });
    // A declared size past what the runtime drains (64 MB): answered at once, the connection closed.
    const huge = await raw({ 'content-type': 'application/json', 'content-length': 500_000_000 }, (req) => req.write(Buffer.alloc(1024)));
    expect(huge).toMatchObject({ status: 413, body: refused });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('a failure outside the functions answers 500 INTERNAL and logs its reason without paths or ids', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-500-'));
    const own = await startLocalServer({ port: 0, dataDir: dir });
    const api = new ApiClient(own.url);
    const { userId } = await api.ok('login');
    await api.ok('consent', { action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' });
    const { uploadId } = await api.ok('prepareUpload');
    // The user's folder cannot be created: a plain file stands where it should be.
    fs.mkdirSync(path.join(dir, 'files', 'users'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'files', 'users', userId), 'in the way');
    const lines: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => (lines.push(String(chunk)), true));
    process.env.LOG_LEVEL = 'info';
    try {
      const res = await api.upload(uploadId, Buffer.from('photo bytes'));
      expect(res).toEqual({ ok: false, error: { code: 'INTERNAL', message: ERROR_MESSAGES.INTERNAL } });
    } finally {
      process.env.LOG_LEVEL = 'silent';
      spy.mockRestore();
      await own.close();
    }
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
    expect(logged).toMatchObject({ level: 'error', code: 'INTERNAL', method: 'POST', reason: expect.stringMatching(/^Error E(NOTDIR|EXIST): /) });
    expect(logged.reason).toContain('[path]');
    for (const secret of [userId, dir, uploadId]) expect(lines.join('')).not.toContain(secret);
  });

  it('serves the H5 build and never files outside it', async () => {
    expect(await (await fetch(`${server.url}/`)).text()).toContain('home');
    const escape = await fetch(`${server.url}/..%2f..%2f..%2fetc%2fpasswd`);
    expect(await escape.text()).not.toContain('root:');
  });

  it('refuses to start on a taken port with a clear message', async () => {
    await expect(startLocalServer({ port: server.port, dataDir })).rejects.toThrow(/already in use.*PORT=/);
  });
});

describe('npm start process', () => {
  it('serves, then shuts down gracefully on SIGTERM', async () => {
    const rt = await startRuntime({ LOG_LEVEL: 'info' });
    const res = await fetch(`${rt.url}/api/fn/login`, { method: 'POST', body: '{}' });
    expect((await res.json()).ok).toBe(true);
    expect(await rt.stop('SIGTERM')).toBe(0);
    expect(rt.output()).toContain('shutting down');
    // The database was closed cleanly: WAL checkpointed, reopenable.
    expect(fs.existsSync(path.join(rt.dataDir, 'app.db'))).toBe(true);
  }, 40_000);
});

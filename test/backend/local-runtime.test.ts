import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalServer, type LocalServer } from '../../backend/runtime/local-server';
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
    const big = await post(`${server.url}/api/fn/login`, JSON.stringify({ pad: 'x'.repeat(200_000) })).then((r) => r.json(), () => ({ error: { code: 'INVALID_ARGUMENT' } }));
    expect(big).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect((await fetch(`${server.url}/api/fn/login`)).status).toBe(405);
    const msg = (await (await post(`${server.url}/api/fn/nope`, '{}')).json()).error.message;
    expect(msg).toMatch(/[\u4e00-\u9fa5]/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
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

/**
 * The local mini-program code is a QR code a phone opens: it decodes (jsqr) to the local runtime's
 * H5 address with wxacode's page and scene — PUBLIC_URL when set, else the server's own address —
 * and that address is the home page route that opens the shared poster (the e2e journey follows
 * a real poster's code in Chromium).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localCodeMaker } from '../../backend/adapters/local/platform-services';
import { startLocalServer, type LocalServer } from '../../backend/runtime/local-server';
import { SHARE_PAGE, sceneFor } from '../../backend/domain/stories';
import { sceneUrl } from '../../engine/output/qr-code';
import { shareTokenFrom } from '../../client/src/services/launch';
import { publicUrlFrom } from '../../scripts/lib/public-url';
import { decodeQr } from '../helpers/qr';

// launch.ts reads the token the way the pages do; its Taro import is not used by shareTokenFrom.
jest.mock('@tarojs/taro', () => ({ __esModule: true, default: {} }));

jest.setTimeout(30_000); // a busy 2-core machine can be slow; the work itself takes well under a second

const TOKEN = 'Ab3xYz9_kLmN0pQrStUv-w';

describe('local mini-program code', () => {
  it('encodes the H5 address of page + scene under the public URL', async () => {
    const png = await localCodeMaker(() => 'http://192.168.1.20:8787/').make(sceneFor(TOKEN), SHARE_PAGE);
    const text = await decodeQr(png);
    expect(text).toBe(`http://192.168.1.20:8787/#/pages/index/index?scene=t%3D${TOKEN}`);
    expect(text).toBe(sceneUrl('http://192.168.1.20:8787', SHARE_PAGE, sceneFor(TOKEN)));
    // What the home page reads from that route's query: the share token.
    const query = Object.fromEntries(new URLSearchParams(new URL(text!).hash.split('?')[1]));
    expect(shareTokenFrom(query)).toBe(TOKEN);
  });

  it('refuses a scene longer than wxacode allows (32) with INVALID_ARGUMENT', async () => {
    await expect(localCodeMaker(() => 'http://x').make('t=' + 'a'.repeat(31), SHARE_PAGE)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  describe('in the runtime', () => {
    const dirs: string[] = [];
    const servers: LocalServer[] = [];
    const start = async (publicUrl?: string) => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-code-'));
      dirs.push(dataDir);
      const server = await startLocalServer({ port: 0, dataDir, publicUrl });
      servers.push(server);
      return server;
    };
    afterAll(async () => {
      for (const s of servers) await s.close();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    it("defaults to the server's own address", async () => {
      const server = await start();
      expect(await decodeQr(await server.ports.codes.make(sceneFor(TOKEN), SHARE_PAGE))).toBe(`${server.url}/#/pages/index/index?scene=t%3D${TOKEN}`);
    });
    it('uses PUBLIC_URL when given', async () => {
      const server = await start('https://story.example.cn/sz');
      expect(await decodeQr(await server.ports.codes.make(sceneFor(TOKEN), SHARE_PAGE))).toBe(`https://story.example.cn/sz/#/pages/index/index?scene=t%3D${TOKEN}`);
    });
  });
});

describe('publicUrlFrom (npm start: PUBLIC_URL, HOST)', () => {
  const lan = { eth0: [{ family: 'IPv4', internal: false, address: '192.168.1.20' }], lo: [{ family: 'IPv4', internal: true, address: '127.0.0.1' }] } as any;
  it('takes PUBLIC_URL without a trailing slash', () => {
    expect(publicUrlFrom({ PUBLIC_URL: 'https://story.example.cn/' }, '127.0.0.1', 8787, lan)).toBe('https://story.example.cn');
  });
  it("leaves the default to the server for a specific host, and uses the LAN address for 0.0.0.0", () => {
    expect(publicUrlFrom({}, '127.0.0.1', 8787, lan)).toBeUndefined();
    expect(publicUrlFrom({}, '0.0.0.0', 8787, lan)).toBe('http://192.168.1.20:8787');
    expect(publicUrlFrom({}, '0.0.0.0', 8787, {})).toBe('http://127.0.0.1:8787');
  });
  it.each(['192.168.1.20:8787', 'ftp://x', 'http://x/?a=1', 'http://x/#y', 'http://u:p@x'])('refuses PUBLIC_URL=%p with what to write', (bad) => {
    expect(() => publicUrlFrom({ PUBLIC_URL: bad }, '127.0.0.1', 8787, lan)).toThrow(/^PUBLIC_URL must be an http\(s\) address .*like http:\/\/192\.168\.1\.20:8787, got/);
  });
});

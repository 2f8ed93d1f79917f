import fs from 'node:fs';
import path from 'node:path';
import { buildFunction, functionNames } from '../../scripts/build-functions';

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
});

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Newest modification time under the given files/folders (skipping node_modules). */
export function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p)) if (name !== 'node_modules') visit(path.join(p, name));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  paths.forEach((p) => visit(path.resolve(ROOT, p)));
  return newest;
}

/** True when `output` is missing or older than any input. */
export function isStale(output: string, inputs: string[]): boolean {
  const out = path.resolve(ROOT, output);
  if (!fs.existsSync(out)) return true;
  return newestMtime(inputs) > fs.statSync(out).mtimeMs;
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${res.status}`);
  }
}

/** What the client builds depend on. */
const CLIENT_INPUTS = ['client/src', 'config', 'engine/core/errors.ts', 'templates/campaign.json', 'babel.config.js', 'package-lock.json'];

/** Builds a Taro platform if its sources changed since the last build. */
export function buildClientIfStale(platform: 'weapp' | 'h5'): void {
  const marker = platform === 'h5' ? 'dist/h5/index.html' : 'dist/weapp/app.js';
  if (!isStale(marker, CLIENT_INPUTS)) {
    console.log(`[build] ${platform} is up to date`);
    return;
  }
  console.log(`[build] building ${platform}…`);
  run('npx', ['taro', 'build', '--type', platform]);
  // Taro may not touch the marker when output is unchanged; make the stamp explicit.
  const now = new Date();
  fs.utimesSync(path.resolve(ROOT, marker), now, now);
}

export function convertModels(): void {
  if (fs.existsSync(path.join(ROOT, 'scripts', 'convert-models.ts'))) run('npx', ['tsx', 'scripts/convert-models.ts']);
}

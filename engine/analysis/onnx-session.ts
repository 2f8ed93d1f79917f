/**
 * One place that owns the ONNX Runtime sessions.
 *
 * Why: creating a session parses the model and plans its kernels (≈150–200 ms per process on
 * these machines). A request must never pay that, so sessions are loaded once per process (or
 * worker) and kept here, keyed by model name and thread setting. The cache is explicit (a Map with
 * `preloadModels`/`releaseSessions`) rather than hidden in module state of every stage, so the
 * server can warm up before answering /healthz and tests can free native memory.
 */
import fs from 'fs';
import path from 'path';
import * as ort from 'onnxruntime-node';

export type ModelName = 'blazeface-back' | 'facemesh' | 'face-recognition';

/**
 * Folder with the converted models: MODELS_DIR, else `models/` of the repository (the
 * repository), else `models/` next to the bundle (a built cloud function ships its own copy).
 */
export function modelsDir(): string {
  if (process.env.MODELS_DIR) return process.env.MODELS_DIR;
  const repo = path.resolve(__dirname, '..', '..', 'models');
  const bundled = path.resolve(__dirname, 'models');
  return !fs.existsSync(repo) && fs.existsSync(bundled) ? bundled : repo;
}

export interface SessionOptions {
  /**
   * Threads inside one op. Default 1: a cloud function instance or a request worker owns one core,
   * and for these small models (≈0.1–0.6 GFLOP) the thread hand-off costs more than it saves.
   * The benchmark pins 1 to measure one core.
   */
  threads?: number;
}

/** Input/output names and shapes written by the converter (models/manifest.json). */
export interface ModelInfo {
  inputName: string;
  inputShape: number[];
  outputs: Array<{ name: string; shape: number[] }>;
}

export interface LoadedModel {
  name: ModelName;
  session: ort.InferenceSession;
  info: ModelInfo;
}

const cache = new Map<string, Promise<LoadedModel>>();

// Silence ORT's warnings (e.g. about unused initialisers): the CLIs promise clean stdout/stderr.
try {
  ort.env.logLevel = 'error';
} catch {
  /* older runtimes have no env.logLevel */
}

function infoFromSession(session: ort.InferenceSession, name: ModelName): ModelInfo {
  let manifest: Record<string, unknown> | undefined;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(modelsDir(), 'manifest.json'), 'utf8'));
  } catch {
    manifest = undefined;
  }
  const entry = findManifestEntry(manifest, name);
  const outputs = session.outputNames.map((n, i) => ({
    name: n,
    shape: entry?.outputs?.find((o) => o.name === n)?.shape ?? entry?.outputs?.[i]?.shape ?? [],
  }));
  return { inputName: session.inputNames[0], inputShape: entry?.inputShape ?? [], outputs };
}

type ManifestEntry = { inputShape?: number[]; outputs?: Array<{ name: string; shape: number[] }> };

/** The manifest format belongs to the converter; read it leniently (shapes are a help, not a must). */
function findManifestEntry(manifest: Record<string, unknown> | undefined, name: ModelName): ManifestEntry | undefined {
  if (!manifest) return undefined;
  const models = (manifest.models ?? manifest) as unknown;
  const raw = Array.isArray(models)
    ? (models as Array<Record<string, unknown>>).find((m) => m.name === name || String(m.file ?? '').startsWith(name))
    : (models as Record<string, unknown>)[name];
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const norm = (s: unknown): number[] => (Array.isArray(s) ? s.map((d) => (typeof d === 'number' ? d : -1)) : []);
  const inputs = r.inputs as Array<Record<string, unknown>> | undefined;
  const outputs = r.outputs as Array<Record<string, unknown>> | undefined;
  return {
    inputShape: inputs?.[0] ? norm(inputs[0].shape) : undefined,
    outputs: outputs?.map((o) => ({ name: String(o.name), shape: norm(o.shape) })),
  };
}

/** The session for `name`, loaded on first use and shared afterwards. */
export function getModel(name: ModelName, opts: SessionOptions = {}): Promise<LoadedModel> {
  const threads = opts.threads ?? 1;
  const key = `${name}@${threads}`;
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const file = path.join(modelsDir(), `${name}.onnx`);
      if (!fs.existsSync(file)) {
        throw new Error(`model ${file} is missing: run \`npm run models\``);
      }
      // Measured on one core (docs/face-analysis.md): 'all' is what enables ORT's NCHWc conv
      // layout, BlazeFace runs ≈3× slower at 'extended'; the CPU arena and memory pattern (the
      // defaults, stated here on purpose) let repeated runs of the fixed-shape inputs reuse their
      // buffers; with one intra-op thread there is no spinning to turn off.
      const session = await ort.InferenceSession.create(file, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        enableCpuMemArena: true,
        enableMemPattern: true,
        logSeverityLevel: 3,
      });
      return { name, session, info: infoFromSession(session, name) };
    })();
    // A failed load must not poison the cache forever (e.g. models converted after start-up).
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

/** Load the face models ahead of the first request (server start, benchmark cold start). */
export async function preloadModels(names: ModelName[] = ['blazeface-back', 'facemesh'], opts: SessionOptions = {}): Promise<void> {
  await Promise.all(names.map((n) => getModel(n, opts)));
}

/** Free every cached session (tests, benchmarks). */
export async function releaseSessions(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  for (const p of all) {
    try {
      await (await p).session.release();
    } catch {
      /* already gone */
    }
  }
}

export { ort };

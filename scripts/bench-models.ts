/**
 * Model-only speed: each converted model (and variants of the converter's options) run through
 * onnxruntime-node on one intra-op thread, and the TF.js original through the wasm backend, on the
 * same input, interleaved in one process so that every variant sees the same machine load.
 *
 *   npx tsx scripts/bench-models.ts [--runs 300] [--models facemesh,blazeface-back] [--no-tfjs]
 *                                   [--profile] [--optimized <dir>]
 *
 * --profile writes ORT per-node profiles and prints the time per op type; --optimized writes the
 * graph as ORT optimised it (to see fusions and NCHWc reorders).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import * as ort from 'onnxruntime-node';
import { MODEL_SOURCES } from './models/sources';
import { readGraphModel } from './models/tfjs-graph';
import { convertGraph, ConvertOptions } from './models/tfjs-to-onnx';
import { loadTfjsModel, runTfjs } from './models/tfjs-reference';

const ROOT = path.resolve(__dirname, '..');

function arg(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Converter variants compared; the first is the baseline. */
const VARIANTS: Record<string, ConvertOptions> = JSON.parse(arg('--variants') ?? '{"default":{}}');

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const runs = Number(arg('--runs') ?? 300);
  const names = (arg('--models') ?? 'facemesh,blazeface-back').split(',');
  const withTf = !process.argv.includes('--no-tfjs');
  const profile = process.argv.includes('--profile');
  const optimizedDir = arg('--optimized');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-models-'));
  console.log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${os.cpus()[0].model}, ${runs} runs each`);
  for (const name of names) {
    const src = MODEL_SOURCES.find((s) => s.name === name);
    if (!src || src.format !== 'graph') throw new Error(`bench-models: ${name} is not one of the TF.js graph models`);
    const jsonPath = path.join(path.dirname(require.resolve(`${src.packageName}/package.json`, { paths: [ROOT] })), src.path);
    const graph = readGraphModel(jsonPath);
    const contenders: Array<{ label: string; run: () => Promise<void> | void; times: number[] }> = [];
    let inputName = '';
    let shape: number[] = [];
    const sessions: ort.InferenceSession[] = [];
    for (const [label, opts] of Object.entries(VARIANTS)) {
      const conv = convertGraph(graph, { ...opts, modelName: name });
      const file = path.join(tmp, `${name}-${label}.onnx`);
      fs.writeFileSync(file, conv.bytes);
      inputName = conv.inputs[0].name;
      shape = conv.inputs[0].shape.map((d) => (d < 0 ? 1 : d));
      const session = await ort.InferenceSession.create(file, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        enableProfiling: profile,
        profileFilePrefix: path.join(tmp, `${name}-${label}`),
        ...(optimizedDir ? { optimizedModelFilePath: path.join(optimizedDir, `${name}-${label}.opt.onnx`) } : {}),
      });
      sessions.push(session);
      contenders.push({ label: `ort ${label}`, run: () => session.run({ [inputName]: feed }).then(() => undefined), times: [] });
    }
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000);
    const feed = new ort.Tensor('float32', data, shape);
    if (withTf) {
      const tfModel = await loadTfjsModel(jsonPath);
      contenders.push({ label: 'tfjs wasm', run: () => void runTfjs(tfModel, data, shape), times: [] });
    }
    for (let i = 0; i < 30; i++) for (const c of contenders) await c.run();
    for (let i = 0; i < runs; i++)
      for (const c of contenders) {
        const t0 = process.hrtime.bigint();
        await c.run();
        c.times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    const base = median(contenders[0].times);
    const tfMed = withTf ? median(contenders[contenders.length - 1].times) : NaN;
    for (const c of contenders) {
      const m = median(c.times);
      const min = Math.min(...c.times);
      console.log(
        `${name.padEnd(15)} ${c.label.padEnd(22)} median ${m.toFixed(2)} ms  min ${min.toFixed(2)} ms  ×${(base / m).toFixed(2)} vs first` +
          (withTf ? `  TF.js/this ×${(tfMed / m).toFixed(2)}` : ''),
      );
    }
    if (profile) {
      for (const [i, s] of sessions.entries()) {
        const file = (s as unknown as { endProfiling(): string }).endProfiling?.() ?? '';
        const pf = file && fs.existsSync(file) ? file : fs.readdirSync(tmp).filter((f) => f.startsWith(`${name}-${Object.keys(VARIANTS)[i]}_`) && f.endsWith('.json')).map((f) => path.join(tmp, f))[0];
        if (!pf) continue;
        const events = JSON.parse(fs.readFileSync(pf, 'utf8')) as Array<{ cat: string; name: string; dur: number; args?: { op_name?: string } }>;
        const byOp: Record<string, { us: number; n: number }> = {};
        let runsSeen = 0;
        for (const e of events) {
          if (e.cat === 'Session' && e.name === 'model_run') runsSeen++;
          if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
          const op = e.args?.op_name ?? '?';
          (byOp[op] ??= { us: 0, n: 0 }).us += e.dur;
          byOp[op].n++;
        }
        const total = Object.values(byOp).reduce((a, b) => a + b.us, 0);
        console.log(`  profile ${Object.keys(VARIANTS)[i]} (${runsSeen} runs): ${(total / runsSeen / 1000).toFixed(2)} ms kernels per run`);
        for (const [op, v] of Object.entries(byOp).sort((a, b) => b[1].us - a[1].us))
          console.log(`    ${op.padEnd(22)} ${(v.us / runsSeen / 1000).toFixed(3)} ms  ${(v.n / runsSeen).toFixed(0)} nodes`);
      }
    }
    for (const s of sessions) await s.release();
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

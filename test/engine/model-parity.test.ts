/**
 * The converted ONNX models must compute what the TF.js originals compute.
 * (face-api's recognition net has no TF.js graph: its reference is face-api's forward pass
 * transcribed in TF.js ops, scripts/models/tfjs-reference.ts. Human's faceres, the second identity
 * measure, is a graph model like the analysis ones: ≈ 3 s of this test.)
 *
 * Every model gets the same inputs through onnxruntime-node and through TF.js (wasm backend):
 * seeded uniform noise over the model's input range, structured images (gradients, a
 * checkerboard, a constant) and a real photograph resized to the input size. For every output the
 * largest absolute difference, divided by that output's value range over all cases, must stay
 * ≤ 1e-3. Converting a fresh copy (not models/) keeps this test about the converter in this tree.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import sharp from 'sharp';
import { rng } from '../../scripts/lib/random'; // deterministic noise, so a failure reproduces
import { MODEL_SOURCES, ModelSource } from '../../scripts/models/sources';
import { readGraphModel } from '../../scripts/models/tfjs-graph';
import { convertGraph } from '../../scripts/models/tfjs-to-onnx';
import { loadReference, tf } from '../../scripts/models/tfjs-reference';
import { readFaceRecognitionNet } from '../../scripts/models/face-recognition-net';

// ORT and jest agree on typed arrays thanks to test/helpers/node-environment.js.
import * as ort from 'onnxruntime-node';

jest.setTimeout(60_000);

const TOLERANCE = 1e-3;
const PHOTO = require.resolve('@vladmandic/face-api/demo/sample1.jpg');

function sourcePath(src: ModelSource): string {
  return path.join(path.dirname(require.resolve(`${src.packageName}/package.json`)), src.path);
}


/** Test images as [0, 1] RGB, H×W×3. */
async function cases(h: number, w: number): Promise<Array<{ label: string; pixels: Float32Array }>> {
  const n = h * w * 3;
  const out: Array<{ label: string; pixels: Float32Array }> = [];
  const rand = rng(1234);
  out.push({ label: 'noise', pixels: Float32Array.from({ length: n }, () => rand()) });
  const grad = new Float32Array(n);
  const checker = new Float32Array(n);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const i = (y * w + x) * 3 + c;
        grad[i] = c === 0 ? x / (w - 1) : c === 1 ? y / (h - 1) : (x + y) / (w + h - 2);
        checker[i] = ((x >> 3) + (y >> 3)) % 2;
      }
  out.push({ label: 'gradient', pixels: grad });
  out.push({ label: 'checkerboard', pixels: checker });
  out.push({ label: 'constant', pixels: new Float32Array(n).fill(0.5) });
  // A real photograph: group photo, centre crop with faces, resized to the model input.
  const { data } = await sharp(PHOTO).resize(w, h, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  out.push({ label: 'photo', pixels: Float32Array.from(data, (v) => v / 255) });
  return out;
}

describe('TF.js → ONNX parity', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parity-'));
  const figures: string[] = [];
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (process.env.PARITY_REPORT) console.info(`max |diff| / output range:\n${figures.join('\n')}`);
  });

  for (const src of MODEL_SOURCES) {
    test(`${src.name}: every output within ${TOLERANCE} of the output range`, async () => {
      const graph = src.format === 'graph' ? readGraphModel(sourcePath(src)) : readFaceRecognitionNet(sourcePath(src));
      const converted = convertGraph(graph, { modelName: src.name });
      const file = path.join(tmp, `${src.name}.onnx`);
      fs.writeFileSync(file, converted.bytes);
      const session = await ort.InferenceSession.create(file, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
      const tfModel = await loadReference(src.format, sourcePath(src));

      // Same port order and names as TF.js reports them.
      expect(session.inputNames).toEqual(converted.inputs.map((p) => p.name));
      expect(session.outputNames).toEqual(converted.outputs.map((p) => p.name));
      expect(tfModel.outputNodes.map((n) => n.split(':')[0])).toEqual(converted.outputs.map((p) => p.name));

      const [, h, w, c] = converted.inputs[0].shape;
      expect(c).toBe(3);
      const [lo, hi] = src.inputRange;
      const results: Array<{ label: string; ort: Float32Array[]; tf: Float32Array[] }> = [];
      for (const { label, pixels } of await cases(h, w)) {
        const input = Float32Array.from(pixels, (v) => lo + v * (hi - lo));
        const shape = [1, h, w, 3];
        const ortOut = await session.run({ [converted.inputs[0].name]: new ort.Tensor('float32', input, shape) });
        const tfOut = tfModel.run(input, shape);
        const ortList = session.outputNames.map((name, i) => {
          const t = ortOut[name];
          // Shapes agree with TF.js and with what the converter promised (dynamic batch = 1 here).
          expect(t.dims).toEqual(tfOut[i].shape);
          expect(t.dims).toEqual(converted.outputs[i].shape.map((d) => (d < 0 ? 1 : d)));
          return t.data as Float32Array;
        });
        results.push({ label, ort: ortList, tf: tfOut.map((o) => o.data) });
      }

      for (let o = 0; o < session.outputNames.length; o++) {
        let min = Infinity;
        let max = -Infinity;
        for (const r of results) for (const v of r.tf[o]) (min = Math.min(min, v)), (max = Math.max(max, v));
        expect(Number.isFinite(min) && Number.isFinite(max)).toBe(true);
        const range = max - min || Math.max(Math.abs(max), 1e-6);
        for (const r of results) {
          let worst = 0;
          for (let i = 0; i < r.tf[o].length; i++) worst = Math.max(worst, Math.abs(r.tf[o][i] - r.ort[o][i]));
          const rel = worst / range;
          figures.push(`${src.name} ${session.outputNames[o]} ${r.label}: ${rel.toExponential(2)}`);
          if (!(rel <= TOLERANCE)) {
            throw new Error(`${src.name} output ${session.outputNames[o]} on ${r.label}: max |diff| ${worst} = ${rel} of range ${range}`);
          }
        }
      }
      tfModel.dispose();
      await session.release();
    });
  }

  test('float16-quantised weights decode exactly like tfjs-core', () => {
    // facemesh ships float16 weights; compare our decoder with tfjs-core's on every weight.
    const src = MODEL_SOURCES.find((s) => s.name === 'facemesh')!;
    const jsonPath = sourcePath(src);
    const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
    const data = fs.readFileSync(path.join(path.dirname(jsonPath), json.weightsManifest[0].paths[0]));
    const specs = json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
    expect(specs.some((s: { quantization?: { dtype: string } }) => s.quantization?.dtype === 'float16')).toBe(true);
    const reference = tf.io.decodeWeights(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength), specs);
    const ours = readGraphModel(jsonPath).weights;
    for (const [name, t] of Object.entries(reference)) {
      const w = ours.get(name)!;
      expect(w.shape).toEqual(t.shape);
      expect(Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength).equals(Buffer.from((t.dataSync() as Float32Array).buffer))).toBe(true);
      t.dispose();
    }
  });
});

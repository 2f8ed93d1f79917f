/**
 * The original TF.js models run with the wasm backend, offline: the reference for the parity test
 * and the "ORT vs TF.js" benchmark. Development only; the engine itself never imports TF.js.
 */
import fs from 'fs';
import path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfc from '@tensorflow/tfjs-converter';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { TfGraphModelJson } from './tfjs-graph';

let ready: Promise<void> | undefined;

/**
 * Selects the wasm backend, single-threaded (the fair comparison with a one-thread ORT session;
 * the threaded build also needs Worker plumbing that Node does not give it).
 */
export function initTfjsWasm(): Promise<void> {
  if (!ready) {
    ready = (async () => {
      const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      setWasmPaths(dir + path.sep);
      if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend failed to initialise');
      await tf.ready();
    })();
  }
  return ready;
}

/** Loads a graph model from disk through an in-memory IO handler (no fetch, no network). */
export async function loadTfjsModel(jsonPath: string): Promise<tfc.GraphModel> {
  await initTfjsWasm();
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as TfGraphModelJson;
  const dir = path.dirname(jsonPath);
  const data = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: json.modelTopology as unknown as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature as unknown as object,
      userDefinedMetadata: json.userDefinedMetadata as unknown as tf.io.ModelArtifacts['userDefinedMetadata'],
    }),
  };
  return tfc.loadGraphModel(handler);
}

/** Runs the model on an NHWC float32 batch; outputs in `outputNodes` order, as plain arrays. */
export function runTfjs(model: tfc.GraphModel, input: Float32Array, shape: number[]): Array<{ data: Float32Array; shape: number[] }> {
  return tf.tidy(() => {
    const x = tf.tensor(input, shape, 'float32');
    const out = model.execute(x);
    const list = Array.isArray(out) ? out : [out as tf.Tensor];
    return list.map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape.slice() }));
  });
}

export { tf };

/** A reference model the parity test can run: a TF.js graph model or face-api's recognition net. */
export interface ReferenceModel {
  outputNodes: string[];
  run(input: Float32Array, shape: number[]): Array<{ data: Float32Array; shape: number[] }>;
  dispose(): void;
}

export async function loadReference(format: 'graph' | 'face-api-weights', file: string): Promise<ReferenceModel> {
  if (format === 'graph') {
    const m = await loadTfjsModel(file);
    return { outputNodes: m.outputNodes, run: (x, s) => runTfjs(m, x, s), dispose: () => m.dispose() };
  }
  return loadFaceApiRecognition(file);
}

/**
 * face-api's FaceRecognitionNet forward pass in TF.js ops, transcribed from its source
 * (src/faceRecognitionNet/FaceRecognitionNet.ts, convLayer.ts, residualLayer.ts, scaleLayer.ts),
 * with its weights decoded by tfjs-core itself. Independent of our graph rebuild (which folds the
 * scale layers and decodes weights with our own reader), so the parity test checks both.
 * Input: [1, 150, 150, 3] RGB in [0, 1] (face-api's 0–255 input divided by 255).
 */
async function loadFaceApiRecognition(manifestPath: string): Promise<ReferenceModel> {
  await initTfjsWasm();
  const groups = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  const dir = path.dirname(manifestPath);
  const data = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
  const w = tf.io.decodeWeights(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength), groups.flatMap((g) => g.weights));
  type T4 = tf.Tensor4D;
  const convLayer = (x: T4, p: string, strides: number, relu: boolean, padding: 'valid' | 'same'): T4 => {
    let out = tf.add(tf.conv2d(x, w[`${p}/conv/filters`] as T4, strides, padding), w[`${p}/conv/bias`]) as T4;
    out = tf.add(tf.mul(out, w[`${p}/scale/weights`]), w[`${p}/scale/biases`]) as T4;
    return relu ? tf.relu(out) : out;
  };
  const conv = (x: T4, p: string) => convLayer(x, p, 1, true, 'same');
  const convNoRelu = (x: T4, p: string) => convLayer(x, p, 1, false, 'same');
  const convDown = (x: T4, p: string) => convLayer(x, p, 2, true, 'valid');
  const residual = (x: T4, p: string): T4 => tf.relu(tf.add(convNoRelu(conv(x, `${p}/conv1`), `${p}/conv2`), x)) as T4;
  const residualDown = (x: T4, p: string): T4 => {
    let out = convNoRelu(convDown(x, `${p}/conv1`), `${p}/conv2`);
    let pooled = tf.avgPool(x, 2, 2, 'valid') as T4;
    const zeros = tf.zeros<tf.Rank.R4>(pooled.shape as [number, number, number, number]);
    const isPad = pooled.shape[3] !== out.shape[3];
    if (pooled.shape[1] !== out.shape[1] || pooled.shape[2] !== out.shape[2]) {
      const padX = [...out.shape] as [number, number, number, number];
      padX[1] = 1;
      out = tf.concat([out, tf.zeros<tf.Rank.R4>(padX)], 1) as T4;
      const padY = [...out.shape] as [number, number, number, number];
      padY[2] = 1;
      out = tf.concat([out, tf.zeros<tf.Rank.R4>(padY)], 2) as T4;
    }
    pooled = isPad ? (tf.concat([pooled, zeros], 3) as T4) : pooled;
    return tf.relu(tf.add(pooled, out)) as T4;
  };
  const forward = (x: T4): tf.Tensor2D => {
    const normalized = tf.div(tf.sub(tf.mul(x, 255), tf.tensor1d([122.782, 117.001, 104.298])), 255) as T4;
    let out = convDown(normalized, 'conv32_down');
    out = tf.maxPool(out, 3, 2, 'valid');
    for (const p of ['conv32_1', 'conv32_2', 'conv32_3']) out = residual(out, p);
    out = residualDown(out, 'conv64_down');
    for (const p of ['conv64_1', 'conv64_2', 'conv64_3']) out = residual(out, p);
    out = residualDown(out, 'conv128_down');
    for (const p of ['conv128_1', 'conv128_2']) out = residual(out, p);
    out = residualDown(out, 'conv256_down');
    for (const p of ['conv256_1', 'conv256_2']) out = residual(out, p);
    out = residualDown(out, 'conv256_down_out');
    return tf.matMul(tf.mean(out, [1, 2]) as tf.Tensor2D, w.fc as tf.Tensor2D);
  };
  return {
    outputNodes: ['descriptor'],
    run: (input, shape) =>
      tf.tidy(() => {
        const t = forward(tf.tensor4d(input, shape as [number, number, number, number], 'float32'));
        return [{ data: t.dataSync() as Float32Array, shape: t.shape.slice() }];
      }),
    dispose: () => Object.values(w).forEach((t) => t.dispose()),
  };
}

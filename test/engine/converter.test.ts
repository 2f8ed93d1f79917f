/**
 * Converter behaviour on tiny synthetic graphs: unknown ops fail loudly with the op and node name,
 * weight decoding handles every storage format, and SAME padding / NHWC layout are computed the
 * way TF does (checked against a hand-written reference, no TF.js needed).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { decodeWeights, parseGraphModel, TfGraphModelJson, TfNode, WeightSpec } from '../../engine/models/tfjs-graph';
import { convertGraph, UnsupportedOpError } from '../../engine/models/tfjs-to-onnx';

// ORT and jest agree on typed arrays thanks to test/helpers/node-environment.js.
import * as ort from 'onnxruntime-node';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function placeholder(name: string, shape: number[]): TfNode {
  return { name, op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: shape.map((size) => ({ size: String(size) })) } } } };
}

function model(nodes: TfNode[], weights: Array<{ spec: WeightSpec; values: Float32Array | Int32Array }>): { json: TfGraphModelJson; data: Uint8Array } {
  const json: TfGraphModelJson = {
    format: 'graph-model',
    modelTopology: { node: [...nodes, ...weights.map((w) => ({ name: w.spec.name, op: 'Const', attr: {} }))] },
    weightsManifest: [{ paths: ['w.bin'], weights: weights.map((w) => w.spec) }],
  };
  const data = Buffer.concat(weights.map((w) => Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength)));
  return { json, data };
}

async function runOnnx(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'conv-')), 'm.onnx');
  fs.writeFileSync(file, bytes);
  const session = await ort.InferenceSession.create(file);
  const inputs = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]));
  const out = await session.run(inputs);
  await session.release();
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.dims }]));
}

describe('tfjs-to-onnx converter', () => {
  test('an op it does not know is an error naming the op and the node', () => {
    const { json, data } = model(
      [placeholder('x', [1, 4, 4, 3]), { name: 'weird/thing', op: 'FancyNewOp', input: ['x'], attr: {} }],
      [],
    );
    const graph = parseGraphModel(json, data);
    expect(() => convertGraph(graph)).toThrow(UnsupportedOpError);
    expect(() => convertGraph(graph)).toThrow(/FancyNewOp.*weird\/thing/);
  });

  test('a fused op it does not know is an error too', () => {
    const filter = new Float32Array(1 * 1 * 3 * 2).fill(1);
    const { json, data } = model(
      [
        placeholder('x', [1, 4, 4, 3]),
        {
          name: 'conv',
          op: '_FusedConv2D',
          input: ['x', 'f', 'b'],
          attr: {
            strides: { list: { i: ['1', '1', '1', '1'] } },
            padding: { s: b64('SAME') },
            fused_ops: { list: { s: [b64('BiasAdd'), b64('Swish')] } },
            num_args: { i: '1' },
          },
        },
      ],
      [
        { spec: { name: 'f', shape: [1, 1, 3, 2], dtype: 'float32' }, values: filter },
        { spec: { name: 'b', shape: [2], dtype: 'float32' }, values: new Float32Array(2) },
      ],
    );
    expect(() => convertGraph(parseGraphModel(json, data))).toThrow(/_FusedConv2D.*"conv".*Swish/);
  });

  test('decodes float32, int32, uint8/uint16-quantised and float16 weights like tfjs-core', () => {
    const specs: WeightSpec[] = [
      { name: 'f32', shape: [2], dtype: 'float32' },
      { name: 'u8', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.5 } },
      { name: 'u16', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', min: 10, scale: 0.25 } },
      { name: 'i32q', shape: [2], dtype: 'int32', quantization: { dtype: 'uint8', min: -3, scale: 1.4 } },
      { name: 'f16', shape: [5], dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } },
      { name: 'i32', shape: [1], dtype: 'int32' },
    ];
    const bytes = Buffer.concat([
      Buffer.from(new Float32Array([1.5, -2]).buffer),
      Buffer.from([0, 3, 255]), // odd length: the next weight is unaligned in the shard
      Buffer.from(new Uint16Array([0, 4]).buffer),
      Buffer.from([1, 2]),
      // 1.0, -2.0, 65504 (max half), 2^-24 (smallest subnormal), -0
      Buffer.from(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000]).buffer),
      Buffer.from(new Int32Array([-7]).buffer),
    ]);
    const w = decodeWeights(bytes, specs);
    expect(Array.from(w.get('f32')!.values)).toEqual([1.5, -2]);
    expect(Array.from(w.get('u8')!.values)).toEqual([-1, 0.5, 126.5]);
    expect(Array.from(w.get('u16')!.values)).toEqual([10, 11]);
    expect(Array.from(w.get('i32q')!.values)).toEqual([-2, 0]); // round(-1.6), round(-0.2)
    const f16 = Array.from(w.get('f16')!.values);
    expect(f16.slice(0, 4)).toEqual([1, -2, 65504, 2 ** -24]);
    expect(Object.is(f16[4], -0)).toBe(true);
    expect(Array.from(w.get('i32')!.values)).toEqual([-7]);
    expect(() => decodeWeights(bytes.subarray(0, 12), specs)).toThrow(/weight u16: shards hold 12 bytes, need 15/);
  });

  test('SAME padding with stride 2 on an even size pads at the end, like TF', async () => {
    // 1 channel, 4×4 input, 3×3 all-ones kernel, stride 2, SAME: TF pads 0 before and 1 after, so
    // output (0,0) sums rows 0..2 × cols 0..2, output (1,1) sums rows 2..3 × cols 2..3.
    const { json, data } = model(
      [
        placeholder('x', [1, 4, 4, 1]),
        {
          name: 'conv',
          op: 'Conv2D',
          input: ['x', 'f'],
          attr: { strides: { list: { i: ['1', '2', '2', '1'] } }, padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') } },
        },
        { name: 'out', op: 'Relu', input: ['conv'] },
      ],
      [{ spec: { name: 'f', shape: [3, 3, 1, 1], dtype: 'float32' }, values: new Float32Array(9).fill(1) }],
    );
    const converted = convertGraph(parseGraphModel(json, data));
    expect(converted.outputs).toEqual([{ name: 'out', shape: [1, 2, 2, 1], signatureKey: undefined }]);
    const x = Float32Array.from({ length: 16 }, (_, i) => i); // x[r][c] = 4r + c
    const out = await runOnnx(converted.bytes, { x: { data: x, dims: [1, 4, 4, 1] } });
    const sum = (r0: number, r1: number, c0: number, c1: number): number => {
      let s = 0;
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) s += 4 * r + c;
      return s;
    };
    expect(out.out.dims).toEqual([1, 2, 2, 1]);
    expect(Array.from(out.out.data)).toEqual([sum(0, 2, 0, 2), sum(0, 2, 2, 3), sum(2, 3, 0, 2), sum(2, 3, 2, 3)]);
  });

  test('NHWC in and out; a per-channel constant broadcasts over the last axis; channel Pad maps to C', async () => {
    const { json, data } = model(
      [
        placeholder('x', [1, 2, 2, 2]),
        // A 1×1 identity depthwise conv puts the activation in NCHW inside the ONNX graph.
        { name: 'dw', op: 'DepthwiseConv2dNative', input: ['x', 'k'], attr: { strides: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: b64('VALID') } } },
        { name: 'scaled', op: 'Mul', input: ['dw', 'scale'] },
        { name: 'padded', op: 'Pad', input: ['scaled', 'pads'] },
      ],
      [
        { spec: { name: 'k', shape: [1, 1, 2, 1], dtype: 'float32' }, values: new Float32Array([1, 1]) },
        { spec: { name: 'scale', shape: [2], dtype: 'float32' }, values: new Float32Array([10, 100]) },
        { spec: { name: 'pads', shape: [4, 2], dtype: 'int32' }, values: new Int32Array([0, 0, 0, 0, 0, 0, 0, 1]) },
      ],
    );
    const converted = convertGraph(parseGraphModel(json, data));
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // pixel p has channels (2p+1, 2p+2)
    const out = await runOnnx(converted.bytes, { x: { data: x, dims: [1, 2, 2, 2] } });
    expect(out.padded.dims).toEqual([1, 2, 2, 3]);
    expect(Array.from(out.padded.data)).toEqual([10, 200, 0, 30, 400, 0, 50, 600, 0, 70, 800, 0]);
  });
});

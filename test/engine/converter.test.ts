/**
 * Converter behaviour on tiny synthetic graphs: unknown ops fail loudly with the op and node name,
 * weight decoding handles every storage format, and SAME padding / NHWC layout are computed the
 * way TF does (checked against a hand-written reference, no TF.js needed).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { decodeWeights, parseGraphModel, TfGraphModelJson, TfNode, WeightSpec } from '../../scripts/models/tfjs-graph';
import { convertGraph, ConvertOptions, UnsupportedOpError } from '../../scripts/models/tfjs-to-onnx';
import { onnx } from 'onnx-proto';

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

  /** ONNX op types of a converted model, for checking which rewrite ran. */
  const opTypes = (bytes: Uint8Array): string[] => onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType!);
  const stride1 = { strides: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: b64('VALID') } };
  /** Seeded values in [-4, 4) with exact zeros and a few large magnitudes mixed in. */
  const values = (n: number): Float32Array =>
    Float32Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 0 : i % 13 === 0 ? (i % 2 ? -3e5 : 7e4) : (((i * 7919) % 997) / 997) * 8 - 4));

  test('per-channel PReLU is rewritten into 1×1 depthwise convs (no PRelu node) and computes PReLU', async () => {
    const c = 8;
    // Slopes outside [0, 1] too (FaceMesh has negative ones and ones > 1), and 0 and 1.
    const slopes = new Float32Array([0.25, -0.6, 1.37, 0, 1, -1.6, 0.001, 0.8149]);
    const { json, data } = model(
      [
        placeholder('x', [1, 3, 5, c]),
        // An identity 1×1 depthwise conv puts the activation in NCHW, where the rewrite applies.
        { name: 'dw', op: 'DepthwiseConv2dNative', input: ['x', 'k'], attr: stride1 },
        { name: 'out', op: 'Prelu', input: ['dw', 'alpha'] },
      ],
      [
        { spec: { name: 'k', shape: [1, 1, c, 1], dtype: 'float32' }, values: new Float32Array(c).fill(1) },
        { spec: { name: 'alpha', shape: [1, 1, c], dtype: 'float32' }, values: slopes },
      ],
    );
    const graph = parseGraphModel(json, data);
    const x = values(3 * 5 * c);
    // (+ 0 folds −0 into 0: the sign of a zero result is not part of the contract.)
    const expected = Array.from(x, (v, i) => (v > 0 ? v : Math.fround(slopes[i % c] * v)) + 0);
    const run = async (opts: ConvertOptions): Promise<{ ops: string[]; out: number[] }> => {
      const converted = convertGraph(graph, opts);
      const out = await runOnnx(converted.bytes, { x: { data: x, dims: [1, 3, 5, c] } });
      expect(out.out.dims).toEqual([1, 3, 5, c]);
      return { ops: opTypes(converted.bytes), out: Array.from(out.out.data, (v) => v + 0) };
    };
    const native = await run({ prelu: 'native' });
    expect(native.ops).toContain('PRelu');
    expect(native.out).toEqual(expected);
    // 'convs': bit-exact.
    const exact = await run({ prelu: 'convs' });
    expect(exact.ops).not.toContain('PRelu');
    expect(exact.out).toEqual(expected);
    // Default ('convs2'): x + (1 − s)·relu(−x); positive inputs pass unchanged, negative ones
    // within float rounding of s·x.
    const fast = await run({});
    expect(fast.ops).not.toContain('PRelu');
    expect(fast.ops.filter((o) => o === 'Conv').length).toBe(3);
    fast.out.forEach((v, i) => {
      if (x[i] >= 0) expect(v).toBe(expected[i]);
      else expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(2 * 2 ** -23 * Math.abs(x[i]));
    });
  });

  test('Add(Conv, channel-padded shortcut) becomes Concat(Conv head + shortcut, Conv tail) with the same values', async () => {
    const cin = 8;
    const cout = 16;
    const filter = values(cin * cout).map((v) => v / 8);
    const bias = values(cout + 3).subarray(3);
    const nodes = (extraUse: boolean): TfNode[] => [
      placeholder('x', [1, 4, 3, cin]),
      // A 1×1 max pool: the shortcut, in NCHW like FaceMesh's.
      { name: 'pool', op: 'MaxPool', input: ['x'], attr: { ksize: { list: { i: ['1', '1', '1', '1'] } }, ...stride1 } },
      { name: 'padded', op: 'Pad', input: ['pool', 'pads'] },
      {
        name: 'conv',
        op: '_FusedConv2D',
        input: ['x', 'f', 'b'],
        attr: { ...stride1, fused_ops: { list: { s: [b64('BiasAdd')] } }, num_args: { i: '1' } },
      },
      { name: 'sum', op: 'AddV2', input: ['conv', 'padded'] },
      { name: 'out', op: 'Relu', input: ['sum'] },
      // With a second reader of the conv, the rewrite must not apply.
      ...(extraUse ? [{ name: 'other', op: 'Relu', input: ['conv'] }] : []),
    ];
    const weights = [
      { spec: { name: 'f', shape: [1, 1, cin, cout], dtype: 'float32' as const }, values: filter },
      { spec: { name: 'b', shape: [cout], dtype: 'float32' as const }, values: bias },
      { spec: { name: 'pads', shape: [4, 2], dtype: 'int32' as const }, values: new Int32Array([0, 0, 0, 0, 0, 0, 0, cout - cin]) },
    ];
    const x = values(4 * 3 * cin);
    const convert = (opts: ConvertOptions, extraUse = false): Uint8Array => {
      const { json, data } = model(nodes(extraUse), weights);
      return convertGraph(parseGraphModel(json, data), opts).bytes;
    };
    const kept = convert({ channelPadAdds: 'keep' });
    const split = convert({});
    expect(opTypes(kept)).toContain('Pad');
    expect(opTypes(split)).not.toContain('Pad');
    expect(opTypes(split)).toContain('Concat');
    const feeds = { x: { data: x, dims: [1, 4, 3, cin] } };
    const a = (await runOnnx(kept, feeds)).out;
    const b = (await runOnnx(split, feeds)).out;
    expect(b.dims).toEqual([1, 4, 3, cout]);
    // Reference by hand: relu(Σ x·f + b + (k < cin ? x : 0)).
    const ref = new Float32Array(4 * 3 * cout);
    for (let p = 0; p < 12; p++)
      for (let k = 0; k < cout; k++) {
        let acc = 0;
        for (let i = 0; i < cin; i++) acc += x[p * cin + i] * filter[i * cout + k];
        ref[p * cout + k] = Math.max(0, acc + bias[k] + (k < cin ? x[p * cin + k] : 0));
      }
    for (const out of [a, b]) out.data.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(ref[i]))));
    // Against the unsplit model: float rounding only (ORT may add the shortcut inside the Conv).
    b.data.forEach((v, i) => expect(Math.abs(v - a.data[i])).toBeLessThanOrEqual(2 ** -20 * (1 + Math.abs(a.data[i]))));
    expect(opTypes(convert({}, true))).toContain('Pad');
  });
  test('_FusedMatMul (BiasAdd, Relu) and Softmax compute a Keras Dense + softmax head', async () => {
    // faceres' heads: feats = relu(x·W + b), then softmax over the last axis.
    const { json, data } = model(
      [
        placeholder('x', [2, 3]),
        {
          name: 'dense',
          op: '_FusedMatMul',
          input: ['x', 'w', 'b'],
          attr: { fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } }, num_args: { i: '1' }, transpose_a: { b: false }, transpose_b: { b: false } },
        },
        { name: 'plain', op: '_FusedMatMul', input: ['x', 'w', 'b'], attr: { fused_ops: { list: { s: [b64('BiasAdd')] } }, num_args: { i: '1' } } },
        { name: 'probs', op: 'Softmax', input: ['dense'] },
      ],
      [
        { spec: { name: 'w', shape: [3, 4], dtype: 'float32' }, values: Float32Array.from([1, -2, 0.5, 3, 0, 1, -1, 2, 4, 0.25, 2, -3]) },
        { spec: { name: 'b', shape: [4], dtype: 'float32' }, values: Float32Array.from([0.5, -1, 0, 2]) },
      ],
    );
    const converted = convertGraph(parseGraphModel(json, data));
    expect(converted.outputs.map((o) => [o.name, o.shape])).toEqual([['plain', [2, 4]], ['probs', [2, 4]]]);
    const x = Float32Array.from([1, 2, -1, 0.5, -3, 2]);
    const out = await runOnnx(converted.bytes, { x: { data: x, dims: [2, 3] } });
    const w = [1, -2, 0.5, 3, 0, 1, -1, 2, 4, 0.25, 2, -3];
    const b = [0.5, -1, 0, 2];
    for (let r = 0; r < 2; r++) {
      const lin = [0, 1, 2, 3].map((k) => b[k] + [0, 1, 2].reduce((s, i) => s + x[r * 3 + i] * w[i * 4 + k], 0));
      const relu = lin.map((v) => Math.max(0, v));
      const z = relu.reduce((s, v) => s + Math.exp(v), 0);
      for (let k = 0; k < 4; k++) {
        expect(out.plain.data[r * 4 + k]).toBeCloseTo(lin[k], 5);
        expect(out.probs.data[r * 4 + k]).toBeCloseTo(Math.exp(relu[k]) / z, 6);
      }
    }
    // A fused op it does not know still fails loudly.
    const bad = model(
      [placeholder('x', [2, 3]), { name: 'dense', op: '_FusedMatMul', input: ['x', 'w', 'b'], attr: { fused_ops: { list: { s: [b64('BiasAdd'), b64('Gelu')] } } } }],
      [
        { spec: { name: 'w', shape: [3, 4], dtype: 'float32' }, values: new Float32Array(12) },
        { spec: { name: 'b', shape: [4], dtype: 'float32' }, values: new Float32Array(4) },
      ],
    );
    expect(() => convertGraph(parseGraphModel(bad.json, bad.data))).toThrow(/_FusedMatMul.*"dense".*Gelu/);
  });
});

/**
 * TF.js graph model → ONNX (opset 13) converter.
 *
 * Layout: TF.js graphs are NHWC; ONNX Runtime's CPU convolutions are NCHW. Transposing around every
 * Conv would double the memory traffic, so each converted tensor carries a layout tag: rank-4
 * activations produced by Conv/Pool live in NCHW inside the ONNX graph ("NCHW" = the TF tensor is
 * NHWC, stored transposed), everything else keeps TF's order ("TF"). Element-wise ops run in
 * whatever layout their activation input has (constants are re-laid-out at conversion time), and a
 * Transpose is inserted only where an op needs TF's order (Reshape, graph outputs, ...). The ONNX
 * model's inputs and outputs therefore have exactly the TF.js model's shapes and layout.
 *
 * Coverage is explicit: an op (or fused op, padding mode, data format) this file does not handle
 * throws an Error naming the op and the node. A converter that guesses produces models that run
 * and give wrong answers; that is worse than no model.
 */
import { onnx } from 'onnx-proto';
import {
  GraphPort,
  TfGraph,
  TfNode,
  Weight,
  WeightDtype,
  attrBool,
  attrFloat,
  attrInts,
  attrShape,
  attrString,
  attrStrings,
  nodeNameOf,
  outputIndexOf,
} from './tfjs-graph';

export const OPSET = 13;

type Layout = 'TF' | 'NCHW';

/** A tensor of the TF graph as it exists in the ONNX graph being built. */
interface Value {
  /** ONNX tensor name (unset for constants that were not materialised yet). */
  name: string;
  /** Shape in TF order; -1 where unknown (e.g. a dynamic batch). */
  shape: number[];
  dtype: WeightDtype;
  layout: Layout;
  /** For constants: the values in TF order. Materialised lazily, in the layout a consumer needs. */
  constant?: Weight;
}

export interface ConvertOptions {
  /** Written into the ModelProto (producer/doc string). */
  modelName?: string;
  /**
   * How a PReLU with per-channel constant slopes on an NCHW activation is written (see
   * Converter.prelu): as 1×1 depthwise Convs that ORT's NCHWc layout runs ('convs2', default: two
   * passes; 'convs': three, bit-exact), or as one ONNX PRelu node ('native').
   */
  prelu?: 'convs2' | 'convs' | 'native';
  /** 'split' (default): see rewriteChannelPadAdds; 'keep': Pad + Add as in the TF graph. */
  channelPadAdds?: 'split' | 'keep';
}

export interface ConvertedPort {
  name: string;
  shape: number[];
  signatureKey?: string;
}

export interface ConvertResult {
  bytes: Uint8Array;
  inputs: ConvertedPort[];
  outputs: ConvertedPort[];
  /** TF op → count, for reports. */
  ops: Record<string, number>;
}

/** Ops that only forward their first input. */
const PASS_THROUGH = new Set(['Identity', 'StopGradient', 'Snapshot']);

/** Unary element-wise ops that map 1:1 onto an ONNX op. */
const UNARY: Record<string, string> = {
  Relu: 'Relu',
  Sigmoid: 'Sigmoid',
  Tanh: 'Tanh',
  Abs: 'Abs',
  Neg: 'Neg',
  Exp: 'Exp',
  Log: 'Log',
  Sqrt: 'Sqrt',
  Elu: 'Elu',
  Softplus: 'Softplus',
  Floor: 'Floor',
  Ceil: 'Ceil',
  Reciprocal: 'Reciprocal',
};

/** Binary element-wise ops with NumPy broadcasting on both sides (TF and ONNX agree). */
const BINARY: Record<string, string> = {
  Add: 'Add',
  AddV2: 'Add',
  BiasAdd: 'Add',
  Sub: 'Sub',
  Mul: 'Mul',
  RealDiv: 'Div',
  Div: 'Div',
  Maximum: 'Max',
  Minimum: 'Min',
  Pow: 'Pow',
};

/** TF axis a of an NHWC tensor sits at this position of the NCHW tensor. */
const NHWC_TO_NCHW_POS = [0, 2, 3, 1];

export function convertGraph(graph: TfGraph, opts: ConvertOptions = {}): ConvertResult {
  let g = rewritePreluPatterns(graph);
  if (opts.channelPadAdds !== 'keep') g = rewriteChannelPadAdds(g);
  return new Converter(g, opts).run(opts);
}

/**
 * Residual blocks that widen the channels (BlazeFace, FaceMesh) add a zero-padded shortcut to a
 * convolution: `Add(Conv(x) + b, Pad(y, channels C → C + k))`. ORT's NCHWc layout does not run Pad,
 * so the tensor leaves the blocked layout there, and every element-wise op downstream stays in
 * plain NCHW until the next Conv re-enters it. Split the convolution by output channels instead:
 *
 *   Concat( Conv(x; W[…, :C]) + b[:C] + y,  Conv(x; W[…, C:]) + b[C:] )
 *
 * The same multiply-adds, the shortcut added only where it is not zero (adding the padded zeros was
 * exact, so the values are unchanged), and Conv, Add and a channel Concat all stay in NCHWc. Only
 * applied when the convolution feeds nothing else and the Pad pads the channel end with zeros.
 */
export function rewriteChannelPadAdds(graph: TfGraph): TfGraph {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const uses = new Map<string, number>();
  for (const n of graph.nodes)
    for (const ref of n.input ?? []) if (!ref.startsWith('^')) uses.set(nodeNameOf(ref), (uses.get(nodeNameOf(ref)) ?? 0) + 1);
  for (const p of graph.outputs) uses.set(p.node, (uses.get(p.node) ?? 0) + 1);
  const producer = (ref: string | undefined): TfNode | undefined =>
    ref === undefined || ref.startsWith('^') || outputIndexOf(ref) !== 0 ? undefined : byName.get(nodeNameOf(ref));
  const weightOf = (ref: string | undefined): Weight | undefined => {
    const n = producer(ref);
    return n?.op === 'Const' ? graph.weights.get(n.name) : undefined;
  };
  const weights = new Map(graph.weights);
  const nodes: TfNode[] = [];
  for (const node of graph.nodes) {
    const match = (node.op === 'Add' || node.op === 'AddV2') && node.input?.length === 2 ? matchPadAdd(node) : undefined;
    if (!match) {
      nodes.push(node);
      continue;
    }
    const { conv, filter, bias, padded, c } = match;
    const [kh, kw, ci, co] = filter.shape;
    const slice = (from: number, to: number): Float32Array => {
      const out = new Float32Array(kh * kw * ci * (to - from));
      for (let i = 0, o = 0; i < kh * kw * ci; i++) for (let k = from; k < to; k++) out[o++] = filter.values[i * co + k];
      return out;
    };
    const half = (tag: string, from: number, to: number): string => {
      const f = `${conv.name}/${tag}/filter`;
      weights.set(f, { name: f, dtype: 'float32', shape: [kh, kw, ci, to - from], values: slice(from, to) });
      nodes.push({ name: f, op: 'Const', attr: {} });
      const input = [conv.input![0], f];
      if (bias) {
        const b = `${conv.name}/${tag}/bias`;
        weights.set(b, { name: b, dtype: 'float32', shape: [to - from], values: Float32Array.from(bias.values.subarray(from, to)) });
        nodes.push({ name: b, op: 'Const', attr: {} });
        input.push(b);
      }
      nodes.push({ ...conv, name: `${conv.name}/${tag}`, input });
      return `${conv.name}/${tag}`;
    };
    const head = half('head', 0, c);
    nodes.push({ name: `${node.name}/head`, op: 'AddV2', input: [head, padded], attr: {} });
    const tail = half('tail', c, co);
    const axis = `${node.name}/axis`;
    weights.set(axis, { name: axis, dtype: 'int32', shape: [], values: Int32Array.of(3) });
    nodes.push({ name: axis, op: 'Const', attr: {} });
    nodes.push({ name: node.name, op: 'ConcatV2', input: [`${node.name}/head`, tail, axis], attr: { N: { i: '2' } } });
  }
  return { ...graph, nodes, weights };

  function matchPadAdd(add: TfNode): { conv: TfNode; filter: Weight; bias?: Weight; padded: string; c: number } | undefined {
    for (const [padRef, convRef] of [add.input!, [...add.input!].reverse()]) {
      const pad = producer(padRef);
      const conv = producer(convRef);
      if (!pad || !conv || (pad.op !== 'Pad' && pad.op !== 'PadV2')) continue;
      if (conv.op !== 'Conv2D' && conv.op !== '_FusedConv2D') continue;
      if (uses.get(conv.name) !== 1) continue;
      const fused = conv.op === '_FusedConv2D' ? attrStrings(conv, 'fused_ops') : [];
      if (!(fused.length === 0 || (fused.length === 1 && fused[0] === 'BiasAdd'))) continue;
      const paddings = weightOf(pad.input?.[1]);
      if (!paddings || paddings.values.length !== 8 || [0, 1, 2, 3, 4, 5, 6].some((i) => paddings.values[i] !== 0) || paddings.values[7] <= 0) continue;
      if (pad.op === 'PadV2') {
        const cv = weightOf(pad.input?.[2]);
        if (!cv || cv.values.length !== 1 || cv.values[0] !== 0) continue;
      }
      const filter = weightOf(conv.input?.[1]);
      const bias = fused.length ? weightOf(conv.input?.[2]) : undefined;
      if (!filter || filter.dtype !== 'float32' || filter.shape.length !== 4 || (fused.length && !bias)) continue;
      const co = filter.shape[3];
      const c = co - paddings.values[7];
      if (c <= 0 || (bias && bias.values.length !== co)) continue;
      return { conv, filter, bias, padded: pad.input![0], c };
    }
    return undefined;
  }
}

/**
 * Keras exports of PReLU (mobilefacenet has 33) arrive spelled out as
 * `Relu(x) + Mul(Sub(x, Abs(x)), c)` with c = α/2: four ONNX ops and three full-size temporaries
 * per activation. Since x − |x| = 2·min(x, 0), this is exactly PReLU(x, 2c) (doubling is exact in
 * floating point), so the Add is replaced by a Prelu node; the Relu/Abs/Sub/Mul nodes then drop
 * out of the graph unless something else reads them.
 */
export function rewritePreluPatterns(graph: TfGraph): TfGraph {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const producer = (ref: string | undefined): TfNode | undefined =>
    ref === undefined || ref.startsWith('^') || outputIndexOf(ref) !== 0 ? undefined : byName.get(nodeNameOf(ref));
  const same = (a: string | undefined, b: string | undefined): boolean =>
    a !== undefined && b !== undefined && nodeNameOf(a) === nodeNameOf(b) && outputIndexOf(a) === outputIndexOf(b);
  const weights = new Map(graph.weights);
  const nodes: TfNode[] = [];
  for (const node of graph.nodes) {
    const match = (node.op === 'Add' || node.op === 'AddV2') && node.input?.length === 2 ? matchPrelu(node) : undefined;
    if (!match) {
      nodes.push(node);
      continue;
    }
    const slopeName = `${node.name}/prelu_alpha`;
    const c = match.c;
    weights.set(slopeName, { name: slopeName, dtype: 'float32', shape: c.shape.slice(), values: Float32Array.from(c.values, (v) => 2 * v) });
    nodes.push({ name: slopeName, op: 'Const', attr: {} });
    nodes.push({ name: node.name, op: 'Prelu', input: [match.x, slopeName], attr: {} });
  }
  return { ...graph, nodes, weights };

  function matchPrelu(add: TfNode): { x: string; c: Weight } | undefined {
    for (const [reluRef, mulRef] of [add.input!, [...add.input!].reverse()]) {
      const relu = producer(reluRef);
      const mul = producer(mulRef);
      if (relu?.op !== 'Relu' || mul?.op !== 'Mul') continue;
      const x = relu.input?.[0];
      for (const [subRef, cRef] of [mul.input ?? [], [...(mul.input ?? [])].reverse()]) {
        const sub = producer(subRef);
        const cNode = producer(cRef);
        const c = cNode?.op === 'Const' ? graph.weights.get(cNode.name) : undefined;
        if (sub?.op !== 'Sub' || !c || c.dtype !== 'float32' || !same(sub.input?.[0], x)) continue;
        const abs = producer(sub.input?.[1]);
        if (abs?.op === 'Abs' && same(abs.input?.[0], x)) return { x: x!, c };
      }
    }
    return undefined;
  }
}

class Converter {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly values = new Map<string, Value>();
  private readonly byName: Map<string, TfNode>;
  private readonly usedNames = new Set<string>();
  /** Cache of layout conversions, so a tensor consumed by several ops is transposed once. */
  private readonly transposed = new Map<string, string>();
  private readonly ops: Record<string, number> = {};
  private readonly outputNames: Set<string>;

  constructor(
    private readonly graph: TfGraph,
    private readonly opts: ConvertOptions = {},
  ) {
    this.byName = new Map(graph.nodes.map((n) => [n.name, n]));
    for (const n of graph.nodes) this.usedNames.add(n.name);
    // Output names are reserved for the final NHWC tensors (see emit).
    this.outputNames = new Set(graph.outputs.map(portName));
    for (const p of [...graph.inputs, ...graph.outputs]) this.usedNames.add(portName(p));
  }

  run(opts: ConvertOptions): ConvertResult {
    const inputs: onnx.IValueInfoProto[] = [];
    const inputPorts: ConvertedPort[] = [];
    for (const port of this.graph.inputs) {
      const node = this.mustNode(port.node, 'graph input');
      if (!node.op.startsWith('Placeholder')) throw new Error(`graph input ${node.name} is a ${node.op}, not a Placeholder`);
      const shape = attrShape(node, 'shape');
      if (!shape) throw new Error(`Placeholder ${node.name} has no static rank`);
      const dtype = tfDtype(node.attr?.dtype?.type, node);
      const name = portName(port);
      this.values.set(node.name, { name, shape, dtype, layout: 'TF' });
      inputs.push(valueInfo(name, dtype, shape));
      inputPorts.push({ name, shape, signatureKey: port.signatureKey });
    }

    for (const node of this.topologicalOrder()) {
      if (this.values.has(node.name)) continue; // placeholders
      this.ops[node.op] = (this.ops[node.op] ?? 0) + 1;
      this.values.set(node.name, this.convertNode(node));
    }

    const outputs: onnx.IValueInfoProto[] = [];
    const outputPorts: ConvertedPort[] = [];
    for (const port of this.graph.outputs) {
      const v = this.value(port.node);
      const src = this.asTF(v);
      const name = portName(port);
      // An Identity (removed by ORT's optimiser) gives the output its public name when needed.
      if (src !== name) this.emit('Identity', [src], name, {}, `${name}/output`, true);
      outputs.push(valueInfo(name, v.dtype, v.shape));
      outputPorts.push({ name, shape: v.shape, signatureKey: port.signatureKey });
    }

    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'my-shenzhen-story tfjs-to-onnx',
      producerVersion: '1',
      docString: opts.modelName ? `converted from TF.js graph model ${opts.modelName}` : undefined,
      graph: onnx.GraphProto.create({
        name: opts.modelName ?? 'graph',
        node: this.nodes,
        initializer: this.initializers,
        input: inputs,
        output: outputs,
      }),
    });
    const bytes = onnx.ModelProto.encode(model).finish();
    return { bytes, inputs: inputPorts, outputs: outputPorts, ops: { ...this.ops } };
  }

  /** Nodes needed for the outputs, producers first (the JSON order is usually but not always topological). */
  private topologicalOrder(): TfNode[] {
    const order: TfNode[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string): void => {
      const s = state.get(name);
      if (s === 'done') return;
      if (s === 'visiting') throw new Error(`graph has a cycle through node ${name} (control flow is not supported)`);
      state.set(name, 'visiting');
      const node = this.mustNode(name, 'referenced');
      for (const ref of node.input ?? []) {
        if (ref.startsWith('^')) continue; // control dependencies carry no data
        visit(nodeNameOf(ref));
      }
      state.set(name, 'done');
      order.push(node);
    };
    for (const port of this.graph.outputs) visit(port.node);
    return order;
  }

  private mustNode(name: string, what: string): TfNode {
    const n = this.byName.get(name);
    if (!n) throw new Error(`${what} node ${name} does not exist in the graph`);
    return n;
  }

  private value(ref: string): Value {
    const v = this.values.get(nodeNameOf(ref));
    if (!v) throw new Error(`tensor ${ref} used before it was produced`);
    return v;
  }

  /** Data inputs of a node (control inputs dropped), checked to be single-output references. */
  private inputsOf(node: TfNode): Value[] {
    return (node.input ?? [])
      .filter((r) => !r.startsWith('^'))
      .map((r) => {
        if (outputIndexOf(r) !== 0) throw unsupported(node, `input ${r} reads output ${outputIndexOf(r)} of a multi-output op`);
        return this.value(r);
      });
  }

  private fresh(base: string): string {
    let name = base;
    for (let i = 1; this.usedNames.has(name); i++) name = `${base}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  private emit(op: string, inputs: string[], output: string, attrs: Record<string, AttrValue>, nodeName?: string, isGraphOutput = false): string {
    // Graph outputs' names are reserved for the final (TF-layout) tensors: an NCHW tensor of an
    // output node gets another name, or the Transpose back to NHWC could not take the name.
    if (!isGraphOutput && this.outputNames.has(output)) output = this.fresh(`${output}/value`);
    this.nodes.push(
      onnx.NodeProto.create({
        opType: op,
        input: inputs,
        output: [output],
        name: this.fresh(nodeName ?? `${output}/${op}`),
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return output;
  }

  private initializer(base: string, dtype: onnx.TensorProto.DataType, dims: number[], data: ArrayBufferView): string {
    const name = this.fresh(base);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dataType: dtype,
        dims,
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      }),
    );
    return name;
  }

  private floatInit(base: string, dims: number[], data: Float32Array): string {
    return this.initializer(base, onnx.TensorProto.DataType.FLOAT, dims, data);
  }

  private int64Init(base: string, values: number[]): string {
    return this.initializer(base, onnx.TensorProto.DataType.INT64, [values.length], BigInt64Array.from(values.map(BigInt)));
  }

  /** A constant in TF layout as an initializer (cached). */
  private constTF(v: Value): string {
    if (v.name) return v.name;
    const w = v.constant!;
    v.name = this.initializer(w.name, onnxDtype(w.dtype), w.shape, w.values);
    return v.name;
  }

  /** The tensor in TF order, inserting one Transpose NCHW→NHWC when needed. */
  private asTF(v: Value): string {
    if (v.constant) return this.constTF(v);
    if (v.layout === 'TF') return v.name;
    const key = `${v.name}>TF`;
    let t = this.transposed.get(key);
    if (!t) {
      t = this.emit('Transpose', [v.name], this.fresh(`${v.name}/nhwc`), { perm: [0, 2, 3, 1] });
      this.transposed.set(key, t);
    }
    return t;
  }

  /** A rank-4 activation in NCHW, inserting one Transpose NHWC→NCHW when needed (the graph input). */
  private asNCHW(v: Value, node: TfNode): string {
    if (v.shape.length !== 4) throw unsupported(node, `expects a rank-4 NHWC tensor, got shape [${v.shape}]`);
    if (v.constant) {
      const key = `${v.constant.name}>NCHW`;
      let t = this.transposed.get(key);
      if (!t) {
        const [n, h, w, c] = v.shape;
        t = this.initializer(`${v.constant.name}/nchw`, onnxDtype(v.dtype), [n, c, h, w], permute(v.constant.values, v.shape, [0, 3, 1, 2]));
        this.transposed.set(key, t);
      }
      return t;
    }
    if (v.layout === 'NCHW') return v.name;
    const key = `${v.name}>NCHW`;
    let t = this.transposed.get(key);
    if (!t) {
      t = this.emit('Transpose', [v.name], this.fresh(`${v.name}/nchw`), { perm: [0, 3, 1, 2] });
      this.transposed.set(key, t);
    }
    return t;
  }

  private constOf(v: Value, node: TfNode, what: string): Weight {
    if (!v.constant) throw unsupported(node, `${what} must be a constant`);
    return v.constant;
  }

  // ---------------------------------------------------------------- ops

  private convertNode(node: TfNode): Value {
    const op = node.op;
    if (op === 'Const') {
      const w = this.graph.weights.get(node.name);
      if (!w) throw unsupported(node, 'constant has no weight in the weights manifest');
      return { name: '', shape: w.shape, dtype: w.dtype, layout: 'TF', constant: w };
    }
    const inputs = this.inputsOf(node);
    if (PASS_THROUGH.has(op)) return inputs[0];
    if (op === '_FusedConv2D' || op === 'Conv2D') return this.conv(node, inputs, false);
    if (op === 'FusedDepthwiseConv2dNative' || op === 'DepthwiseConv2dNative') return this.conv(node, inputs, true);
    if (op === 'MaxPool' || op === 'AvgPool') return this.pool(node, inputs[0]);
    if (op === 'Relu6') return this.unary(node, inputs[0], 'Clip', {}, [this.scalar(0), this.scalar(6)]);
    if (op === 'LeakyRelu') return this.unary(node, inputs[0], 'LeakyRelu', { alpha: { float: attrFloat(node, 'alpha') ?? 0.2 } });
    if (op === 'Square') return this.binary(node, inputs[0], inputs[0], 'Mul');
    if (op === 'Rsqrt') {
      const s = this.unary(node, inputs[0], 'Sqrt', {}, [], `${node.name}/sqrt`);
      return this.unary(node, s, 'Reciprocal');
    }
    if (op in UNARY) return this.unary(node, inputs[0], UNARY[op]);
    if (op === 'Prelu') return this.prelu(node, inputs[0], inputs[1]);
    if (op in BINARY) {
      if (op === 'BiasAdd' && (attrString(node, 'data_format') ?? 'NHWC') !== 'NHWC') throw unsupported(node, 'data_format NCHW');
      return this.binary(node, inputs[0], inputs[1], BINARY[op]);
    }
    if (op === 'Pad' || op === 'PadV2' || op === 'MirrorPad') return this.pad(node, inputs);
    if (op === 'Reshape') return this.reshape(node, inputs[0], inputs[1]);
    if (op === 'Squeeze') return this.squeeze(node, inputs[0]);
    if (op === 'ConcatV2') return this.concat(node, inputs);
    if (op === 'Sum' || op === 'Mean' || op === 'Max' || op === 'Min' || op === 'Prod') return this.reduce(node, inputs[0], inputs[1]);
    if (op === 'FusedBatchNorm' || op === 'FusedBatchNormV3') return this.batchNorm(node, inputs);
    if (op === 'MatMul' || op === '_FusedMatMul') return this.matMul(node, inputs);
    if (op === 'Softmax') return this.softmax(node, inputs[0]);
    throw unsupported(node, 'no ONNX mapping for this op');
  }

  private scalar(x: number): string {
    const key = `scalar:${x}`;
    let t = this.transposed.get(key);
    if (!t) {
      t = this.floatInit(`const_${x}`, [], Float32Array.of(x));
      this.transposed.set(key, t);
    }
    return t;
  }

  private unary(node: TfNode, x: Value, op: string, attrs: Record<string, AttrValue> = {}, extra: string[] = [], outName?: string): Value {
    const input = x.constant ? this.constTF(x) : x.name;
    const out = this.emit(op, [input, ...extra], outName ? this.fresh(outName) : node.name, attrs);
    return { name: out, shape: x.shape, dtype: x.dtype, layout: x.constant ? 'TF' : x.layout };
  }

  /**
   * Broadcasting binary op. If an activation is NCHW, the result is too: other activations are
   * brought to NCHW and constants are padded to rank 4 and permuted (a [C] bias becomes [1,C,1,1]).
   */
  private binary(node: TfNode, a: Value, b: Value, op: string, outName?: string): Value {
    const shape = broadcastShapes(a.shape, b.shape, node);
    const nchw = shape.length === 4 && [a, b].some((v) => !v.constant && v.layout === 'NCHW');
    const operand = (v: Value): string => {
      if (!nchw) return this.asTF(v);
      if (v.constant) return this.constNCHW(v, node);
      if (v.shape.length !== 4) throw unsupported(node, `mixes an NCHW activation with a rank-${v.shape.length} activation`);
      return this.asNCHW(v, node);
    };
    const out = this.emit(op, [operand(a), operand(b)], outName ? this.fresh(outName) : node.name, {});
    return { name: out, shape, dtype: a.dtype, layout: nchw ? 'NCHW' : 'TF' };
  }

  /**
   * PReLU(x, s) = max(x, 0) + s·min(x, 0) per channel. ONNX Runtime runs a PRelu node on its
   * generic broadcasting path, and its NCHWc layout transformer (which runs Conv, Add, Relu,
   * MaxPool, Concat in a channel-blocked layout) does not know PRelu, so the tensor leaves and
   * re-enters the blocked layout around every one (FaceMesh: 28 PRelu nodes ≈ 45 % of the run
   * plus the reorders). With constant per-channel slopes on an NCHW activation it is written as
   * 1×1 depthwise convolutions (weights [C,1,1,1], group C), which ORT fuses and keeps blocked:
   *
   * - 'convs2' (default): x + (1 − s)·relu(−x) = Add(Conv(Relu(Conv(x; −1)); 1 − s), x): two
   *   passes (Conv+Relu, Conv with the Add as its accumulator). The same function; for x < 0 it
   *   rounds differently from s·x (1 − s is rounded, then one addition): ~1 ulp of x.
   * - 'convs': relu(x) + (−s)·relu(−x), three passes (plus a blocked Relu), bit-exact: negation
   *   and relu are exact, one of the two terms is ±0, and (−s)·(−x) = s·x.
   * - 'native': one ONNX PRelu node.
   */
  private prelu(node: TfNode, x: Value, alpha: Value): Value {
    const mode = this.opts.prelu ?? 'convs2';
    const c = x.shape[3];
    const slopes = alpha.constant?.values;
    const perChannel =
      slopes !== undefined && alpha.dtype === 'float32' && alpha.constant!.shape.slice(0, -1).every((d) => d === 1) && (slopes.length === c || slopes.length === 1);
    if (mode === 'native' || x.constant || x.layout !== 'NCHW' || x.shape.length !== 4 || c <= 0 || !perChannel) {
      return this.binary(node, x, alpha, 'PRelu');
    }
    const s = slopes.length === c ? Float32Array.from(slopes) : new Float32Array(c).fill(slopes[0]);
    const dw = (input: string, weights: Float32Array, what: string): string =>
      this.emit('Conv', [input, this.floatInit(`${node.name}/${what}/weight`, [c, 1, 1, 1], weights)], this.fresh(`${node.name}/${what}`), {
        kernel_shape: [1, 1],
        group: c,
      });
    const relu = (input: string, what: string): string => this.emit('Relu', [input], this.fresh(`${node.name}/${what}`), {});
    const negRelu = relu(dw(x.name, new Float32Array(c).fill(-1), 'neg'), 'neg_relu'); // relu(−x) = −min(x, 0)
    const out =
      mode === 'convs'
        ? this.emit('Add', [dw(negRelu, s.map((v) => -v), 'scaled'), relu(x.name, 'pos')], node.name, {})
        : this.emit('Add', [dw(negRelu, s.map((v) => 1 - v), 'scaled'), x.name], node.name, {});
    return { name: out, shape: x.shape, dtype: x.dtype, layout: 'NCHW' };
  }

  /** A constant broadcast against an NHWC tensor, re-laid-out for the NCHW one. */
  private constNCHW(v: Value, node: TfNode): string {
    const w = this.constOf(v, node, 'operand');
    if (w.shape.length > 4) throw unsupported(node, `constant of rank ${w.shape.length}`);
    const key = `${w.name}>NCHW-bcast`;
    let t = this.transposed.get(key);
    if (!t) {
      const s4 = [...Array(4 - w.shape.length).fill(1), ...w.shape];
      const dims = [s4[0], s4[3], s4[1], s4[2]];
      const data = permute(w.values, s4, [0, 3, 1, 2]);
      // ONNX broadcasting aligns from the right, so the leading 1 can go: [1,C,1,1] → [C,1,1].
      t = this.initializer(`${w.name}/nchw`, onnxDtype(w.dtype), dims[0] === 1 ? dims.slice(1) : dims, data);
      this.transposed.set(key, t);
    }
    return t;
  }

  /**
   * Conv2D / DepthwiseConv2dNative and their fused forms (BiasAdd + an activation).
   * TF filters are HWIO (depthwise: HW·C·multiplier); ONNX wants OIHW (depthwise: group = C).
   */
  private conv(node: TfNode, inputs: Value[], depthwise: boolean): Value {
    if ((attrString(node, 'data_format') ?? 'NHWC') !== 'NHWC') throw unsupported(node, 'data_format other than NHWC');
    const [x, filterV, ...args] = inputs;
    const filter = this.constOf(filterV, node, 'filter');
    if (filter.dtype !== 'float32' || filter.shape.length !== 4) throw unsupported(node, `filter of shape [${filter.shape}] ${filter.dtype}`);
    const [kh, kw, ci, co] = filter.shape;
    const strides = attrInts(node, 'strides') ?? [1, 1, 1, 1];
    const dilations = attrInts(node, 'dilations') ?? [1, 1, 1, 1];
    if (strides[0] !== 1 || strides[3] !== 1 || dilations[0] !== 1 || dilations[3] !== 1) {
      throw unsupported(node, 'stride or dilation on the batch or channel axis');
    }
    const outC = depthwise ? ci * co : co;
    if (x.shape[3] !== -1 && x.shape[3] !== ci) throw unsupported(node, `input has ${x.shape[3]} channels, filter expects ${ci}`);

    const { pads, outH, outW } = this.spatialPads(node, x.shape, [kh, kw], [strides[1], strides[2]], [dilations[1], dilations[2]]);
    const weight = depthwise
      ? this.floatInit(`${node.name}/weight`, [outC, 1, kh, kw], depthwiseToOIHW(filter.values as Float32Array, kh, kw, ci, co))
      : this.floatInit(`${node.name}/weight`, [co, ci, kh, kw], permute(filter.values, [kh, kw, ci, co], [3, 2, 0, 1]) as Float32Array);

    const fused = node.op.startsWith('_Fused') || node.op.startsWith('Fused') ? attrStrings(node, 'fused_ops') : [];
    const convInputs = [this.asNCHW(x, node), weight];
    let activation: string | undefined;
    let argIndex = 0;
    for (const f of fused) {
      if (f === 'BiasAdd' && convInputs.length === 2) {
        const bias = this.constOf(args[argIndex++] ?? fail(node, 'BiasAdd without a bias argument'), node, 'bias');
        if (bias.values.length !== outC) throw unsupported(node, `bias of ${bias.values.length} values for ${outC} channels`);
        convInputs.push(this.floatInit(`${node.name}/bias`, [outC], bias.values as Float32Array));
      } else if (['Relu', 'Relu6', 'Prelu', 'LeakyRelu', 'Elu', 'Sigmoid', 'Tanh'].includes(f) && !activation) {
        activation = f;
      } else {
        throw unsupported(node, `fused op ${f} (fused_ops ${fused.join(',')})`);
      }
    }

    const attrs: Record<string, AttrValue> = {
      kernel_shape: [kh, kw],
      strides: [strides[1], strides[2]],
      dilations: [dilations[1], dilations[2]],
      pads,
    };
    if (depthwise) attrs.group = ci;
    const shape = [x.shape[0], outH, outW, outC];
    const convOut = this.emit('Conv', convInputs, activation ? this.fresh(`${node.name}/conv`) : node.name, attrs);
    const convValue: Value = { name: convOut, shape, dtype: 'float32', layout: 'NCHW' };
    if (!activation) return convValue;
    // tfjs passes the PReLU weights as the argument after the bias.
    return this.activate(node, convValue, activation, args[argIndex]);
  }

  /** The activation of a fused op (Conv, MatMul), written under the node's own name. */
  private activate(node: TfNode, x: Value, activation: string, preluAlpha: Value | undefined): Value {
    switch (activation) {
      case 'Relu':
        return this.unary(node, x, 'Relu');
      case 'Relu6':
        return this.unary(node, x, 'Clip', {}, [this.scalar(0), this.scalar(6)]);
      case 'LeakyRelu':
        return this.unary(node, x, 'LeakyRelu', { alpha: { float: attrFloat(node, 'leakyrelu_alpha') ?? 0.2 } });
      case 'Elu':
      case 'Sigmoid':
      case 'Tanh':
        return this.unary(node, x, activation);
      case 'Prelu':
        return this.prelu(node, x, preluAlpha ?? fail(node, 'Prelu without an alpha argument'));
      default:
        throw unsupported(node, `fused activation ${activation}`);
    }
  }

  /**
   * ONNX pads [top, left, bottom, right] for TF's padding modes. SAME puts the odd pixel at the end
   * (what ONNX calls SAME_UPPER); spelled out explicitly so ORT need not infer it per run.
   */
  private spatialPads(node: TfNode, inShape: number[], k: number[], s: number[], d: number[]): { pads: number[]; outH: number; outW: number } {
    const mode = attrString(node, 'padding') ?? 'VALID';
    const before: number[] = [];
    const after: number[] = [];
    const out: number[] = [];
    for (let i = 0; i < 2; i++) {
      const size = inShape[1 + i];
      if (size < 0) throw unsupported(node, 'unknown spatial size (SAME padding needs it)');
      const eff = (k[i] - 1) * d[i] + 1;
      if (mode === 'SAME') {
        const o = Math.ceil(size / s[i]);
        const total = Math.max((o - 1) * s[i] + eff - size, 0);
        before.push(Math.floor(total / 2));
        after.push(total - Math.floor(total / 2));
        out.push(o);
      } else if (mode === 'VALID') {
        before.push(0);
        after.push(0);
        out.push(Math.floor((size - eff) / s[i]) + 1);
      } else if (mode === 'EXPLICIT') {
        const ep = attrInts(node, 'explicit_paddings') ?? [];
        if (ep.length !== 8) throw unsupported(node, `explicit_paddings [${ep}]`);
        const b = ep[2 + 2 * i];
        const a = ep[3 + 2 * i];
        before.push(b);
        after.push(a);
        out.push(Math.floor((size + b + a - eff) / s[i]) + 1);
      } else {
        throw unsupported(node, `padding ${mode}`);
      }
    }
    return { pads: [before[0], before[1], after[0], after[1]], outH: out[0], outW: out[1] };
  }

  private pool(node: TfNode, x: Value): Value {
    if ((attrString(node, 'data_format') ?? 'NHWC') !== 'NHWC') throw unsupported(node, 'data_format other than NHWC');
    const ksize = attrInts(node, 'ksize') ?? [];
    const strides = attrInts(node, 'strides') ?? [];
    if (ksize.length !== 4 || strides.length !== 4 || ksize[0] !== 1 || ksize[3] !== 1 || strides[0] !== 1 || strides[3] !== 1) {
      throw unsupported(node, `ksize [${ksize}] strides [${strides}]`);
    }
    const { pads, outH, outW } = this.spatialPads(node, x.shape, [ksize[1], ksize[2]], [strides[1], strides[2]], [1, 1]);
    // AvgPool: TF averages over the valid pixels only, which is ONNX's count_include_pad = 0 (default).
    const out = this.emit(node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [this.asNCHW(x, node)], node.name, {
      kernel_shape: [ksize[1], ksize[2]],
      strides: [strides[1], strides[2]],
      pads,
    });
    return { name: out, shape: [x.shape[0], outH, outW, x.shape[3]], dtype: x.dtype, layout: 'NCHW' };
  }

  private pad(node: TfNode, inputs: Value[]): Value {
    const [x, p, c] = inputs;
    const paddings = Array.from(this.constOf(p, node, 'paddings').values);
    const rank = x.shape.length;
    if (paddings.length !== rank * 2) throw unsupported(node, `paddings of ${paddings.length} values for rank ${rank}`);
    let mode = 'constant';
    if (node.op === 'MirrorPad') {
      const m = attrString(node, 'mode');
      if (m !== 'REFLECT') throw unsupported(node, `MirrorPad mode ${m}`); // SYMMETRIC has no ONNX equivalent
      mode = 'reflect';
    }
    const nchw = rank === 4 && !x.constant && x.layout === 'NCHW';
    // Row r of TF's [rank, 2] paddings belongs to TF axis r; in NCHW it belongs to position pos[r].
    const begins = new Array<number>(rank);
    const ends = new Array<number>(rank);
    for (let r = 0; r < rank; r++) {
      const at = nchw ? NHWC_TO_NCHW_POS[r] : r;
      begins[at] = paddings[2 * r];
      ends[at] = paddings[2 * r + 1];
    }
    const ins = [nchw ? x.name : this.asTF(x), this.int64Init(`${node.name}/pads`, [...begins, ...ends])];
    if (c) {
      const cv = this.constOf(c, node, 'constant_values');
      ins.push(this.floatInit(`${node.name}/value`, [], Float32Array.of(cv.values[0])));
    }
    const out = this.emit('Pad', ins, node.name, { mode });
    const shape = x.shape.map((d, r) => (d < 0 ? d : d + paddings[2 * r] + paddings[2 * r + 1]));
    return { name: out, shape, dtype: x.dtype, layout: nchw ? 'NCHW' : 'TF' };
  }

  private reshape(node: TfNode, x: Value, s: Value): Value {
    const target = Array.from(this.constOf(s, node, 'shape').values);
    if (target.includes(0)) throw unsupported(node, 'zero-sized target dimension (ONNX opset 13 Reshape reads 0 as "copy")');
    const out = this.emit('Reshape', [this.asTF(x), this.int64Init(`${node.name}/shape`, target)], node.name, {});
    return { name: out, shape: inferReshape(x.shape, target), dtype: x.dtype, layout: 'TF' };
  }

  /** Squeeze; on an NCHW tensor the axes are remapped, and the result is TF-ordered when that works out. */
  private squeeze(node: TfNode, x: Value): Value {
    const rank = x.shape.length;
    let axes = (attrInts(node, 'squeeze_dims') ?? attrInts(node, 'axis') ?? []).map((a) => (a < 0 ? a + rank : a));
    if (axes.length === 0) axes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
    if (axes.some((a) => x.shape[a] !== 1 && x.shape[a] !== -1)) throw unsupported(node, `squeezes a dimension that is not 1`);
    const shape = x.shape.filter((_, i) => !axes.includes(i));
    const { input, onnxAxes, layout } = this.reduceLike(node, x, axes, false);
    const out = this.emit('Squeeze', [input, this.int64Init(`${node.name}/axes`, onnxAxes)], node.name, {});
    return { name: out, shape, dtype: x.dtype, layout };
  }

  /**
   * For ops that remove (or keep as 1) some axes: run them directly on an NCHW tensor when the
   * remaining axes come out in TF order (e.g. squeezing H and W of [N,C,H,W] gives TF's [N,C]).
   */
  private reduceLike(node: TfNode, x: Value, axes: number[], keepDims: boolean): { input: string; onnxAxes: number[]; layout: Layout } {
    if (!x.constant && x.layout === 'NCHW') {
      if (keepDims) return { input: x.name, onnxAxes: axes.map((a) => NHWC_TO_NCHW_POS[a]), layout: 'NCHW' };
      const remainingTfAxes = [0, 3, 1, 2].filter((a) => !axes.includes(a));
      const inOrder = remainingTfAxes.every((a, i) => i === 0 || remainingTfAxes[i - 1] < a);
      if (inOrder) return { input: x.name, onnxAxes: axes.map((a) => NHWC_TO_NCHW_POS[a]).sort(), layout: 'TF' };
    }
    return { input: this.asTF(x), onnxAxes: axes, layout: 'TF' };
  }

  private reduce(node: TfNode, x: Value, axesV: Value): Value {
    const rank = x.shape.length;
    const axes = Array.from(this.constOf(axesV, node, 'reduction axes').values).map((a) => (a < 0 ? a + rank : a));
    const keep = attrBool(node, 'keep_dims') ?? false;
    const { input, onnxAxes, layout } = this.reduceLike(node, x, axes, keep);
    const onnxOp = { Sum: 'ReduceSum', Mean: 'ReduceMean', Max: 'ReduceMax', Min: 'ReduceMin', Prod: 'ReduceProd' }[node.op]!;
    // Opset 13: ReduceSum takes axes as an input, the others as an attribute.
    const out =
      onnxOp === 'ReduceSum'
        ? this.emit(onnxOp, [input, this.int64Init(`${node.name}/axes`, onnxAxes)], node.name, { keepdims: keep ? 1 : 0 })
        : this.emit(onnxOp, [input], node.name, { axes: onnxAxes, keepdims: keep ? 1 : 0 });
    const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    return { name: out, shape, dtype: x.dtype, layout };
  }

  private concat(node: TfNode, inputs: Value[]): Value {
    const axisV = inputs[inputs.length - 1];
    const parts = inputs.slice(0, -1);
    const rank = parts[0].shape.length;
    let axis = Number(this.constOf(axisV, node, 'axis').values[0]);
    if (axis < 0) axis += rank;
    const nchw = rank === 4 && parts.every((p) => p.constant || p.layout === 'NCHW') && parts.some((p) => !p.constant);
    const names = parts.map((p) => (nchw ? this.asNCHW(p, node) : this.asTF(p)));
    const out = this.emit('Concat', names, node.name, { axis: nchw ? NHWC_TO_NCHW_POS[axis] : axis });
    const shape = parts[0].shape.slice();
    shape[axis] = parts.some((p) => p.shape[axis] < 0) ? -1 : parts.reduce((s, p) => s + p.shape[axis], 0);
    return { name: out, shape, dtype: parts[0].dtype, layout: nchw ? 'NCHW' : 'TF' };
  }

  private batchNorm(node: TfNode, inputs: Value[]): Value {
    if ((attrString(node, 'data_format') ?? 'NHWC') !== 'NHWC') throw unsupported(node, 'data_format other than NHWC');
    if (attrBool(node, 'is_training')) throw unsupported(node, 'is_training = true');
    const [x, ...params] = inputs;
    const names = params.slice(0, 4).map((p, i) => {
      const w = this.constOf(p, node, ['scale', 'offset', 'mean', 'variance'][i]);
      return this.floatInit(`${node.name}/${['scale', 'bias', 'mean', 'var'][i]}`, [w.values.length], w.values as Float32Array);
    });
    const out = this.emit('BatchNormalization', [this.asNCHW(x, node), ...names], node.name, { epsilon: { float: attrFloat(node, 'epsilon') ?? 1e-3 } });
    return { name: out, shape: x.shape, dtype: x.dtype, layout: 'NCHW' };
  }

  /**
   * MatMul and grappler's _FusedMatMul (Keras Dense layers: MatMul + BiasAdd + an activation, as
   * in HSE's faceres heads). The fused form is written as MatMul, Add and the activation; ORT's
   * optimiser fuses them again (Gemm / FusedMatMul).
   */
  private matMul(node: TfNode, inputs: Value[]): Value {
    const [a, b, ...args] = inputs;
    if (a.shape.length !== 2 || b.shape.length !== 2) throw unsupported(node, 'MatMul of rank other than 2');
    const ta = attrBool(node, 'transpose_a') ?? false;
    const tb = attrBool(node, 'transpose_b') ?? false;
    const fused = node.op === '_FusedMatMul' ? attrStrings(node, 'fused_ops') : [];
    let bias: Value | undefined;
    let activation: string | undefined;
    let argIndex = 0;
    for (const f of fused) {
      if (f === 'BiasAdd' && !bias) bias = args[argIndex++] ?? fail(node, 'BiasAdd without a bias argument');
      else if (['Relu', 'Relu6', 'Prelu', 'LeakyRelu', 'Elu', 'Sigmoid', 'Tanh'].includes(f) && !activation) activation = f;
      else throw unsupported(node, `fused op ${f} (fused_ops ${fused.join(',')})`);
    }
    const operand = (v: Value, t: boolean): string => {
      const n = this.asTF(v);
      return t ? this.emit('Transpose', [n], this.fresh(`${n}/T`), { perm: [1, 0] }) : n;
    };
    const shape = [ta ? a.shape[1] : a.shape[0], tb ? b.shape[0] : b.shape[1]];
    const last = !bias && !activation;
    const out = this.emit('MatMul', [operand(a, ta), operand(b, tb)], last ? node.name : this.fresh(`${node.name}/matmul`), {});
    let v: Value = { name: out, shape, dtype: a.dtype, layout: 'TF' };
    if (bias) {
      if (bias.shape.length !== 1 || (shape[1] >= 0 && bias.shape[0] !== shape[1])) throw unsupported(node, `bias of shape [${bias.shape}] for ${shape[1]} outputs`);
      v = this.binary(node, v, bias, 'Add', activation ? `${node.name}/bias` : undefined);
    }
    return activation ? this.activate(node, v, activation, args[argIndex]) : v;
  }

  /** TF Softmax normalises over the last axis, as ONNX opset-13 Softmax with axis −1 does. */
  private softmax(node: TfNode, x: Value): Value {
    const out = this.emit('Softmax', [this.asTF(x)], node.name, { axis: -1 });
    return { name: out, shape: x.shape, dtype: x.dtype, layout: 'TF' };
  }
}

// ---------------------------------------------------------------- helpers

export class UnsupportedOpError extends Error {
  constructor(
    readonly op: string,
    readonly node: string,
    reason: string,
  ) {
    super(`cannot convert op ${op} (node "${node}"): ${reason}`);
    this.name = 'UnsupportedOpError';
  }
}

function unsupported(node: TfNode, reason: string): UnsupportedOpError {
  return new UnsupportedOpError(node.op, node.name, reason);
}

function fail(node: TfNode, reason: string): never {
  throw unsupported(node, reason);
}

/**
 * The public name of an input or output: what TF.js's GraphModel calls it (`inputNodes` /
 * `outputNodes`: the signature key when there is one, else the node), without a ":0" suffix, so
 * code written against the TF.js model finds the same names.
 */
function portName(p: GraphPort): string {
  return (p.signatureKey ?? p.node).replace(/:0$/, '');
}

function tfDtype(type: string | undefined, node: TfNode): WeightDtype {
  if (type === 'DT_FLOAT') return 'float32';
  if (type === 'DT_INT32') return 'int32';
  if (type === 'DT_BOOL') return 'bool';
  throw unsupported(node, `dtype ${type}`);
}

function onnxDtype(d: WeightDtype): onnx.TensorProto.DataType {
  if (d === 'float32') return onnx.TensorProto.DataType.FLOAT;
  if (d === 'int32') return onnx.TensorProto.DataType.INT32;
  return onnx.TensorProto.DataType.BOOL;
}

function valueInfo(name: string, dtype: WeightDtype, shape: number[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxDtype(dtype),
        shape: { dim: shape.map((d, i) => (d >= 0 ? { dimValue: d } : { dimParam: i === 0 ? 'batch' : `d${i}` })) },
      },
    },
  };
}

/** Attribute values: a number is an INT, a list INTS, `{ float }` a FLOAT (kept apart so 1.0 stays a float). */
type AttrValue = number | number[] | string | { float: number };

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  return { name, type: T.FLOAT, f: v.float };
}

/** NumPy broadcasting of two static shapes (-1 = unknown, assumed compatible). */
function broadcastShapes(a: number[], b: number[], node: TfNode): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x === -1 || y === -1) out.push(Math.max(x, y));
    else if (x === y) out.push(x);
    else throw unsupported(node, `shapes [${a}] and [${b}] do not broadcast`);
  }
  return out;
}

function inferReshape(inShape: number[], target: number[]): number[] {
  const known = inShape.every((d) => d >= 0);
  const total = known ? inShape.reduce((p, d) => p * d, 1) : -1;
  const rest = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  return target.map((d) => (d === -1 ? (total >= 0 ? total / rest : -1) : d));
}

/** Row-major transpose: out axis j is input axis perm[j]. */
export function permute<T extends Float32Array | Int32Array | Uint8Array>(data: T, shape: number[], perm: number[]): T {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const stridesByOut = perm.map((p) => inStrides[p]);
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let j = 0; j < rank; j++) src += idx[j] * stridesByOut[j];
    out[o] = data[src];
    for (let j = rank - 1; j >= 0; j--) {
      if (++idx[j] < outShape[j]) break;
      idx[j] = 0;
    }
  }
  return out;
}

/** TF depthwise filter [kh, kw, C, M] → ONNX grouped-conv weight [C·M, 1, kh, kw] (output channel c·M + m). */
function depthwiseToOIHW(f: Float32Array, kh: number, kw: number, c: number, m: number): Float32Array {
  const out = new Float32Array(f.length);
  for (let ch = 0; ch < c; ch++)
    for (let k = 0; k < m; k++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((ch * m + k) * kh + y) * kw + x] = f[((y * kw + x) * c + ch) * m + k];
  return out;
}

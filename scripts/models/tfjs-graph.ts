/**
 * Reading a TF.js graph model (model.json + binary weight shards) into plain data.
 *
 * Why our own reader: the converter must run at install time in a few hundred milliseconds, without
 * starting TF.js. The weight decoding mirrors `decodeWeights` in
 * @tensorflow/tfjs-core/dist/io/io_utils.js exactly (same byte layout, same dequantisation
 * formulas, same float16 expansion), so the ONNX model gets bit-identical constants; the parity
 * test checks that against tfjs-core itself.
 */
import fs from 'fs';
import path from 'path';

/** One attribute value as the TF.js JSON stores it (a protobuf AttrValue in JSON form). */
export interface TfAttr {
  s?: string; // base64
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: Array<string | number>; f?: number[]; b?: boolean[]; type?: string[] };
  shape?: { dim?: Array<{ size?: string | number }>; unknownRank?: boolean };
  tensor?: unknown;
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
  device?: string;
}

export type WeightDtype = 'float32' | 'int32' | 'bool';

export interface WeightQuantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  min?: number;
  scale?: number;
  original_dtype?: string;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: WeightDtype | 'string' | 'complex64';
  quantization?: WeightQuantization;
}

export interface WeightsGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface SignatureEntry {
  name?: string;
  dtype?: string;
  tensorShape?: { dim?: Array<{ size?: string | number }> };
}

export interface Signature {
  inputs?: Record<string, SignatureEntry>;
  outputs?: Record<string, SignatureEntry>;
}

export interface TfGraphModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: { node: TfNode[]; library?: unknown; versions?: unknown };
  weightsManifest: WeightsGroup[];
  signature?: Signature;
  userDefinedMetadata?: { signature?: Signature; [k: string]: unknown };
}

/** A decoded constant: values in row-major order of `shape`. */
export interface Weight {
  name: string;
  dtype: WeightDtype;
  shape: number[];
  values: Float32Array | Int32Array | Uint8Array;
}

/** An input or output of the graph: the TF node name, and the signature key when the model has one. */
export interface GraphPort {
  node: string;
  signatureKey?: string;
}

export interface TfGraph {
  nodes: TfNode[];
  weights: Map<string, Weight>;
  /** Inputs and outputs in the order TF.js's GraphModel reports them (`inputNodes`/`outputNodes`). */
  inputs: GraphPort[];
  outputs: GraphPort[];
}

/** Reads model.json and its shards (paths relative to the JSON file, concatenated in manifest order). */
export function readGraphModel(jsonPath: string): TfGraph {
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as TfGraphModelJson;
  const dir = path.dirname(jsonPath);
  const shards = (json.weightsManifest ?? []).flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  return parseGraphModel(json, Buffer.concat(shards));
}

/** Files a graph model consists of (for hashing): the JSON and every shard. */
export function graphModelFiles(jsonPath: string): string[] {
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as TfGraphModelJson;
  const dir = path.dirname(jsonPath);
  return [jsonPath, ...(json.weightsManifest ?? []).flatMap((g) => g.paths.map((p) => path.join(dir, p)))];
}

export function parseGraphModel(json: TfGraphModelJson, weightData: Uint8Array): TfGraph {
  if (!json.modelTopology || !Array.isArray(json.modelTopology.node)) {
    throw new Error('not a TF.js graph model: modelTopology.node is missing');
  }
  const nodes = json.modelTopology.node;
  const specs = (json.weightsManifest ?? []).flatMap((g) => g.weights);
  const weights = decodeWeights(weightData, specs);
  // Same precedence as GraphModel.loadWithWeightMap: userDefinedMetadata.signature wins.
  const signature = json.userDefinedMetadata?.signature ?? json.signature;
  return { nodes, weights, ...graphPorts(nodes, signature) };
}

/**
 * Inputs and outputs exactly as tfjs-converter's OperationMapper.transformGraph picks them: from the
 * signature when it names any, otherwise the placeholders and the nodes nobody consumes.
 */
function graphPorts(nodes: TfNode[], signature: Signature | undefined): { inputs: GraphPort[]; outputs: GraphPort[] } {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const fromSignature = (entries: Record<string, SignatureEntry> | undefined): GraphPort[] =>
    Object.entries(entries ?? {})
      .map(([key, e]) => ({ node: nodeNameOf(e.name ?? key), signatureKey: key }))
      .filter((p) => byName.has(p.node));
  let inputs = fromSignature(signature?.inputs);
  if (inputs.length === 0) inputs = nodes.filter((n) => n.op.startsWith('Placeholder')).map((n) => ({ node: n.name }));
  let outputs = fromSignature(signature?.outputs);
  if (outputs.length === 0) {
    const consumed = new Set(nodes.flatMap((n) => (n.input ?? []).map(nodeNameOf)));
    outputs = nodes.filter((n) => !consumed.has(n.name)).map((n) => ({ node: n.name }));
  }
  return { inputs, outputs };
}

/** "name:0" → "name"; "^ctrl" → "ctrl"; "name:output:1" (function outputs) → "name". */
export function nodeNameOf(ref: string): string {
  const r = ref.startsWith('^') ? ref.slice(1) : ref;
  const i = r.indexOf(':');
  return i < 0 ? r : r.slice(0, i);
}

/** Output index of a reference ("x:1" → 1, "x" → 0). Our ops are single-output; the converter checks. */
export function outputIndexOf(ref: string): number {
  const parts = ref.split(':');
  return parts.length > 1 ? Number(parts[parts.length - 1]) : 0;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

export function decodeWeights(data: Uint8Array, specs: WeightSpec[]): Map<string, Weight> {
  const out = new Map<string, Weight>();
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === 'string' || spec.dtype === 'complex64') {
      throw new Error(`weight ${spec.name}: dtype ${spec.dtype} is not supported by the converter`);
    }
    const storage = spec.quantization ? spec.quantization.dtype : spec.dtype;
    const bytesPer = BYTES[storage];
    if (!bytesPer) throw new Error(`weight ${spec.name}: unknown storage dtype ${storage}`);
    const byteLength = size * bytesPer;
    if (offset + byteLength > data.byteLength) {
      throw new Error(`weight ${spec.name}: shards hold ${data.byteLength} bytes, need ${offset + byteLength}`);
    }
    // Copy into an aligned buffer: shard offsets need not be multiples of 4.
    const bytes = data.slice(offset, offset + byteLength);
    out.set(spec.name, { name: spec.name, dtype: spec.dtype, shape: spec.shape.slice(), values: decodeOne(spec, bytes, size) });
    offset += byteLength;
  }
  return out;
}

function decodeOne(spec: WeightSpec, bytes: Uint8Array, size: number): Weight['values'] {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const q = spec.quantization;
  if (!q) {
    if (spec.dtype === 'float32') return new Float32Array(buf, 0, size);
    if (spec.dtype === 'int32') return new Int32Array(buf, 0, size);
    if (spec.dtype === 'bool') return new Uint8Array(buf, 0, size);
    throw new Error(`weight ${spec.name}: unsupported dtype ${spec.dtype}`);
  }
  if (q.dtype === 'uint8' || q.dtype === 'uint16') {
    if (q.min === undefined || q.scale === undefined) {
      throw new Error(`weight ${spec.name} with quantization ${q.dtype} has no min and scale`);
    }
    const quantized = q.dtype === 'uint8' ? new Uint8Array(buf) : new Uint16Array(buf);
    if (spec.dtype === 'float32') {
      const values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = quantized[i] * q.scale + q.min;
      return values;
    }
    if (spec.dtype === 'int32') {
      const values = new Int32Array(size);
      for (let i = 0; i < size; i++) values[i] = Math.round(quantized[i] * q.scale + q.min);
      return values;
    }
    throw new Error(`weight ${spec.name}: quantization ${q.dtype} of dtype ${spec.dtype} is not supported`);
  }
  if (q.dtype === 'float16') {
    if (spec.dtype !== 'float32') {
      throw new Error(`weight ${spec.name} is quantized with float16, which only supports float32 weights`);
    }
    return float16ToFloat32(new Uint16Array(buf));
  }
  throw new Error(`weight ${spec.name} has unknown quantization dtype ${(q as { dtype: string }).dtype}`);
}

/**
 * IEEE half → single, exact for every input (normals, subnormals, ±0, ±Inf, NaN), which is what
 * tfjs-core's table-driven decoder produces as well.
 */
export function float16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i];
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    let mant = h & 0x3ff;
    if (exp === 0) {
      if (mant === 0) {
        bits[i] = sign;
      } else {
        // Subnormal half: normalise into a float32 normal.
        let e = -1;
        do {
          e++;
          mant <<= 1;
        } while ((mant & 0x400) === 0);
        bits[i] = sign | ((127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
      }
    } else if (exp === 0x1f) {
      bits[i] = sign | 0x7f800000 | (mant << 13);
    } else {
      bits[i] = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    }
  }
  return out;
}

// ---- attribute helpers (TF.js JSON stores int64 as strings and strings as base64) ----

export function attrString(node: TfNode, key: string): string | undefined {
  const s = node.attr?.[key]?.s;
  return s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');
}

export function attrStrings(node: TfNode, key: string): string[] {
  return (node.attr?.[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

export function attrInts(node: TfNode, key: string): number[] | undefined {
  const l = node.attr?.[key]?.list;
  if (!l) return undefined;
  return (l.i ?? []).map(Number);
}

export function attrInt(node: TfNode, key: string): number | undefined {
  const v = node.attr?.[key]?.i;
  return v === undefined ? undefined : Number(v);
}

export function attrFloat(node: TfNode, key: string): number | undefined {
  return node.attr?.[key]?.f;
}

export function attrBool(node: TfNode, key: string): boolean | undefined {
  return node.attr?.[key]?.b;
}

/** A Placeholder's shape; -1 for unknown dimensions, undefined for unknown rank. */
export function attrShape(node: TfNode, key: string): number[] | undefined {
  const s = node.attr?.[key]?.shape;
  if (!s || s.unknownRank) return undefined;
  return (s.dim ?? []).map((d) => (d.size === undefined ? -1 : Number(d.size)));
}

/**
 * Serialising analysed face data (plain objects holding Float32Arrays) to one Buffer and back, so
 * the prepared faces can be stored between the `analyze` and `fuse` calls — a compact binary, not
 * JSON arrays of floats: a prepared face is ~1.5 MB of Float32 planes.
 *
 * Layout: "SZF1" | u32 header length | JSON header | 4-byte aligned Float32 payloads. The header
 * is the value with each Float32Array replaced by {"$f32": [offset, length]}.
 */
const MAGIC = 'SZF1';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function serializeFaceData(value: unknown): Buffer {
  const chunks: Float32Array[] = [];
  let offset = 0;
  const encode = (v: unknown): Json => {
    if (v instanceof Float32Array) {
      const ref = { $f32: [offset, v.length] };
      chunks.push(v);
      offset += v.length;
      return ref as Json;
    }
    if (ArrayBuffer.isView(v)) throw new Error('only Float32Array typed arrays are supported');
    if (Array.isArray(v)) return v.map(encode);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
    return v as Json;
  };
  const header = Buffer.from(JSON.stringify(encode(value)), 'utf8');
  const headerPadded = Math.ceil((8 + header.length) / 4) * 4;
  const out = Buffer.alloc(headerPadded + offset * 4);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 4);
  header.copy(out, 8);
  let pos = headerPadded;
  for (const c of chunks) {
    Buffer.from(c.buffer, c.byteOffset, c.byteLength).copy(out, pos);
    pos += c.byteLength;
  }
  return out;
}

export function deserializeFaceData<T>(buf: Buffer): T {
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) throw new Error('not face data');
  const headerLength = buf.readUInt32LE(4);
  const header = JSON.parse(buf.toString('utf8', 8, 8 + headerLength)) as Json;
  const base = Math.ceil((8 + headerLength) / 4) * 4;
  const decode = (v: Json): unknown => {
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') {
      if (Array.isArray((v as { $f32?: Json }).$f32)) {
        const [off, len] = (v as { $f32: [number, number] }).$f32;
        // Copy out: the result must not alias (or pin) the stored buffer.
        const out = new Float32Array(len);
        Buffer.from(out.buffer).set(buf.subarray(base + off * 4, base + (off + len) * 4));
        return out;
      }
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
    }
    return v;
  };
  return decode(header) as T;
}

/**
 * Image fuzzing for the analysis path: small JPEG/PNG/WebP seeds made from the fixture photos are
 * mutated (bit flips, byte insertions and deletions, truncations, format-aware header fields,
 * splices) and each mutant goes through what `npm run analyze` does — analyzeImage + requireFace
 * (engine/analysis/analyze.ts) — in a child process (scripts/fuzz-worker.ts) under a watchdog.
 *
 * Every outcome must be a result with finite numbers or an AppError with a known code. Anything
 * else is a finding: an untyped throw, an INTERNAL AppError, a result with NaN/∞, a worker process
 * that dies (native crash, out of memory) or an input that runs past the time bound (hang).
 * Findings are written to `--out` (input bytes + what happened) and every mutant is reproducible
 * from (seed, index): its PRNG is seeded from both.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { rng } from './lib/random';

const ROOT = path.resolve(__dirname, '..');

export interface Seed {
  name: string;
  format: 'jpeg' | 'png' | 'webp';
  bytes: Buffer;
}

/**
 * The seeds: a one-face crop and a group photo of the npm fixture photographs
 * (@vladmandic/face-api, MIT), downscaled so one analysis takes milliseconds, in every encoding
 * the decoder accepts (baseline and progressive JPEG, JPEG with EXIF orientation, RGB and palette
 * PNG with alpha, lossy and lossless WebP).
 */
export async function makeSeeds(): Promise<Seed[]> {
  const photo = (n: number) => require.resolve(`@vladmandic/face-api/demo/sample${n}.jpg`);
  const face = () => sharp(photo(6)).extract({ left: 476, top: 150, width: 600, height: 720 }).resize({ width: 120 });
  const group = () => sharp(photo(1)).resize({ width: 200 });
  const list: Array<[string, Seed['format'], Promise<Buffer>]> = [
    ['face.jpg', 'jpeg', face().jpeg({ quality: 80 }).toBuffer()],
    ['face-progressive.jpg', 'jpeg', face().jpeg({ quality: 70, progressive: true }).toBuffer()],
    ['face-exif6.jpg', 'jpeg', face().rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 75 }).toBuffer()],
    ['group.jpg', 'jpeg', group().jpeg({ quality: 75 }).toBuffer()],
    ['face.png', 'png', face().resize({ width: 80 }).png({ compressionLevel: 6 }).toBuffer()],
    ['face-palette-alpha.png', 'png', face().resize({ width: 80 }).ensureAlpha(0.9).png({ palette: true }).toBuffer()],
    ['face.webp', 'webp', face().webp({ quality: 70 }).toBuffer()],
    ['face-lossless.webp', 'webp', face().resize({ width: 80 }).webp({ lossless: true }).toBuffer()],
  ];
  return Promise.all(list.map(async ([name, format, bytes]) => ({ name, format, bytes: await bytes })));
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];
/** Offsets biased towards the start, where headers are (half of the picks in the first 512 bytes). */
const offset = (r: Rand, len: number) => (r() < 0.5 ? int(r, Math.min(len, 512)) : int(r, len));
const INTERESTING16 = [0, 1, 2, 7, 8, 15, 16, 63, 64, 65, 127, 128, 255, 256, 1000, 4096, 6000, 6500, 16383, 16384, 32767, 32768, 65534, 65535];
const INTERESTING32 = [0, 1, 63, 64, 65, 255, 256, 30000, 65535, 65536, 100000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

let crcTable: Uint32Array | undefined;
export function crc32(buf: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** JPEG marker segments: [marker offset, marker byte, payload length] up to the first SOS. */
function jpegSegments(b: Buffer): Array<{ at: number; marker: number; len: number }> {
  const out: Array<{ at: number; marker: number; len: number }> = [];
  let i = 2;
  while (i + 4 <= b.length && b[i] === 0xff) {
    const marker = b[i + 1];
    const len = b.readUInt16BE(i + 2);
    out.push({ at: i, marker, len });
    if (marker === 0xda) break;
    i += 2 + len;
  }
  return out;
}

/** PNG chunks: [offset of the length field, type, data length]. */
function pngChunks(b: Buffer): Array<{ at: number; type: string; len: number }> {
  const out: Array<{ at: number; type: string; len: number }> = [];
  for (let i = 8; i + 12 <= b.length; ) {
    const len = b.readUInt32BE(i);
    out.push({ at: i, type: b.toString('latin1', i + 4, i + 8), len });
    if (len > b.length) break;
    i += 12 + len;
  }
  return out;
}

/** Recomputes a PNG chunk's CRC so libpng gets past the checksum and reads the mutated fields. */
function fixPngCrc(b: Buffer, at: number): void {
  const len = b.readUInt32BE(at);
  if (at + 12 + len > b.length) return;
  b.writeUInt32BE(crc32(b.subarray(at + 4, at + 8 + len)), at + 8 + len);
}

/** One format-aware header mutation; falls back to a byte write when the structure is not found. */
function mutateHeader(r: Rand, src: Buffer): Buffer {
  try {
    return mutateFields(r, src);
  } catch (err) {
    // A field past the end of a truncated file: mutate bytes instead.
    if ((err as NodeJS.ErrnoException).code === 'ERR_OUT_OF_RANGE') return mutateBytes(r, src);
    throw err;
  }
}

function mutateFields(r: Rand, src: Buffer): Buffer {
  const b = Buffer.from(src);
  if (b[0] === 0xff && b[1] === 0xd8) {
    const segs = jpegSegments(b);
    const sof = segs.find((s) => s.marker >= 0xc0 && s.marker <= 0xcf && s.marker !== 0xc4 && s.marker !== 0xc8 && s.marker !== 0xcc);
    const choice = int(r, 6);
    if (sof && choice <= 1) {
      // SOF: precision(1) height(2) width(2) components(1) then 3 bytes per component.
      b.writeUInt16BE(pick(r, INTERESTING16), sof.at + 5 + (choice === 0 ? 0 : 2));
      return b;
    }
    if (sof && choice === 2) {
      const field = pick(r, [4, 9, 11, 12, 14]); // precision, component count, sampling, table ids
      if (sof.at + field < b.length) b[sof.at + field] = pick(r, [0, 1, 2, 3, 4, 0x11, 0x22, 0x44, 0xff, int(r, 256)]);
      return b;
    }
    if (segs.length && choice === 3) {
      const s = pick(r, segs); // a segment length field
      b.writeUInt16BE(pick(r, INTERESTING16), s.at + 2);
      return b;
    }
    if (choice === 4) {
      // EXIF orientation (0x0112) set to any value, valid or not.
      const tag = b.indexOf(Buffer.from([0x01, 0x12, 0x00, 0x03]));
      const tagLE = b.indexOf(Buffer.from([0x12, 0x01, 0x03, 0x00]));
      if (tag > 0 && tag + 9 < b.length) b.writeUInt16BE(int(r, 65536) % (r() < 0.7 ? 10 : 65536), tag + 8);
      else if (tagLE > 0 && tagLE + 9 < b.length) b.writeUInt16LE(int(r, 12), tagLE + 8);
      else return mutateBytes(r, b);
      return b;
    }
    // Drop the end-of-image marker or splice a second scan header in.
    if (r() < 0.5 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9) return b.subarray(0, b.length - 2);
    const sos = segs.find((s) => s.marker === 0xda);
    if (sos) return Buffer.concat([b.subarray(0, b.length - 2), b.subarray(sos.at, sos.at + 2 + sos.len), b.subarray(b.length - 2)]);
    return mutateBytes(r, b);
  }
  if (b[0] === 0x89 && b.toString('latin1', 1, 4) === 'PNG') {
    const chunks = pngChunks(b);
    const ihdr = chunks.find((c) => c.type === 'IHDR');
    const choice = int(r, 5);
    if (ihdr && choice <= 1) {
      b.writeUInt32BE(pick(r, INTERESTING32), ihdr.at + 8 + (choice === 0 ? 0 : 4));
      if (r() < 0.8) fixPngCrc(b, ihdr.at);
      return b;
    }
    if (ihdr && choice === 2) {
      // bit depth, colour type, compression, filter, interlace
      b[ihdr.at + 16 + int(r, 5)] = pick(r, [0, 1, 2, 3, 4, 6, 8, 16, 255, int(r, 256)]);
      if (r() < 0.8) fixPngCrc(b, ihdr.at);
      return b;
    }
    if (chunks.length && choice === 3) {
      const c = pick(r, chunks);
      b.writeUInt32BE(pick(r, INTERESTING32), c.at);
      return b;
    }
    // Corrupt image data but keep the checksum right, so zlib and the filters see it.
    const idat = chunks.find((c) => c.type === 'IDAT' && c.at + 12 + c.len <= b.length);
    if (idat && idat.len > 0) {
      for (let k = 0; k < 1 + int(r, 8); k++) b[idat.at + 8 + int(r, idat.len)] ^= 1 << int(r, 8);
      fixPngCrc(b, idat.at);
      return b;
    }
    return mutateBytes(r, b);
  }
  if (b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const choice = int(r, 4);
    if (choice === 0) {
      b.writeUInt32LE(pick(r, INTERESTING32), 4); // RIFF size
      return b;
    }
    if (choice === 1 && b.length > 20) {
      b.writeUInt32LE(pick(r, INTERESTING32), 16); // first chunk's size
      return b;
    }
    const kind = b.toString('latin1', 12, 16);
    if (kind === 'VP8 ' && b.length >= 30) {
      // Frame tag (3) + start code (3) + 14-bit width and height with 2-bit scales.
      b.writeUInt16LE(pick(r, INTERESTING16) & 0xffff, 26 + (choice === 2 ? 0 : 2));
      return b;
    }
    if (kind === 'VP8L' && b.length >= 25) {
      // Signature 0x2f then 14-bit width-1, 14-bit height-1, alpha, version packed in 4 bytes.
      b.writeUInt32LE((b.readUInt32LE(21) ^ (1 << int(r, 32))) >>> 0, 21);
      return b;
    }
    if (kind === 'VP8X' && b.length >= 30) {
      b.writeUIntLE(pick(r, INTERESTING32) & 0xffffff, 24 + (choice === 2 ? 0 : 3), 3);
      return b;
    }
  }
  return mutateBytes(r, b);
}

/** A few bytes set to boundary values. */
function mutateBytes(r: Rand, src: Buffer): Buffer {
  const b = Buffer.from(src);
  for (let k = 0; k < 1 + int(r, 8); k++) b[offset(r, b.length)] = pick(r, [0, 0xff, 0x7f, 0x80, 0x01, 0xfe, int(r, 256)]);
  return b;
}

export const MUTATORS = ['bitflip', 'bytes', 'insert', 'delete', 'truncate', 'header', 'splice', 'repeat'] as const;
export type Mutator = (typeof MUTATORS)[number];

function mutateOnce(r: Rand, b: Buffer, kind: Mutator, seeds: Seed[]): Buffer {
  if (b.length === 0) return Buffer.from(pick(r, seeds).bytes.subarray(0, 1 + int(r, 64)));
  switch (kind) {
    case 'bitflip': {
      const out = Buffer.from(b);
      for (let k = 0; k < 1 + int(r, 16); k++) out[offset(r, out.length)] ^= 1 << int(r, 8);
      return out;
    }
    case 'bytes':
      return mutateBytes(r, b);
    case 'insert': {
      const at = offset(r, b.length + 1);
      const n = 1 + int(r, 256);
      const ins = r() < 0.5 ? Buffer.from(Array.from({ length: n }, () => int(r, 256))) : b.subarray(int(r, b.length), int(r, b.length) + n);
      return Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
    }
    case 'delete': {
      const at = offset(r, b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(r, 512)))]);
    }
    case 'truncate':
      return b.subarray(0, r() < 0.3 ? int(r, 64) : int(r, b.length));
    case 'header':
      return mutateHeader(r, b);
    case 'splice': {
      const other = pick(r, seeds).bytes;
      return Buffer.concat([b.subarray(0, int(r, b.length)), other.subarray(int(r, other.length))]);
    }
    case 'repeat': {
      // A region repeated many times: stresses length fields and decoders' buffering.
      const at = int(r, b.length);
      const piece = b.subarray(at, at + 1 + int(r, 64));
      const times = 1 + int(r, 2000);
      return Buffer.concat([b.subarray(0, at), ...Array.from({ length: times }, () => piece), b.subarray(at)]);
    }
  }
}

export interface Mutant {
  index: number;
  seed: string;
  mutations: Mutator[];
  bytes: Buffer;
}

/** The `index`-th mutant of a run: reproducible from (runSeed, index) alone. */
export function mutant(seeds: Seed[], runSeed: number, index: number): Mutant {
  const r = rng((Math.imul(runSeed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
  const seed = seeds[index % seeds.length];
  let bytes = seed.bytes;
  const mutations: Mutator[] = [];
  for (let k = 0, n = 1 + int(r, 3); k < n; k++) {
    const kind = pick(r, MUTATORS);
    mutations.push(kind);
    bytes = mutateOnce(r, bytes, kind, seeds);
  }
  return { index, seed: seed.name, mutations, bytes };
}

/** What the worker reports for one input. */
export type Outcome =
  | { kind: 'result'; faces: number; ms: number }
  | { kind: 'error'; code: string; ms: number }
  | { kind: 'untyped'; message: string; ms: number }
  | { kind: 'invalid'; message: string; ms: number };

export interface FuzzFinding {
  index: number;
  seed: string;
  mutations: Mutator[];
  kind: 'untyped' | 'internal' | 'invalid' | 'crash' | 'hang';
  message: string;
  file?: string;
}

export interface FuzzReport {
  count: number;
  seed: number;
  workers: number;
  timeoutMs: number;
  seeds: Array<{ name: string; bytes: number }>;
  outcomes: { result: number; errors: Record<string, number> };
  findings: { untyped: number; internal: number; invalid: number; crash: number; hang: number; list: FuzzFinding[] };
  /** Per-input analysis time inside the worker (ms). */
  ms: { p50: number; p99: number; max: number };
  slowest: { index: number; ms: number } | null;
  wallSeconds: number;
}

export interface FuzzOptions {
  count: number;
  seed: number;
  workers?: number;
  /** Per-input time bound; past it the worker is killed and the input counted as a hang. */
  timeoutMs?: number;
  /** Where findings are written (input bytes + JSON); nothing is written without findings. */
  outDir?: string;
  onProgress?: (done: number) => void;
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  busy?: { mutant: Mutant; timer: NodeJS.Timeout; done: (o: Outcome | { kind: 'crash' | 'hang'; message: string }) => void };
}

/** Starts one analysis worker (a plain Node process with tsx; models load once per worker). */
function startWorker(): Worker {
  const child = fork(path.join(ROOT, 'scripts', 'fuzz-worker.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const worker: Worker = {
    child,
    ready: new Promise((resolve, reject) => {
      child.once('message', (m: { ready?: boolean }) => (m.ready ? resolve() : reject(new Error('worker did not start'))));
      child.once('exit', (code) => reject(new Error(`fuzz worker exited at start (${code}): ${stderr}`)));
    }),
  };
  child.on('message', (m: Outcome | { ready: true }) => {
    if ('ready' in m || !worker.busy) return;
    const { timer, done } = worker.busy;
    clearTimeout(timer);
    worker.busy = undefined;
    done(m);
  });
  child.on('exit', (code, signal) => {
    if (!worker.busy) return;
    const { timer, done } = worker.busy;
    clearTimeout(timer);
    worker.busy = undefined;
    done({ kind: 'crash', message: `worker died (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
  });
  return worker;
}

const stopWorker = (w: Worker) =>
  new Promise<void>((resolve) => {
    if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
    w.child.once('exit', () => resolve());
    w.child.kill('SIGKILL');
  });

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0);

/** Runs `count` mutants through the workers and reports outcomes and findings. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const seeds = await makeSeeds();
  const workers = Math.max(1, opts.workers ?? 1);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const report: FuzzReport = {
    count: opts.count,
    seed: opts.seed,
    workers,
    timeoutMs,
    seeds: seeds.map((s) => ({ name: s.name, bytes: s.bytes.length })),
    outcomes: { result: 0, errors: {} },
    findings: { untyped: 0, internal: 0, invalid: 0, crash: 0, hang: 0, list: [] },
    ms: { p50: 0, p99: 0, max: 0 },
    slowest: null,
    wallSeconds: 0,
  };
  const times: number[] = [];
  const record = (m: Mutant, o: Outcome | { kind: 'crash' | 'hang'; message: string }) => {
    if ('ms' in o) {
      times.push(o.ms);
      if (!report.slowest || o.ms > report.slowest.ms) report.slowest = { index: m.index, ms: Math.round(o.ms) };
    }
    if (o.kind === 'result') return void report.outcomes.result++;
    if (o.kind === 'error' && o.code !== 'INTERNAL') return void (report.outcomes.errors[o.code] = (report.outcomes.errors[o.code] ?? 0) + 1);
    const kind: FuzzFinding['kind'] = o.kind === 'error' ? 'internal' : o.kind;
    report.findings[kind]++;
    const finding: FuzzFinding = { index: m.index, seed: m.seed, mutations: m.mutations, kind, message: 'message' in o ? o.message : 'INTERNAL' };
    if (opts.outDir) {
      fs.mkdirSync(opts.outDir, { recursive: true });
      finding.file = path.join(opts.outDir, `${kind}-${opts.seed}-${m.index}.bin`);
      fs.writeFileSync(finding.file, m.bytes);
      fs.writeFileSync(finding.file.replace(/\.bin$/, '.json'), JSON.stringify(finding, null, 2));
    }
    if (report.findings.list.length < 50) report.findings.list.push(finding);
  };

  const pool: Worker[] = Array.from({ length: workers }, startWorker);
  let next = 0;
  let done = 0;
  const runOn = async (slot: number): Promise<void> => {
    while (next < opts.count) {
      const m = mutant(seeds, opts.seed, next++);
      let w = pool[slot];
      await w.ready;
      const outcome = await new Promise<Outcome | { kind: 'crash' | 'hang'; message: string }>((resolve) => {
        const timer = setTimeout(() => {
          if (!w.busy) return;
          w.busy = undefined;
          resolve({ kind: 'hang', message: `no answer within ${timeoutMs} ms` });
        }, timeoutMs);
        w.busy = { mutant: m, timer, done: resolve };
        w.child.send({ index: m.index, bytes: m.bytes });
      });
      record(m, outcome);
      if (outcome.kind === 'crash' || outcome.kind === 'hang') {
        // The worker is dead or stuck: replace it (its models load again).
        await stopWorker(w);
        pool[slot] = w = startWorker();
      }
      opts.onProgress?.(++done);
    }
  };
  try {
    await Promise.all(pool.map((_, i) => runOn(i)));
  } finally {
    await Promise.all(pool.map(stopWorker));
  }
  times.sort((a, b) => a - b);
  report.ms = { p50: Math.round(percentile(times, 0.5) * 10) / 10, p99: Math.round(percentile(times, 0.99) * 10) / 10, max: Math.round(times[times.length - 1] ?? 0) };
  report.wallSeconds = Math.round((Date.now() - started) / 100) / 10;
  return report;
}

/** The total number of findings (what must be 0). */
export const findingCount = (r: FuzzReport) => r.findings.untyped + r.findings.internal + r.findings.invalid + r.findings.crash + r.findings.hang;

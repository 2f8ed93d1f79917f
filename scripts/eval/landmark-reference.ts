/**
 * Builds 68-point reference landmarks for photos, independently of our own face analysis:
 * the consensus of two 68-point landmarkers that were trained on iBUG-68-annotated faces —
 *  - dlib's shape predictor (`shape_predictor_68_face_landmarks.dat`, Debian package
 *    `libdlib-data`, CC0 per Debian's copyright file) on dlib's own HOG face boxes, run by the small
 *    C++ program next to this file (compiled on first use against Debian's `libdlib-dev`);
 *  - face-api's FaceLandmark68Net on face-api's SSD-MobileNet boxes (`@vladmandic/face-api`, MIT),
 *    run in TF.js (CPU backend) from its bundled build.
 * A face enters the reference only when both found it and their 68 points agree (mean distance
 * ≤ MAX_DISAGREEMENT of the outer-eye-corner distance); the reference is the mean of the two.
 *
 * Why not human annotations: no npm package we found ships photos with iBUG-68 annotations (see
 * docs/face-analysis.md, "Landmark accuracy"). This is the next best thing and it is reproducible;
 * its own noise is reported (the two landmarkers' disagreement).
 *
 * Usage (needs `apt-get install libdlib-dev libdlib-data g++`; local only, not part of CI):
 *   npx tsx scripts/eval/landmark-reference.ts [--photos <dir>] [--out <file.json>]
 * Default photos: the six @vladmandic/face-api demo photos; default output on stdout.
 * The CI fixture test/engine/fixtures/landmarks68-reference.json was written by
 *   npx tsx scripts/eval/landmark-reference.ts --fixture
 */
import fs from 'fs';
import path from 'path';
import { execFileSync } from 'child_process';
import sharp from 'sharp';

export type Pt = [number, number];
export interface ReferenceFace {
  /** 68 points, original pixels after EXIF orientation: the mean of the two landmarkers. */
  points: Pt[];
  /** Mean distance between the two landmarkers' points / outer-eye-corner distance. */
  disagreement: number;
  /** The same per iBUG group (jaw, brows, nose, eyes, mouth). */
  disagreementByGroup: Record<string, number>;
}
export interface ReferenceImage {
  /** Path relative to the photo folder (or the npm package file for the fixture). */
  image: string;
  width: number;
  height: number;
  faces: ReferenceFace[];
  /** Faces one landmarker found and the other did not, or where they disagreed. */
  dropped: number;
}

/** Two landmarkers farther apart than this (mean, / outer-eye-corner distance) do not make a reference. */
export const MAX_DISAGREEMENT = 0.08;
/** Faces smaller than this (outer-eye-corner distance, px) are left out: both landmarkers are coarse there. */
export const MIN_IOD_PX = 24;

export const IBUG_GROUPS: Record<string, [number, number]> = {
  jaw: [0, 17], brows: [17, 27], nose: [27, 36], eyes: [36, 48], mouth: [48, 68],
};

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.cache', 'eval');

export const iod = (p: Pt[]) => Math.hypot(p[45][0] - p[36][0], p[45][1] - p[36][1]);

/** Mean point distance / outer-eye-corner distance of `ref`, over `from…to`. */
export function nme(pred: Pt[], ref: Pt[], from = 0, to = 68): number {
  let s = 0;
  for (let i = from; i < to; i++) s += Math.hypot(pred[i][0] - ref[i][0], pred[i][1] - ref[i][1]);
  return s / (to - from) / iod(ref);
}

function dlibBinary(): string {
  const bin = path.join(CACHE, 'dlib-landmarks');
  const src = path.join(__dirname, 'dlib-landmarks.cpp');
  if (!fs.existsSync(bin) || fs.statSync(bin).mtimeMs < fs.statSync(src).mtimeMs) {
    fs.mkdirSync(CACHE, { recursive: true });
    // Debian's libdlib links BLAS/LAPACK without pulling them in for us.
    execFileSync('g++', ['-O2', '-o', bin, src, '-ldlib', '-l:libblas.so.3', '-l:liblapack.so.3'], { stdio: 'inherit' });
  }
  return bin;
}

/** dlib: HOG boxes + 68-point shape predictor. Photos below 1200 px are doubled first (small faces; dlib's integer points). */
async function runDlib(images: Array<{ data: Buffer; width: number; height: number }>): Promise<Pt[][][]> {
  const bin = dlibBinary();
  const lines: string[] = [];
  const scales: number[] = [];
  fs.mkdirSync(CACHE, { recursive: true });
  for (const [i, im] of images.entries()) {
    let buf = im.data, w = im.width, h = im.height, s = 1;
    if (Math.max(w, h) < 1200) {
      s = 2;
      buf = await sharp(im.data, { raw: { width: w, height: h, channels: 3 } }).resize(w * 2, h * 2, { kernel: 'cubic' }).raw().toBuffer();
      w *= 2; h *= 2;
    }
    const file = path.join(CACHE, `dlib-input-${i}.raw`);
    fs.writeFileSync(file, buf);
    lines.push(`${file} ${w} ${h}`);
    scales.push(s);
  }
  const model = process.env.DLIB_SHAPE_PREDICTOR ?? '/usr/share/dlib/shape_predictor_68_face_landmarks.dat';
  const out = execFileSync(bin, [model], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 26 });
  for (const l of lines) fs.rmSync(l.split(' ')[0], { force: true });
  return out.trim().split('\n').map((l, i) => {
    const s = scales[i];
    return (JSON.parse(l).faces as Array<{ points: number[][] }>).map((f) => f.points.map(([x, y]) => [(x + 0.5) / s - 0.5, (y + 0.5) / s - 0.5] as Pt));
  });
}

/** face-api's browser ESM build, re-bundled for Node with its two Node shims pointed at Node's own modules. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function loadFaceApi(): any {
  const file = path.join(CACHE, 'face-api.cjs');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(CACHE, { recursive: true });
    const src = require.resolve('@vladmandic/face-api/dist/face-api.esm.js');
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [src, '--bundle', '--format=cjs', '--platform=node', `--outfile=${file}`, '--log-level=error']);
    let code = fs.readFileSync(file, 'utf8');
    code = code.replace(/var AR = Vt\(\(\) => \{\n\}\);/, "var AR = () => require('util');").replace(/var _R = Vt\(\(\) => \{\n\}\);/, 'var _R = () => globalThis.fetch;');
    fs.writeFileSync(file, code);
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(file);
}

async function runFaceApi(images: Array<{ data: Buffer; width: number; height: number }>): Promise<Pt[][][]> {
  const faceapi = loadFaceApi();
  const tf = faceapi.tf;
  const log = console.log;
  console.log = () => undefined; // TF.js greets on stdout
  await tf.setBackend('cpu');
  await tf.ready();
  console.log = log;
  const dir = path.dirname(require.resolve('@vladmandic/face-api/package.json')) + '/model/';
  const load = async (net: { loadFromWeightMap(m: unknown): Promise<void> }, name: string) => {
    const man = JSON.parse(fs.readFileSync(dir + name + '-weights_manifest.json', 'utf8'));
    const buf = Buffer.concat(man.flatMap((g: { paths: string[] }) => g.paths.map((p) => fs.readFileSync(dir + p))));
    const weights = man.flatMap((g: { weights: unknown[] }) => g.weights);
    await net.loadFromWeightMap(tf.io.decodeWeights(new Uint8Array(buf).buffer, weights));
  };
  await load(faceapi.nets.ssdMobilenetv1, 'ssd_mobilenetv1_model');
  await load(faceapi.nets.faceLandmark68Net, 'face_landmark_68_model');
  const out: Pt[][][] = [];
  for (const im of images) {
    const t = tf.tensor3d(new Uint8Array(im.data), [im.height, im.width, 3], 'int32');
    const res = await faceapi.detectAllFaces(t, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.4 })).withFaceLandmarks();
    t.dispose();
    out.push(res.map((r: { landmarks: { positions: Array<{ x: number; y: number }> } }) => r.landmarks.positions.map((p) => [p.x, p.y] as Pt)));
  }
  return out;
}

export async function buildReference(files: Array<{ path: string; name: string }>): Promise<ReferenceImage[]> {
  const images: Array<{ data: Buffer; width: number; height: number }> = [];
  for (const f of files) {
    const { data, info } = await sharp(f.path).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    images.push({ data, width: info.width, height: info.height });
  }
  const dl = await runDlib(images);
  const fa = await runFaceApi(images);
  return files.map((f, i) => {
    const faces: ReferenceFace[] = [];
    const used = new Set<number>();
    let dropped = 0;
    for (const d of dl[i]) {
      if (iod(d) < MIN_IOD_PX) { dropped++; continue; }
      // The face-api face whose nose tip is nearest, within a third of the eye distance.
      let best = -1, bestDist = Infinity;
      fa[i].forEach((a, j) => {
        const dist = Math.hypot(a[30][0] - d[30][0], a[30][1] - d[30][1]);
        if (!used.has(j) && dist < bestDist) { best = j; bestDist = dist; }
      });
      if (best < 0 || bestDist > iod(d) / 3) { dropped++; continue; }
      used.add(best);
      const a = fa[i][best];
      const points = d.map((p, k) => [(p[0] + a[k][0]) / 2, (p[1] + a[k][1]) / 2] as Pt);
      const dis = (from = 0, to = 68) => {
        let s = 0;
        for (let k = from; k < to; k++) s += Math.hypot(d[k][0] - a[k][0], d[k][1] - a[k][1]);
        return s / (to - from) / iod(points);
      };
      const disagreement = dis();
      if (disagreement > MAX_DISAGREEMENT) { dropped++; continue; }
      const r3 = (v: number) => Math.round(v * 1000) / 1000;
      faces.push({
        points: points.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10] as Pt),
        disagreement: r3(disagreement),
        disagreementByGroup: Object.fromEntries(Object.entries(IBUG_GROUPS).map(([g, [a0, b0]]) => [g, r3(dis(a0, b0))])),
      });
    }
    dropped += fa[i].length - used.size;
    faces.sort((p, q) => p.points[30][0] - q.points[30][0]);
    return { image: f.name, width: images[i].width, height: images[i].height, faces, dropped };
  });
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const fixture = process.argv.includes('--fixture');
  const dir = arg('--photos');
  let files: Array<{ path: string; name: string }>;
  if (dir) {
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)).map((x) => path.join(e.name, x)) : [e.name]));
    files = walk(dir).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort().map((f) => ({ path: path.join(dir, f), name: f }));
  } else {
    files = [1, 2, 3, 4, 5, 6].map((n) => ({ path: require.resolve(`@vladmandic/face-api/demo/sample${n}.jpg`), name: `@vladmandic/face-api/demo/sample${n}.jpg` }));
  }
  const ref = await buildReference(files);
  const doc = {
    about: 'iBUG-68 reference points: mean of dlib shape_predictor_68 (Debian libdlib-data) and face-api FaceLandmark68Net, kept where they agree; built by scripts/eval/landmark-reference.ts. Not human annotations.',
    maxDisagreement: MAX_DISAGREEMENT,
    images: ref,
  };
  const text = JSON.stringify(doc, (k, v) => (k === 'points' ? v.map((p: Pt) => `${p[0]},${p[1]}`) : v), 1)
    .replace(/"(-?[\d.]+),(-?[\d.]+)"/g, '[$1,$2]')
    .replace(/\[\n\s+(\[-?[\d.]+,-?[\d.]+\][\s\S]*?)\n\s+\]/g, (m) => m.replace(/\n\s+/g, ''));
  const out = fixture ? path.join(ROOT, 'test', 'engine', 'fixtures', 'landmarks68-reference.json') : arg('--out');
  if (out) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, text + '\n');
  } else process.stdout.write(text + '\n');
  const all = ref.flatMap((r) => r.faces);
  console.error(`${all.length} reference faces in ${ref.length} photos, ${ref.reduce((s, r) => s + r.dropped, 0)} dropped; median disagreement ${median(all.map((f) => f.disagreement))}`);
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });

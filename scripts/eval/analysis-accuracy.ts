/**
 * `npm run --silent eval:analysis -- [--photos <dir>] [--reference <file.json>] [--negative <image>]…` → one JSON object.
 *
 * What docs/face-analysis.md reports about the analysis' accuracy, measured in one run:
 *  - landmarks: normalised mean error (outer-eye-corner distance) of our 68 points against the
 *    reference landmarks (scripts/eval/landmark-reference.ts): the npm fixture reference always,
 *    plus `--reference` (a reference built for the `--photos` folder); the fitted correspondence and
 *    the single-vertex table side by side, by iBUG group and by |yaw|;
 *  - groups: recall of the fixture group photos' 22 faces at full size and scaled down until the
 *    faces are ≈ 40 px, two-person frames composed from them, and whether boxes come left to right;
 *  - negatives: faces reported on photos without a human face — generated hard negatives, and with
 *    `--photos` the manifest's no-face photos (animals, objects, people from behind);
 *  - single faces (`--photos`): photos with one face that give exactly one;
 *  - pose: the same photos mirrored — yaw must flip sign, pitch hold, roll flip.
 */
import fs from 'fs';
import path from 'path';
import sharp from 'sharp';
import { analyzeImage } from '../../engine/analysis/analyze';
import { toLandmarks68 } from '../../engine/analysis/landmarks68';
import { releaseSessions } from '../../engine/analysis/onnx-session';
import { FIXTURE_REFERENCE, matchReference, readReference } from './landmark-data';
import { IBUG_GROUPS, nme, type Pt } from './landmark-reference';
import { drawnFaces, hardNegatives } from './hard-negatives';

console.log = console.error;

const GROUP_FACES: Record<string, number> = { sample1: 3, sample2: 3, sample3: 3, sample4: 4, sample5: 5, sample6: 4 };
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const mean = (xs: number[]) => (xs.length ? r3(xs.reduce((a, b) => a + b, 0) / xs.length) : null);
const fixture = (n: string) => require.resolve(`@vladmandic/face-api/demo/${n}.jpg`);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function landmarks(refFile: string, photos?: string) {
  const { matched, missed } = await matchReference(readReference(refFile), photos);
  const rows = matched.map((m) => {
    const table = toLandmarks68(m.mesh, 0, 'table') as Pt[];
    const row: Record<string, number> = { yaw: Math.abs(m.yaw) };
    for (const [name, pred] of [['fit', m.ours], ['table', table]] as const) {
      row[`${name}.all`] = nme(pred, m.ref);
      for (const [g, [a, b]] of Object.entries(IBUG_GROUPS)) row[`${name}.${g}`] = nme(pred, m.ref, a, b);
    }
    return row;
  });
  const summary = (rs: typeof rows) => Object.fromEntries(Object.keys(rows[0] ?? {}).filter((k) => k !== 'yaw').map((k) => [k, mean(rs.map((r) => r[k]))]));
  return {
    faces: matched.length,
    missedReferenceFaces: missed,
    mean: summary(rows),
    worstFit: r3(Math.max(...rows.map((r) => r['fit.all']))),
    byYaw: {
      'under 15°': { faces: rows.filter((r) => r.yaw < 15).length, ...pick(summary(rows.filter((r) => r.yaw < 15))) },
      '15° and more': { faces: rows.filter((r) => r.yaw >= 15).length, ...pick(summary(rows.filter((r) => r.yaw >= 15))) },
    },
  };
}
const pick = (s: Record<string, number | null>) => ({ 'fit.all': s['fit.all'], 'fit.jaw': s['fit.jaw'], 'table.all': s['table.all'], 'table.jaw': s['table.jaw'] });

/** Left to right by box centre: the order the analysis promises. */
const leftToRight = (boxes: number[][]) => boxes.every((b, i) => i === 0 || boxes[i - 1][0] + boxes[i - 1][2] / 2 <= b[0] + b[2] / 2);

async function groups() {
  const out: Record<string, unknown> = {};
  let sorted = true;
  for (const width of [1920, 960, 640, 480]) {
    let found = 0, total = 0, extra = 0;
    const sizes: number[] = [];
    for (const [n, expected] of Object.entries(GROUP_FACES)) {
      const bytes = width === 1920 ? fs.readFileSync(fixture(n)) : await sharp(fixture(n)).resize({ width }).jpeg({ quality: 90 }).toBuffer();
      const r = (await analyzeImage(bytes)).result;
      found += Math.min(expected, r.faces.length);
      extra += Math.max(0, r.faces.length - expected);
      total += expected;
      sizes.push(...r.faces.map((f) => f.quality.size));
      sorted &&= leftToRight(r.faces.map((f) => f.box));
    }
    out[`width ${width}`] = { recall: r3(found / total), found, total, extra, faceSizePx: [Math.min(...sizes), Math.max(...sizes)] };
  }
  // Two-person frames: two faces of the fixtures cut out and put side by side, touching.
  let pairs = 0, pairsFound = 0;
  const crops = await fixtureFaceCrops();
  for (let i = 0; i + 1 < crops.length; i += 2) {
    const a = crops[i], b = crops[i + 1];
    const h = 480;
    const [ra, rb] = await Promise.all([a, b].map((c) => sharp(c).resize({ height: h }).toBuffer({ resolveWithObject: true })));
    const frame = await sharp({ create: { width: ra.info.width + rb.info.width, height: h, channels: 3, background: '#808080' } })
      .composite([{ input: ra.data, left: 0, top: 0 }, { input: rb.data, left: ra.info.width, top: 0 }]).jpeg({ quality: 90 }).toBuffer();
    const r = (await analyzeImage(frame)).result;
    pairs++;
    // Both people found: a face centred in each half (a crop can hold a sliver of a neighbour's
    // face at its edge, which may count as a third face).
    const centres = r.faces.map((f) => f.box[0] + f.box[2] / 2);
    if (centres.some((c) => c < ra.info.width) && centres.some((c) => c >= ra.info.width)) pairsFound++;
    sorted &&= leftToRight(r.faces.map((f) => f.box));
  }
  out.twoPersonFrames = { frames: pairs, bothFound: pairsFound };
  out.boxesLeftToRight = sorted;
  return out;
}

/** Head-and-shoulder crops of the fixture faces (box × 2.2 around each face found at full size). */
async function fixtureFaceCrops(): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const n of Object.keys(GROUP_FACES)) {
    const r = (await analyzeImage(fs.readFileSync(fixture(n)))).result;
    for (const f of r.faces) {
      const [x, y, w, h] = f.box;
      const side = Math.round(Math.max(w, h) * 2.2);
      const left = Math.max(0, Math.round(x + w / 2 - side / 2)), top = Math.max(0, Math.round(y + h / 2 - side / 2));
      out.push(await sharp(fixture(n)).extract({ left, top, width: Math.min(side, r.width - left), height: Math.min(side, r.height - top) }).toBuffer());
    }
  }
  return out;
}

async function negatives(photos?: string) {
  const out: Record<string, number> = {};
  const extra: string[] = [];
  for (const [name, bytes] of await hardNegatives()) out[`generated/${name}`] = (await analyzeImage(bytes)).result.faces.length;
  if (photos) for (const f of manifest(photos).filter((m) => m.faces === 0)) out[f.path] = (await analyzeImage(fs.readFileSync(path.join(photos, f.path)))).result.faces.length;
  // --negative <file> (repeatable): more photos without a human face, e.g. dlib's examples/faces/dogs.jpg
  // (Debian libdlib19.1's documentation: four dogs' faces).
  process.argv.forEach((a, i) => { if (a === '--negative') extra.push(process.argv[i + 1]); });
  for (const f of extra) out[path.basename(f)] = (await analyzeImage(fs.readFileSync(f))).result.faces.length;
  const drawn: Record<string, number> = {};
  for (const [name, bytes] of await drawnFaces()) drawn[`generated/${name}`] = (await analyzeImage(bytes)).result.faces.length;
  return { photos: Object.keys(out).length, withFaces: Object.values(out).filter((v) => v > 0).length, faces: out, drawnFacesNotCounted: drawn };
}

/** The photo folder's manifest.csv: which photos hold one face and which none (by its notes). */
function manifest(photos: string): Array<{ path: string; faces: number | null }> {
  const file = path.join(photos, 'manifest.csv');
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => {
    const p = l.split(',')[0];
    const noFace = /NO (HUMAN )?FACE|no visible face/i.test(l);
    const hard = /OCCLUDED|PROFILE|TINY|side view/i.test(l);
    return { path: p, faces: noFace ? 0 : hard ? null : 1 };
  });
}

async function singles(photos: string) {
  const list = manifest(photos).filter((m) => m.faces === 1);
  const wrong: Record<string, number> = {};
  for (const f of list) {
    const n = (await analyzeImage(fs.readFileSync(path.join(photos, f.path)))).result.faces.length;
    if (n !== 1) wrong[f.path] = n;
  }
  return { photos: list.length, exactlyOne: list.length - Object.keys(wrong).length, wrong };
}

async function pose(photos?: string) {
  const files = Object.keys(GROUP_FACES).map(fixture);
  if (photos) files.push(...manifest(photos).filter((m) => m.faces === 1).map((m) => path.join(photos, m.path)));
  const d = { yawSum: [] as number[], pitch: [] as number[], rollSum: [] as number[] };
  let faces = 0, yawFlipped = 0;
  for (const f of files) {
    const a = (await analyzeImage(await sharp(f).rotate().jpeg({ quality: 95 }).toBuffer())).result;
    const b = (await analyzeImage(await sharp(f).rotate().flop().jpeg({ quality: 95 }).toBuffer())).result;
    for (const fa of a.faces) {
      const cx = fa.box[0] + fa.box[2] / 2;
      const fb = b.faces.find((g) => Math.abs(b.width - (g.box[0] + g.box[2] / 2) - cx) < fa.box[2] * 0.2);
      if (!fb) continue;
      faces++;
      if (Math.abs(fa.pose.yaw) < 5 || Math.sign(fa.pose.yaw) === -Math.sign(fb.pose.yaw)) yawFlipped++;
      d.yawSum.push(Math.abs(fa.pose.yaw + fb.pose.yaw));
      d.pitch.push(Math.abs(fa.pose.pitch - fb.pose.pitch));
      d.rollSum.push(Math.abs(fa.pose.roll + fb.pose.roll));
    }
  }
  const med = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return Math.round(s[Math.floor(s.length / 2)] * 10) / 10; };
  return {
    faces, yawSignFlipped: yawFlipped,
    medianDeg: { 'yaw + mirrored yaw': med(d.yawSum), 'pitch − mirrored pitch': med(d.pitch), 'roll + mirrored roll': med(d.rollSum) },
    maxDeg: { 'yaw + mirrored yaw': Math.max(...d.yawSum), 'pitch − mirrored pitch': Math.max(...d.pitch), 'roll + mirrored roll': Math.max(...d.rollSum) },
  };
}

async function main() {
  const photos = arg('--photos');
  const reference = arg('--reference');
  const out: Record<string, unknown> = {};
  out.landmarks = { fixture: await landmarks(FIXTURE_REFERENCE), ...(reference ? { [path.basename(reference)]: await landmarks(reference, photos) } : {}) };
  out.groups = await groups();
  out.negatives = await negatives(photos);
  if (photos) out.singleFaces = await singles(photos);
  out.pose = await pose(photos);
  await releaseSessions();
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: { code: 'INTERNAL', message: String(e?.message ?? e) } }) + '\n');
  process.exit(2);
});

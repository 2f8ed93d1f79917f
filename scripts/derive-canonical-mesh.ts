/**
 * Derives the canonical 3D face mesh used by fusion slots from FaceMesh itself, and writes it to
 * engine/fusion/canonical-mesh-data.ts (source, ≈12 KB; reproducible: `npx tsx scripts/derive-canonical-mesh.ts`).
 *
 * How (docs/fusion.md):
 *  1. Run our own analysis (BlazeFace + FaceMesh) on the npm fixture photos
 *     (@vladmandic/face-api/demo/sample1..6.jpg, 21 faces) and keep the faces with |yaw| ≤ 30°,
 *     |pitch| ≤ 25° (strongly turned faces carry the model's hallucinated hidden side).
 *  2. Generalised Procrustes analysis in 3D: centre and normalise every mesh, rotate it onto the
 *     running mean (Horn's quaternion method), re-average, repeat until the mean stops moving.
 *     This removes pose and scale and averages expression and identity away.
 *  3. Put the mean into the head's own axes exactly as engine/analysis/face-pose.ts reads them (x from the
 *     eye corners and cheeks, y forehead→chin), then pitch it so estimatePose() reads 0 for the
 *     canonical mesh: a slot with pose 0 is what the analysis calls a frontal face.
 *  4. Make it left/right symmetric by averaging with its mirror image (the mirror partner of each
 *     point is its nearest neighbour after reflection), because an average of 21 faces keeps a
 *     small asymmetry that every slot would otherwise inherit.
 *  5. Units: the face oval's width is 1 (slot `width` scales it), the oval's bounding box is
 *     centred on (0, 0) (slot `center`), z is centred on the oval's mean depth.
 */
import fs from 'fs';
import path from 'path';
import { analyzeImage } from '../engine/analysis/analyze';
import { estimatePose } from '../engine/analysis/face-pose';
import { FACE_OVAL } from '../engine/analysis/photo-checks';
import Delaunator from 'delaunator';
import { procrustes3, applySimilarity3, poseRotation, type Vec3 } from '../engine/core/geometry';

const N = 468;
const ROOT = path.resolve(__dirname, '..');

function centreNormalise(p: Float32Array): Float32Array {
  const m = [0, 0, 0];
  for (let i = 0; i < N; i++) for (let k = 0; k < 3; k++) m[k] += p[i * 3 + k] / N;
  let ss = 0;
  const o = new Float32Array(N * 3);
  for (let i = 0; i < N; i++) for (let k = 0; k < 3; k++) { o[i * 3 + k] = p[i * 3 + k] - m[k]; ss += o[i * 3 + k] ** 2; }
  const s = 1 / Math.sqrt(ss / N);
  for (let i = 0; i < o.length; i++) o[i] *= s;
  return o;
}

const get = (p: Float32Array, i: number): Vec3 => [p[i * 3], p[i * 3 + 1], p[i * 3 + 2]];

async function main() {
  const meshes: Float32Array[] = [];
  for (let i = 1; i <= 6; i++) {
    const file = path.join(ROOT, 'node_modules/@vladmandic/face-api/demo', `sample${i}.jpg`);
    const a = await analyzeImage(fs.readFileSync(file));
    a.result.faces.forEach((f, j) => {
      if (Math.abs(f.pose.yaw) > 30 || Math.abs(f.pose.pitch) > 25) return;
      meshes.push(centreNormalise(Float32Array.from(a.internal.faces[j].mesh.flat())));
    });
  }
  process.stderr.write(`faces used: ${meshes.length}\n`);
  // 2. GPA
  let mean: Float32Array = meshes[0].slice();
  for (let it = 0; it < 20; it++) {
    const acc = new Float32Array(N * 3);
    for (const m of meshes) {
      const t = procrustes3(m, mean, N);
      t.s = 1; // keep unit size: only rotation/translation align; size is normalised above
      const al = applySimilarity3(t, m, N);
      for (let i = 0; i < acc.length; i++) acc[i] += al[i] / meshes.length;
    }
    const next = centreNormalise(acc);
    let d = 0;
    for (let i = 0; i < next.length; i++) d = Math.max(d, Math.abs(next[i] - mean[i]));
    mean = next;
    if (d < 1e-6) break;
  }
  // 3. head axes as face-pose.ts reads them
  const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
  const nrm = (a: Vec3): Vec3 => { const l = Math.hypot(...a) || 1; return [a[0] / l, a[1] / l, a[2] / l]; };
  const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const e1 = nrm(sub(get(mean, 263), get(mean, 33))), e2 = nrm(sub(get(mean, 454), get(mean, 234)));
  const x = nrm([e1[0] + e2[0], e1[1] + e2[1], e1[2] + e2[2]]);
  const yr = sub(get(mean, 152), get(mean, 10));
  const y = nrm(sub(yr, [x[0] * dot(yr, x), x[1] * dot(yr, x), x[2] * dot(yr, x)]));
  const z: Vec3 = [x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]];
  let canon = new Float32Array(N * 3);
  for (let i = 0; i < N; i++) {
    const p = get(mean, i);
    canon[i * 3] = dot(p, x); canon[i * 3 + 1] = dot(p, y); canon[i * 3 + 2] = dot(p, z);
  }
  const toPts = (c: Float32Array) => Array.from({ length: N }, (_, i) => get(c, i));
  const rot = (c: Float32Array, pitch: number) => {
    const R = poseRotation(0, pitch, 0);
    const o = new Float32Array(N * 3);
    for (let i = 0; i < N; i++) {
      const [a, b, cc] = get(c, i);
      o[i * 3] = R[0] * a + R[1] * b + R[2] * cc; o[i * 3 + 1] = R[3] * a + R[4] * b + R[5] * cc; o[i * 3 + 2] = R[6] * a + R[7] * b + R[8] * cc;
    }
    return o;
  };
  // pitch so that estimatePose reads 0 (iterate: estimatePose rounds to 0.1°)
  for (let k = 0; k < 3; k++) canon = rot(canon, -estimatePose(toPts(canon)).pitch);
  // 4. symmetrise: mirror partner = nearest point after reflecting x
  const partner = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let best = -1, bd = Infinity;
    for (let j = 0; j < N; j++) {
      const d = (canon[j * 3] + canon[i * 3]) ** 2 + (canon[j * 3 + 1] - canon[i * 3 + 1]) ** 2 + (canon[j * 3 + 2] - canon[i * 3 + 2]) ** 2;
      if (d < bd) { bd = d; best = j; }
    }
    partner[i] = best;
  }
  let mutual = 0;
  for (let i = 0; i < N; i++) if (partner[partner[i]] === i) mutual++;
  process.stderr.write(`mirror pairs mutual: ${mutual}/${N}\n`);
  const sym = new Float32Array(N * 3);
  for (let i = 0; i < N; i++) {
    const j = partner[partner[i]] === i ? partner[i] : i;
    sym[i * 3] = (canon[i * 3] - canon[j * 3]) / 2;
    sym[i * 3 + 1] = (canon[i * 3 + 1] + canon[j * 3 + 1]) / 2;
    sym[i * 3 + 2] = (canon[i * 3 + 2] + canon[j * 3 + 2]) / 2;
  }
  // 5. units
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, mz = 0;
  for (const i of FACE_OVAL) {
    minX = Math.min(minX, sym[i * 3]); maxX = Math.max(maxX, sym[i * 3]);
    minY = Math.min(minY, sym[i * 3 + 1]); maxY = Math.max(maxY, sym[i * 3 + 1]);
    mz += sym[i * 3 + 2] / FACE_OVAL.length;
  }
  const s = 1 / (maxX - minX), cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
  const out: number[] = [];
  for (let i = 0; i < N; i++) out.push(+((sym[i * 3] - cx) * s).toFixed(4), +((sym[i * 3 + 1] - cy) * s).toFixed(4), +((sym[i * 3 + 2] - mz) * s).toFixed(4));
  const pose = estimatePose(Array.from({ length: N }, (_, i) => [out[i * 3], out[i * 3 + 1], out[i * 3 + 2]] as Vec3));
  process.stderr.write(`canonical pose check: ${JSON.stringify(pose)}; oval height/width ${((maxY - minY) / (maxX - minX)).toFixed(3)}\n`);
  // 6. Triangulation: Delaunay over the frontal projection, once, here (the engine then needs no
  //    delaunator at run time — it is ESM-only, which jest's CommonJS runtime cannot load).
  const xy = new Float64Array(N * 2);
  for (let i = 0; i < N; i++) { xy[i * 2] = out[i * 3]; xy[i * 2 + 1] = out[i * 3 + 1]; }
  const tri = Array.from(new Delaunator(xy).triangles);
  const body = `/**
 * GENERATED by scripts/derive-canonical-mesh.ts from FaceMesh outputs on the npm fixture photos
 * (${meshes.length} faces, GPA-aligned, symmetrised). Do not edit by hand: re-run the script.
 * 468 × (x, y, z): x right, y down, z away from the viewer; face-oval width 1, oval bbox centred on 0.
 */
export const CANONICAL_MESH_XYZ: readonly number[] = [
${Array.from({ length: N }, (_, i) => `  ${out[i * 3]}, ${out[i * 3 + 1]}, ${out[i * 3 + 2]},`).join('\n')}
];

/** Delaunay triangles (delaunator) over the frontal (x, y) projection: ${tri.length / 3} × 3 vertex indices. */
export const CANONICAL_TRIANGLES: readonly number[] = [
${Array.from({ length: Math.ceil(tri.length / 24) }, (_, r) => '  ' + tri.slice(r * 24, r * 24 + 24).join(', ') + ',').join('\n')}
];
`;
  fs.writeFileSync(path.join(ROOT, 'engine/fusion/canonical-mesh-data.ts'), body);
}

main().catch((e) => { console.error(e); process.exit(1); });

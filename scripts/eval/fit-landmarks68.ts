/**
 * Fits the 468 → 68 correspondence (engine/analysis/landmarks68-fit.ts) on reference landmarks.
 *
 * Model, per iBUG point k: p_k = Σ_j (a_kj + b_kj · sin(yaw)) · mesh_j over K candidate mesh vertices
 * (those nearest the point's mean reference position), with Σ a = 1 and Σ b = 0 — an affine
 * combination, so it moves with the face under translation, rotation and scale; the yaw term lets
 * the jaw slide from the mesh's silhouette to iBUG's contour as the head turns. Ridge-regularised
 * towards the single-vertex table (a = one-hot, b = 0). Every training face is also used mirrored
 * (mesh mirror pairs from the canonical mesh, iBUG mirror pairs), which doubles the data and keeps
 * left and right symmetric.
 *
 *   npx tsx scripts/eval/fit-landmarks68.ts --train <reference.json>[:<photos dir>] … [--test <reference.json>[:<dir>]]
 *     [--analyze '<AnalyzeOptions JSON>'] [--write]
 *
 * Prints leave-one-photo-out figures on the training set and the held-out figures on the test set
 * for a few (K, λ) and writes the chosen fit with --write. docs/face-analysis.md records the run.
 */
import fs from 'fs';
import path from 'path';
import { CANONICAL_MESH } from '../../engine/fusion/canonical-mesh';
import { MESH_TO_IBUG68, IBUG68_MIRROR, applyFit, type Landmarks68Fit } from '../../engine/analysis/landmarks68';
import { releaseSessions } from '../../engine/analysis/onnx-session';
import type { Point3 } from '../../engine/analysis/face-landmarker';
import { matchReference, readReference, type MatchedFace } from './landmark-data';
import { IBUG_GROUPS, nme, type Pt } from './landmark-reference';

console.log = console.error;

/** Mesh vertex ↔ its mirror image in the canonical face (nearest to (−x, y, z)). */
export function meshMirror(): number[] {
  const n = CANONICAL_MESH.length / 3;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = -CANONICAL_MESH[i * 3], y = CANONICAL_MESH[i * 3 + 1], z = CANONICAL_MESH[i * 3 + 2];
    let best = i, bd = Infinity;
    for (let j = 0; j < n; j++) {
      const d = (CANONICAL_MESH[j * 3] - x) ** 2 + (CANONICAL_MESH[j * 3 + 1] - y) ** 2 + (CANONICAL_MESH[j * 3 + 2] - z) ** 2;
      if (d < bd) { bd = d; best = j; }
    }
    out.push(best);
  }
  return out;
}

interface Sample {
  group: string;
  mesh: Point3[];
  ref: Pt[];
  yaw: number;
}

function mirrorSample(s: Sample, mm: number[]): Sample {
  return {
    group: s.group,
    mesh: s.mesh.map((_, i) => { const p = s.mesh[mm[i]]; return [-p[0], p[1], p[2]] as Point3; }),
    ref: s.ref.map((_, k) => { const p = s.ref[IBUG68_MIRROR[k]]; return [-p[0], p[1]] as Pt; }),
    yaw: -s.yaw,
  };
}

/** Eye-levelled, IOD-scaled frame of a mesh (only for picking candidates). */
function frame(mesh: Point3[]) {
  const a = mesh[33], b = mesh[263];
  const cx = (a[0] + b[0]) / 2, cy = (a[1] + b[1]) / 2;
  const ang = Math.atan2(b[1] - a[1], b[0] - a[0]);
  const s = Math.hypot(b[0] - a[0], b[1] - a[1]);
  const c = Math.cos(ang), sn = Math.sin(ang);
  return (p: number[]): Pt => [((p[0] - cx) * c + (p[1] - cy) * sn) / s, (-(p[0] - cx) * sn + (p[1] - cy) * c) / s];
}

/** Solve A x = b (Gaussian elimination, partial pivoting). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    const d = M[c][c] || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / d;
      if (f) for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((r, i) => r[n] / (r[i] || 1e-12));
}

export function fit(samples: Sample[], K: number, lambda: number, lambdaYaw: number): Landmarks68Fit {
  // Mean positions in the eye-levelled frame → candidate vertices per iBUG point.
  const meanMesh = new Float64Array(468 * 2), meanRef = new Float64Array(68 * 2);
  for (const s of samples) {
    const f = frame(s.mesh);
    s.mesh.forEach((p, i) => { const q = f(p); meanMesh[i * 2] += q[0] / samples.length; meanMesh[i * 2 + 1] += q[1] / samples.length; });
    s.ref.forEach((p, k) => { const q = f(p); meanRef[k * 2] += q[0] / samples.length; meanRef[k * 2 + 1] += q[1] / samples.length; });
  }
  const indices: number[][] = [], weights: number[][] = [], yawWeights: number[][] = [];
  for (let k = 0; k < 68; k++) {
    const base = MESH_TO_IBUG68[k];
    const order = Array.from({ length: 468 }, (_, i) => i)
      .sort((p, q) => Math.hypot(meanMesh[p * 2] - meanRef[k * 2], meanMesh[p * 2 + 1] - meanRef[k * 2 + 1]) - Math.hypot(meanMesh[q * 2] - meanRef[k * 2], meanMesh[q * 2 + 1] - meanRef[k * 2 + 1]));
    const J = order.slice(0, K);
    if (!J.includes(base)) J[K - 1] = base;
    const n = J.length, m = 2 * n;
    // Normal equations with ridge towards u0 and two equality constraints (Σa = 1, Σb = 0).
    const A = Array.from({ length: m + 2 }, () => new Array(m + 2).fill(0));
    const rhs = new Array(m + 2).fill(0);
    for (const s of samples) {
      const sc = Math.hypot(s.mesh[263][0] - s.mesh[33][0], s.mesh[263][1] - s.mesh[33][1]);
      const t = Math.sin((s.yaw * Math.PI) / 180);
      for (const c of [0, 1]) {
        const ox = s.mesh[base][c];
        const row = new Array(m);
        for (let j = 0; j < n; j++) { row[j] = (s.mesh[J[j]][c] - ox) / sc; row[n + j] = t * row[j]; }
        const y = (s.ref[k][c] - ox) / sc;
        for (let i = 0; i < m; i++) {
          rhs[i] += row[i] * y;
          for (let j = 0; j < m; j++) A[i][j] += row[i] * row[j];
        }
      }
    }
    const u0 = new Array(m).fill(0);
    u0[J.indexOf(base)] = 1;
    for (let i = 0; i < m; i++) {
      const l = (i < n ? lambda : lambdaYaw) * samples.length;
      A[i][i] += l;
      rhs[i] += l * u0[i];
    }
    for (let j = 0; j < n; j++) { A[m][j] = A[j][m] = 1; A[m + 1][n + j] = A[n + j][m + 1] = 1; }
    rhs[m] = 1; rhs[m + 1] = 0;
    const u = solve(A, rhs);
    const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
    indices.push(J);
    weights.push(u.slice(0, n).map(r6));
    yawWeights.push(u.slice(n, m).map(r6));
  }
  return { indices, weights, yawWeights };
}

function score(fitted: Landmarks68Fit | null, samples: Sample[]) {
  const per: Record<string, number[]> = { all: [], ...Object.fromEntries(Object.keys(IBUG_GROUPS).map((g) => [g, []])) };
  for (const s of samples) {
    const pred = fitted ? applyFit(fitted, s.mesh, s.yaw) : MESH_TO_IBUG68.map((i) => [s.mesh[i][0], s.mesh[i][1]] as Pt);
    per.all.push(nme(pred, s.ref));
    for (const [g, [a, b]] of Object.entries(IBUG_GROUPS)) per[g].push(nme(pred, s.ref, a, b));
  }
  const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000;
  return Object.fromEntries(Object.entries(per).map(([g, v]) => [g, mean(v)]));
}

async function load(spec: string, group: string): Promise<Sample[]> {
  const [file, dir] = spec.split(':');
  // --analyze '<AnalyzeOptions JSON>': e.g. '{"landmarks":{"roiScale":1.3}}' to compare crops.
  const opts = process.argv.includes('--analyze') ? JSON.parse(process.argv[process.argv.indexOf('--analyze') + 1]) : {};
  const { matched } = await matchReference(readReference(file), dir, opts);
  return matched.map((m: MatchedFace) => ({ group: `${group}/${m.image}`, mesh: m.mesh, ref: m.ref, yaw: m.yaw }));
}

async function main() {
  const args = process.argv.slice(2);
  const train: Sample[] = [], test: Sample[] = [];
  const trainSpecs = args.filter((_, i) => args[i - 1] === '--train');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--train') train.push(...(await load(args[++i], `train${i}`)));
    if (args[i] === '--test') test.push(...(await load(args[++i], `test${i}`)));
  }
  await releaseSessions();
  const mm = meshMirror();
  const aug = (xs: Sample[]) => xs.flatMap((s) => [s, mirrorSample(s, mm)]);
  console.error(`train ${train.length} faces (${new Set(train.map((s) => s.group)).size} photos), test ${test.length}`);
  const report: Record<string, unknown> = { table: { train: score(null, train), test: test.length ? score(null, test) : undefined } };
  const grid: Array<[number, number, number]> = [];
  for (const K of [6, 10, 16]) for (const l of [0.0001, 0.0005, 0.002, 0.01]) for (const ly of [0.001, 0.01, 0.1]) grid.push([K, l, ly]);
  let best: { key: string; loo: number; cfg: [number, number, number] } | undefined;
  for (const cfg of grid) {
    // Leave one photo out: fit on the others, score on its faces.
    const groups = [...new Set(train.map((s) => s.group))];
    const loo: Sample[] = [];
    const preds: number[] = [];
    for (const g of groups) {
      const fitted = fit(aug(train.filter((s) => s.group !== g)), ...cfg);
      for (const s of train.filter((x) => x.group === g)) { preds.push(nme(applyFit(fitted, s.mesh, s.yaw), s.ref)); loo.push(s); }
    }
    const looMean = preds.reduce((a, b) => a + b, 0) / preds.length;
    const full = fit(aug(train), ...cfg);
    const key = `K${cfg[0]} λ${cfg[1]} λyaw${cfg[2]}`;
    report[key] = { looAll: Math.round(looMean * 1000) / 1000, test: test.length ? score(full, test) : undefined };
    if (!best || looMean < best.loo) best = { key, loo: looMean, cfg };
  }
  report.best = best?.key;
  if (best) {
    const groups = [...new Set(train.map((s) => s.group))];
    const looGroups: Record<string, number[]> = {};
    for (const g of groups) {
      const fitted = fit(aug(train.filter((s) => s.group !== g)), ...best.cfg);
      const sc = score(fitted, train.filter((x) => x.group === g));
      for (const [k, v] of Object.entries(sc)) (looGroups[k] ??= []).push(v);
    }
    report.bestLooByGroup = Object.fromEntries(Object.entries(looGroups).map(([k, v]) => [k, Math.round((v.reduce((a, b) => a + b, 0) / v.length) * 1000) / 1000]));
    if (process.argv.includes('--write')) {
      const fitted = fit(aug([...train]), ...best.cfg);
      writeFit(fitted, `${best.key}; ${train.length} faces (+ mirrored) from ${trainSpecs.map((a) => path.basename(a.split(':')[0])).join(', ')}`);
    }
  }
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
}

function writeFit(f: Landmarks68Fit, about: string) {
  const file = path.resolve(__dirname, '..', '..', 'engine', 'analysis', 'landmarks68-fit.ts');
  const rows = (xs: number[][]) => xs.map((r) => `    [${r.join(', ')}],`).join('\n');
  fs.writeFileSync(file, `/**
 * Generated by scripts/eval/fit-landmarks68.ts (${about}).
 * Per iBUG point: mesh vertex indices, their weights (sum 1) and yaw weights (sum 0, times sin(yaw)).
 * Do not edit by hand: re-run the fit (docs/face-analysis.md, "Landmark accuracy").
 */
import type { Landmarks68Fit } from './landmarks68';

export const LANDMARKS68_FIT: Landmarks68Fit = {
  indices: [
${rows(f.indices)}
  ],
  weights: [
${rows(f.weights)}
  ],
  yawWeights: [
${rows(f.yawWeights)}
  ],
};
`);
  console.error(`wrote ${file}`);
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });

/**
 * 68-point accuracy against reference landmarks on the six @vladmandic/face-api demo photos (MIT).
 *
 * The reference (fixtures/landmarks68-reference.json) is not a human annotation: it is the mean of
 * two independent iBUG-68 landmarkers (dlib's shape predictor and face-api's FaceLandmark68Net),
 * kept only where they agree, built by scripts/eval/landmark-reference.ts — see
 * docs/face-analysis.md, "Landmark accuracy", for why and for the figures. Error = mean point
 * distance / outer-eye-corner distance (iBUG's normalised mean error).
 */
import fs from 'fs';
import path from 'path';
import vm from 'vm';

// onnxruntime-node needs the process realm's typed arrays (see face-analysis.test.ts).
for (const name of ['Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array']) {
  (globalThis as Record<string, unknown>)[name] = vm.runInThisContext(name);
}
/* eslint-disable @typescript-eslint/no-var-requires */
const { analyzeImage } = require('../../engine/analysis/analyze') as typeof import('../../engine/analysis/analyze');
const { toLandmarks68 } = require('../../engine/analysis/landmarks68') as typeof import('../../engine/analysis/landmarks68');
const { releaseSessions } = require('../../engine/analysis/onnx-session') as typeof import('../../engine/analysis/onnx-session');

type Pt = [number, number];
interface Reference { images: Array<{ image: string; faces: Array<{ points: Pt[] }> }> }
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'landmarks68-reference.json'), 'utf8')) as Reference;

const iod = (p: Pt[]) => Math.hypot(p[45][0] - p[36][0], p[45][1] - p[36][1]);
function nme(pred: Pt[], ref: Pt[], from = 0, to = 68) {
  let s = 0;
  for (let i = from; i < to; i++) s += Math.hypot(pred[i][0] - ref[i][0], pred[i][1] - ref[i][1]);
  return s / (to - from) / iod(ref);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

jest.setTimeout(90_000);
afterAll(() => releaseSessions());

describe('68-point landmarks against the reference', () => {
  const fitted: { all: number[]; jaw: number[]; inner: number[] } = { all: [], jaw: [], inner: [] };
  const table: { all: number[]; jaw: number[] } = { all: [], jaw: [] };

  beforeAll(async () => {
    for (const im of REF.images) {
      const a = await analyzeImage(fs.readFileSync(require.resolve(im.image)));
      for (const rf of im.faces) {
        const r = rf.points;
        // Our face whose nose tip (iBUG 30) is nearest the reference's, within a third of the eye distance.
        const i = a.result.faces.findIndex((f) => Math.hypot(f.landmarks68[30][0] - r[30][0], f.landmarks68[30][1] - r[30][1]) < iod(r) / 3);
        expect(i).toBeGreaterThanOrEqual(0); // every reference face is found
        const ours = a.result.faces[i].landmarks68;
        fitted.all.push(nme(ours, r));
        fitted.jaw.push(nme(ours, r, 0, 17));
        fitted.inner.push(nme(ours, r, 17, 68));
        const t = toLandmarks68(a.internal.faces[i].mesh, 0, 'table');
        table.all.push(nme(t, r));
        table.jaw.push(nme(t, r, 0, 17));
      }
    }
  });

  test('the reference covers enough faces to mean something', () => {
    expect(fitted.all.length).toBeGreaterThanOrEqual(12);
  });

  test('mean error ≤ 0.045 overall and ≤ 0.07 on the jaw; no face worse than 0.07', () => {
    expect(mean(fitted.all)).toBeLessThanOrEqual(0.045);
    expect(mean(fitted.jaw)).toBeLessThanOrEqual(0.07);
    expect(mean(fitted.inner)).toBeLessThanOrEqual(0.04);
    expect(Math.max(...fitted.all)).toBeLessThanOrEqual(0.07);
  });

  test('the fitted correspondence beats the single-vertex table, most on the jaw', () => {
    expect(mean(fitted.all)).toBeLessThan(mean(table.all) - 0.01);
    expect(mean(fitted.jaw)).toBeLessThan(0.6 * mean(table.jaw));
  });
});

/**
 * Photos without a human face give NO_FACE: hard negatives made by scripts/eval/hard-negatives.ts
 * (a real face's tiles shuffled, fur-like texture with eyes and a nose, noise, gradients, a flat
 * frame). Animal and scene photos are measured locally (docs/face-analysis.md, "False positives"):
 * CI has no licensed animal photo.
 */
import vm from 'vm';

// onnxruntime-node needs the process realm's typed arrays (see face-analysis.test.ts).
for (const name of ['Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array']) {
  (globalThis as Record<string, unknown>)[name] = vm.runInThisContext(name);
}
/* eslint-disable @typescript-eslint/no-var-requires */
const { analyzeImage, requireFace } = require('../../engine/analysis/analyze') as typeof import('../../engine/analysis/analyze');
const { detectFaces } = require('../../engine/analysis/face-detector') as typeof import('../../engine/analysis/face-detector');
const { decodeImage } = require('../../engine/core/image-decode') as typeof import('../../engine/core/image-decode');
const { releaseSessions } = require('../../engine/analysis/onnx-session') as typeof import('../../engine/analysis/onnx-session');
const { hardNegatives } = require('../../scripts/eval/hard-negatives') as typeof import('../../scripts/eval/hard-negatives');

jest.setTimeout(60_000);
afterAll(() => releaseSessions());

test('hard negatives: no face, and NO_FACE for the user', async () => {
  const list = await hardNegatives();
  expect(list.map(([n]) => n)).toEqual(['shuffled-face', 'fur-noise', 'noise', 'gradient', 'flat']);
  let detectorHits = 0;
  for (const [, bytes] of list) {
    const { result } = await analyzeImage(bytes);
    expect(result.faces).toHaveLength(0);
    expect(() => requireFace(result)).toThrow(expect.objectContaining({ code: 'NO_FACE' }));
    detectorHits += (await detectFaces(await decodeImage(bytes))).faces.length;
  }
  // The shuffled face fools the detector (0.58): it is FaceMesh's presence gate that says no.
  expect(detectorHits).toBeGreaterThan(0);
});

describe('mirror consistency (the gate that turned a dog away)', () => {
  const { maxMirrorDisagreement } = require('../../engine/analysis/analyze') as typeof import('../../engine/analysis/analyze');
  const { mirrorDisagreement } = require('../../engine/analysis/face-landmarker') as typeof import('../../engine/analysis/face-landmarker');
  const fs = require('fs') as typeof import('fs');

  test('every fixture face is well inside the limit for its yaw', async () => {
    let faces = 0;
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const a = await analyzeImage(fs.readFileSync(require.resolve(`@vladmandic/face-api/demo/sample${n}.jpg`)), { mirrorGate: false });
      a.internal.faces.forEach((f, i) => {
        faces++;
        expect(f.mirrorDisagreement).toBeLessThan(0.85 * maxMirrorDisagreement(a.result.faces[i].pose.yaw));
      });
    }
    expect(faces).toBe(22);
  });

  test('a model that ignores the mirror (same answer for the flipped crop) is far outside it', async () => {
    const bytes = fs.readFileSync(require.resolve('@vladmandic/face-api/demo/sample6.jpg'));
    const a = await analyzeImage(bytes);
    const f = a.internal.faces[0];
    const real = await mirrorDisagreement(a.internal.image, { points: f.meshWorking, presence: 1, roi: f.roi });
    // The answer the real model gives on the unflipped crop, returned whatever the input.
    const m = f.roi, n = 192, k = m.size / n, c = Math.cos(m.angle), s = Math.sin(m.angle);
    const fixed = new Float32Array(468 * 3);
    f.meshWorking.forEach(([x, y], i) => {
      const dx = x - m.cx, dy = y - m.cy;
      fixed[i * 3] = (c * dx + s * dy) / k + n / 2;
      fixed[i * 3 + 1] = (-s * dx + c * dy) / k + n / 2;
    });
    const blind = await mirrorDisagreement(a.internal.image, { points: f.meshWorking, presence: 1, roi: f.roi }, { runner: async () => ({ mesh: fixed, presence: 1 }) });
    expect(real).toBeLessThan(0.04);
    expect(blind).toBeGreaterThan(2 * maxMirrorDisagreement(a.result.faces[0].pose.yaw));
  });
});

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

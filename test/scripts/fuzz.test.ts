/**
 * A small seeded fuzz run inside `npm test` (the 10,000-input run is `npm run fuzz`, its result in
 * README): mutated JPEG/PNG/WebP seeds through analyzeImage + requireFace in a worker process under
 * a per-input watchdog. No finding is allowed: no untyped throw, no INTERNAL, no invalid result,
 * no worker crash, no hang.
 */
import { findingCount, makeSeeds, mutant, runFuzz } from '../../scripts/fuzz-images';

jest.setTimeout(120_000);

describe('image fuzzing through the analysis path', () => {
  it('mutants are reproducible from (seed, index)', async () => {
    const seeds = await makeSeeds();
    expect(seeds.map((s) => s.format)).toEqual(expect.arrayContaining(['jpeg', 'png', 'webp']));
    for (const i of [0, 7, 123]) expect(mutant(seeds, 42, i).bytes.equals(mutant(seeds, 42, i).bytes)).toBe(true);
    expect(mutant(seeds, 42, 5).bytes.equals(mutant(seeds, 43, 5).bytes)).toBe(false);
  });

  it('200 mutated images: every outcome a result or a known error code, no crash, no hang', async () => {
    const report = await runFuzz({ count: 200, seed: 7, workers: 1, timeoutMs: 20_000 });
    expect(report.findings).toEqual({ untyped: 0, internal: 0, invalid: 0, crash: 0, hang: 0, list: [] });
    expect(findingCount(report)).toBe(0);
    const errors = Object.values(report.outcomes.errors).reduce((a, b) => a + b, 0);
    expect(report.outcomes.result + errors).toBe(200);
    // The mutants reach every stage: refused headers, broken data, no face, and faces found.
    expect(report.outcomes.result).toBeGreaterThan(0);
    expect(Object.keys(report.outcomes.errors)).toEqual(expect.arrayContaining(['CORRUPT_IMAGE', 'NO_FACE', 'UNSUPPORTED_FORMAT']));
  });
});

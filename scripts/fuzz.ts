/**
 * `npm run --silent fuzz -- [--count N] [--seed S] [--workers W] [--timeout MS] [--out DIR]`
 *
 * Mutated images through the analysis path (scripts/fuzz-images.ts) and one JSON report on
 * stdout: outcomes by code, findings (untyped throws, INTERNAL, invalid results, worker crashes,
 * hangs past the per-input bound) and per-input times. Exit 0 when there is no finding, 1
 * otherwise; each finding's input is written to DIR (default dist/fuzz/) for reproduction.
 * Progress goes to stderr.
 */
import path from 'node:path';
import { findingCount, runFuzz } from './fuzz-images';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a number, got "${process.argv[i + 1]}"`);
  return v;
}

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out');
  const count = arg('count', 10_000);
  const report = await runFuzz({
    count,
    seed: arg('seed', 1),
    workers: arg('workers', 1),
    timeoutMs: arg('timeout', 10_000),
    outDir: outIndex >= 0 ? path.resolve(process.argv[outIndex + 1]) : path.resolve(__dirname, '..', 'dist', 'fuzz'),
    onProgress: (done) => {
      if (done % 500 === 0 || done === count) process.stderr.write(`fuzz: ${done}/${count}\n`);
    },
  });
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  process.exit(findingCount(report) === 0 ? 0 : 1);
}

main().catch((err: Error) => {
  process.stderr.write(`fuzz: ${err.stack ?? err}\n`);
  process.exit(2);
});

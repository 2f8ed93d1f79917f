/**
 * One fuzz worker (a child of scripts/fuzz-images.ts): each message is an input; it runs what
 * `npm run analyze` runs (analyzeImage + requireFace) and answers how it ended. It never decides
 * what is a finding; it only reports: a result (checked for finite numbers), an AppError's code,
 * or an untyped throw. A native crash or a hang is seen by the parent (exit, watchdog).
 */
import { analyzeImage, requireFace, type AnalysisResult } from '../engine/analysis/analyze';
import { preloadModels } from '../engine/analysis/onnx-session';
import { AppError, isErrorCode } from '../engine/core/errors';
import type { Outcome } from './fuzz-images';

/** The CLI prints the result as JSON: every number in it must be finite and coordinates sane. */
function invalid(result: AnalysisResult): string | undefined {
  let bad: string | undefined;
  JSON.stringify(result, (key, value) => {
    if (typeof value === 'number' && !Number.isFinite(value)) bad ??= `non-finite ${key}`;
    return value;
  });
  if (bad) return bad;
  if (!(result.width > 0 && result.height > 0)) return `size ${result.width}x${result.height}`;
  for (const f of result.faces) {
    if (f.landmarks68.length !== 68) return `${f.landmarks68.length} landmarks`;
    if (f.box[2] <= 0 || f.box[3] <= 0) return `empty box ${f.box.join(',')}`;
  }
  return undefined;
}

async function analyse(bytes: Buffer): Promise<Outcome> {
  const t0 = performance.now();
  const ms = () => performance.now() - t0;
  try {
    const { result } = await analyzeImage(bytes);
    requireFace(result);
    const problem = invalid(result);
    return problem ? { kind: 'invalid', message: problem, ms: ms() } : { kind: 'result', faces: result.faces.length, ms: ms() };
  } catch (err) {
    if (err instanceof AppError && isErrorCode(err.code)) {
      return { kind: 'error', code: err.code, ms: ms() };
    }
    return { kind: 'untyped', message: String((err as Error)?.stack ?? err).slice(0, 600), ms: ms() };
  }
}

async function main(): Promise<void> {
  await preloadModels();
  process.on('message', (m: { index: number; bytes: Uint8Array }) => {
    const bytes = Buffer.isBuffer(m.bytes) ? m.bytes : Buffer.from(m.bytes);
    void analyse(bytes).then((o) => process.send!(o));
  });
  process.send!({ ready: true });
  // Exit with the parent: a worker must never outlive its run.
  process.on('disconnect', () => process.exit(0));
}

void main();

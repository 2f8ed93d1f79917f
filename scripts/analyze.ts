/**
 * `npm run --silent analyze -- <image> [--check] [--face N]`
 *
 * Prints exactly one JSON object on stdout (DESIGN.md contract): the analysis, or
 * {"error":{"code","message"}} with exit code 2. `--check` also applies the photo checks used
 * before fusion (MULTIPLE_FACES, FACE_TOO_SMALL, …) and fails like fusion would; without it only
 * unreadable input and NO_FACE are errors, and each face's quality carries its issue codes.
 */
import fs from 'fs';
import { analyzeImage, requireFace } from '../engine/analysis/analyze';
import { checkPhoto, faceIssues } from '../engine/analysis/photo-checks';
import { AppError, toErrorPayload } from '../engine/core/errors';

// Nothing but our JSON may reach stdout: route stray library logging to stderr.
console.log = console.error;
console.warn = console.error;
console.info = console.error;

function fail(err: unknown): never {
  const payload = toErrorPayload(err);
  if (!(err instanceof AppError)) process.stderr.write(`analyze: ${(err as Error)?.stack ?? err}\n`);
  process.stdout.write(JSON.stringify({ error: payload }) + '\n');
  process.exit(2);
}

async function main() {
  const args = process.argv.slice(2);
  let file: string | undefined;
  let check = false;
  let face: number | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--check') check = true;
    else if (args[i] === '--face') face = Number(args[++i]);
    else if (!file) file = args[i];
    else throw new AppError('INVALID_ARGUMENT', { reason: `unexpected argument ${args[i]}` });
  }
  if (!file) throw new AppError('INVALID_ARGUMENT', { reason: 'usage: analyze <image> [--check] [--face N]', details: { field: 'image' } });
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new AppError('INVALID_ARGUMENT', { reason: `cannot read ${file}`, details: { field: 'image' } });
  }
  const { result } = await analyzeImage(bytes);
  requireFace(result);
  if (check) checkPhoto(result.faces, face);
  const out = {
    ...result,
    faces: result.faces.map((f) => ({ ...f, quality: { ...f.quality, issues: faceIssues(f) } })),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

main().catch(fail);

/**
 * Brings generated things up to date before `npm start` or `npm test`: the ONNX models (converted
 * from the npm model package), the client builds. Each step skips itself when nothing changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildClientIfStale, convertModels, ROOT, run } from './lib/builds';

const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'start';

const started = Date.now();
convertModels();
// The comic frames are rendered from their SVG sources (skips frames that are up to date).
if (fs.existsSync(path.join(ROOT, 'scripts', 'templates-build.ts'))) run('npx', ['tsx', 'scripts/templates-build.ts']);
buildClientIfStale('h5');
if (purpose === 'test') {
  buildClientIfStale('weapp');
  console.log('[prepare] type-checking…');
  run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
}
console.log(`[prepare] ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

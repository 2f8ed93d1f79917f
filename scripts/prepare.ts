/**
 * Brings generated things up to date before `npm start` or `npm test`: the ONNX models (converted
 * from the npm model package), the client builds. Each step skips itself when nothing changed.
 */
import { buildClientIfStale, convertModels, run } from './lib/builds';

const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'start';

const started = Date.now();
convertModels();
buildClientIfStale('h5');
if (purpose === 'test') {
  buildClientIfStale('weapp');
  console.log('[prepare] type-checking…');
  run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
}
console.log(`[prepare] ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

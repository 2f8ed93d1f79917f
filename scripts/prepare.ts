/**
 * Brings generated things up to date: the ONNX models (converted from the npm model package), the
 * comic frames (rendered from their SVG sources), the client builds. Each step skips itself when
 * nothing changed.
 *
 *   --for start    (npm start)      models, frames, H5; a placeholder operator contact only warns
 *   --for test     (npm pretest)    the same plus the weapp build and the type check
 *   --for release  (npm run build)  models, frames, H5 for a deployment: a placeholder contact fails
 *
 * Their tools are dev dependencies. After `npm ci --omit=dev` (a production install) the steps
 * cannot run: what a full install built before is served as it is, and whatever is missing stops
 * `npm start` with what to do (scripts/lib/builds.ts missingBuildMessage).
 */
import fs from 'node:fs';
import path from 'node:path';
import campaign from '../templates/campaign.json';
import { checkOperatorContact } from '../config/operator-contact';
import { buildClientIfStale, CLIENT_MARKERS, hasBuildTools, missingBuildMessage, ROOT, run, runTs } from './lib/builds';

export type Purpose = 'start' | 'test' | 'release';

/** The models the runtime loads (engine/analysis/onnx-session.ts); face-recognition is for evaluation only. */
const RUNTIME_MODELS = ['models/manifest.json', 'models/blazeface-back.onnx', 'models/facemesh.onnx'];

/** Every rendered frame the campaign's stories need (templates/stories/<id>/rendered/frame-<n>.png). */
export function expectedFrames(): string[] {
  const campaign = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'campaign.json'), 'utf8')) as { stories: Array<{ id: string }> };
  return campaign.stories.flatMap(({ id }) => {
    const story = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'stories', id, 'story.json'), 'utf8')) as { frames: unknown[] };
    return story.frames.map((_, i) => `templates/stories/${id}/rendered/frame-${i + 1}.png`);
  });
}

function requireBuilt(what: string, paths: string[]): void {
  const missing = paths.filter((p) => !fs.existsSync(path.join(ROOT, p)));
  if (missing.length) throw new Error(missingBuildMessage(what, missing.length > 3 ? [...missing.slice(0, 3), `… ${missing.length - 3} more`] : missing));
  console.log(`[prepare] ${what}: as built (the build tools are not installed: production install)`);
}

export function prepare(purpose: Purpose): void {
  const started = Date.now();
  const local = purpose !== 'release';
  // A release fails on a placeholder contact even when the H5 build is up to date (Taro's config
  // checks it only when it builds).
  if (!local) checkOperatorContact(campaign.operator, { release: true, what: 'npm run build' });

  if (hasBuildTools('models')) runTs('scripts/convert-models.ts');
  else requireBuilt('the face models', RUNTIME_MODELS);

  if (hasBuildTools('frames')) runTs('scripts/templates-build.ts');
  else requireBuilt('the comic frames', expectedFrames());

  if (hasBuildTools('client')) buildClientIfStale('h5', { local });
  else requireBuilt('the H5 build', [CLIENT_MARKERS.h5]);

  if (purpose === 'test') {
    buildClientIfStale('weapp', { local });
    console.log('[prepare] type-checking…');
    run(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [ROOT] }), '--noEmit', '-p', 'tsconfig.json']);
  }
  console.log(`[prepare] ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (require.main === module) {
  const i = process.argv.indexOf('--for');
  const purpose = (i >= 0 ? process.argv[i + 1] : 'start') as Purpose;
  try {
    if (!['start', 'test', 'release'].includes(purpose)) throw new Error(`--for must be start, test or release, got "${purpose}"`);
    prepare(purpose);
  } catch (err) {
    console.error(`\n[prepare] ${(err as Error).message}\n`);
    process.exit(1);
  }
}

/**
 * `npm run --silent fuse -- --photo <image> --theme <id|all> --out <dir> [--shape N] [--features N] [--face INDEX]`
 *
 * Writes <dir>/<theme>/frame-<n>.jpg and <dir>/<theme>/poster.jpg and prints one JSON object
 * (DESIGN.md): {"faces":[…as analyze…],"themes":[{"id","frames":[paths],"poster":path}],"timings_ms":{…,"total"}}.
 * Errors: {"error":{"code","message"}} and exit 2. The photo is decoded and analysed once; its
 * aligned face is prepared once and sent once to each worker; frames are fused in parallel.
 * Stage timings for frames are summed over all frames (CPU time across workers); `frames_wall`
 * and `total` are wall-clock.
 */
import fs from 'fs';
import path from 'path';
import { analyzeImage, requireFace } from '../engine/analyze';
import { checkPhoto } from '../engine/photo-checks';
import { AppError, toErrorPayload } from '../engine/errors';
import { prepareFace, checkDegree, DEFAULT_SHAPE, DEFAULT_FEATURES } from '../engine/fuse';
import { FusePool } from '../engine/worker-pool';
import { storyIds, loadStory } from '../engine/story-frames';
import { composeStoryPoster } from './fuse-poster';

console.log = console.error;
console.warn = console.error;
console.info = console.error;

function fail(err: unknown): never {
  const payload = toErrorPayload(err);
  if (!(err instanceof AppError)) process.stderr.write(`fuse: ${(err as Error)?.stack ?? err}\n`);
  process.stdout.write(JSON.stringify({ error: payload }) + '\n');
  process.exit(2);
}

const bad = (field: string, reason: string) => new AppError('INVALID_ARGUMENT', { reason, details: { field } });

function parseArgs(argv: string[]) {
  const a: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--') || !['--photo', '--theme', '--out', '--shape', '--features', '--face'].includes(k)) throw bad('args', `unexpected argument ${k}`);
    if (i + 1 >= argv.length) throw bad(k.slice(2), `${k} needs a value`);
    a[k.slice(2)] = argv[++i];
  }
  for (const k of ['photo', 'theme', 'out']) if (!a[k]) throw bad(k, `--${k} is required`);
  const num = (k: string): number | undefined => {
    if (a[k] === undefined) return undefined;
    if (!/^-?\d+(\.\d+)?$/.test(a[k])) throw bad(k, `--${k} must be a number`);
    return Number(a[k]);
  };
  const shape = checkDegree('shape', num('shape'), DEFAULT_SHAPE);
  const features = checkDegree('features', num('features'), DEFAULT_FEATURES);
  const face = num('face');
  if (face !== undefined && (!Number.isInteger(face) || face < 0)) throw bad('face', '--face must be a face index ≥ 0');
  return { photo: a.photo, theme: a.theme, out: a.out, shape, features, face };
}

async function main() {
  const t0 = performance.now();
  const args = parseArgs(process.argv.slice(2));
  const all = storyIds();
  const themes = args.theme === 'all' ? all : all.includes(args.theme) ? [args.theme] : null;
  if (!themes) throw bad('theme', `unknown theme ${args.theme}`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(args.photo);
  } catch {
    throw bad('photo', `cannot read ${args.photo}`);
  }
  // Start the workers (and their template decoding) while the photo is analysed.
  const pool = new FusePool();
  const analysis = await analyzeImage(bytes);
  requireFace(analysis.result);
  const { index } = checkPhoto(analysis.result.faces, args.face);
  const t1 = performance.now();
  const face = prepareFace(analysis, index);
  const t2 = performance.now();
  const stories = await Promise.all(themes.map((id) => loadStory(id)));
  const tasks = stories.flatMap((s) =>
    s.frames.map((f, frameIndex) => ({
      storyId: s.id,
      frameIndex,
      // The user is every hero; extras keep their drawn faces.
      assign: Object.fromEntries(f.slots.filter((sl) => sl.role === 'hero').map((sl) => [sl.id, 0])),
      options: { shape: args.shape, features: args.features },
    })),
  );
  const results = await pool.run([face], tasks);
  const t3 = performance.now();
  const sum = { warp: 0, colour: 0, style: 0, blend: 0, fuse: 0, encode: 0 };
  for (const r of results) for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += r.timings[k];
  const out: Array<{ id: string; frames: string[]; poster: string }> = [];
  let posterMs = 0;
  for (const s of stories) {
    const dir = path.join(args.out, s.id);
    fs.mkdirSync(dir, { recursive: true });
    const mine = results.filter((r) => r.storyId === s.id).sort((a, b) => a.frameIndex - b.frameIndex);
    const frames = mine.map((r) => {
      const p = path.join(dir, `frame-${r.frameIndex + 1}.jpg`);
      fs.writeFileSync(p, r.jpeg);
      return p;
    });
    const tp = performance.now();
    const poster = path.join(dir, 'poster.jpg');
    fs.writeFileSync(poster, await composeStoryPoster(s.id, mine.map((r) => Buffer.from(r.jpeg))));
    posterMs += performance.now() - tp;
    out.push({ id: s.id, frames, poster });
  }
  await pool.close();
  const r1 = (v: number) => Math.round(v * 10) / 10;
  const at = analysis.timings;
  process.stdout.write(
    JSON.stringify({
      faces: analysis.result.faces,
      themes: out,
      timings_ms: {
        decode: r1(at.decode), detect: r1(at.detect), landmarks: r1(at.landmarks), quality: r1(at.quality), analyze: r1(t1 - t0),
        prepare: r1(t2 - t1),
        warp: r1(sum.warp), colour: r1(sum.colour), style: r1(sum.style), blend: r1(sum.blend), encode: r1(sum.encode),
        frames: results.length, frames_wall: r1(t3 - t2), poster: r1(posterMs),
        total: r1(performance.now() - t0),
      },
    }) + '\n',
  );
  process.exit(0);
}

main().catch(fail);

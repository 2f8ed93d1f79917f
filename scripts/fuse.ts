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
import { analyzeImage, requireFace, type Analysis } from '../engine/analysis/analyze';
import { checkPhoto } from '../engine/analysis/photo-checks';
import { AppError, toErrorPayload } from '../engine/core/errors';
import { prepareFace, checkDegree, DEFAULT_SHAPE, DEFAULT_FEATURES } from '../engine/fusion/fuse';
import { FusePool } from '../engine/pipeline/worker-pool';
import { storyIds, loadPackedFrame, loadManifest } from '../engine/pipeline/story-frames';
import { renderStories } from '../engine/pipeline/story-render';
import { DEFAULT_PUBLIC_URL, qrCodePng, sceneUrl } from '../engine/output/qr-code';
import { releaseSessions } from '../engine/analysis/onnx-session';

/** What the backend prints on a poster: page `pages/index/index`, scene `t=<share token>` (backend/domain/stories.ts). */
const CODE_PAGE = 'pages/index/index';
/** The CLI shares nothing: a fixed token of the same form (22 url-safe characters). */
const CLI_SCENE = 't=cliLocalPreview0000000';

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
  // Start the workers and decode the needed template frames (once, packed, shared with the workers)
  // while the photo is analysed.
  const pool = new FusePool();
  for (const id of themes) loadManifest(id).frames.forEach((_, i) => void loadPackedFrame(id, i).catch(() => undefined));
  let analysis: Analysis | undefined = await analyzeImage(bytes);
  requireFace(analysis.result);
  const { index } = checkPhoto(analysis.result.faces, args.face);
  const t1 = performance.now();
  const face = prepareFace(analysis, index);
  const t2 = performance.now();
  // One photo per run: the models and the decoded photo are not needed any more (≈ 20 MB less while fusing).
  const faces = analysis.result.faces;
  const at = analysis.timings;
  analysis = undefined;
  await releaseSessions();
  const code = qrCodePng(sceneUrl(process.env.PUBLIC_URL ?? DEFAULT_PUBLIC_URL, CODE_PAGE, CLI_SCENE));
  const out: Array<{ id: string; frames: string[]; poster: string }> = [];
  const sum = { warp: 0, colour: 0, style: 0, blend: 0, encode: 0, poster: 0 };
  let frameCount = 0;
  let framesWall = 0;
  const stories = await renderStories({
    pool,
    faces: [face], // the user is every hero; extras keep their drawn faces
    storyIds: themes,
    shape: args.shape,
    features: args.features,
    codeFor: () => code,
    cover: false,
    keepOutputs: false, // each story is written as it comes: nothing to hold
    produceId: (id) => `cli-${id}`,
    onStory: (s) => {
      const dir = path.join(args.out, s.id);
      fs.mkdirSync(dir, { recursive: true });
      const frames = s.frames.map((jpeg, i) => {
        const p = path.join(dir, `frame-${i + 1}.jpg`);
        fs.writeFileSync(p, jpeg);
        return p;
      });
      const poster = path.join(dir, 'poster.jpg');
      fs.writeFileSync(poster, s.poster);
      for (const k of ['warp', 'colour', 'style', 'blend', 'encode', 'poster'] as const) sum[k] += s.timings[k];
      frameCount += s.frames.length;
      framesWall = Math.max(framesWall, s.timings.frames_wall);
      out.push({ id: s.id, frames, poster });
    },
  });
  out.sort((a, b) => themes.indexOf(a.id) - themes.indexOf(b.id));
  void stories;
  await pool.close();
  const r1 = (v: number) => Math.round(v * 10) / 10;
  process.stdout.write(
    JSON.stringify({
      faces,
      themes: out,
      timings_ms: {
        decode: r1(at.decode), detect: r1(at.detect), landmarks: r1(at.landmarks), quality: r1(at.quality), analyze: r1(t1 - t0),
        prepare: r1(t2 - t1),
        warp: r1(sum.warp), colour: r1(sum.colour), style: r1(sum.style), blend: r1(sum.blend), encode: r1(sum.encode),
        frames: frameCount, frames_wall: r1(framesWall), poster: r1(sum.poster),
        total: r1(performance.now() - t0),
      },
    }) + '\n',
  );
  process.exit(0);
}

main().catch(fail);

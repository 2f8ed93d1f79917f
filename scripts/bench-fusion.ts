/**
 * Fusion figures for the benchmark (scripts/bench.ts runs it in a child process; also runnable alone:
 * `npx tsx scripts/bench-fusion.ts [photo]`). Prints/returns medians in ms:
 * per frame (unpack, warp, colour, style, blend, fuse, encode, and encode + the poster-size copy the
 * pool makes of every poster frame) on one thread with warm caches, per story, all stories from one
 * photo through the worker pool (wall clock), the same with posters and covers
 * (engine/pipeline/story-render.ts, the product path), frames per second, and peak RSS of this process
 * (sampled every 20 ms; worker threads are part of it) with the workers' own V8 heaps.
 * FUSE_WORKERS=N sets the pool size (engine/pipeline/worker-pool.ts).
 */
import fs from 'fs';
import path from 'path';
import { analyzeImage, type Analysis } from '../engine/analysis/analyze';
import { prepareFace, fuseFrame } from '../engine/fusion/fuse';
import { encodeJpeg } from '../engine/output/encode';
import { posterCopy } from '../engine/pipeline/fuse-task';
import { frameKey, loadManifest, loadPackedFrame, storyIds, unpackFrame } from '../engine/pipeline/story-frames';
import { FusePool } from '../engine/pipeline/worker-pool';
import { renderStories } from '../engine/pipeline/story-render';
import { DEFAULT_PUBLIC_URL, qrCodePng, sceneUrl } from '../engine/output/qr-code';
import { releaseSessions } from '../engine/analysis/onnx-session';
import type { Slot } from '../engine/fusion/slot';

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s.length ? Math.round(s[s.length >> 1] * 10) / 10 : 0; };
const MB = (b: number) => Math.round(b / 1048576);

export async function benchFusion(photo = path.resolve(__dirname, '../node_modules/@vladmandic/face-api/demo/sample5.jpg')) {
  const rssAtStart = process.memoryUsage.rss();
  let peak = rssAtStart;
  const tick = () => { peak = Math.max(peak, process.memoryUsage.rss()); };
  const timer = setInterval(tick, 20);
  let analysis: Analysis | undefined = await analyzeImage(fs.readFileSync(photo));
  const face = prepareFace(analysis, 0);
  analysis = undefined;
  await releaseSessions(); // the fusion figures below are about fusion, not the models
  const ids = storyIds();
  const frames = ids.flatMap((id) => loadManifest(id).frames.map((f, i) => ({ id, i, slots: f.slots as Slot[] })));
  // The pool first (the product path), then — with the pool closed — the one-thread figures, so
  // the peak is the larger of the two, not their sum.
  const pool = new FusePool();
  const workers = pool.size;
  const tasks = frames.map((f) => ({ storyId: f.id, frameIndex: f.i, assign: Object.fromEntries(f.slots.filter((x) => x.role === 'hero').map((x) => [x.id, 0])), options: {} }));
  await pool.run([face], tasks); // warm: workers' caches, JIT
  const walls: number[] = [];
  for (let i = 0; i < 5; i++) { const t = performance.now(); await pool.run([face], tasks); walls.push(performance.now() - t); tick(); }
  // All stories with posters and covers (engine/pipeline/story-render.ts), each story dropped once done.
  const code = await qrCodePng(sceneUrl(DEFAULT_PUBLIC_URL, 'pages/index/index', 't=benchToken000000000000'));
  const storyWalls: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await renderStories({ pool, faces: [face], storyIds: ids, codeFor: async () => code, keepOutputs: false });
    storyWalls.push(performance.now() - t);
    tick();
  }
  const workerHeaps = await pool.workerMemory();
  await pool.close();
  const peakPool = peak;
  const st: Record<string, number[]> = { unpack: [], warp: [], colour: [], style: [], blend: [], fuse: [], encode: [], encode_and_copy: [], story: [] };
  // One thread: frames unpacked one at a time and fused into a reused buffer (as a pool worker does), encoded, poster copy.
  let out: Uint8Array | undefined;
  for (let round = 0; round < 3; round++) {
    for (const id of ids) {
      const ts = performance.now();
      for (const f of frames.filter((x) => x.id === id)) {
        const packed = await loadPackedFrame(f.id, f.i);
        const tu = performance.now();
        const image = unpackFrame(packed);
        const t0 = performance.now();
        const key = frameKey(f.id, f.i);
        const r = fuseFrame(image, f.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? face : null })), { frameKey: key, out });
        out = r.data;
        const t1 = performance.now();
        await encodeJpeg(r.data, r.width, r.height);
        const t2 = performance.now();
        // the poster-size copy each pool task also makes (engine/pipeline/fuse-task.ts), one after the other here
        await posterCopy(r, image, key, { width: 468, height: 832 }, r.slots.map((s) => s.box));
        const t3 = performance.now();
        if (round > 0) {
          for (const k of ['warp', 'colour', 'style', 'blend'] as const) st[k].push(r.timings[k]);
          st.unpack.push(t0 - tu); st.fuse.push(t1 - t0); st.encode.push(t2 - t1); st.encode_and_copy.push(t3 - t1);
        }
      }
      if (round > 0) st.story.push(performance.now() - ts);
      tick();
    }
  }
  clearInterval(timer);
  tick();
  const all = median(walls);
  const m = (k: string) => median(st[k]);
  return {
    frame: { unpack: m('unpack'), warp: m('warp'), colour: m('colour'), style: m('style'), blend: m('blend'), fuse: m('fuse'), encode: m('encode'), encode_with_poster_copy: m('encode_and_copy') },
    story_one_thread: m('story'),
    all_stories: { frames: tasks.length, workers, wall: all, fps: Math.round((tasks.length / all) * 1000 * 10) / 10 },
    // all eight stories through renderStories: frames + posters + covers, wall clock
    all_stories_with_posters: median(storyWalls),
    // this process (the worker threads share it: RSS covers them too); the pool part alone
    peak_rss_mb: MB(peak),
    peak_rss_mb_pool: MB(peakPool),
    rss_at_start_mb: MB(rssAtStart),
    worker_heaps_mb: workerHeaps.map((w) => ({ heap: MB(w.heapTotal), array_buffers: MB(w.arrayBuffers) })),
  };
}

if (require.main === module) {
  benchFusion(process.argv[2]).then((r) => { process.stdout.write(JSON.stringify(r) + '\n'); process.exit(0); });
}

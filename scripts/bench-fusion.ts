/**
 * Fusion figures for the benchmark (scripts/bench.ts imports `benchFusion`; also runnable alone:
 * `npx tsx scripts/bench-fusion.ts [photo]`). Prints/returns medians in ms:
 * per frame (warp, colour, style, blend, fuse, encode) on one thread with warm caches, per story,
 * all stories from one photo through the worker pool (wall clock), the same with posters and
 * covers (engine/story-render.ts, the product path), frames per second on all cores, and peak RSS.
 */
import fs from 'fs';
import path from 'path';
import { analyzeImage } from '../engine/analyze';
import { prepareFace, fuseFrame } from '../engine/fuse';
import { encodeJpeg } from '../engine/encode';
import { loadStory, storyIds } from '../engine/story-frames';
import { FusePool } from '../engine/worker-pool';
import { renderStories } from '../engine/story-render';
import { qrCodePng, scenePayload } from '../engine/qr-code';

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s.length ? Math.round(s[s.length >> 1] * 10) / 10 : 0; };

export async function benchFusion(photo = path.resolve(__dirname, '../node_modules/@vladmandic/face-api/demo/sample5.jpg')) {
  let peak = process.memoryUsage().rss;
  const tick = () => { peak = Math.max(peak, process.memoryUsage().rss); };
  const timer = setInterval(tick, 20);
  const analysis = await analyzeImage(fs.readFileSync(photo));
  const face = prepareFace(analysis, 0);
  const ids = storyIds();
  const stories = await Promise.all(ids.map((id) => loadStory(id)));
  const st: Record<string, number[]> = { warp: [], colour: [], style: [], blend: [], fuse: [], encode: [], story: [] };
  for (let round = 0; round < 3; round++) {
    for (const s of stories) {
      const ts = performance.now();
      for (const f of s.frames) {
        const t0 = performance.now();
        const r = fuseFrame(f.image, f.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? face : null })));
        const t1 = performance.now();
        await encodeJpeg(r.data, r.width, r.height);
        const t2 = performance.now();
        if (round > 0) {
          for (const k of ['warp', 'colour', 'style', 'blend'] as const) st[k].push(r.timings[k]);
          st.fuse.push(t1 - t0); st.encode.push(t2 - t1);
        }
      }
      if (round > 0) st.story.push(performance.now() - ts);
      tick();
    }
  }
  const pool = new FusePool();
  const tasks = stories.flatMap((s) => s.frames.map((f, frameIndex) => ({ storyId: s.id, frameIndex, assign: Object.fromEntries(f.slots.filter((x) => x.role === 'hero').map((x) => [x.id, 0])), options: {} })));
  await pool.run([face], tasks); // warm: workers decode templates, JIT
  const walls: number[] = [];
  for (let i = 0; i < 3; i++) { const t = performance.now(); await pool.run([face], tasks); walls.push(performance.now() - t); tick(); }
  // The product path: all stories with posters and covers (engine/story-render.ts).
  const code = await qrCodePng(scenePayload('pages/index/index', 't=benchToken000000000000'));
  const storyWalls: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await renderStories({ pool, faces: [face], storyIds: ids, codeFor: async () => code });
    storyWalls.push(performance.now() - t);
    tick();
  }
  await pool.close();
  clearInterval(timer);
  const all = median(walls);
  return {
    frame: { warp: median(st.warp), colour: median(st.colour), style: median(st.style), blend: median(st.blend), fuse: median(st.fuse), encode: median(st.encode) },
    story_one_thread: median(st.story),
    all_stories: { frames: tasks.length, workers: pool.size, wall: all, fps: Math.round((tasks.length / all) * 1000 * 10) / 10 },
    // all eight stories through renderStories: frames + posters + covers, wall clock
    all_stories_with_posters: median(storyWalls),
    // main thread RSS (the workers share the process: RSS covers them too)
    peak_rss_mb: Math.round(peak / 1048576),
  };
}

if (require.main === module) {
  benchFusion(process.argv[2]).then((r) => { process.stdout.write(JSON.stringify(r) + '\n'); process.exit(0); });
}

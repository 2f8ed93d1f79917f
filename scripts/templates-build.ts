/**
 * npm run templates:build [-- --force] [storyId…]
 * Renders every story frame (SVG art + caption + bubbles from story.json) to
 * templates/stories/<id>/rendered/frame-<n>.png with resvg and the npm TTF fonts.
 * Deterministic; skips frames whose inputs did not change (hash in rendered/.build.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { loadCampaign, loadStory, frameSvg, renderKey, renderSvg, renderedFramePath, storyDir } from '../templates/render';

async function main() {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const only = args.filter((a) => !a.startsWith('--'));
  const t0 = performance.now();
  const campaign = loadCampaign();
  const jobs: Array<() => Promise<'rendered' | 'skipped'>> = [];
  const manifests = new Map<string, Record<string, string>>();
  for (const cs of campaign.stories) {
    if (only.length && !only.includes(cs.id)) continue;
    const story = loadStory(cs.id);
    const outDir = path.join(storyDir(cs.id), 'rendered');
    fs.mkdirSync(outDir, { recursive: true });
    const manPath = path.join(outDir, '.build.json');
    const man: Record<string, string> = fs.existsSync(manPath) ? JSON.parse(fs.readFileSync(manPath, 'utf8')) : {};
    manifests.set(manPath, man);
    story.frames.forEach((frame, i) => {
      jobs.push(async () => {
        const svg = frameSvg(cs.id, frame);
        const key = renderKey(svg);
        const out = renderedFramePath(cs.id, i);
        const name = path.basename(out);
        if (!force && man[name] === key && fs.existsSync(out)) return 'skipped';
        fs.writeFileSync(out, await renderSvg(svg, frame.width));
        man[name] = key;
        return 'rendered';
      });
    });
  }
  const counts = { rendered: 0, skipped: 0 };
  const workers = Math.max(1, Math.min(4, os.cpus().length));
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < jobs.length) counts[await jobs[next++]()]++;
    }),
  );
  for (const [p, man] of manifests) fs.writeFileSync(p, JSON.stringify(man, null, 2) + '\n');
  const ms = Math.round(performance.now() - t0);
  console.log(`templates:build — ${counts.rendered} rendered, ${counts.skipped} up to date, ${manifests.size} stories, ${ms} ms`);
}

main().catch((e) => {
  console.error(`templates:build failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});

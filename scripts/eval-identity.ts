/**
 * Identity, seam and background figures for fusion (docs/fusion.md, "Identity"):
 *
 *   npx tsx scripts/eval-identity.ts [--faces <dir>] [--shape N] [--features N] [--json]
 *       every single-face photo of <dir> (default ../shared/faces, local evaluation only) that the
 *       photo checks accept (a rejected photo is never fused; they are listed) fused
 *       into every hero frame of the eight stories (defaults shape/features); for each fused frame
 *       the identity embedding (scripts/eval/face-embedding.ts) of the comic face against every photo:
 *       own-photo similarity, best other person, rank-1 rate; the seam measure and the
 *       background-unchanged check.
 *
 * People: one photo = one person, except files whose name differs only by a trailing digit
 * (Paul.jpeg / Paul2.jpeg: the same man).
 */
import fs from 'fs';
import path from 'path';
import { analyzeImage, type Analysis } from '../engine/analysis/analyze';
import { faceIssues } from '../engine/analysis/photo-checks';
import { prepareFace, fuseFrame } from '../engine/fusion/fuse';
import { faceEmbedding, cosine } from './eval/face-embedding';
import { loadStory, storyIds } from '../engine/pipeline/story-frames';
import type { RgbImage } from '../engine/core/raster';

const ROOT = path.resolve(__dirname, '..');
export const FIXTURE = (n: number) => path.join(ROOT, 'node_modules/@vladmandic/face-api/demo', `sample${n}.jpg`);

/** 468 mesh points of an analysed face as a flat (x, y, z) array in working-image pixels. */
export function meshOf(a: Analysis, i: number): Float32Array {
  const m = a.internal.faces[i].meshWorking;
  const out = new Float32Array(m.length * 3);
  m.forEach((p, k) => { out[k * 3] = p[0]; out[k * 3 + 1] = p[1]; out[k * 3 + 2] = p[2]; });
  return out;
}

const person = (file: string) => path.basename(file).replace(/\.[^.]+$/, '').replace(/\d+$/, '');
const q = (a: number[], p: number) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] : NaN; };
const r3 = (v: number) => Math.round(v * 1000) / 1000;

/** Sobel gradient magnitude (luma) at pixel i of an RGB image. */
function grad(img: Uint8Array, W: number, H: number, x: number, y: number): number {
  const L = (xx: number, yy: number) => { const j = (Math.min(H - 1, Math.max(0, yy)) * W + Math.min(W - 1, Math.max(0, xx))) * 3; return 0.299 * img[j] + 0.587 * img[j + 1] + 0.114 * img[j + 2]; };
  const gx = L(x + 1, y - 1) + 2 * L(x + 1, y) + L(x + 1, y + 1) - L(x - 1, y - 1) - 2 * L(x - 1, y) - L(x - 1, y + 1);
  const gy = L(x - 1, y + 1) + 2 * L(x, y + 1) + L(x + 1, y + 1) - L(x - 1, y - 1) - 2 * L(x, y - 1) - L(x + 1, y - 1);
  return Math.hypot(gx, gy) / 8;
}

export interface SeamFigures { seam: number; frameEdge: number; changedOutside: number }

/**
 * Seam: mean gradient magnitude of the fused frame on the mask's outer edge (feather band pixels
 * with 0 < mask ≤ 0.5, where the fused face meets the artwork) against the original frame's own
 * gradient on the same pixels. Background: pixels changed where the mask is 0 (must be 0).
 */
export function seamAndBackground(frame: RgbImage, fused: Uint8Array, slots: Array<{ box: { x0: number; y0: number; x1: number; y1: number }; mask: Float32Array }>): SeamFigures {
  const W = frame.width, H = frame.height;
  const inside = new Uint8Array(W * H);
  let gf = 0, go = 0, n = 0;
  for (const s of slots) {
    const bw = s.box.x1 - s.box.x0;
    for (let y = s.box.y0; y < s.box.y1; y++) for (let x = s.box.x0; x < s.box.x1; x++) {
      const m = s.mask[(y - s.box.y0) * bw + x - s.box.x0];
      if (m > 0) inside[y * W + x] = 1;
      if (m > 0 && m <= 0.5) { gf += grad(fused, W, H, x, y); go += grad(frame.data as Uint8Array, W, H, x, y); n++; }
    }
  }
  let changed = 0;
  for (let i = 0; i < W * H; i++) {
    if (inside[i]) continue;
    const j = i * 3;
    if (fused[j] !== frame.data[j] || fused[j + 1] !== frame.data[j + 1] || fused[j + 2] !== frame.data[j + 2]) changed++;
  }
  return { seam: n ? gf / n : 0, frameEdge: n ? go / n : 0, changedOutside: changed };
}

async function evaluate(dir: string, asJson: boolean, features?: number, shape?: number): Promise<void> {
  const t0 = performance.now();
  const rows = fs.readFileSync(path.join(dir, 'manifest.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
  const photos: Array<{ file: string; person: string; analysis: Analysis; embedding: Float32Array }> = [];
  const rejected: Array<{ file: string; issues: string[] }> = [];
  for (const r of rows) {
    let a: Analysis;
    try { a = await analyzeImage(fs.readFileSync(path.join(dir, r))); } catch { continue; }
    if (a.internal.faces.length !== 1) continue;
    // The product never fuses a photo its checks reject (profile, too small, too dark …).
    const issues = faceIssues(a.result.faces[0]);
    if (issues.length) { rejected.push({ file: r, issues }); continue; }
    photos.push({ file: r, person: person(r), analysis: a, embedding: await faceEmbedding(a.internal.image, meshOf(a, 0), 3) });
  }
  const stories = await Promise.all(storyIds().map((id) => loadStory(id)));
  const heroFrames = stories.flatMap((s) => s.frames.map((f, i) => ({ story: s.id, index: i, ...f })).filter((f) => f.slots.some((sl) => sl.role === 'hero')));
  const own: number[] = [], bestOther: number[] = [], margin: number[] = [];
  let rank1 = 0, total = 0, changedOutside = 0;
  const seamRatio: number[] = [];
  const perPhoto: Array<{ file: string; rank1: number; own: number; bestOther: number }> = [];
  const frameHits = new Map<string, { hits: number; n: number; yaw: number }>();
  const otherPhoto = new Map<string, { hits: number; n: number }>();
  // photo-to-photo baseline: each photo against the others (different people)
  const photoPairs: number[] = [];
  for (let i = 0; i < photos.length; i++) for (let j = i + 1; j < photos.length; j++) if (photos[i].person !== photos[j].person) photoPairs.push(cosine(photos[i].embedding, photos[j].embedding));
  // same person, different photo: similarity and its rank among all other photos (1 = closest)
  const samePerson: Array<{ a: string; b: string; cosine: number; rank: number }> = [];
  for (const a of photos) for (const b of photos) {
    if (a === b || a.person !== b.person || a.file > b.file) continue;
    const c = cosine(a.embedding, b.embedding);
    samePerson.push({ a: path.basename(a.file), b: path.basename(b.file), cosine: r3(c), rank: 1 + photos.filter((o) => o !== a && o !== b && cosine(a.embedding, o.embedding) > c).length });
  }
  for (const p of photos) {
    const face = prepareFace(p.analysis, 0);
    let hits = 0, n = 0, ownSum = 0, otherSum = 0;
    for (const f of heroFrames) {
      const r = fuseFrame(f.image, f.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? face : null })), { features, shape });
      const sb = seamAndBackground(f.image, r.data, r.slots);
      changedOutside += sb.changedOutside;
      if (sb.frameEdge > 0) seamRatio.push(sb.seam / sb.frameEdge);
      const hero = r.slots.find((s) => f.slots.find((x) => x.id === s.id)?.role === 'hero')!;
      const e = await faceEmbedding({ data: r.data, width: r.width, height: r.height }, hero.points, 3);
      const mine = cosine(e, p.embedding);
      let best = -2;
      for (const o of photos) if (o.person !== p.person) best = Math.max(best, cosine(e, o.embedding));
      own.push(mine); bestOther.push(best); margin.push(mine - best);
      // The stricter reading: the same person's *other* photo (not the pixels the face came from).
      for (const q of photos) if (q !== p && q.person === p.person) {
        const c = cosine(e, q.embedding);
        const k = `${path.basename(p.file)} → ${path.basename(q.file)}`;
        const x = otherPhoto.get(k) ?? { hits: 0, n: 0 };
        x.n++; if (c > best) x.hits++;
        otherPhoto.set(k, x);
      }
      if (mine > best) { rank1++; hits++; }
      const key = `${f.story}/${f.index + 1}`;
      const fh = frameHits.get(key) ?? { hits: 0, n: 0, yaw: f.slots.find((x) => x.role === 'hero')!.pose.yaw ?? 0 };
      fh.n++; if (mine > best) fh.hits++;
      frameHits.set(key, fh);
      total++; n++; ownSum += mine; otherSum += best;
    }
    perPhoto.push({ file: p.file, rank1: r3(hits / n), own: r3(ownSum / n), bestOther: r3(otherSum / n) });
  }
  const dist = (a: number[]) => ({ min: r3(q(a, 0)), p10: r3(q(a, 0.1)), median: r3(q(a, 0.5)), max: r3(q(a, 1)) });
  const out = {
    photos: photos.length,
    rejected_by_photo_checks: rejected,
    hero_frames: heroFrames.length,
    fused_frames: total,
    rank1: r3(rank1 / total),
    own: dist(own),
    best_other: dist(bestOther),
    margin: dist(margin),
    photo_vs_other_photo: dist(photoPairs),
    same_person_photos: samePerson,
    fused_vs_other_photo_of_same_person: [...otherPhoto].map(([pair, h]) => ({ pair, rank1: r3(h.hits / h.n) })),
    seam_gradient_ratio: dist(seamRatio),
    changed_pixels_outside_mask: changedOutside,
    features: features ?? 'default',
    shape: shape ?? 'default',
    per_photo: perPhoto,
    per_frame: [...frameHits].map(([frame, h]) => ({ frame, yaw: h.yaw, rank1: r3(h.hits / h.n) })),
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
  if (asJson) process.stdout.write(JSON.stringify(out) + '\n');
  else process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const dirIdx = argv.indexOf('--faces');
  const fIdx = argv.indexOf('--features');
  const sIdx = argv.indexOf('--shape');
  const run = evaluate(dirIdx >= 0 ? argv[dirIdx + 1] : path.resolve(ROOT, '..', 'shared', 'faces'), argv.includes('--json'), fIdx >= 0 ? Number(argv[fIdx + 1]) : undefined, sIdx >= 0 ? Number(argv[sIdx + 1]) : undefined);
  run.then(() => process.exit(0), (err) => { process.stderr.write(`eval-identity: ${err?.stack ?? err}\n`); process.exit(1); });
}

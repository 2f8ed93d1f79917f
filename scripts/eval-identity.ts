/**
 * Identity, sharpness, second-person, seam and background figures for fusion (docs/fusion.md,
 * "Identity" and "Sharpness"):
 *
 *   npm run eval:identity -- [--faces <dir>] [--shape N] [--features N] [--json]
 *                            [--quick] [--second] [--stories a,b] [--frames chao:1,xin:3] [--only 001,Paul]
 *
 *   Every single-face photo of <dir> (default ../shared/faces, local evaluation only) that the
 *   photo checks accept (a rejected photo is never fused; they are listed) is fused into every hero
 *   frame of the eight stories (default shape/features). For each fused frame, with BOTH
 *   recognisers (scripts/eval/face-embedding.ts: dlib, faceres): the comic face against every
 *   photo — own-photo similarity, best other person, rank-1; the drawn non-hero faces of the same
 *   frame against the user's photo (must not be closer than the user's own fused face); the
 *   sharpness ratio E(face)/E(art) (scripts/eval/sharpness.ts) and the drawn face's own ratio, the
 *   acutance ratio A(face)/A(art) (edge steepness for its height); the
 *   seam measure and the background-unchanged check.
 *
 *   Filters, for iterating (the gallery every probe is ranked against stays all accepted photos,
 *   so rank-1 figures stay comparable): --quick = the first hero frame of each story; --second =
 *   the 8 frames with a second drawn person; --stories =
 *   those stories; --frames = those frames (story:n, n from 1, as in per_frame); --only = photos
 *   whose file name contains one of the texts. Prints one summary line, then the figures as JSON
 *   (--json: one line).
 *
 * People: one photo = one person, except files whose name differs only by a trailing digit
 * (Paul.jpeg / Paul2.jpeg: the same man).
 */
import fs from 'fs';
import path from 'path';
import { analyzeImage, type Analysis } from '../engine/analysis/analyze';
import { faceIssues } from '../engine/analysis/photo-checks';
import { prepareFace, fuseFrame, DEFAULT_FEATURES, DEFAULT_SHAPE } from '../engine/fusion/fuse';
import { projectSlot } from '../engine/fusion/canonical-mesh';
import { embedders, EMBEDDER_NAMES, cosine, type EmbedderName } from './eval/face-embedding';
import { slotSharpness, sobelMagnitude } from './eval/sharpness';
import { hexRgb } from '../engine/fusion/colour';
import { skinVariant } from '../engine/fusion/drawn-skin';

import { loadStory, storyIds, type StoryFrame } from '../engine/pipeline/story-frames';
import type { Slot } from '../engine/fusion/slot';
import { boxBlur, type RgbImage } from '../engine/core/raster';

const ROOT = path.resolve(__dirname, '..');
export const FIXTURE = (n: number) => path.join(ROOT, 'node_modules/@vladmandic/face-api/demo', `sample${n}.jpg`);

/** 468 mesh points of an analysed face as a flat (x, y, z) array in working-image pixels. */
export function meshOf(a: Analysis, i: number): Float32Array {
  const m = a.internal.faces[i].meshWorking;
  const out = new Float32Array(m.length * 3);
  m.forEach((p, k) => { out[k * 3] = p[0]; out[k * 3 + 1] = p[1]; out[k * 3 + 2] = p[2]; });
  return out;
}

/** A slot's 468 points (x, y pairs) as drawn: the template's own points, else the projected pose. */
export function slotPoints(slot: Slot): Float32Array {
  return Float32Array.from((slot.points ?? projectSlot(slot.pose)).flat());
}

const person = (file: string) => path.basename(file).replace(/\.[^.]+$/, '').replace(/\d+$/, '');
const q = (a: number[], p: number) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] : NaN; };
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
const dist = (a: number[]) => ({ min: r3(q(a, 0)), p10: r3(q(a, 0.1)), median: r3(q(a, 0.5)), p90: r3(q(a, 0.9)), max: r3(q(a, 1)) });

export interface SeamFigures {
  seam: number; frameEdge: number; changedOutside: number;
  /**
   * Mean fused gradient (luma units per pixel, Sobel / 8) over the feather band's pixels (of the
   * soft mask, before the edge is crisped: 0 < m < 0.95) where the frame is drawn skin with no other art within 2 px: the
   * seam where the face meets the drawing's skin, which the blend must hide. (Against other art —
   * the outline, hair, the sky — the face's edge is crisp on purpose: face-mask.ts crispenAgainstArt.)
   */
  seamOnSkin: number;
}

/**
 * Seam: mean gradient magnitude of the fused frame on the mask's outer edge (feather band pixels
 * with 0 < mask ≤ 0.5, where the fused face meets the artwork) against the original frame's own
 * gradient on the same pixels — since the face meets the art's lines at a crisp edge, this counts
 * those edges too; `seamOnSkin` is the seam where only drawn skin is around. Background: pixels
 * changed where the mask is 0 that were not the slots' drawn skin (engine/fusion/drawn-skin.ts
 * recolours that on purpose) — must be 0.
 */
export function seamAndBackground(frame: RgbImage, fused: Uint8Array, slots: Array<{ box: { x0: number; y0: number; x1: number; y1: number }; mask: Float32Array; softMask?: Float32Array }>, skins: ReadonlyArray<readonly [number, number, number]> = []): SeamFigures {
  const W = frame.width, H = frame.height;
  const inside = new Uint8Array(W * H);
  let gf = 0, go = 0, n = 0, gs = 0, ns = 0;
  for (const s of slots) {
    const bw = s.box.x1 - s.box.x0, bh = s.box.y1 - s.box.y0;
    const gFused = sobelMagnitude({ data: fused, width: W, height: H }, s.box), gFrame = sobelMagnitude(frame, s.box);
    const soft = s.softMask ?? s.mask;
    const art = new Float32Array(bw * bh);
    for (let y = s.box.y0; y < s.box.y1; y++) for (let x = s.box.x0; x < s.box.x1; x++) {
      const j = (y * W + x) * 3;
      art[(y - s.box.y0) * bw + x - s.box.x0] = skins.some((sk) => skinVariant(frame.data[j], frame.data[j + 1], frame.data[j + 2], sk) > 0) ? 0 : 1;
    }
    const nearArt = boxBlur(art, bw, bh, 2);
    for (let y = s.box.y0; y < s.box.y1; y++) for (let x = s.box.x0; x < s.box.x1; x++) {
      const k = (y - s.box.y0) * bw + x - s.box.x0;
      const m = s.mask[k];
      if (m > 0) inside[y * W + x] = 1;
      if (m > 0 && m <= 0.5) { gf += gFused[k]; go += gFrame[k]; n++; }
      if (soft[k] > 0 && soft[k] < 0.95 && nearArt[k] === 0) { gs += gFused[k]; ns++; }
    }
  }
  let changed = 0;
  for (let i = 0; i < W * H; i++) {
    if (inside[i]) continue;
    const j = i * 3;
    if (fused[j] === frame.data[j] && fused[j + 1] === frame.data[j + 1] && fused[j + 2] === frame.data[j + 2]) continue;
    if (!skins.some((sk) => skinVariant(frame.data[j], frame.data[j + 1], frame.data[j + 2], sk) > 0)) changed++;
  }
  return { seam: n ? gf / n : 0, frameEdge: n ? go / n : 0, changedOutside: changed, seamOnSkin: ns ? gs / ns : NaN };
}

export interface EvalOptions {
  dir: string;
  shape?: number;
  features?: number;
  quick?: boolean;
  /** Only the frames with a second drawn person (a slot whose role is not hero). */
  second?: boolean;
  stories?: string[];
  /** "story:n", n from 1. */
  frames?: string[];
  /** Substrings of photo file names to fuse (the gallery stays all accepted photos). */
  only?: string[];
}

interface Photo { file: string; person: string; analysis: Analysis; emb: Record<EmbedderName, Float32Array> }
interface HeroFrame extends StoryFrame { story: string; index: number; key: string; hero: Slot }

/** One value per recogniser. */
const perRecogniser = <T>(make: () => T): Record<EmbedderName, T> => ({ dlib: make(), faceres: make() });

/** Per recogniser accumulators. */
function tally() {
  return { own: [] as number[], bestOther: [] as number[], margin: [] as number[], hits: 0, n: 0, extraCloser: 0, extraN: 0, extraSim: [] as number[], extraMargin: [] as number[] };
}

export async function evaluate(opts: EvalOptions) {
  const t0 = performance.now();
  const time = { analysis: 0, fuse: 0, embed: { dlib: 0, faceres: 0 } as Record<EmbedderName, number>, sharpness: 0, seam: 0 };
  const embed = async (img: RgbImage, pts: ArrayLike<number>, stride: number) => {
    const out = {} as Record<EmbedderName, Float32Array>;
    for (const k of EMBEDDER_NAMES) { const t = performance.now(); out[k] = await embedders[k].embed(img, pts, stride); time.embed[k] += performance.now() - t; }
    return out;
  };

  // --- the gallery: every accepted single-face photo
  let t = performance.now();
  const rows = fs.readFileSync(path.join(opts.dir, 'manifest.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
  const photos: Photo[] = [];
  const rejected: Array<{ file: string; issues: string[] }> = [];
  for (const r of rows) {
    let a: Analysis;
    try { a = await analyzeImage(fs.readFileSync(path.join(opts.dir, r))); } catch { continue; }
    if (a.internal.faces.length !== 1) continue;
    // The product never fuses a photo its checks reject (profile, too small, too dark …).
    const issues = faceIssues(a.result.faces[0]);
    if (issues.length) { rejected.push({ file: r, issues }); continue; }
    photos.push({ file: r, person: person(r), analysis: a, emb: await embed(a.internal.image, meshOf(a, 0), 3) });
  }
  time.analysis = performance.now() - t;
  if (photos.length < 2) throw new Error(`${opts.dir}: fewer than two accepted single-face photos`);

  // --- photo ↔ photo: how each recogniser reads the photos themselves
  const photoFigures = Object.fromEntries(EMBEDDER_NAMES.map((k) => {
    const different: number[] = [];
    for (let i = 0; i < photos.length; i++) for (let j = i + 1; j < photos.length; j++) if (photos[i].person !== photos[j].person) different.push(cosine(photos[i].emb[k], photos[j].emb[k]));
    // same person, different photo: similarity and its rank among all other photos (1 = closest), from each side
    const same: Array<{ a: string; b: string; cosine: number; rank: number }> = [];
    for (const a of photos) for (const b of photos) {
      if (a === b || a.person !== b.person) continue;
      const c = cosine(a.emb[k], b.emb[k]);
      same.push({ a: path.basename(a.file), b: path.basename(b.file), cosine: r3(c), rank: 1 + photos.filter((o) => o !== a && o !== b && cosine(a.emb[k], o.emb[k]) > c).length });
    }
    return [k, { different_people: dist(different), same_person: same }];
  })) as Record<EmbedderName, { different_people: ReturnType<typeof dist>; same_person: Array<{ a: string; b: string; cosine: number; rank: number }> }>;

  // --- probes and frames
  const probes = opts.only?.length ? photos.filter((p) => opts.only!.some((s) => path.basename(p.file).includes(s))) : photos;
  if (!probes.length) throw new Error(`--only ${opts.only!.join(',')} matches no accepted photo`);
  const ids = opts.stories?.length ? opts.stories : storyIds();
  let frames: HeroFrame[] = [];
  for (const id of ids) {
    const story = await loadStory(id);
    const hf = story.frames
      .map((f, i) => ({ ...f, story: id, index: i, key: `${id}/${i + 1}`, hero: f.slots.find((s) => s.role === 'hero')! }))
      .filter((f) => f.hero);
    frames.push(...(opts.quick ? hf.slice(0, 1) : hf));
  }
  if (opts.second) frames = frames.filter((f) => f.slots.some((s) => s.role !== 'hero'));
  if (opts.frames?.length) {
    const want = new Set(opts.frames.map((s) => s.replace(':', '/')));
    frames = frames.filter((f) => want.has(f.key));
  }
  if (!frames.length) throw new Error('no hero frame matches the filters');

  // --- fuse and measure
  const rec = perRecogniser(tally);
  const sharp: number[] = [], sharpDrawn: number[] = [], acutance: number[] = [], seamRatio: number[] = [], seamOnSkin: number[] = [];
  let changedOutside = 0, total = 0;
  const perPhoto = new Map<string, { n: number; sharp: number[] } & Record<EmbedderName, { hits: number; own: number; other: number; nearest: Map<string, number> }>>();
  const perFrame = new Map<string, { yaw: number; n: number; sharp: number[]; drawn: number[]; seamOnSkin: number[] } & Record<EmbedderName, { hits: number; own: number[]; extraCloser: number; extraN: number }>>();
  const otherPhoto = new Map<string, Record<EmbedderName, { hits: number; n: number }>>();
  const extraDetails = new Map<string, Record<EmbedderName, { closer: number; n: number; sims: number[] }>>();
  for (const p of probes) {
    const face = prepareFace(p.analysis, 0);
    for (const f of frames) {
      t = performance.now();
      const r = fuseFrame(f.image, f.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? face : null })), { features: opts.features, shape: opts.shape, keepSoftMask: true });
      time.fuse += performance.now() - t;
      const fused: RgbImage = { data: r.data, width: r.width, height: r.height };
      const hero = r.slots.find((s) => s.id === f.hero.id)!;
      t = performance.now();
      const sb = seamAndBackground(f.image, r.data, r.slots, f.slots.map((sl) => hexRgb(sl.style.skinTone)));
      time.seam += performance.now() - t;
      changedOutside += sb.changedOutside;
      if (sb.frameEdge > 0) seamRatio.push(sb.seam / sb.frameEdge);
      if (!Number.isNaN(sb.seamOnSkin)) seamOnSkin.push(sb.seamOnSkin);
      t = performance.now();
      const sh = slotSharpness(f.image, fused, hero);
      time.sharpness += performance.now() - t;
      sharp.push(sh.ratio);
      acutance.push(sh.acutanceRatio);
      const e = await embed(fused, hero.points, 3);
      // The drawn people next to the user (roles other than hero), aligned by their own slot points.
      const extras = f.slots.filter((s) => s.role !== 'hero');
      const extraEmb = [];
      for (const s of extras) extraEmb.push({ slot: s, emb: await embed(fused, slotPoints(s), 2) });

      const pp = perPhoto.get(p.file) ?? { n: 0, sharp: [], ...perRecogniser(() => ({ hits: 0, own: 0, other: 0, nearest: new Map<string, number>() })) };
      const pf = perFrame.get(f.key) ?? { yaw: f.hero.pose.yaw ?? 0, n: 0, sharp: [], drawn: [], seamOnSkin: [], ...perRecogniser(() => ({ hits: 0, own: [] as number[], extraCloser: 0, extraN: 0 })) };
      sharpDrawn.push(sh.drawnRatio);
      pp.n++; pp.sharp.push(sh.ratio); pf.n++; pf.sharp.push(sh.ratio); pf.drawn.push(sh.drawnRatio);
      if (!Number.isNaN(sb.seamOnSkin)) pf.seamOnSkin.push(sb.seamOnSkin);
      for (const k of EMBEDDER_NAMES) {
        const R = rec[k];
        const mine = cosine(e[k], p.emb[k]);
        let best = -2, bestFile = '';
        for (const o of photos) if (o.person !== p.person) { const c = cosine(e[k], o.emb[k]); if (c > best) { best = c; bestFile = o.file; } }
        pp[k].nearest.set(bestFile, (pp[k].nearest.get(bestFile) ?? 0) + 1);
        R.own.push(mine); R.bestOther.push(best); R.margin.push(mine - best); R.n++;
        const hit = mine > best;
        if (hit) { R.hits++; pp[k].hits++; pf[k].hits++; }
        pp[k].own += mine; pp[k].other += best; pf[k].own.push(mine);
        // The stricter reading: the same person's *other* photo (not the pixels the face came from).
        for (const o of photos) if (o !== p && o.person === p.person) {
          const key = `${path.basename(p.file)} → ${path.basename(o.file)}`;
          const x = otherPhoto.get(key) ?? perRecogniser(() => ({ hits: 0, n: 0 }));
          x[k].n++; if (cosine(e[k], o.emb[k]) > best) x[k].hits++;
          otherPhoto.set(key, x);
        }
        for (const { slot, emb } of extraEmb) {
          const sim = cosine(emb[k], p.emb[k]);
          const closer = sim >= mine;
          R.extraN++; R.extraSim.push(sim); R.extraMargin.push(mine - sim);
          if (closer) { R.extraCloser++; pf[k].extraCloser++; }
          pf[k].extraN++;
          const dk = `${f.key} ${slot.id}`;
          const d = extraDetails.get(dk) ?? perRecogniser(() => ({ closer: 0, n: 0, sims: [] as number[] }));
          d[k].n++; d[k].sims.push(sim); if (closer) d[k].closer++;
          extraDetails.set(dk, d);
        }
      }
      perPhoto.set(p.file, pp);
      perFrame.set(f.key, pf);
      total++;
    }
  }

  const recognisers = Object.fromEntries(EMBEDDER_NAMES.map((k) => {
    const R = rec[k];
    return [k, {
      rank1: r3(R.hits / R.n),
      own: dist(R.own),
      best_other: dist(R.bestOther),
      margin: dist(R.margin),
      second_person: { frames_with_one: R.extraN, closer_than_hero: R.extraCloser, similarity_to_user: dist(R.extraSim), hero_minus_second: dist(R.extraMargin) },
      photos: photoFigures[k],
    }];
  })) as Record<EmbedderName, unknown>;
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  const sharpness = { ratio: dist(sharp), drawn_ratio: dist(sharpDrawn), share_at_least_0_8: r3(sharp.filter((v) => v >= 0.8).length / sharp.length), acutance_ratio: dist(acutance), acutance_share_at_least_0_8: r3(acutance.filter((v) => v >= 0.8).length / acutance.length) };
  const out = {
    photos: photos.length,
    probes: probes.length,
    rejected_by_photo_checks: rejected,
    hero_frames: frames.length,
    fused_frames: total,
    shape: opts.shape ?? DEFAULT_SHAPE,
    features: opts.features ?? DEFAULT_FEATURES,
    recognisers,
    sharpness,
    seam_gradient_ratio: dist(seamRatio),
    seam_gradient_on_drawn_skin: dist(seamOnSkin),
    changed_pixels_outside_mask: changedOutside,
    fused_vs_other_photo_of_same_person: [...otherPhoto].map(([pair, h]) => ({ pair, ...Object.fromEntries(EMBEDDER_NAMES.map((k) => [k, r3(h[k].hits / h[k].n)])) })),
    second_person_per_slot: [...extraDetails].map(([slot, d]) => ({ slot, ...Object.fromEntries(EMBEDDER_NAMES.map((k) => [k, { closer: d[k].closer, of: d[k].n, median_similarity: r3(q(d[k].sims, 0.5)) }])) })),
    per_photo: [...perPhoto].map(([file, v]) => ({ file, ...Object.fromEntries(EMBEDDER_NAMES.map((k) => [k, { rank1: r3(v[k].hits / v.n), own: r3(v[k].own / v.n), best_other: r3(v[k].other / v.n), nearest_other: path.basename([...v[k].nearest].sort((a, b) => b[1] - a[1])[0][0]) }])), sharpness: r3(q(v.sharp, 0.5)) })),
    per_frame: [...perFrame].map(([frame, v]) => ({
      frame, yaw: v.yaw,
      ...Object.fromEntries(EMBEDDER_NAMES.map((k) => [k, ({ rank1: r3(v[k].hits / v.n), own: r3(q(v[k].own, 0.5)), ...(v[k].extraN ? { second_closer: `${v[k].extraCloser}/${v[k].extraN}` } : {}) })])),
      sharpness: r3(q(v.sharp, 0.5)), drawn_sharpness: r3(q(v.drawn, 0.5)), seam_on_drawn_skin: r3(q(v.seamOnSkin, 0.5)),
    })),
    seconds,
    timings_s: {
      analysis_and_photo_embeddings: r3(time.analysis / 1000), fuse: r3(time.fuse / 1000),
      embed_dlib: r3(time.embed.dlib / 1000), embed_faceres: r3(time.embed.faceres / 1000),
      sharpness: r3(time.sharpness / 1000), seam: r3(time.seam / 1000),
    },
  };
  const summary = [
    `eval:identity ${probes.length}${probes.length < photos.length ? `/${photos.length}` : ''} photos × ${frames.length} hero frames = ${total} fused (shape ${out.shape}, features ${out.features})`,
    ...EMBEDDER_NAMES.map((k) => `${k} rank-1 ${pct(rec[k].hits / rec[k].n)} (margin p10 ${r3(q(rec[k].margin, 0.1))} med ${r3(q(rec[k].margin, 0.5))})`),
    `sharpness face/art med ${sharpness.ratio.median} p10 ${sharpness.ratio.p10} (drawn ${sharpness.drawn_ratio.median}; ≥0.8 in ${pct(sharpness.share_at_least_0_8)})`,
    `acutance face/art med ${sharpness.acutance_ratio.median} p10 ${sharpness.acutance_ratio.p10} (≥0.8 in ${pct(sharpness.acutance_share_at_least_0_8)})`,
    `2nd person closer: ${EMBEDDER_NAMES.map((k) => `${k} ${rec[k].extraCloser}/${rec[k].extraN}`).join(', ')}`,
    `seam ${out.seam_gradient_ratio.median} (on drawn skin ${out.seam_gradient_on_drawn_skin.median})`,
    `bg changed ${changedOutside}`,
    `${seconds} s`,
  ].join(' | ');
  return { summary, figures: out };
}

function parseArgs(argv: string[]): EvalOptions & { json: boolean } {
  const val = (name: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const num = (name: string) => (val(name) !== undefined ? Number(val(name)) : undefined);
  const list = (name: string) => val(name)?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    dir: val('faces') ?? path.resolve(ROOT, '..', 'shared', 'faces'),
    shape: num('shape'),
    features: num('features'),
    quick: argv.includes('--quick'),
    second: argv.includes('--second'),
    stories: list('stories'),
    frames: list('frames'),
    only: list('only'),
    json: argv.includes('--json'),
  };
}

if (require.main === module) {
  const args = parseArgs(process.argv.slice(2));
  evaluate(args).then(({ summary, figures }) => {
    process.stdout.write(`${summary}\n${args.json ? JSON.stringify(figures) : JSON.stringify(figures, null, 1)}\n`);
    process.exit(0);
  }, (err) => { process.stderr.write(`eval-identity: ${err?.stack ?? err}\n`); process.exit(1); });
}

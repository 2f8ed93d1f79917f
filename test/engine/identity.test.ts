/**
 * Identity with two unrelated recognisers (scripts/eval/face-embedding.ts: dlib's ResNet descriptor
 * and Human's faceres MobileNet) on the npm fixture faces only: every face of
 * @vladmandic/face-api/demo/sample1–6.jpg that the photo checks accept is one person of the gallery
 * (18 people; 19 before sample2's middle face, looking down 28°, was refused); sample3's three adults are the users fused into the frames. sample1's rightmost face
 * (faces come left to right) is left out: it is almost certainly sample3's largest face again (the same young woman; both recognisers rank
 * that pair first of all pairs: faceres 0.67, where strangers stay ≤ 0.61), so it is neither
 * "another person" nor a clean second photo.
 *
 * 1. The measures themselves: a degraded copy of each sample3 photo (60 % size, gamma, JPEG q60,
 *    re-analysed so the alignment points move too) is closer to its own face than to any other
 *    gallery face, with a margin, for both recognisers.
 * 2. Identity in the strong sense (issue #4, #11): every fused hero frame (all 32, default degrees)
 *    is ranked against the whole gallery — its own user must come first in most frames, for each
 *    recogniser (bounds below: measured on the current rendering, then loosened just enough for
 *    noise; a real loss of likeness breaks them).
 * 3. A second drawn person in the same frame (the extras: 8 frames) must not look more like the
 *    user than the user's own fused face does.
 * 4. `features` moves the likeness: at 100 the fused face is closer to the user than at 0 (the
 *    drawn face), for every person and both recognisers.
 * Plus identity by geometry, as a viewer sees it: re-detecting the fused hero with our own
 * analysis finds a face at the slot, and its 68-point shape is closer to the user's than the
 * drawn face's was (shape 100).
 *
 * Every fused frame is fused and embedded once (beforeAll); the tests read the results.
 */
import fs from 'fs';
import sharp from 'sharp';
import { analyzeImage, type Analysis } from '../../engine/analysis/analyze';
import { faceIssues } from '../../engine/analysis/photo-checks';
import { prepareFace, fuseFrame, type PreparedFace } from '../../engine/fusion/fuse';
import { embedAll, cosine, EMBEDDER_NAMES, type EmbedderName } from '../../scripts/eval/face-embedding';
import { loadStory, storyIds } from '../../engine/pipeline/story-frames';
import type { StoryFrame } from '../../engine/pipeline/story-frames';
import { meshOf, slotPoints, FIXTURE } from '../../scripts/eval-identity';

jest.setTimeout(90_000);

type Emb = Record<EmbedderName, Float32Array>;
interface GalleryFace { label: string; sample: number; index: number; emb: Emb }

let photo: Analysis;
let faces: PreparedFace[];
/** Index into `gallery` of sample3's faces, in sample3's face order. */
let users: number[];
const gallery: GalleryFace[] = [];
const analyses = new Map<number, Analysis>();
let frames: StoryFrame[];
/** Per user, per hero frame: the fused hero's embeddings and, where the frame has them, the extras'. */
let fused: Array<Array<{ frame: number; yaw: number; hero: Emb; extras: Array<{ id: string; emb: Emb }> }>>;

beforeAll(async () => {
  for (let n = 1; n <= 6; n++) {
    const a = await analyzeImage(fs.readFileSync(FIXTURE(n)));
    analyses.set(n, a);
    for (let i = 0; i < a.internal.faces.length; i++) {
      if (faceIssues(a.result.faces[i]).length) continue; // a photo the product would refuse
      if (n === 1 && i === a.internal.faces.length - 1) continue; // sample1's rightmost face: sample3's largest again (see the header)
      gallery.push({ label: `sample${n}#${i}`, sample: n, index: i, emb: await embedAll(a.internal.image, meshOf(a, i), 3) });
    }
  }
  photo = analyses.get(3)!;
  faces = photo.internal.faces.map((_, i) => prepareFace(photo, i));
  users = faces.map((_, i) => gallery.findIndex((g) => g.sample === 3 && g.index === i));
  const stories = await Promise.all(storyIds().map((id) => loadStory(id)));
  frames = stories.flatMap((st) => st.frames.filter((f) => f.slots.some((x) => x.role === 'hero')));
  fused = [];
  for (const face of faces) {
    const rows = [];
    for (const [k, f] of frames.entries()) {
      const r = fuseFrame(f.image, f.slots.map((sl) => ({ slot: sl, face: sl.role === 'hero' ? face : null })));
      const heroSlot = f.slots.find((x) => x.role === 'hero')!;
      const img = { data: r.data, width: r.width, height: r.height };
      const hero = await embedAll(img, r.slots.find((s) => s.id === heroSlot.id)!.points, 3);
      const extras = [];
      for (const s of f.slots.filter((x) => x.role !== 'hero')) extras.push({ id: s.id, emb: await embedAll(img, slotPoints(s), 2) });
      rows.push({ frame: k, yaw: heroSlot.pose.yaw ?? 0, hero, extras });
    }
    fused.push(rows);
  }
});

/** Own-user similarity and the best other gallery person's, for one embedding of user u. */
function rank(e: Emb, u: number, k: EmbedderName): { own: number; other: number } {
  const own = cosine(e[k], gallery[users[u]].emb[k]);
  let other = -2;
  gallery.forEach((g, j) => { if (j !== users[u]) other = Math.max(other, cosine(e[k], g.emb[k])); });
  return { own, other };
}

/** Index of the face in `b` nearest (by box centre) to face i of `a`, scaled by `s`. */
function matchFace(a: Analysis, i: number, b: Analysis, s: number): number {
  const c = (x: Analysis, k: number) => { const [bx, by, bw, bh] = x.result.faces[k].box; return [bx + bw / 2, by + bh / 2]; };
  const [ax, ay] = c(a, i);
  let best = -1, bd = Infinity;
  b.result.faces.forEach((_, k) => { const [x, y] = c(b, k); const d = Math.hypot(x / s - ax, y / s - ay); if (d < bd) { bd = d; best = k; } });
  return best;
}

test('the fixture gallery: 18 people, and faceres keeps strangers apart', () => {
  expect(gallery.length).toBe(18);
  expect(users.every((u) => u >= 0)).toBe(true);
  // Different people: faceres measured ≤ 0.61 (and 0.18–0.59 on ../shared/faces, where one
  // person's two photos give 0.70). dlib's strangers overlap its same-person values (0.76–0.94),
  // so only its ranking is tested.
  for (let i = 0; i < gallery.length; i++)
    for (let j = i + 1; j < gallery.length; j++) expect(cosine(gallery[i].emb.faceres, gallery[j].emb.faceres)).toBeLessThan(0.65);
});

test('a degraded copy of each sample3 face is closest to its own face among the gallery, for both recognisers', async () => {
  const meta = await sharp(FIXTURE(3)).metadata();
  const s = 0.6;
  const copy = await analyzeImage(await sharp(FIXTURE(3)).resize(Math.round(meta.width! * s)).gamma(1.3).jpeg({ quality: 60 }).toBuffer());
  for (let i = 0; i < 3; i++) {
    const k = matchFace(photo, i, copy, s);
    const e = await embedAll(copy.internal.image, meshOf(copy, k), 3);
    // Measured: dlib own ≥ 0.998, margin 0.073–0.094; faceres own ≥ 0.992, margin 0.43–0.47.
    const dlib = rank(e, i, 'dlib');
    expect(dlib.own).toBeGreaterThan(0.95);
    expect(dlib.own - dlib.other).toBeGreaterThan(0.05);
    const faceres = rank(e, i, 'faceres');
    expect(faceres.own).toBeGreaterThan(0.9);
    expect(faceres.own - faceres.other).toBeGreaterThan(0.3);
  }
});

/**
 * Misses (a fused frame not closest to its own user among the 18) allowed per recogniser, in all
 * 96 frames and per person (of 32). Measured on the comic rendering of issue #11 (shape 100,
 * features 90): dlib 2 (0, 0, 2: face 2 on a −20° and a +15° slot), faceres 0 — since the face is
 * drawn with four fifths of a slot's turn (warp.ts TURN_SHARE; on ../shared/faces dlib 98.0 →
 * 99.8 %; turned from the photo's own yaw instead it gave dlib 6, all face 2); the bounds one frame
 * over that. Before that dlib 4 (1, 0, 3 per person), faceres 0 after the tenth round (2 before it:
 * 0, 0, 2: face 2 on a −15° and a −18°
 * slot; the faceres per-person bound 1 → 2, its total unchanged) — since only teeth, not lips, are
 * drawn white inside the mouth opening (stylise.ts teethWeight: a dark-skinned user's closed lips
 * were a white strip; on ../shared/faces dlib 98.2 → 97.9 %, faceres 99.9 % unchanged; by eye
 * face 2's teeth are unchanged but for a softer edge at the gums). Before that dlib 4 (1, 0, 3),
 * faceres 1 (0, 0, 1: face 2 on a −15° slot) — since
 * the brows are kept off the screen (stylise.ts SOLID_SHAPES; the bound stays at 5 / 4, one frame
 * of margin). Before that dlib 6 (1, 0, 5 per person), faceres 0 — since the shadows are an AM dot screen
 * (stylise.ts screenTone: pitch 4, dots at −0.8; face 2 now misses +18° and +12° slots and no
 * longer the +22° one; on
 * ../shared/faces, the tuning set, dlib rose 97.5 → 97.8 % and turned slots 95.2 → 95.5 %; pitch
 * 5 with dots at −0.65 kept 5 here but cost ../shared 0.5 points). Before that dlib 5 (1, 0, 4),
 * faceres 0 — since the skin's band shapes come from a
 * lightly blurred tone (stylise.ts BAND_SHAPE_BLUR: face 2 on a −15° slot; ../shared/faces lost one
 * frame per recogniser, 97.5 / 99.9 %). Before that dlib 4 (1, 0, 3) — since the shadows are a dot
 * screen (stylise.ts HALFTONE_*; pitch 5 with 3 steps' depth also gave 4). Before that dlib 5 (1, 0, 4),
 * unchanged by the crisp face edge and the
 * jaw line (face-mask.ts crispenAgainstArt about the ramp's middle; a little outside it, 0.35, gave
 * 6: face 2 on a 22° slot) — since the lines along the eyes, the
 * mouth's line and the nose's base are thickened on slots within 12° (stylise.ts LINE_GROW; both
 * new misses are on +12° frames; on ../shared/faces dlib and faceres rank-1 unchanged, 97.8 /
 * 100 %; within 10° only it kept 3 but lost the thickening in five stories' first, largest
 * frames; around the lips' outer edge instead of the mouth's line it gave 4 — 0, 0, 4 — but grew a
 * moustache's dots into blobs). Before that dlib 3 (0, 0, 3) — since the features are inked from fainter
 * edges (stylise.ts FEATURE_INK_THRESHOLD; flattening the far cheek of these 13–14° faces too gave
 * 5: 1, 0, 4, hence FAR_FLAT_FROM 15°). Before that dlib 1 (0, 0, 1) — since a turned photo is shown mirrored on
 * slots turned the other way (fuse.ts cropFor; sample3's faces are turned −14°, −14° and +13°,
 * the 32 hero slots −20…+22°). Before that dlib 11 (9, 2, 0), faceres 0 — skin detail from the unsmoothed L
 * (a frontalised crop with a mirrored far side, not kept, gave dlib 22: 8, 14, 0); before
 * that dlib 15 (9, 6, 0), faceres 1 (1, 0, 0); the photo-patch rendering of
 * issue #4 gave dlib 21 (9, 0, 12) and faceres 1, and at features 60 dlib 39 and faceres 18.
 */
const MAX_MISSES: Record<EmbedderName, { total: number; perPerson: number }> = {
  dlib: { total: 3, perPerson: 3 },
  faceres: { total: 1, perPerson: 1 },
};

test.each(EMBEDDER_NAMES)('every fused hero frame is closer to its own user than to the 17 other people (%s, rank-1)', (k) => {
  expect(frames.length).toBe(32);
  const misses: string[] = [];
  fused.forEach((rows, u) => {
    for (const r of rows) {
      const { own, other } = rank(r.hero, u, k);
      if (own <= other) misses.push(`face ${u}, frame ${r.frame}, yaw ${r.yaw}`);
    }
    expect(misses.filter((m) => m.startsWith(`face ${u},`)).length).toBeLessThanOrEqual(MAX_MISSES[k].perPerson);
  });
  expect(misses.length).toBeLessThanOrEqual(MAX_MISSES[k].total);
});

test.each(EMBEDDER_NAMES)('a second drawn person in the frame is never closer to the user than the fused hero (%s)', (k) => {
  let compared = 0;
  const closer: string[] = [];
  fused.forEach((rows, u) => {
    for (const r of rows)
      for (const x of r.extras) {
        compared++;
        const user = gallery[users[u]].emb[k];
        if (cosine(x.emb[k], user) >= cosine(r.hero[k], user)) closer.push(`face ${u}, frame ${r.frame}, ${x.id}`);
      }
  });
  expect(compared).toBe(3 * 8); // 8 frames with an extra, three users
  // Measured: hero minus extra ≥ 0.035 (dlib), ≥ 0.16 (faceres).
  expect(closer).toEqual([]);
});

test('features 100 keeps more of the user than features 0 (the drawn face), for both recognisers', async () => {
  const f = frames[0];
  const heroEmb = async (face: PreparedFace, features: number) => {
    const r = fuseFrame(f.image, f.slots.map((sl) => ({ slot: sl, face: sl.role === 'hero' ? face : null })), { features });
    const hero = r.slots.find((s) => f.slots.find((x) => x.id === s.id)?.role === 'hero')!;
    return embedAll({ data: r.data, width: r.width, height: r.height }, hero.points, 3);
  };
  for (let i = 0; i < faces.length; i++) {
    const at0 = await heroEmb(faces[i], 0);
    const at100 = await heroEmb(faces[i], 100);
    // Measured gains: dlib 0.07–0.09, faceres 0.28–0.33.
    const user = (k: EmbedderName) => gallery[users[i]].emb[k];
    expect(cosine(at100.dlib, user('dlib'))).toBeGreaterThan(cosine(at0.dlib, user('dlib')) + 0.03);
    expect(cosine(at100.faceres, user('faceres'))).toBeGreaterThan(cosine(at0.faceres, user('faceres')) + 0.1);
  }
});

/** Procrustes distance between two 2D point sets (translation, scale and rotation removed). */
function shapeDistance(a: number[][], b: number[][]): number {
  const norm = (p: number[][]) => {
    const cx = p.reduce((s, q) => s + q[0], 0) / p.length;
    const cy = p.reduce((s, q) => s + q[1], 0) / p.length;
    const c = p.map(([x, y]) => [x - cx, y - cy]);
    const r = Math.sqrt(c.reduce((s, [x, y]) => s + x * x + y * y, 0));
    return c.map(([x, y]) => [x / r, y / r]);
  };
  const A = norm(a);
  const B = norm(b);
  let sxy = 0;
  let cross = 0;
  for (let i = 0; i < A.length; i++) {
    sxy += A[i][0] * B[i][0] + A[i][1] * B[i][1];
    cross += A[i][0] * B[i][1] - A[i][1] * B[i][0];
  }
  const t = Math.atan2(cross, sxy);
  const [c, s2] = [Math.cos(t), Math.sin(t)];
  return Math.sqrt(A.reduce((sum, [x, y], i) => sum + (c * x - s2 * y - B[i][0]) ** 2 + (s2 * x + c * y - B[i][1]) ** 2, 0));
}

async function heroLandmarks(img: { data: Uint8Array | Uint8ClampedArray; width: number; height: number }, slot: { pose: { center: [number, number]; width: number } }) {
  const png = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
  const [cx, cy] = slot.pose.center;
  return (await analyzeImage(png)).result.faces.find(
    ({ box: [x, y, w, h] }) => Math.abs(x + w / 2 - cx) < slot.pose.width * 0.3 && Math.abs(y + h / 2 - cy) < slot.pose.width * 0.4,
  );
}

test('at shape 100 the fused hero is found at its slot and its face shape has moved from the drawing to the user', async () => {
  const stories = await Promise.all(storyIds().slice(0, 4).map((id) => loadStory(id)));
  const shapeFrames = stories.flatMap((st) => st.frames.filter((f) => f.slots.some((x) => x.role === 'hero')));
  for (let i = 0; i < faces.length; i++) {
    const user = photo.result.faces[i].landmarks68;
    let fusedToUser = 0;
    let drawnToUser = 0;
    let compared = 0;
    for (const f of shapeFrames) {
      const slot = f.slots.find((x) => x.role === 'hero')!;
      const r = fuseFrame(f.image, f.slots.map((sl) => ({ slot: sl, face: sl.role === 'hero' ? faces[i] : null })), { shape: 100 });
      const found = await heroLandmarks(r, slot);
      expect(found).toBeDefined(); // the fused hero is still a face
      expect(found!.quality.presence).toBeGreaterThan(0.8);
      const drawn = await heroLandmarks(f.image, slot);
      if (!drawn) continue; // some drawn faces are too stylised to be detected at all
      fusedToUser += shapeDistance(found!.landmarks68, user);
      drawnToUser += shapeDistance(drawn.landmarks68, user);
      compared++;
    }
    expect(compared).toBeGreaterThan(2);
    expect(fusedToUser / compared).toBeLessThan(drawnToUser / compared);
  }
});

/**
 * Comic style, per slot: edge-preserving smoothing (skin becomes flat, edges of eyes, brows, lips
 * and nose stay), soft tone bands (cel shading), and ink lines drawn along the mesh contours so the
 * likeness — the shapes of the user's eyes, brows, mouth and jaw — survives the flattening.
 */
import { NOSE_BOTTOM, INK_STROKES, INK_FILLS, NON_SKIN_REGIONS, FACE_OVAL, RIGHT_EYE_UPPER, RIGHT_EYE_LOWER, LEFT_EYE_UPPER, LEFT_EYE_LOWER, LIPS_INNER_UPPER, LIPS_INNER_LOWER, LIPS_OUTER_UPPER, LIPS_OUTER_LOWER } from './canonical-mesh';
import { boxBlur, fillPolygon, scratch, releaseScratch, newPlanes, type Planes, type Rect } from '../core/raster';
import { farSideWeights, paintVertices } from './face-occlusion';
import { yawOfPacked } from '../analysis/face-pose';

/**
 * Guided filter (He et al. 2010), self-guided on L: q = a·L + b with a = σ²/(σ² + ε), box filters
 * only (O(1) per pixel). Flat skin (σ² ≪ ε) is averaged; edges (σ² ≫ ε) are kept. Chroma gets a
 * plain box blur of the same radius: colour noise carries no identity.
 * Done once per user face and smoothing level on the aligned crop (not per frame).
 */
export function smoothFace(src: Planes, smoothing: number, faceWidth: number): Planes {
  const w = src.width, h = src.height;
  const out = newPlanes(w, h);
  if (smoothing <= 0) { out.c0.set(src.c0); out.c1.set(src.c1); out.c2.set(src.c2); return out; }
  const r = Math.max(1, Math.round((faceWidth / 64) * (0.5 + smoothing)));
  const eps = (4 + 14 * smoothing) ** 2; // L units²: ≈ skin texture variance at full smoothing
  guidedL(src.c0, w, h, r, eps, out.c0);
  const rc = Math.max(1, Math.round(r * smoothing));
  const tmp = scratch('cs-tmp', w * h, false);
  boxBlur(src.c1, w, h, rc, out.c1, tmp);
  boxBlur(src.c2, w, h, rc, out.c2, tmp);
  return out;
}

/**
 * The comic source of one face (once per face and smoothing level, in crop space). The face is
 * split into what the frame restyles and what makes it this person:
 *  - **base** (planes.c0): skin-weighted low-pass of the smoothed L, features excluded — skin tone
 *    and broad shading. Per frame it gets the palette transfer and the frame's lighting.
 *  - **chroma** (planes.c1/c2): one flat skin colour (a little of its variation kept); the
 *    features (eyes, the brows' hair, lips) keep their own colour.
 *  - **detail**: relative tone `(L − base) / base` — of a lightly smoothed L in the eyes, brows and
 *    lips, of an edge-preserving flattening elsewhere (nose, folds, cheekbones without pores). Per
 *    frame base × (1 + detail) is cut into flat, opaque tone bands at the frame's own resolution
 *    (drawComicFace): the face is drawn — crisp, with white eyes — and keeps its tones relative to
 *    the person's own skin on light and dark skin alike.
 *  - **ink**: the user's own edges, an XDoG-style difference of Gaussians of the same L, relative
 *    to the local mean (negative on the dark side of an edge: lash lines, the lid crease, the lip
 *    line, nostrils, glasses). Thresholded per frame into opaque ink lines, so the lines come from
 *    the person's face, not from a template; fainter edges count inside the features (eyes, brows,
 *    lips) than on the skin, so those read inked and wrinkles and stubble do not.
 *  - **eyes**: where each iris sits (for the catchlight a comic eye has).
 * Hair across the face, a hand or a hard shadow outside the features (occluders: areas far darker
 * than the skin) is repainted as skin in all of these, not drawn as a dark blotch.
 */
export interface EyeModel {
  /** Iris centre in the eye's own frame: outer corner + α·(inner − outer) + β·(upper lid middle − outer). */
  alpha: number;
  beta: number;
  /** Iris radius over the eye's width (corner to corner). */
  radius: number;
  /** 0 (closed, or no dark iris found) … 1. */
  confidence: number;
}
export interface ComicSource { planes: Planes; detail: Float32Array; ink: Float32Array; eyes: EyeModel[] }
/** Broad shading darker than the skin mean is soft-limited to this many L units (hair over the face, a deep shadow). */
export const BASE_SHADOW_LIMIT = 8;
/** Skin chroma variation kept (blush, razor shadow, coloured light): comic skin is one colour. */
export const SKIN_CHROMA_KEEP = 0.3;
/** Deepest relative darkness of skin detail outside the features (soft limit): the second shadow band. */
export const SKIN_DARK_LIMIT = 0.24;
/** The same below the mouth, where a beard is the person's own (and a dark one is darker than a shadow). */
export const BEARD_DARK_LIMIT = 0.5;
/**
 * Guided-filter ε (relative tone) for the skin detail: variation below it (texture) is flattened,
 * above it (the nose's side, a fold) kept.
 */
export const SKIN_BAND_EPS = 0.03;
/**
 * How much redder (Lab a*) than the skin an eye pixel must be to be a flash's red eye (the pink of
 * an eye's inner corner measured ≤ 16 over the skin on ../shared/faces; red eyes 22–26).
 */
export const RED_EYE_A = 17;
/**
 * Share of the iris radius (0.2 of the eye's width) within which nothing is lighter than half the
 * skin's tone. At 0.75 a flash's highlight near the iris's rim survived as a second white spot
 * beside the drawn catchlight (058); 0.9 takes it (../shared/faces: dlib 97.8 %, faceres 100 %,
 * unchanged); 1.0 reached the eye white beside a small iris (dlib 97.5 %).
 */
export const IRIS_CAP = 0.9;
/** Feature chroma gain: drawn lips and irises are a little more saturated than a photo's. */
export const FEATURE_CHROMA_GAIN = 1.15;
/**
 * Inside the brows' polygon only the hair is a feature (own colour, own highlights): a pixel counts
 * as brow hair from this much darker than the skin's mean (relative L), fully from the second.
 * FaceMesh's brow polygon is a band of fixed height; under a thin brow it holds the lit brow bone,
 * which as a feature kept its colour (× FEATURE_CHROMA_GAIN) and its full highlight and was drawn
 * as an orange streak along the brow (025, 001). ../shared/faces (docs/fusion.md "Tenth round"):
 * dlib 98.2 → 97.9 % (052, two frames on 18° and 22° slots, the same by eye), faceres unchanged.
 */
export const BROW_HAIR_FROM = 0.03;
export const BROW_HAIR_FULL = 0.12;
/**
 * The brow hair's darkness (its relative tone under the skin's) is drawn this many times as deep: a
 * comic draws brows as solid dark shapes, while a photo's brows are a few hairs over skin, so at
 * their own tone dark brows read lighter than the dotted eye sockets under them (Luciano, 016, 066).
 * Light brows stay light (the gain is on the darkness the photo shows). Measured on
 * ../shared/faces (docs/fusion.md "Eleventh round"): dlib 99.8 → 99.5 % (Paul2 and 066, one frame
 * each), faceres 99.8 % and no second person closer; × 1.5 cost one frame with less visible effect.
 * Tried in the tenth round, when dlib had no margin on turned slots (97.9 → 96.4 %), not kept then.
 */
export const BROW_SHADOW_GAIN = 1.8;
/** Eye polygons (outer corner, inner corner, upper lid middle, lower lid middle) per eye: image left, image right. */
export const EYES = [
  { outer: 33, inner: 133, upper: 159, lower: 145, contour: [...RIGHT_EYE_UPPER, ...[...RIGHT_EYE_LOWER].reverse()] },
  { outer: 263, inner: 362, upper: 386, lower: 374, contour: [...LEFT_EYE_UPPER, ...[...LEFT_EYE_LOWER].reverse()] },
] as const;

/** The mouth opening (between the inner lip edges): teeth and the dark inside. */
const MOUTH_OPENING = [...LIPS_INNER_UPPER, ...[...LIPS_INNER_LOWER].reverse()];
/** The lips with the opening. */
const LIPS_OUTLINE = [...LIPS_OUTER_UPPER, ...[...LIPS_OUTER_LOWER].reverse()];
/**
 * Shapes a comic draws solid, kept free of the dot screen: the lips with the opening (a red lip
 * with dots read as a rash) and the brows (dotted, a brow read as a smudge; solid, as a brow).
 * Measured on ../shared/faces (docs/fusion.md "Eighth round"): brows off the screen took dlib
 * 97.8 → 98.2 % (turned slots 95.5 → 96.5 %) at E 0.875 → 0.851.
 */
const SOLID_SHAPES = [LIPS_OUTLINE, ...INK_FILLS];

/**
 * Guided filter (He et al. 2010), self-guided, on one plane: q = a·I + b with a = σ²/(σ² + ε), box
 * filters only (O(1) per pixel). Flat areas (σ² ≪ ε) are averaged; edges (σ² ≫ ε) are kept.
 * Writes `out` (must not be `I`); its temporaries are the thread's scratch buffers.
 */
function guidedL(I: Float32Array, w: number, h: number, r: number, eps: number, out: Float32Array): Float32Array {
  const n = w * h;
  const tmp = scratch('gf-tmp', n, false), II = scratch('gf-ii', n, false);
  for (let i = 0; i < n; i++) II[i] = I[i] * I[i];
  const mI = boxBlur(I, w, h, r, scratch('gf-mi', n, false), tmp);
  const mII = boxBlur(II, w, h, r, scratch('gf-mii', n, false), tmp);
  for (let i = 0; i < n; i++) {
    const v = mII[i] - mI[i] * mI[i];
    const a = v / (v + eps);
    mII[i] = a; mI[i] = mI[i] - a * mI[i];
  }
  const mA = boxBlur(mII, w, h, r, II, tmp), mB = boxBlur(mI, w, h, r, scratch('gf-mb', n, false), tmp);
  for (let i = 0; i < n; i++) out[i] = mA[i] * I[i] + mB[i];
  return out;
}

export function comicSource(src: Planes, points: Float32Array, smoothing: number, faceWidth: number, skinMean: readonly [number, number, number]): ComicSource {
  const w = src.width, h = src.height, n = w * h;
  const sm = smoothFace(src, smoothing, faceWidth);
  // Temporaries are scratch buffers, shared by the steps below and released at the end (once per
  // face and level: not worth keeping for the thread's lifetime)
  const tmp = scratch('cs-tmp', n, false);
  const mid = scratch('cs-mid', n, false);
  const blur2 = (x: Float32Array, r: number, name: string) => boxBlur(boxBlur(x, w, h, r, mid, tmp), w, h, r, scratch(name, n, false), tmp);
  const px = faceWidth / 240; // the tuning below was done at a 240-px face
  // Feature mask: eyes, brows, lips, dilated by ≈ 1/40 face width and softened.
  const hard = scratch('cs-hard', n);
  for (const r of NON_SKIN_REGIONS) fillPolygon(hard, w, h, r.map((i) => points[i * 3]), r.map((i) => points[i * 3 + 1]));
  const rd = Math.max(1, Math.round(faceWidth / 40));
  const feat = blur2(hard, rd, 'cs-feat');
  for (let i = 0; i < n; i++) feat[i] = Math.min(1, feat[i] * 2.5);
  // The brows' polygon (softened like the feature mask): inside it only the hair is a feature.
  const browHard = scratch('cs-brow-hard', n);
  for (const r of INK_FILLS) fillPolygon(browHard, w, h, r.map((i) => points[i * 3]), r.map((i) => points[i * 3 + 1]));
  const browArea = blur2(browHard, rd, 'cs-brow');
  for (let i = 0; i < n; i++) browArea[i] = Math.min(1, browArea[i] * 2.5);
  const browHair = scratch('cs-brow-hair', n, false); // how much each pixel is brow hair (below)
  // Face region (oval) for the base weights; outside it the base is a plain local mean.
  const oval = scratch('cs-oval', n);
  fillPolygon(oval, w, h, FACE_OVAL.map((i) => points[i * 3]), FACE_OVAL.map((i) => points[i * 3 + 1]));
  const [mL, ma, mb] = skinMean;
  // Occluders: outside the features, pixels far darker than the skin (hair across the face, a
  // hand, a hard shadow) are not the person's skin; they are repainted as skin (base from the
  // skin around, no detail, no ink), not drawn as a dark blotch.
  // Below the nose and around the mouth a dark area is more likely a beard or moustache
  // (identity): kept as detail. Further out to the sides it is hair.
  const noseY = points[2 * 3 + 1], fade = faceWidth / 12;
  const mx0 = points[61 * 3], mx1 = points[291 * 3], mw = 0.5 * Math.abs(mx1 - mx0);
  const mcx = 0.5 * (mx0 + mx1);
  const occ = scratch('cs-occ', n, false);
  // Below the mouth a dark area is a beard (along the jaw too), not hair: 0 above the mouth
  // corners, 1 from a twelfth of a face below them.
  const mouthY = 0.5 * (points[61 * 3 + 1] + points[291 * 3 + 1]);
  const chin = new Float32Array(h);
  for (let y = 0; y < h; y++) chin[y] = Math.max(0, Math.min(1, (y - mouthY) / fade));
  // Tested on a local mean: hair and hands are areas; thin dark lines (glasses, wrinkles) are not.
  const area = blur2(sm.c0, rd, 'cs-area');
  for (let y = 0, i = 0; y < h; y++) {
    const below = Math.max(0, Math.min(1, (y - noseY) / fade));
    for (let x = 0; x < w; x++, i++) {
      const side = Math.max(0, Math.min(1, (Math.abs(x - mcx) - 1.6 * mw) / fade)) * (1 - chin[y]);
      const up = 1 - below * (1 - side);
      const t = (0.8 * mL - area[i]) / (0.12 * mL);
      occ[i] = up * (t <= 0 ? 0 : t >= 1 ? 1 - feat[i] : (t * t * (3 - 2 * t)) * (1 - feat[i]));
    }
  }
  const occS = boxBlur(occ, w, h, rd, scratch('cs-occs', n, false), tmp);
  for (let i = 0; i < n; i++) occ[i] = Math.max(occ[i], occS[i]);
  // Light edge-preserving smoothing (noise, pores and JPEG blocks go; lids, lashes and lip edges
  // stay): the L the features and the ink lines are drawn from. Skin outside the features takes
  // the strongly smoothed L (stubble and blotches are not features).
  const lite = guidedL(src.c0, w, h, Math.max(1, Math.round(2 * px)), 16, scratch('cs-lite', n, false));
  // Red eye and flash glare: inside the eyes, pixels far redder than the skin are a pupil lit by
  // a flash, and within the iris nothing is lighter than half the skin's tone — drawn dark and
  // without colour, not as a red or white blotch in the iris.
  const redEye = scratch('cs-redeye', n);
  for (const e of EYES) fillPolygon(redEye, w, h, e.contour.map((i) => points[i * 3]), e.contour.map((i) => points[i * 3 + 1]));
  for (let i = 0; i < n; i++) {
    if (!redEye[i]) continue;
    const t = (src.c1[i] - ma - RED_EYE_A) / 8;
    const k = t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
    redEye[i] = k;
    lite[i] += k * (0.25 * mL - lite[i]);
  }
  const eyes = EYES.map((e) => findIris(lite, w, h, points, e, mL));
  EYES.forEach((e, k) => {
    const m = eyes[k];
    if (m.confidence <= 0) return;
    const [cx, cy, R] = irisCircle(e, m, (i) => [points[i * 3], points[i * 3 + 1]]);
    const r = IRIS_CAP * R;
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(h, Math.ceil(cy + r) + 1); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(w, Math.ceil(cx + r) + 1); x++) {
        const i = y * w + x;
        if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) > r || lite[i] <= 0.5 * mL) continue;
        const c = m.confidence;
        lite[i] += c * (0.5 * mL - lite[i]);
        redEye[i] = Math.max(redEye[i], c);
      }
    }
  });
  const Ld = scratch('cs-ld', n, false);
  for (let i = 0; i < n; i++) Ld[i] = feat[i] * lite[i] + (1 - feat[i]) * sm.c0[i];
  // Skin-weighted low-pass of the smoothed L (two box passes ≈ Gaussian σ ≈ faceWidth/24).
  const rb = Math.max(2, Math.round(faceWidth / 20));
  const num = scratch('cs-num', n, false), den = scratch('cs-den', n, false);
  for (let i = 0; i < n; i++) { const wt = (1 - feat[i]) * (1 - occ[i]) * (0.05 + 0.95 * oval[i]); num[i] = sm.c0[i] * wt; den[i] = wt; }
  const bn = blur2(num, rb, 'cs-bn');
  const bd = blur2(den, rb, 'cs-bd');
  // Ink: difference of two Gaussians (≈ σ 1.15 and 2.3 px at a 240-px face) of the detail L,
  // relative to the wider mean; fades out near the oval's edge (the photo's background edge is not
  // a line of the face) and over occluders.
  const r1 = Math.max(1, Math.round(px)), r2 = Math.max(2, Math.round(2 * px));
  const g1 = blur2(Ld, r1, 'cs-g1');
  const g2 = blur2(Ld, r2, 'cs-g2');
  const re = Math.max(2, Math.round(faceWidth / 30));
  const inner = boxBlur(oval, w, h, re, scratch('cs-inner', n, false), tmp);
  const ink = new Float32Array(n);
  // A turned face's far side (the silhouette, with background or hair beyond it): its features keep
  // the skin's ink threshold (a squeezed far eye's surroundings inked as black blobs), its skin is
  // drawn flat (below).
  const far = paintVertices(farSideWeights(points), points, w, h);
  const yaw = Math.abs(yawOfPacked(points));
  const flatGate = Math.min(1, Math.max(0, (yaw - FAR_FLAT_FROM) / (FAR_FLAT_FULL - FAR_FLAT_FROM)));
  // The nostrils and the nose's base are inked like a feature: a band over the nose-bottom line
  // (the crop is upright), softened.
  const nose = scratch('cs-nose', n);
  const up = NOSTRIL_BAND * faceWidth, xs = NOSE_BOTTOM.map((i) => points[i * 3]), ys = NOSE_BOTTOM.map((i) => points[i * 3 + 1]);
  fillPolygon(nose, w, h, [...xs, ...[...xs].reverse()], [...ys.map((y) => y + 0.3 * up), ...[...ys].reverse().map((y) => y - up)]);
  const noseSoft = blur2(nose, Math.max(1, Math.round(faceWidth / 60)), 'cs-nose-soft');
  const detail = new Float32Array(n);
  const base = sm.c0;
  const lim = BASE_SHADOW_LIMIT;
  // Chroma: features keep theirs (lips, eyes); skin gets a wide blur and a reduced spread.
  const rc = Math.max(2, Math.round(faceWidth / 24));
  const ca = blur2(src.c1, rc, 'cs-ca');
  const cb = blur2(src.c2, rc, 'cs-cb');
  for (let i = 0; i < n; i++) {
    // Where hardly any skin is near (a side covered by hair), the base falls back to the mean.
    const q = bd[i] > 0.15 ? 1 : bd[i] / 0.15;
    let b = q * (bd[i] > 1e-4 ? bn[i] / bd[i] : mL) + (1 - q) * mL;
    const o = occ[i];
    // lit skin inside the brows' polygon (the brow bone under a thin brow) is skin, not brow: no
    // feature colour, no feature highlight (an orange streak along 025's brow)
    const hair = (mL - lite[i]) / mL, hw = hair <= BROW_HAIR_FROM ? 0 : hair >= BROW_HAIR_FULL ? 1 : (hair - BROW_HAIR_FROM) / (BROW_HAIR_FULL - BROW_HAIR_FROM);
    const f = feat[i] * (1 - browArea[i] * (1 - hw));
    feat[i] = f; // the second pass below (skin detail vs the feature's own) reads it too
    browHair[i] = browArea[i] * hw;
    // Skin detail from the unsmoothed L: the guided filter below flattens its texture on its own,
    // and the form it keeps (nose, cheekbones, folds) read as the person's on a turned slot
    // (dlib rank-1 at 15–22° 91.1 → 93.3 %, faceres 95.6 → 97.8 %); the ink stays on the smoothed
    // L, so skin pores do not turn into ink dots.
    const ld = Ld[i] + (1 - feat[i]) * (src.c0[i] - sm.c0[i]);
    let d = (ld - b) / Math.max(15, b);
    // Outside the features dark detail is soft-limited (a strand of hair is not a feature) and
    // bright detail (shine, a lit cheek) is halved: comic skin has no specular blotches.
    if (d > 0) d *= 0.5 + 0.5 * f;
    detail[i] = d * (1 - o);
    const edge = inner[i] < 0.6 ? 0 : inner[i] >= 0.9 ? 1 : (inner[i] - 0.6) / 0.3;
    const featureGain = INK_THRESHOLD / (INK_THRESHOLD + Math.max(f, noseSoft[i]) * (1 - far[i]) * (FEATURE_INK_THRESHOLD - INK_THRESHOLD));
    ink[i] = ((g1[i] - g2[i]) / Math.max(15, g2[i])) * (1 - o) * edge * featureGain;
    if (b < mL) b = mL - lim * Math.tanh((mL - b) / lim);
    // A strongly turned face's far cheek is the skin's flat tone (FAR_FLAT_FROM).
    const flat = far[i] * (1 - f) * flatGate;
    if (flat > 0) { b += flat * (mL - b); detail[i] *= 1 - flat; }
    base[i] = b;
    const k = SKIN_CHROMA_KEEP * (1 - o);
    sm.c1[i] = f * (ma + FEATURE_CHROMA_GAIN * (src.c1[i] - ma)) + (1 - f) * (ma + k * (ca[i] - ma));
    sm.c2[i] = f * (mb + FEATURE_CHROMA_GAIN * (src.c2[i] - mb)) + (1 - f) * (mb + k * (cb[i] - mb));
    const re = redEye[i];
    if (re > 0) { sm.c1[i] *= 1 - re; sm.c2[i] *= 1 - re; }
  }
  // Skin detail (outside the features) is the shading a drawing keeps as bands: an edge-preserving
  // smoothing of its own (guided filter on the relative tone) so band edges are clean curves, not
  // stubble or pores, while the nose's side, the folds and the cheekbones keep their edges (a plain
  // blur of this plane cost a tenth of rank-1 likeness); soft-limited to the shadow bands (a side in
  // shadow or a strand of hair must not reach the features' dark level; nostrils and folds get
  // their darkness from the ink lines).
  const ds = guidedL(detail, w, h, Math.max(2, Math.round(faceWidth / 40)), SKIN_BAND_EPS * SKIN_BAND_EPS, scratch('cs-ds', n, false));
  for (let i = 0; i < n; i++) {
    const f = feat[i];
    let d = f * detail[i] + (1 - f) * ds[i];
    const dl = Math.max(SKIN_DARK_LIMIT, BEARD_DARK_LIMIT * chin[(i / w) | 0]) * (1 - f) + f;
    if (d < 0) d = -dl * Math.tanh(-d / dl) * (1 + (BROW_SHADOW_GAIN - 1) * browHair[i]);
    detail[i] = d;
  }
  releaseScratch('cs-'); releaseScratch('gf-');
  return { planes: sm, detail, ink, eyes };
}

/**
 * Where the iris is in one eye (crop space): the darkness-weighted centre of the eye's inside,
 * expressed in the eye's own frame so it can be carried to any target shape.
 */
function findIris(L: Float32Array, w: number, h: number, points: Float32Array, eye: (typeof EYES)[number], skinL: number): EyeModel {
  const P = (i: number) => [points[i * 3], points[i * 3 + 1]];
  const [ox, oy] = P(eye.outer), [ix, iy] = P(eye.inner), [ux, uy] = P(eye.upper), [lx, ly] = P(eye.lower);
  const width = Math.hypot(ix - ox, iy - oy);
  const open = Math.hypot(lx - ux, ly - uy) / Math.max(1, width);
  const none = { alpha: 0.5, beta: 0.5, radius: 0.2, confidence: 0 };
  if (width < 4) return none;
  const xs = eye.contour.map((i) => points[i * 3]), ys = eye.contour.map((i) => points[i * 3 + 1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs))), x1 = Math.min(w, Math.ceil(Math.max(...xs)) + 1);
  const y0 = Math.max(0, Math.floor(Math.min(...ys))), y1 = Math.min(h, Math.ceil(Math.max(...ys)) + 1);
  const ew = x1 - x0, eh = y1 - y0;
  if (ew < 3 || eh < 2) return none;
  const inside = new Float32Array(ew * eh);
  fillPolygon(inside, ew, eh, xs, ys, x0, y0);
  let sw = 0, sx = 0, sy = 0, cnt = 0;
  for (let y = 0; y < eh; y++) for (let x = 0; x < ew; x++) {
    if (!inside[y * ew + x]) continue;
    cnt++;
    const dark = 1 - L[(y0 + y) * w + x0 + x] / Math.max(10, skinL);
    const t = (dark - 0.3) / 0.3;
    const wt = t <= 0 ? 0 : t >= 1 ? 1 : t * t;
    sw += wt; sx += wt * (x0 + x + 0.5); sy += wt * (y0 + y + 0.5);
  }
  if (!cnt || sw < 2) return none;
  const cx = sx / sw, cy = sy / sw;
  // (cx, cy) = outer + α·(inner − outer) + β·(upper − outer): solve the 2 × 2 system
  const ax = ix - ox, ay = iy - oy, bx = ux - ox, by = uy - oy;
  const det = ax * by - ay * bx;
  if (Math.abs(det) < 1e-6) return none;
  const alpha = ((cx - ox) * by - (cy - oy) * bx) / det;
  const beta = (ax * (cy - oy) - ay * (cx - ox)) / det;
  const dark = sw / cnt; // share of the eye that is iris-dark
  const confidence = Math.max(0, Math.min(1, (open - 0.12) / 0.1)) * Math.max(0, Math.min(1, dark / 0.15));
  return { alpha: Math.max(0.15, Math.min(0.85, alpha)), beta, radius: 0.2, confidence };
}

/** An eye's iris as a circle [cx, cy, radius] for the eye's points (crop or frame: `pt`). */
function irisCircle(eye: (typeof EYES)[number], m: EyeModel, pt: (i: number) => number[]): [number, number, number] {
  const [ox, oy] = pt(eye.outer), [ix, iy] = pt(eye.inner), [ux, uy] = pt(eye.upper);
  const ax = ix - ox, ay = iy - oy, bx = ux - ox, by = uy - oy;
  return [ox + m.alpha * ax + m.beta * bx, oy + m.alpha * ay + m.beta * by, m.radius * Math.hypot(ax, ay)];
}

/** What a slot's face is drawn with, per frame (drawComicFace). */
export interface ComicDrawParams {
  /** Tone bands (0 = none) and the L the skin's mean tone is centred on. */
  bands: number;
  centre: number;
  /** Ink colour (Lab) and strength (slot style `ink`, 0–1). */
  inkLab: [number, number, number];
  ink: number;
  /** Target points (frame pixels) and the crop points, for the eyes. */
  dst: Float32Array;
  eyes: EyeModel[];
  /** Frame pixels the user's lines around the features are thickened by (lineGrowFor; under 1: as the photo's edges are). */
  lineGrow?: number;
  /** Shadows as a dot screen (1) or flat bands (0), or a mix: slot style `halftone`. */
  halftone?: number;
}

/**
 * Bands: `toneBands` bands share this range of relative tone (4 → one band per 12 % of the skin's
 * lightness), on both sides of the skin's own tone. Measured (docs/fusion.md "Comic face"): wider
 * steps, or bands only below the skin tone, cost likeness fast — the highlights (nose bridge,
 * cheekbones, brow ridge) carry the face's form as much as the shadows do.
 */
export const BAND_RANGE = 0.48;
/**
 * Inside the eyes, tone brighter than this (relative to the skin) is eye white and is lifted by
 * WHITE_LIFT before banding: it reads white, relative to the person's own skin (on dark skin as on
 * light). Lifted, a white reaches the first band above the skin (and is drawn white) from about
 * 19 % under the skin's tone: the lids shade it that much. From −0.12 by 0.15 (until the eleventh
 * round) only whites within 9 % of the skin's tone did; the shaded part stayed skin-coloured and a
 * light-skinned face's eyes read faint (001). Recognisers unchanged on ../shared/faces, E 0.908 →
 * 0.911; the iris is darker still (findIris caps it at half the skin's tone).
 */
const WHITE_FROM = -0.25;
const WHITE_LIFT = 0.25;
/**
 * The same for teeth (the mouth opening's pixels that teethWeight takes for teeth, not lips), from a
 * darker tone and by more: teeth sit in the lips' shadow, 10–35 % under the skin's tone in a smile,
 * and at the eyes' old threshold (−0.12) most of them stayed the skin's beige or a band under it — grey, dirty
 * teeth in a smile (081, 052, Paul). From −0.4 only the mouth's dark inside (gaps, tongue, throat:
 * −0.5 and below) stays dark. Lips in the opening are not teeth (chroma), so closed or light lips
 * are unchanged (066, 058, 095). ../shared/faces (docs/fusion.md "Eleventh round"): dlib 99.5 →
 * 99.7 %, faceres 99.8 %, E 0.904 → 0.908.
 */
export const TEETH_FROM = -0.4;
export const TEETH_LIFT = 0.4;
/** Lightest a drawn eye white or tooth gets (L). */
const WHITE_L = 94;
/**
 * Darkest a drawn eye white or tooth gets (L): relative to a dark skin they came out grey (L ≈ 50
 * on 066), the eyes read dull; a comic eye white is white on every skin.
 */
export const WHITE_MIN_L = 80;
/** Ink threshold on the relative difference of Gaussians (negative side), per frame. */
export const INK_THRESHOLD = 0.07;
/**
 * The same threshold inside the features (eyes, brows, lips, nostrils; comicSource scales their ink so the
 * one per-frame threshold applies): a lash line, a brow or a lip line is drawn from fainter edges
 * than a cheek is, so features read inked while wrinkles, stubble and pores stay tone. Measured on
 * ../shared/faces (docs/fusion.md "Fourth round"): 0.04 inks the lids, brows and lip lines (dlib
 * rank-1 98.2 → 97.8 %, faceres 99.6 → 100 %); one threshold of 0.04–0.02 everywhere inked
 * wrinkles and stubble as scribbles and cost dlib 0.7–2.5 points.
 */
export const FEATURE_INK_THRESHOLD = 0.04;
/**
 * Height over the nose-bottom line (face widths; 0.3 of it below) inked with the features'
 * threshold: the nostrils and the nose's base (dlib 97.5 → 97.6 %, slots turned 15–22° 95.2 →
 * 95.5 %; faceres 100 %).
 */
export const NOSTRIL_BAND = 0.08;
/**
 * Photo yaw (degrees) from which a turned face's far cheek starts to be drawn in the skin's flat
 * tone, and where it is whole. Beyond ≈ 20° the photo's sliver by the silhouette (background, the
 * hair behind the cheek) was stretched onto a face-on slot's cheek as a light or dark patch (086,
 * 058); below 15° the far cheek is still seen and its shading is the person's (the CI fixture's
 * faces at 13–14° lost 2 dlib frames when it was flattened). ../shared/faces: dlib 97.6 → 97.8 %,
 * faceres 100 %, seam 1.85 → 1.83.
 */
export const FAR_FLAT_FROM = 15;
export const FAR_FLAT_FULL = 20;
/**
 * The user's lines along the eyes, the mouth and the nose's base are thickened by this share of the
 * face's width (frame pixels; 2 px on a 240-px face, none under 120 px): a photo's edge is one or two
 * pixels wide, the drawing's lines three to six. Measured on ../shared/faces (docs/fusion.md "Fifth
 * round"): E(face)/E(art) 0.425 → 0.436 with dlib 97.8 % and faceres 100 % unchanged; 2.5/240
 * and 3/240 cost dlib two and three frames (97.5, 97.3 %; measured around the lips' outer edge).
 */
export const LINE_GROW = 2 / 240;
/**
 * Yaw of the drawn face (degrees; warp.ts facePose, four fifths of the slot's) up to which the
 * lines are thickened, and from which not at all: on a turned slot the photo's features are
 * redrawn at another angle, and thicker lines there cost dlib on slots turned 15–22° (thickened on
 * every slot: 95.5 → 93.9 %, faceres 100 → 99.7 %, when faces took the slot's whole turn). Read on
 * the drawn face's yaw, 15° slots (drawn at 12°) are thickened too: E 0.902 → 0.905, both
 * recognisers unchanged (docs/fusion.md "Eleventh round").
 */
export const LINE_GROW_FULL_YAW = 12;
export const LINE_GROW_NONE_YAW = 15;
/** Reach of the thickening around the feature points, in thickening radii. */
const LINE_REACH = 4;
/** Share of inked pixels in a thickening's neighbourhood (radius 2r) under which its ink is a speck, not thickened (fully from twice it). */
const SPECK_SHARE = 0.08;
/** Slot `ink` from which the user's lines are opaque (templates use 0.65–0.75): a grey line reads as dirt. */
export const FACE_INK_FULL = 0.6;

/**
 * Screen-tone shading: the face's shadows (tone below the skin's own band) are printed as the
 * art's 45° dot screen (the art kit's `ht` pattern shades necks, walls and ground the same way)
 * instead of flat darker bands — the comic's own way to shade, so the face reads drawn rather than
 * posterised. It is an amplitude-modulated screen, as in print: the ground between the dots is the
 * skin's own flat tone, every dot has the same dark tone (HALFTONE_DOT, relative to the skin's
 * lightness) and the dots grow with the shadow's depth (cover = tone / HALFTONE_DOT), so the mean
 * tone under the screen is the shadow's own (what a recogniser or a thumbnail sees) and the
 * skin/shadow edge dissolves into small dots. Past HALFTONE_MAX_COVER the dots would merge into a
 * dark field; there the ground darkens instead. Measured on ../shared/faces (docs/fusion.md
 * "Eighth round"): E(face)/E(art) 0.51 → 0.87, dlib 97.5 → 97.8 %, faceres 99.7 → 99.9 %, where
 * the seventh round's screen (ground lifted, dots two bands under it, fixed 40 % cover, pitch 6)
 * kept the bands and their blotches. A pitch of 5 (E 0.80–0.85) or 6 (E 0.82 at dots −0.6) costs
 * dlib 0.6–2.5 points on slots turned 15–22°; dots at −0.6 / −0.7 give E 0.74 / 0.81 at the same
 * likeness.
 */
export const HALFTONE_PITCH = 4;
export const HALFTONE_DOT = -0.8;
export const HALFTONE_MAX_COVER = 0.6;
/**
 * Soft-mask value from which the dots start (whole from +0.1): in the feather band they would be
 * half blended into the drawn skin beside the face as ghost dots along the seam.
 */
const HALFTONE_EDGE = 0.85;
/**
 * Coverage (0–1, antialiased over one pixel) of the screen's dot at frame pixel (x, y). The lattice
 * is fixed in frame coordinates, so neighbouring slots and every frame share one screen.
 */
export function halftoneDot(x: number, y: number, cover: number, pitch = HALFTONE_PITCH): number {
  const u = (x + y) * Math.SQRT1_2, v = (y - x) * Math.SQRT1_2;
  const du = u - pitch * Math.round(u / pitch), dv = v - pitch * Math.round(v / pitch);
  const t = pitch * Math.sqrt(cover / Math.PI) - Math.sqrt(du * du + dv * dv) + 0.5;
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}
/** Relative tone of the dot screen at frame pixel (x, y) for a shadow of relative tone `t` (< 0): its mean is `t`. */
export function screenTone(t: number, x: number, y: number): number {
  if (t >= 0) return 0;
  const cover = t / HALFTONE_DOT;
  if (cover <= HALFTONE_MAX_COVER) return HALFTONE_DOT * halftoneDot(x, y, cover);
  return t - HALFTONE_DOT * HALFTONE_MAX_COVER + HALFTONE_DOT * halftoneDot(x, y, HALFTONE_MAX_COVER);
}
/**
 * The skin's band shapes are cut from its relative tone blurred by this box radius (frame pixels,
 * two passes: a 5-tap tent), so specks of one or two pixels (stubble, pores, JPEG noise the warp
 * carried over) no longer become band islands and band outlines are smooth curves, not ragged
 * pixel stairs. The eyes and the mouth opening keep the unblurred tone. Measured on
 * ../shared/faces (docs/fusion.md "Seventh round"): dlib 97.6 → 97.5 %, faceres 100 → 99.9 %,
 * acutance 0.93 → 0.95; radius 2 cleaner still but dlib 96.6 % (the skin's fine texture carries
 * likeness for dlib, as in the second round).
 */
export const BAND_SHAPE_BLUR = 1;
/**
 * Smallest step (Lab L units) between the skin's tone and its first shadow band, and so between
 * all shadow bands and the dots' tone: the bands are relative to the skin's lightness (12 % each),
 * so on a dark comic skin (L 39 for 066) they were 4–5 units apart — shading that is there but
 * cannot be seen, a face that reads soft and smeared. L is perceptually uniform, so a visible step
 * is one size on every skin: below it the shadows (not the highlights: lifted the same way they
 * glared as pale patches) are deepened by one factor, the band shapes unchanged, fading out over
 * the feather band (as the dots do: the seam over drawn skin rose 5.70 → 6.22 with it there, 6.08
 * without). Measured on ../shared/faces (docs/fusion.md "Tenth round"): E(face)/E(art) 0.863 →
 * 0.902, ≥ 0.8 in 61 → 70 % of frames (066 0.60 → 0.72, 058 0.62 → 0.75, 086 0.65 → 0.76), dlib
 * 98.2 % and faceres 99.8 % unchanged; 7 units: E 0.879; 8 units on the highlights too: 028's dim
 * face grew heavier still.
 */
export const MIN_SHADOW_STEP_L = 8;
/** Deepest relative tone a deepened shadow reaches (the dots on a dark skin are near black already). */
const SHADOW_FLOOR = -0.92;
/** Clamp-to-[0, 1] ramp of `d` over one pixel's worth of change `g` (antialiased threshold). */
const ramp = (d: number, g: number) => { const t = d / (g > 0.004 ? g : 0.004) + 0.5; return t <= 0 ? 0 : t >= 1 ? 1 : t; };
/** Antialiased uniform bands of `step` around 0 (r's own value when step is 0). */
function bands(r: number, g: number, step: number): number {
  if (step <= 0) return r;
  const v = r / step + 0.5, b = Math.round(v);
  return step * (b - 1 + ramp(v - b, g / step));
}
/**
 * Draws the face in the frame's style at the frame's resolution (in place on the warped planes of
 * one slot box): the face's tone (base × (1 + detail), after the palette and the frame's lighting)
 * in flat bands, its shadows as a dot screen (`halftone`); inside the eyes and the mouth opening
 * the same bands with the whites and teeth lifted; the user's own ink lines; a catchlight in each
 * iris. Every
 * threshold is antialiased by the plane's own gradient (the transition spans about one pixel however
 * much the warp magnified the crop), so edges are sharp at any slot size.
 */
export function drawComicFace(lab: Planes, detail: Float32Array, ink: Float32Array, box: Rect, mask: Float32Array, p: ComicDrawParams): void {
  const bw = lab.width, bh = lab.height, n = bw * bh;
  const L = lab.c0, A = lab.c1, B = lab.c2;
  const step = p.bands > 0 ? BAND_RANGE / p.bands : 0;
  const ht = step > 0 ? p.halftone ?? 0 : 0;
  const { eyes, mouth, solid } = featureMasks(p.dst, box, bw, bh, ht > 0);
  const [iL, ia, ib] = p.inkLab;
  const lineAlpha = Math.min(1, p.ink / FACE_INK_FULL);
  const c = p.centre;
  const lipC = lipChroma(A, B, p.dst, box, bw, bh);
  // on a dark comic skin the shadow bands step by at least MIN_SHADOW_STEP_L
  const shadowGain = step > 0 ? Math.max(1, MIN_SHADOW_STEP_L / (c * step)) : 1;
  // relative tone of every pixel first (its gradient antialiases the thresholds)
  const rel = scratch('comic-rel', n, false);
  if (p.lineGrow && p.lineGrow >= 1) thickenLines(ink, box, p.dst, p.lineGrow, eyes, rel);
  for (let i = 0; i < n; i++) rel[i] = mask[i] > 0 ? (L[i] * (1 + detail[i])) / c - 1 : 0;
  // the skin's band shapes from a lightly blurred tone (BAND_SHAPE_BLUR)
  const tmp = scratch('comic-rel-tmp', n, false);
  const skinRel = step > 0 ? boxBlur(boxBlur(rel, bw, bh, BAND_SHAPE_BLUR, scratch('comic-rel-b1', n, false), tmp), bw, bh, BAND_SHAPE_BLUR, scratch('comic-rel-b2', n, false), tmp) : rel;
  for (let y = 0; y < bh; y++) {
    const row = y * bw;
    for (let x = 0; x < bw; x++) {
      const i = row + x;
      if (mask[i] <= 0) continue;
      const xl = x > 0 ? i - 1 : i, xr = x < bw - 1 ? i + 1 : i, yu = y > 0 ? i - bw : i, yd = y < bh - 1 ? i + bw : i;
      const r = rel[i];
      const g = 0.5 * (Math.abs(rel[xr] - rel[xl]) + Math.abs(rel[yd] - rel[yu]));
      const rs = skinRel[i], gs = 0.5 * (Math.abs(skinRel[xr] - skinRel[xl]) + Math.abs(skinRel[yd] - skinRel[yu]));
      // Inside the mouth opening only teeth are drawn white: lips there (a closed or barely parted
      // mouth; lips lighter than a dark skin) stay the lips' own colour, drawn as the skin is.
      const e = eyes[i], mo = mouth[i], m = mo > 0 ? mo * teethWeight(A[i], B[i], lipC) : 0, s = 1 - e - m > 0 ? 1 - e - m : 0;
      let q = 0;
      if (s > 0) {
        let qs = bands(rs, gs, step);
        // shadows as a dot screen, weighted out of the feather band and off the lips and brows
        if (ht > 0 && qs < 0) {
          const edge = (mask[i] - HALFTONE_EDGE) * 10;
          const w = ht * (1 - solid![i]) * (edge <= 0 ? 0 : edge >= 1 ? 1 : edge);
          if (w > 0) qs += w * (screenTone(rs, box.x0 + x, box.y0 + y) - qs);
        }
        q += s * qs;
      }
      if (e > 0) q += e * bands(r > WHITE_FROM ? r + WHITE_LIFT * ramp(r - WHITE_FROM, g) : r, g, step);
      if (m > 0) q += m * bands(r > TEETH_FROM ? r + TEETH_LIFT * ramp(r - TEETH_FROM, g) : r, g, step);
      if (q < 0 && shadowGain > 1) {
        // not in the feather band, where the face blends into the drawn skin beside it
        const fe = (mask[i] - HALFTONE_EDGE) * 10, k = 1 + (shadowGain - 1) * (fe <= 0 ? 0 : fe >= 1 ? 1 : fe);
        q = Math.max(SHADOW_FLOOR, q * k);
      }
      let l = c * (1 + q);
      if (q > 0 && e + m > 0) {
        if (l > WHITE_L) l = WHITE_L;
        // at least WHITE_MIN_L from the first band above the skin: on dark skin too
        if (l < WHITE_MIN_L) l += Math.min(1, q / (step || BAND_RANGE / 4)) * Math.min(1, e + m) * (WHITE_MIN_L - l);
        // eye whites and teeth are neutral
        const k = Math.min(1, (e + m) * 1.5);
        A[i] *= 1 - 0.85 * k; B[i] *= 1 - 0.85 * k;
      }
      // the user's own edges as ink lines; none inside the mouth opening (the gaps between teeth
      // would read as dirty teeth; the lips' own lines are at its edge)
      const kv = ink[i];
      if (lineAlpha > 0 && kv < -INK_THRESHOLD * 0.5 && mo < 1) {
        const gk = 0.5 * (Math.abs(ink[xr] - ink[xl]) + Math.abs(ink[yd] - ink[yu]));
        const a = lineAlpha * (1 - mo) * ramp(-INK_THRESHOLD - kv, gk);
        l += a * (iL - l); A[i] += a * (ia - A[i]); B[i] += a * (ib - B[i]);
      }
      L[i] = l;
    }
  }
  catchlights(lab, eyes, box, p);
}

/** How many frame pixels a slot's face lines are thickened by (drawComicFace's `lineGrow`): LINE_GROW. */
export function lineGrowFor(faceWidth: number, faceYaw: number): number {
  const a = Math.abs(faceYaw);
  const g = a <= LINE_GROW_FULL_YAW ? 1 : a >= LINE_GROW_NONE_YAW ? 0 : (LINE_GROW_NONE_YAW - a) / (LINE_GROW_NONE_YAW - LINE_GROW_FULL_YAW);
  return g * LINE_GROW * faceWidth;
}

/**
 * Mesh points whose neighbourhood's lines are thickened: the eyes' contours (the lash line a comic
 * eye is drawn with), the mouth's line and the nose's base. Not the lips' outer edge: above it a
 * moustache's or stubble's dots (086) grew into blobs.
 */
const LINE_FEATURE_POINTS = [...EYES.flatMap((e) => e.contour), ...LIPS_INNER_UPPER, ...LIPS_INNER_LOWER, ...NOSE_BOTTOM];

/**
 * Thickens the user's ink lines by `r` frame pixels (a min filter of the ink field over a disc:
 * its dark side spreads) along the eyes' contours, the mouth's line and the nose's base
 * (LINE_FEATURE_POINTS) — lash lines, the lip line and the nostrils get a comic line's weight. Not
 * elsewhere: on the skin the lines are folds and
 * wrinkles (an old face's would turn into black scribbles), the brows' ink is a few hairs' dots
 * (they would grow into blobs), and not into the eye openings (the lash lines grow outward; the
 * eye keeps the user's shape and iris). `tmp` is a box-sized buffer (its contents are lost).
 */
function thickenLines(ink: Float32Array, box: Rect, dst: Float32Array, r: number, eyes: Float32Array, tmp: Float32Array): void {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const reach = LINE_REACH * r, edge = 0.3 * reach;
  // the work is confined to the features' rectangle (box coordinates; about a third of the box)
  let rx0 = bw, ry0 = bh, rx1 = -1, ry1 = -1;
  for (const v of LINE_FEATURE_POINTS) {
    const cx = dst[v * 3] - box.x0, cy = dst[v * 3 + 1] - box.y0;
    rx0 = Math.min(rx0, Math.floor(cx - reach)); rx1 = Math.max(rx1, Math.ceil(cx + reach));
    ry0 = Math.min(ry0, Math.floor(cy - reach)); ry1 = Math.max(ry1, Math.ceil(cy + reach));
  }
  rx0 = Math.max(0, rx0); ry0 = Math.max(0, ry0); rx1 = Math.min(bw - 1, rx1); ry1 = Math.min(bh - 1, ry1);
  if (rx1 < rx0 || ry1 < ry0) return;
  const rw = rx1 - rx0 + 1, rh = ry1 - ry0 + 1, n = rw * rh;
  // where: within LINE_REACH·r of a feature point, softly (a disc painted per point)
  const win = scratch('thick-win', n);
  for (const v of LINE_FEATURE_POINTS) {
    const cx = dst[v * 3] - box.x0 - rx0, cy = dst[v * 3 + 1] - box.y0 - ry0;
    const x0 = Math.max(0, Math.floor(cx - reach)), x1 = Math.min(rw - 1, Math.ceil(cx + reach));
    const y0 = Math.max(0, Math.floor(cy - reach)), y1 = Math.min(rh - 1, Math.ceil(cy + reach));
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx;
        const a = (reach - Math.sqrt(dx * dx + dy * dy)) / edge;
        const i = y * rw + x;
        if (a > win[i]) win[i] = a > 1 ? 1 : a;
      }
    }
  }
  const rb = Math.max(1, Math.round(2 * r));
  const brow = scratch('thick-brow', n);
  for (const f of INK_FILLS) fillPolygon(brow, rw, rh, f.map((i) => dst[i * 3]), f.map((i) => dst[i * 3 + 1]), box.x0 + rx0, box.y0 + ry0);
  const browW = boxBlur(brow, rw, rh, rb, scratch('thick-brow-w', n, false), scratch('thick-tmp', n, false));
  // specks (a stubble dot, a pore that passed the threshold) stay as small as they are: only ink
  // that fills enough of its neighbourhood to be a line grows. The source of the spread (src) is
  // the ink outside the brows: the brows' ink does not spread, out of the brow either.
  const inked = scratch('thick-inked', n, false), src = tmp;
  for (let y = 0; y < rh; y++) for (let x = 0; x < rw; x++) {
    const i = y * rw + x, v = ink[(y + ry0) * bw + x + rx0];
    inked[i] = v < -INK_THRESHOLD ? 1 : 0;
    browW[i] = 1 - Math.min(1, 2 * browW[i]);
    src[i] = v * browW[i];
  }
  const share = boxBlur(inked, rw, rh, rb, scratch('thick-share', n, false), scratch('thick-tmp', n, false));
  const offs: number[] = [];
  const ri = Math.floor(r);
  for (let dy = -ri; dy <= ri; dy++) for (let dx = -ri; dx <= ri; dx++) if (dx * dx + dy * dy <= r * r) offs.push(dx, dy);
  for (let y = 0; y < rh; y++) for (let x = 0; x < rw; x++) {
    const i = y * rw + x;
    if (win[i] <= 0) continue;
    const o = (y + ry0) * bw + x + rx0;
    const sp = (share[i] - SPECK_SHARE) / SPECK_SHARE;
    const keep = win[i] * browW[i] * (1 - eyes[o]) * (sp <= 0 ? 0 : sp >= 1 ? 1 : sp);
    if (keep <= 0) continue;
    let m = src[i];
    for (let k = 0; k < offs.length; k += 2) {
      const xx = x + offs[k], yy = y + offs[k + 1];
      if (xx < 0 || yy < 0 || xx >= rw || yy >= rh) continue;
      const v = src[yy * rw + xx];
      if (v < m) m = v;
    }
    if (m < ink[o]) ink[o] += keep * (m - ink[o]);
  }
}

/**
 * Teeth are less colourful than the lips around them; lips inside the opening (a closed or barely
 * parted mouth) are as colourful as the lips — and on dark skin lighter than the skin, so by tone
 * alone 095's closed lips came out as a white strip (a milk moustache). Chroma (Lab units) under the
 * lips' own from which a mouth pixel starts to count as a tooth, and from which it fully does.
 */
const TEETH_CHROMA_FROM = 2;
const TEETH_CHROMA_FULL = 5;
/** 0 (lip) … 1 (tooth) for a pixel inside the mouth opening, from its chroma against the lips'. */
function teethWeight(a: number, b: number, lipC: number): number {
  const t = (lipC - Math.sqrt(a * a + b * b) - TEETH_CHROMA_FROM) / (TEETH_CHROMA_FULL - TEETH_CHROMA_FROM);
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}
/** Median chroma of the lips: sampled halfway between their outer and inner outlines (upper and lower, corners left out). */
function lipChroma(A: Float32Array, B: Float32Array, dst: Float32Array, box: Rect, bw: number, bh: number): number {
  const c: number[] = [];
  for (const [outer, inner] of [[LIPS_OUTER_UPPER, LIPS_INNER_UPPER], [LIPS_OUTER_LOWER, LIPS_INNER_LOWER]] as const) {
    for (let k = 2; k < outer.length - 2; k++) {
      const x = Math.round((dst[outer[k] * 3] + dst[inner[k] * 3]) / 2 - box.x0), y = Math.round((dst[outer[k] * 3 + 1] + dst[inner[k] * 3 + 1]) / 2 - box.y0);
      if (x < 0 || y < 0 || x >= bw || y >= bh) continue;
      const i = y * bw + x;
      c.push(Math.sqrt(A[i] * A[i] + B[i] * B[i]));
    }
  }
  if (!c.length) return 0;
  c.sort((u, v) => u - v);
  return c[c.length >> 1];
}

/** The eyes' and the mouth opening's insides in the box (and the SOLID_SHAPES', when asked), softened by one pixel (antialiased edges). */
function featureMasks(dst: Float32Array, box: Rect, bw: number, bh: number, withSolid: boolean): { eyes: Float32Array; mouth: Float32Array; solid: Float32Array | null } {
  const n = bw * bh;
  // Filled and blurred only over the shapes' own bounds (3 px around them: the blur's reach is 1);
  // the rest of the box stays 0. The whole box three times over was ≈ 1.3 ms of a 22-ms frame.
  const fill = (name: string, polys: ReadonlyArray<readonly number[]>) => {
    const out = scratch(name, n);
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (const poly of polys) for (const i of poly) {
      const x = dst[i * 3] - box.x0, y = dst[i * 3 + 1] - box.y0;
      if (x < minX) minX = x; if (x > maxX) maxX = x; if (y < minY) minY = y; if (y > maxY) maxY = y;
    }
    const rx0 = Math.max(0, Math.floor(minX) - 3), rx1 = Math.min(bw, Math.ceil(maxX) + 3);
    const ry0 = Math.max(0, Math.floor(minY) - 3), ry1 = Math.min(bh, Math.ceil(maxY) + 3);
    const rw = rx1 - rx0, rh = ry1 - ry0;
    if (rw <= 0 || rh <= 0) return out;
    const hard = scratch(name + '-hard', rw * rh);
    for (const poly of polys) fillPolygon(hard, rw, rh, poly.map((i) => dst[i * 3]), poly.map((i) => dst[i * 3 + 1]), box.x0 + rx0, box.y0 + ry0);
    const soft = boxBlur(hard, rw, rh, 1, scratch(name + '-soft', rw * rh, false), scratch('feat-tmp', rw * rh, false));
    for (let y = 0; y < rh; y++) out.set(soft.subarray(y * rw, (y + 1) * rw), (ry0 + y) * bw + rx0);
    return out;
  };
  return { eyes: fill('eye-mask', EYES.map((e) => e.contour)), mouth: fill('mouth-mask', [MOUTH_OPENING]), solid: withSolid ? fill('solid-mask', SOLID_SHAPES) : null };
}

/** A small white highlight up and to the left in each iris (the comic convention for a living eye). */
function catchlights(lab: Planes, eyeMask: Float32Array, box: Rect, p: ComicDrawParams): void {
  const bw = lab.width, bh = lab.height, d = p.dst;
  EYES.forEach((e, k) => {
    const m = p.eyes[k];
    if (!m || m.confidence <= 0) return;
    const [ix, iy, R] = irisCircle(e, m, (i) => [d[i * 3] - box.x0, d[i * 3 + 1] - box.y0]);
    if (R < 2) return;
    const cx = ix - 0.32 * R, cy = iy - 0.38 * R;
    const rr = Math.max(0.9, 0.3 * R);
    const x0 = Math.max(0, Math.floor(cx - rr - 1)), x1 = Math.min(bw - 1, Math.ceil(cx + rr + 1));
    const y0 = Math.max(0, Math.floor(cy - rr - 1)), y1 = Math.min(bh - 1, Math.ceil(cy + rr + 1));
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) {
      const i = y * bw + x;
      const cov = Math.max(0, Math.min(1, rr + 0.5 - Math.hypot(x + 0.5 - cx, y + 0.5 - cy)));
      const a = cov * eyeMask[i] * m.confidence;
      if (a <= 0) continue;
      lab.c0[i] += a * (97 - lab.c0[i]);
      lab.c1[i] -= a * lab.c1[i];
      lab.c2[i] -= a * lab.c2[i];
    }
  });
}

/**
 * Highlights roll off instead of clipping: a light comic skin tone (L ≈ 80) plus the photo's own
 * highlights would burn the nose and forehead to paper white.
 */
export function softKnee(L: Float32Array, knee = 86, slope = 0.35): void {
  for (let i = 0; i < L.length; i++) if (L[i] > knee) L[i] = knee + (L[i] - knee) * slope;
}

/** Catmull-Rom subdivision: mesh contour points are 10–20 px apart on a 300-px face; lines must be round. */
export function smoothPolyline(xs: number[], ys: number[], sub = 3): [number[], number[]] {
  const n = xs.length;
  const ox: number[] = [], oy: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    const i0 = Math.max(0, i - 1), i3 = Math.min(n - 1, i + 2);
    for (let s = 0; s < sub; s++) {
      const t = s / sub, t2 = t * t, t3 = t2 * t;
      const c = (p0: number, p1: number, p2: number, p3: number) =>
        0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t3);
      ox.push(c(xs[i0], xs[i], xs[i + 1], xs[i3]));
      oy.push(c(ys[i0], ys[i], ys[i + 1], ys[i3]));
    }
  }
  ox.push(xs[n - 1]); oy.push(ys[n - 1]);
  return [ox, oy];
}

/**
 * A thick polyline into `cov` (box pixels, max-combined): coverage = clamp(halfWidth + 0.5 − distance)
 * per segment, the half width interpolated between the points' `half(k)`. Cost is proportional to
 * the stroke's area, not the box.
 */
export function drawStroke(cov: Float32Array, bw: number, bh: number, xs: number[], ys: number[], half: (k: number) => number): void {
  for (let k = 0; k < xs.length - 1; k++) {
    const ax = xs[k], ay = ys[k], bx = xs[k + 1], by = ys[k + 1];
    const ha = half(k), hb = half(k + 1);
    if (ha <= 0 && hb <= 0) continue;
    const hm = Math.max(ha, hb) + 1;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - hm)), x1 = Math.min(bw - 1, Math.ceil(Math.max(ax, bx) + hm));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - hm)), y1 = Math.min(bh - 1, Math.ceil(Math.max(ay, by) + hm));
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy || 1e-6;
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5 - ay;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5 - ax;
        let t = (px * dx + py * dy) / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = px - t * dx, ey = py - t * dy;
        const c = ha + t * (hb - ha) + 0.5 - Math.sqrt(ex * ex + ey * ey);
        if (c > 0) {
          const o = y * bw + x;
          const v = c > 1 ? 1 : c;
          if (v > cov[o]) cov[o] = v;
        }
      }
    }
  }
}

/**
 * Ink coverage (0–1, antialiased) of the contour strokes over `box`. Each stroke is a tapered
 * thick polyline (thin at its ends like a brush line); coverage = clamp(halfWidth + 0.5 − distance)
 * per segment, max over segments. Cost is proportional to the strokes' area, not the box.
 */
export function inkCoverage(dst: Float32Array, box: Rect, baseWidth: number, featureInk = 0): Float32Array {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const cov = scratch('ink', bw * bh);
  for (const stroke of INK_STROKES) {
    // Feature strokes get thinner, not fainter, as featureInk falls: a faint line reads as dirt.
    const g = stroke.feature ? featureInk : 1;
    if (g <= 0) continue;
    const [xs, ys] = smoothPolyline(
      stroke.indices.map((i) => dst[i * 3] - box.x0),
      stroke.indices.map((i) => dst[i * 3 + 1] - box.y0),
    );
    const n = xs.length;
    const wmax = baseWidth * stroke.weight * g;
    drawStroke(cov, bw, bh, xs, ys, (k) => 0.5 * wmax * (0.35 + 0.65 * Math.sin((Math.PI * k) / (n - 1))));
  }
  // Brows (with featureInk): filled, softened by a 1-px box blur (antialiasing), at most 80 % so
  // the hair texture reads. Only over the brows' own rectangle (a small part of the box).
  if (featureInk <= 0) return cov;
  let fy0 = bh, fy1 = 0;
  for (const f of INK_FILLS) for (const i of f) { const y = dst[i * 3 + 1] - box.y0; fy0 = Math.min(fy0, y); fy1 = Math.max(fy1, y); }
  const ry0 = Math.max(0, Math.floor(fy0) - 3), ry1 = Math.min(bh, Math.ceil(fy1) + 4);
  if (ry1 > ry0) {
    const rh = ry1 - ry0;
    const fill = scratch('ink-fill', bw * rh);
    for (const f of INK_FILLS) fillPolygon(fill, bw, rh, f.map((i) => dst[i * 3]), f.map((i) => dst[i * 3 + 1]), box.x0, box.y0 + ry0);
    const soft = boxBlur(fill, bw, rh, 1, scratch('ink-soft', bw * rh, false), scratch('ink-tmp', bw * rh, false));
    for (let i = 0; i < bw * rh; i++) { const v = 0.8 * featureInk * soft[i], o = ry0 * bw + i; if (v > cov[o]) cov[o] = v; }
  }
  return cov;
}

/**
 * Paint ink (colour, opacity `alpha` × coverage × min(1, clipGain × clip)) onto the frame copy
 * within `box`. The clip is the blend mask: ink never lands outside the oval.
 */
export function paintInk(out: Uint8Array, W: number, box: Rect, cov: Float32Array, rgb: readonly [number, number, number], alpha: number, clip: Float32Array, clipGain = 4): void {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const i = y * bw + x;
      const c = cov[i];
      if (c <= 0) continue;
      // Clip to the blend mask so ink never lands outside the band; ramp quickly near the edge.
      const m = clip[i] * clipGain;
      const a = alpha * c * (m > 1 ? 1 : m);
      if (a <= 0) continue;
      const o = ((box.y0 + y) * W + box.x0 + x) * 3;
      out[o] += (rgb[0] - out[o]) * a;
      out[o + 1] += (rgb[1] - out[o + 1]) * a;
      out[o + 2] += (rgb[2] - out[o + 2]) * a;
    }
  }
}

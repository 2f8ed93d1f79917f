/**
 * Stage 5: is this photo good enough to fuse, and which face is the user?
 *
 * Quality measures are computed once per face (cheap: one 96×96 grey crop) and reported with the
 * analysis; the checks turn them into the user-facing codes. Every threshold is a named constant
 * chosen from the measurements in docs/face-analysis.md (35 licensed photos + the six npm fixture
 * photos); the comments say what the numbers looked like.
 */
import { AppError, type ErrorCode } from '../core/errors';
import { sampleAffine } from '../core/image-decode';
import { fillPolygon } from '../core/raster';
import type { Point3 } from './face-landmarker';
import type { Pose } from './face-pose';

/** Side of the upright grey face crop used for blur and brightness: a fixed size makes blur comparable across face sizes. */
export const QUALITY_CROP = 96;
/** Faces narrower than this (original pixels, face-oval width) cannot carry a poster frame's face. */
export const MIN_FACE_PX = 64;
/** …or narrower than this fraction of the photo's short side (a face lost in a wide shot). */
export const MIN_FACE_FRACTION = 0.08;
/** Fraction of the face oval that may lie outside the photo before FACE_EXCEEDS_BORDER. */
export const MAX_OUTSIDE_FRACTION = 0.05;
/**
 * |yaw| / |pitch| above these give POSE_TOO_LARGE (the warp then has to invent a hidden cheek).
 * Roll is corrected by rotation and not limited.
 *
 * Yaw: was 40°. The comic draws every slot from the photo, and most slots face the viewer or turn
 * the other way: past ≈ 33° the far eye is a sliver by the nose and the far cheek the silhouette's
 * background, stretched two or three times — 091 (35.6°) and 095 (34.9°) gave a scribbled far eye
 * and a hazy far lip on most frames, while 058 (31.1°) and the fixture faces at 26–30° read well
 * (docs/fusion.md "Ninth round"). The turned faces refused before (012, 018, camera) read 42–50°.
 */
export const MAX_YAW_DEG = 33;
/**
 * Was 30°. The comic draws the eyes from the photo: sample2's middle face (−28°, looking down)
 * passed and gave a poor comic on every frame — eyes under the lids, an iris drawn on a nearly
 * closed eye, hair over both temples as grey streaks — while faces at −20° and −22° (sample2's
 * right, sample6's third) still read well; every accepted ../shared/faces photo is within ±17.4°.
 */
export const MAX_PITCH_DEG = 25;
/** Sharpness = variance of the Laplacian of the 96×96 crop; below this TOO_BLURRY. */
export const MIN_SHARPNESS = 20;
/** Mean luma (0–255) of the face crop below this TOO_DARK. */
export const MIN_BRIGHTNESS = 45;
/**
 * Eyes hidden (sunglasses): the lighter eye's brightest tenth (p90 luma inside the lids) below this
 * fraction of the skin's luma gives FACE_OCCLUDED. Open eyes show sclera or a lit iris at 0.51–2.2
 * of the skin (glasses, dark skin, an eye in shadow, grey photos included); the two sunglasses
 * portraits of ../shared/faces 0.22 and 0.28 (docs/face-analysis.md).
 */
export const MIN_EYE_LIGHT = 0.4;
/**
 * A second face at least this fraction of the largest face's width competes for "the user";
 * smaller faces are bystanders and the largest face wins without asking.
 */
export const COMPETING_FACE_FRACTION = 0.7;

export interface Quality {
  /** Face-oval width in original pixels. */
  size: number;
  /** size / the photo's short side. */
  sizeRatio: number;
  /** Fraction of the face oval's extent outside the photo (0 = fully inside). */
  outside: number;
  /** Variance of the Laplacian on the 96×96 upright grey face crop (higher = sharper). */
  sharpness: number;
  /** Mean luma (0–255) of the face crop. */
  brightness: number;
  /** Luma standard deviation of the face crop (contrast). */
  contrast: number;
  /** FaceMesh face-presence score. */
  presence: number;
  /** The lighter eye's p90 luma inside its lids over the skin's median luma (low: sunglasses). */
  eyeLight: number;
}

/** Indices of the face-oval silhouette in the 468 mesh (MediaPipe FACEMESH_FACE_OVAL). */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148,
  176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/** Eye contours (upper lid outer → inner, then the lower lid back) in the 468 mesh: image left, image right. */
const EYE_CONTOURS = [
  [33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7],
  [263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249],
];
/** Skin sample points: cheeks, forehead, nose tip, beside the nostrils (below where lenses reach). */
const SKIN_POINTS = [50, 280, 151, 4, 205, 425];

/**
 * How visible the eyes are: the lighter eye's p90 luma inside its lids over the skin's median luma.
 * An open eye shows sclera (or a lit iris) near the skin's lightness or above; a dark lens keeps the
 * whole eye far below it, whatever the skin's own tone.
 */
export function eyeLight(img: { data: Uint8Array; width: number; height: number }, points: readonly Point3[]): number {
  const W = img.width, H = img.height, d = img.data;
  const luma = (x: number, y: number) => {
    const j = (Math.min(H - 1, Math.max(0, Math.round(y))) * W + Math.min(W - 1, Math.max(0, Math.round(x)))) * 3;
    return 0.299 * d[j] + 0.587 * d[j + 1] + 0.114 * d[j + 2];
  };
  const skin: number[] = [];
  for (const i of SKIN_POINTS) for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) skin.push(luma(points[i][0] + dx, points[i][1] + dy));
  skin.sort((a, b) => a - b);
  const skinL = Math.max(10, skin[skin.length >> 1]);
  let best = 0;
  for (const contour of EYE_CONTOURS) {
    const xs = contour.map((i) => points[i][0]), ys = contour.map((i) => points[i][1]);
    const x0 = Math.floor(Math.min(...xs)), y0 = Math.floor(Math.min(...ys));
    const w = Math.ceil(Math.max(...xs)) - x0 + 1, h = Math.ceil(Math.max(...ys)) - y0 + 1;
    if (w < 2 || h < 2 || w * h > 1 << 20) continue;
    const inside = new Float32Array(w * h);
    fillPolygon(inside, w, h, xs, ys, x0, y0);
    const v: number[] = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inside[y * w + x] > 0.5) v.push(luma(x0 + x, y0 + y));
    if (!v.length) continue;
    v.sort((a, b) => a - b);
    best = Math.max(best, v[Math.floor(0.9 * (v.length - 1))] / skinL);
  }
  return best;
}

/**
 * Measure one face. `points` are in working-image pixels (`img`); `scale` converts to original
 * pixels; `origW/H` is the original oriented size.
 */
export function measureQuality(
  img: { data: Uint8Array; width: number; height: number },
  points: readonly Point3[],
  scale: number,
  origW: number,
  origH: number,
  presence: number,
): Quality {
  // Oval extent in the eye-levelled face frame.
  const a = points[33], b = points[263];
  const ang = Math.atan2(b[1] - a[1], b[0] - a[0]);
  const c = Math.cos(ang), s = Math.sin(ang);
  let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const i of FACE_OVAL) {
    const [x, y] = points[i];
    const u = x * c + y * s, v = -x * s + y * c;
    minU = Math.min(minU, u); maxU = Math.max(maxU, u);
    minV = Math.min(minV, v); maxV = Math.max(maxV, v);
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const faceW = maxU - minU;
  const faceH = maxV - minV;
  const W = origW / scale, H = origH / scale; // working size
  const boxArea = (maxX - minX) * (maxY - minY) || 1;
  const inW = Math.max(0, Math.min(maxX, W) - Math.max(minX, 0));
  const inH = Math.max(0, Math.min(maxY, H) - Math.max(minY, 0));
  const outside = 1 - (inW * inH) / boxArea;

  // Upright grey crop of the inner face: the central 70 % of the oval box keeps hair and
  // background (which can be sharp while the face is not, or vice versa) out of the measure.
  const n = QUALITY_CROP;
  const side = Math.min(faceW, faceH) * 0.7;
  const cu = (minU + maxU) / 2, cv = (minV + maxV) / 2;
  const cx = cu * c - cv * s, cy = cu * s + cv * c;
  const k = side / n;
  const o = 0.5 - n / 2;
  const rgb = sampleAffine(img.data, img.width, img.height, n, n,
    { a: c * k, b: -s * k, c: cx - 0.5 + (c * o - s * o) * k, d: s * k, e: c * k, f: cy - 0.5 + (s * o + c * o) * k },
    1, 0, Math.min(4, Math.ceil(k / 1.5)));
  const grey = new Float32Array(n * n);
  let sum = 0;
  for (let i = 0; i < n * n; i++) {
    const g = 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2];
    grey[i] = g;
    sum += g;
  }
  const mean = sum / (n * n);
  let varG = 0;
  for (let i = 0; i < n * n; i++) varG += (grey[i] - mean) ** 2;
  varG /= n * n;
  // 4-neighbour Laplacian over the interior.
  let ls = 0, ls2 = 0, cnt = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      const l = grey[i - 1] + grey[i + 1] + grey[i - n] + grey[i + n] - 4 * grey[i];
      ls += l; ls2 += l * l; cnt++;
    }
  }
  const lapVar = ls2 / cnt - (ls / cnt) ** 2;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return {
    size: Math.round(faceW * scale),
    sizeRatio: r2((faceW * scale) / Math.min(origW, origH)),
    outside: r2(outside),
    sharpness: r2(lapVar),
    brightness: r2(mean),
    contrast: r2(Math.sqrt(varG)),
    presence: Math.round(presence * 1000) / 1000,
    eyeLight: r2(eyeLight(img, points)),
  };
}

export interface CheckableFace {
  box: [number, number, number, number];
  pose: Pose;
  quality: Quality;
}

/** The quality codes that apply to one face, most fundamental first (empty = good to fuse). */
export function faceIssues(face: CheckableFace): ErrorCode[] {
  const q = face.quality;
  const issues: ErrorCode[] = [];
  if (q.size < MIN_FACE_PX || q.sizeRatio < MIN_FACE_FRACTION) issues.push('FACE_TOO_SMALL');
  if (q.outside > MAX_OUTSIDE_FRACTION) issues.push('FACE_EXCEEDS_BORDER');
  if (Math.abs(face.pose.yaw) > MAX_YAW_DEG || Math.abs(face.pose.pitch) > MAX_PITCH_DEG) issues.push('POSE_TOO_LARGE');
  if (q.brightness < MIN_BRIGHTNESS) issues.push('TOO_DARK');
  // Darkness also flattens the Laplacian: report TOO_DARK alone, it is the cause to fix.
  else if (q.sharpness < MIN_SHARPNESS) issues.push('TOO_BLURRY');
  // Both eyes behind dark lenses: the comic draws the eyes from the photo, and they carry the likeness.
  if (q.eyeLight < MIN_EYE_LIGHT) issues.push('FACE_OCCLUDED');
  return issues;
}

/**
 * Which face is the user's: the largest, unless another is nearly as large. Throws NO_FACE, MULTIPLE_FACES (with
 * every box, so the client can let the user tap theirs) or INVALID_ARGUMENT for a bad index.
 */
export function selectFace<F extends CheckableFace>(faces: F[], faceIndex?: number): { face: F; index: number } {
  if (faces.length === 0) throw new AppError('NO_FACE');
  if (faceIndex !== undefined) {
    if (!Number.isInteger(faceIndex) || faceIndex < 0 || faceIndex >= faces.length) {
      throw new AppError('INVALID_ARGUMENT', { reason: `face index ${faceIndex} of ${faces.length}`, details: { field: 'face' } });
    }
    return { face: faces[faceIndex], index: faceIndex };
  }
  let best = 0;
  for (let i = 1; i < faces.length; i++) if (faces[i].quality.size > faces[best].quality.size) best = i;
  const competing = faces.filter((f, i) => i !== best && f.quality.size >= COMPETING_FACE_FRACTION * faces[best].quality.size);
  if (competing.length > 0) {
    throw new AppError('MULTIPLE_FACES', { details: { boxes: faces.map((f) => f.box) } });
  }
  return { face: faces[best], index: best };
}

/** selectFace + the first quality issue as an AppError: what the fusion entry points call. */
export function checkPhoto<F extends CheckableFace>(faces: F[], faceIndex?: number): { face: F; index: number } {
  const picked = selectFace(faces, faceIndex);
  const issues = faceIssues(picked.face);
  if (issues.length) throw new AppError(issues[0], { details: { faceIndex: picked.index, issues } });
  return picked;
}

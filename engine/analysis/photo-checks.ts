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
/** |yaw| / |pitch| above these give POSE_TOO_LARGE (the warp then has to invent a hidden cheek). Roll is corrected by rotation and not limited. */
export const MAX_YAW_DEG = 40;
export const MAX_PITCH_DEG = 30;
/** Sharpness = variance of the Laplacian of the 96×96 crop; below this TOO_BLURRY. */
export const MIN_SHARPNESS = 20;
/** Mean luma (0–255) of the face crop below this TOO_DARK. */
export const MIN_BRIGHTNESS = 45;
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
}

/** Indices of the face-oval silhouette in the 468 mesh (MediaPipe FACEMESH_FACE_OVAL). */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148,
  176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

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

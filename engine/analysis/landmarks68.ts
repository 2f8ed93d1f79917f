/**
 * The 68-point iBUG (dlib / 300-W) layout taken from the 468-point MediaPipe mesh.
 *
 * Why a fixed table: templates, fusion and external evaluation speak iBUG-68, the mesh is denser.
 * This is the standard correspondence (the public "mp2dlib" mapping), written out here index by
 * index. Eyes, brows, nose and mouth map onto mesh vertices that sit on the same anatomical spots;
 * the jaw (0–16) is the weak part: MediaPipe's face oval runs along the silhouette at temple and
 * cheek height, while iBUG's jaw follows the jaw bone, so points 0–3 and 13–16 differ by a few
 * percent of the inter-ocular distance (DESIGN pitfalls).
 *
 * "Right"/"left" are the subject's: the subject's right eye appears on the image's left.
 */
import type { Point3 } from './face-landmarker';
import { LANDMARKS68_FIT } from './landmarks68-fit';

export const MESH_TO_IBUG68: readonly number[] = [
  // 0–16 jaw, from the subject's right ear (image left) over the chin (8 = 152) to the left ear
  127, 234, 93, 132, 58, 172, 136, 150, 152, 379, 365, 397, 288, 361, 323, 454, 356,
  // 17–21 right brow, outer → inner
  70, 63, 105, 66, 107,
  // 22–26 left brow, inner → outer
  336, 296, 334, 293, 300,
  // 27–30 nose bridge, top → tip
  168, 197, 5, 4,
  // 31–35 nose base, right ala → left ala (33 = subnasale)
  75, 97, 2, 326, 305,
  // 36–41 right eye: outer corner, upper lid ×2, inner corner, lower lid ×2
  33, 160, 158, 133, 153, 144,
  // 42–47 left eye: inner corner, upper lid ×2, outer corner, lower lid ×2
  362, 385, 387, 263, 373, 380,
  // 48–59 outer lips: right corner, upper lip → left corner, lower lip back
  61, 39, 37, 0, 267, 269, 291, 405, 314, 17, 84, 181,
  // 60–67 inner lips: right corner, upper inner, left corner, lower inner
  78, 82, 13, 312, 308, 317, 14, 87,
];

/** iBUG index groups, for drawing and for checks. */
export const IBUG68_GROUPS = {
  jaw: [0, 17],
  rightBrow: [17, 22],
  leftBrow: [22, 27],
  noseBridge: [27, 31],
  noseBase: [31, 36],
  rightEye: [36, 42],
  leftEye: [42, 48],
  outerLips: [48, 60],
  innerLips: [60, 68],
} as const;

/** iBUG index of each point's mirror image (subject's right ↔ left). */
export const IBUG68_MIRROR: readonly number[] = [
  16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
  26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
  27, 28, 29, 30, 35, 34, 33, 32, 31,
  45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40,
  54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55,
  64, 63, 62, 61, 60, 67, 66, 65,
];

/**
 * A fitted correspondence: iBUG point k = Σ_j (weights[k][j] + yawWeights[k][j] · sin(yaw)) ·
 * mesh[indices[k][j]]. Weights sum to 1 and yaw weights to 0, so the combination is affine: it
 * follows the face under translation, rotation and scale.
 */
export interface Landmarks68Fit {
  indices: number[][];
  weights: number[][];
  yawWeights: number[][];
}

export function applyFit(fit: Landmarks68Fit, points: ReadonlyArray<Point3 | [number, number]>, yawDeg: number): Array<[number, number]> {
  const t = Math.sin((yawDeg * Math.PI) / 180);
  return fit.indices.map((idx, k) => {
    let x = 0, y = 0;
    const w = fit.weights[k], wy = fit.yawWeights[k];
    for (let j = 0; j < idx.length; j++) {
      const c = w[j] + wy[j] * t;
      x += c * points[idx[j]][0];
      y += c * points[idx[j]][1];
    }
    return [x, y];
  });
}

/**
 * 68 (x, y) points from a 468-point mesh: the fitted correspondence (landmarks68-fit.ts, measured
 * in docs/face-analysis.md) with the head's yaw in degrees (face-pose.ts convention), or the
 * single-vertex table when `method` is 'table'.
 */
export function toLandmarks68(points: ReadonlyArray<Point3 | [number, number]>, yawDeg = 0, method: 'fit' | 'table' = 'fit'): Array<[number, number]> {
  if (points.length < 468) throw new Error(`expected 468 mesh points, got ${points.length}`);
  if (method === 'table') return MESH_TO_IBUG68.map((i) => [points[i][0], points[i][1]]);
  return applyFit(LANDMARKS68_FIT, points, yawDeg);
}

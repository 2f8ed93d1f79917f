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

/** 68 (x, y) points from a 468-point mesh. */
export function toLandmarks68(points: ReadonlyArray<Point3 | [number, number]>): Array<[number, number]> {
  if (points.length < 468) throw new Error(`expected 468 mesh points, got ${points.length}`);
  return MESH_TO_IBUG68.map((i) => [points[i][0], points[i][1]]);
}

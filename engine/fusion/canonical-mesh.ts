/**
 * The canonical 3D face (derived from FaceMesh itself, see scripts/derive-canonical-mesh.ts and
 * docs/fusion.md), its triangulation, the contour index lists the stylise/mask stages draw along,
 * and `projectSlot`: a slot pose → the 468 target points of the face in the frame.
 */
import { CANONICAL_MESH_XYZ, CANONICAL_TRIANGLES } from './canonical-mesh-data';
import { poseRotation } from '../core/geometry';
import type { SlotPose } from './slot';

export const MESH_POINTS = 468;

/** 468 × 3 (x, y, z); face-oval width 1, oval bbox centred at 0, z away from the viewer. */
export const CANONICAL_MESH = Float32Array.from(CANONICAL_MESH_XYZ);

/** Face silhouette incl. the forehead up to the hairline (MediaPipe FACEMESH_FACE_OVAL order, closed loop). */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148,
  176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
] as const;

/** Jaw: the lower part of the oval, cheek (234) → chin (152) → cheek (454), open polyline. */
export const JAW = [234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361, 323, 454] as const;

/** Eyes (subject's right = image left for a frontal face); upper and lower lids, corner to corner. */
export const RIGHT_EYE_UPPER = [33, 246, 161, 160, 159, 158, 157, 173, 133] as const;
export const RIGHT_EYE_LOWER = [33, 7, 163, 144, 145, 153, 154, 155, 133] as const;
export const LEFT_EYE_UPPER = [263, 466, 388, 387, 386, 385, 384, 398, 362] as const;
export const LEFT_EYE_LOWER = [263, 249, 390, 373, 374, 380, 381, 382, 362] as const;
/** Brows, outer → inner; upper and lower edge. */
export const RIGHT_BROW_UPPER = [70, 63, 105, 66, 107] as const;
export const RIGHT_BROW_LOWER = [46, 53, 52, 65, 55] as const;
export const LEFT_BROW_UPPER = [300, 293, 334, 296, 336] as const;
export const LEFT_BROW_LOWER = [276, 283, 282, 295, 285] as const;
/** Nose: the underside (alar wing → columella → alar wing) and one side of the bridge. */
export const NOSE_BOTTOM = [129, 98, 97, 2, 326, 327, 358] as const;
export const NOSE_BRIDGE = [168, 6, 197, 195, 5] as const;
/** Lips: outer outline (upper, lower) and the mouth line (the inner upper lip edge). */
export const LIPS_OUTER_UPPER = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291] as const;
export const LIPS_OUTER_LOWER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291] as const;
export const LIPS_INNER_UPPER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308] as const;
export const LIPS_INNER_LOWER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308] as const;

/** Closed regions that are not skin (for skin statistics): eyes, brows, lips. */
export const NON_SKIN_REGIONS: ReadonlyArray<readonly number[]> = [
  [...RIGHT_EYE_UPPER, ...[...RIGHT_EYE_LOWER].reverse()],
  [...LEFT_EYE_UPPER, ...[...LEFT_EYE_LOWER].reverse()],
  [...RIGHT_BROW_UPPER, ...[...RIGHT_BROW_LOWER].reverse()],
  [...LEFT_BROW_UPPER, ...[...LEFT_BROW_LOWER].reverse()],
  [...LIPS_OUTER_UPPER, ...[...LIPS_OUTER_LOWER].reverse()],
];

export interface InkStroke {
  indices: readonly number[];
  /** Line width relative to the slot's base ink width. */
  weight: number;
  /** Drawn over a feature (eyes, lips): scaled by the slot's `featureInk`, not only `ink`. */
  feature?: boolean;
  closed?: boolean;
}

/**
 * The ink lines a comic artist would draw. The jaw and the nose base outline the user's face
 * shape (they cost no likeness); the feature strokes (lids, lips) only at the slot's `featureInk`
 * (default 0: they paint the same marks over everyone's eyes and mouth, see engine/fusion/slot.ts).
 */
export const INK_STROKES: readonly InkStroke[] = [
  { indices: RIGHT_EYE_UPPER, weight: 1.3, feature: true },
  { indices: LEFT_EYE_UPPER, weight: 1.3, feature: true },
  { indices: RIGHT_EYE_LOWER, weight: 0.6, feature: true },
  { indices: LEFT_EYE_LOWER, weight: 0.6, feature: true },
  { indices: NOSE_BOTTOM, weight: 0.7, feature: true },
  { indices: LIPS_INNER_UPPER, weight: 1.0, feature: true },
  { indices: LIPS_OUTER_UPPER, weight: 0.55, feature: true },
  { indices: LIPS_OUTER_LOWER, weight: 0.55, feature: true },
  { indices: JAW, weight: 1.1 },
];

/** Brows are drawn as filled shapes (a comic brow is a solid stroke whose thickness is the user's). */
export const INK_FILLS: ReadonlyArray<readonly number[]> = [
  [...RIGHT_BROW_UPPER, ...[...RIGHT_BROW_LOWER].reverse()],
  [...LEFT_BROW_UPPER, ...[...LEFT_BROW_LOWER].reverse()],
];

/**
 * Triangles over the canonical frontal projection (Delaunay via delaunator, computed once by
 * scripts/derive-canonical-mesh.ts and stored with the mesh). One triangulation serves every
 * face: the mesh's vertices correspond, so a triangle of the user's face maps to the same
 * triangle of the slot.
 */
export const TRIANGLES: Uint32Array = Uint32Array.from(CANONICAL_TRIANGLES);

/**
 * Rotate a 3D face shape (canonical units) into a slot pose and project it orthographically
 * (a face is shallow compared with the viewing distance of a comic panel) into frame pixels.
 * Returns 468 × (x, y, depth) with depth in pixels, larger = farther (for painter's ordering).
 * `center` is the centre of the projected oval's bounding box, `width` the frontal oval width.
 */
export function projectShape(shape: ArrayLike<number>, pose: SlotPose): Float32Array {
  const R = poseRotation(pose.yaw ?? 0, pose.pitch ?? 0, pose.roll ?? 0);
  const s = pose.width;
  const out = new Float32Array(MESH_POINTS * 3);
  for (let i = 0; i < MESH_POINTS; i++) {
    const x = shape[i * 3], y = shape[i * 3 + 1], z = shape[i * 3 + 2];
    out[i * 3] = s * (R[0] * x + R[1] * y + R[2] * z);
    out[i * 3 + 1] = s * (R[3] * x + R[4] * y + R[5] * z);
    out[i * 3 + 2] = s * (R[6] * x + R[7] * y + R[8] * z);
  }
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const i of FACE_OVAL) {
    minX = Math.min(minX, out[i * 3]); maxX = Math.max(maxX, out[i * 3]);
    minY = Math.min(minY, out[i * 3 + 1]); maxY = Math.max(maxY, out[i * 3 + 1]);
  }
  const dx = pose.center[0] - (minX + maxX) / 2, dy = pose.center[1] - (minY + maxY) / 2;
  for (let i = 0; i < MESH_POINTS; i++) { out[i * 3] += dx; out[i * 3 + 1] += dy; }
  return out;
}

/** The slot's 468 target points [x, y] for the canonical face. */
export function projectSlot(pose: SlotPose): Array<[number, number]> {
  const p = projectShape(CANONICAL_MESH, pose);
  return Array.from({ length: MESH_POINTS }, (_, i) => [p[i * 3], p[i * 3 + 1]] as [number, number]);
}

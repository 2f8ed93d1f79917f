/**
 * Head pose (yaw, pitch, roll in degrees) from the 468-point mesh.
 *
 * Why from the mesh and not a PnP solve: FaceMesh already gives metric-ish 3D points (z in the
 * same units as x), so the head's own axes can be read off directly and no camera model is needed:
 *  - X axis: subject's right → left, averaged over two symmetric pairs (outer eye corners 33→263
 *    and cheek silhouette 234→454) so one occluded side does not dominate;
 *  - Y axis: forehead (10) → chin (152), made orthogonal to X.
 * The angles are the Euler angles of that frame (yaw about the vertical axis, then pitch, roll in
 * the image plane).
 *
 * Sign conventions (image coordinates: x right, y down; z away from the camera):
 *  - yaw   > 0: the nose points towards the image's right (subject turned to their left);
 *  - pitch > 0: the chin is raised (subject looks up); < 0 looks down;
 *  - roll  > 0: the head is tilted clockwise in the image (the image-right eye is lower).
 *
 * The forehead→chin line is not perpendicular to the line of sight on a face looking straight at
 * the camera (the chin sits further forward than the upper forehead in the mesh's 3D shape);
 * PITCH_OFFSET_DEG removes that anatomical bias so a frontal face reads ≈0.
 */
import type { Point3 } from './face-landmarker';

export interface Pose {
  yaw: number;
  pitch: number;
  roll: number;
}

/** Pitch the raw frame reads for a face looking straight into the camera (measured on frontal portraits, docs/face-analysis.md). */
export const PITCH_OFFSET_DEG = -5;

type V3 = [number, number, number];
const sub = (a: Point3, b: Point3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a: V3, b: V3): V3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const scale = (a: V3, k: number): V3 => [a[0] * k, a[1] * k, a[2] * k];
const norm = (a: V3): V3 => scale(a, 1 / (Math.hypot(a[0], a[1], a[2]) || 1));
const deg = (r: number) => (r * 180) / Math.PI;

/** Yaw (degrees) of mesh points packed x, y, z per point (a crop's or a slot's points). */
export function yawOfPacked(points: ArrayLike<number>): number {
  return estimatePose(Array.from({ length: points.length / 3 }, (_, i) => [points[i * 3], points[i * 3 + 1], points[i * 3 + 2]] as Point3)).yaw;
}

export function estimatePose(points: readonly Point3[]): Pose {
  const x = norm(add(norm(sub(points[263], points[33])), norm(sub(points[454], points[234]))));
  const yRaw = sub(points[152], points[10]);
  const y = norm(sub(yRaw, scale(x, dot(yRaw, x))));
  // Rotation R = [x y z] maps head axes to camera axes; with z = x × y:
  // yaw from x's depth component, pitch from y's depth component, roll from x in the image plane.
  const yaw = deg(Math.asin(Math.max(-1, Math.min(1, x[2]))));
  // Chin raised → chin nearer the camera than the forehead → y has negative depth → pitch > 0.
  const pitch = -deg(Math.asin(Math.max(-1, Math.min(1, y[2])))) - PITCH_OFFSET_DEG;
  const roll = deg(Math.atan2(x[1], x[0]));
  const r1 = (v: number) => Math.round(v * 10) / 10;
  return { yaw: r1(yaw), pitch: r1(pitch), roll: r1(roll) };
}

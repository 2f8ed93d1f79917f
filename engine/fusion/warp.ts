/**
 * Warp stage: the target shape (slot shape blended with the user's) and a piecewise-affine warp of
 * the user's aligned face crop onto it.
 *
 * Speed: each triangle's inverse affine map (target → source) is computed once, then its pixels
 * are visited directly (bounding box of the target triangle + three edge functions, incremental
 * per row) — no per-pixel triangle search. Only the slot's bounding box is touched.
 * Occlusion: on a turned slot some triangles fold behind others; drawing them far → near (by
 * projected depth) is the painter's algorithm and lets the near cheek win.
 */
import { CANONICAL_MESH, MESH_POINTS, TRIANGLES, projectShape } from './canonical-mesh';
import { procrustes2 } from '../core/geometry';
import type { Planes, Rect } from '../core/raster';
import type { Slot, SlotPose } from './slot';

/**
 * Share of a pose slot's turn (yaw) the user's face is drawn with. A photo shows one view, almost
 * always face-on; any other is synthesised from FaceMesh's depth, a single-view estimate, and the
 * further the turn, the more of the face is laid out by that estimate rather than by the person:
 * turned the full 18–22°, a face-on photo kept less of its likeness (dlib rank-1 95.8 % on those
 * slots, and a drawn friend beat Luciano's hero twice). Four fifths of the turn keeps the
 * composition — the face looks where the drawn head looks, 4° short at 20°, inside the same
 * outline and ears, as an artist turns a head more than its features — and the person: on
 * ../shared/faces dlib 98.0 → 99.8 % (turned slots 95.8 → 100 %), no drawn second person closer,
 * faceres 99.8 %; the CI fixture's turned photos 4 → 2 dlib misses. Taken from the photo's own
 * yaw instead of from face-on (a turned photo turned less far) it was as good on ../shared/faces
 * but lost 6 fixture frames (docs/fusion.md "Eleventh round").
 */
export const TURN_SHARE = 0.8;

/** The pose the user's face is drawn at on a pose slot: the slot's, with TURN_SHARE of its yaw. */
export const facePose = (pose: SlotPose): SlotPose => ({ ...pose, yaw: TURN_SHARE * (pose.yaw ?? 0) });

/**
 * Target points for a slot: 468 × (x, y, depth) in frame pixels.
 *  - Pose slots: blend in 3D, before projection: the user's pose-free shape (their mesh
 *    Procrustes-aligned onto the canonical mesh: similarity = pose and size removed) is mixed with
 *    the canonical shape, `shape` 0 = canonical, 1 = the user's, and the blend is projected with the
 *    slot's pose. Blending before projection means a turned user photo does not turn the slot.
 *    The face is turned TURN_SHARE of the slot's yaw.
 *  - Photo-template slots (`points`): the user's 2D points are similarity-aligned onto the slot's
 *    points, then blended in 2D; depth is taken from the canonical mesh for ordering.
 */
export function targetPoints(slot: Slot, userShape: Float32Array, userCropPts: Float32Array, shape: number): Float32Array {
  const s = Math.max(0, Math.min(1, shape));
  if (!slot.points) {
    const blended = new Float32Array(MESH_POINTS * 3);
    for (let i = 0; i < blended.length; i++) blended[i] = CANONICAL_MESH[i] + s * (userShape[i] - CANONICAL_MESH[i]);
    return projectShape(blended, facePose(slot.pose));
  }
  const sp = slot.points.flat();
  const t = procrustes2(userCropPts, sp, MESH_POINTS, 3, 2);
  const out = new Float32Array(MESH_POINTS * 3);
  for (let i = 0; i < MESH_POINTS; i++) {
    const x = userCropPts[i * 3], y = userCropPts[i * 3 + 1];
    const ux = t.a * x - t.b * y + t.tx, uy = t.b * x + t.a * y + t.ty;
    out[i * 3] = sp[i * 2] + s * (ux - sp[i * 2]);
    out[i * 3 + 1] = sp[i * 2 + 1] + s * (uy - sp[i * 2 + 1]);
    out[i * 3 + 2] = CANONICAL_MESH[i * 3 + 2] * Math.hypot(t.a, t.b) * 200;
  }
  return out;
}

/** Triangle order far → near for these target points (painter's algorithm). */
function depthOrder(dst: Float32Array): Uint32Array {
  const nt = TRIANGLES.length / 3;
  const depth = new Float32Array(nt);
  const order = new Uint32Array(nt);
  for (let t = 0; t < nt; t++) {
    order[t] = t;
    depth[t] = dst[TRIANGLES[t * 3] * 3 + 2] + dst[TRIANGLES[t * 3 + 1] * 3 + 2] + dst[TRIANGLES[t * 3 + 2] * 3 + 2];
  }
  return order.sort((a, b) => depth[b] - depth[a]);
}

/**
 * Piecewise-affine warp of `src` planes (the aligned face crop, points `srcPts` 468 × 3) onto the
 * target points `dst` (frame pixels, 468 × 3), written into `out` planes covering `box`.
 * `cover` receives 1 where some triangle wrote a pixel. Bilinear sampling. Extra planes of the
 * crop's size (`extras`: the comic detail and ink planes, engine/fusion/stylise.ts) are warped along.
 */
export interface ExtraPlane { src: Float32Array; out: Float32Array }
export function warpFace(src: Planes, srcPts: Float32Array, dst: Float32Array, box: Rect, out: Planes, cover: Uint8Array, extras: readonly ExtraPlane[] = []): void {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const sw = src.width, sh = src.height;
  const S0 = src.c0, S1 = src.c1, S2 = src.c2;
  const O0 = out.c0, O1 = out.c1, O2 = out.c2;
  // Two extra planes, inlined in the hot loop (the stylise stage needs exactly these).
  if (extras.length > 2) throw new Error('warpFace: at most two extra planes');
  const S3 = extras[0]?.src ?? null, O3 = extras[0]?.out ?? O0;
  const S4 = extras[1]?.src ?? null, O4 = extras[1]?.out ?? O0;
  cover.fill(0);
  const order = depthOrder(dst);
  for (let k = 0; k < order.length; k++) {
    const t = order[k];
    const i0 = TRIANGLES[t * 3], i1 = TRIANGLES[t * 3 + 1], i2 = TRIANGLES[t * 3 + 2];
    // target vertices in box coordinates
    const x0 = dst[i0 * 3] - box.x0, y0 = dst[i0 * 3 + 1] - box.y0;
    const x1 = dst[i1 * 3] - box.x0, y1 = dst[i1 * 3 + 1] - box.y0;
    const x2 = dst[i2 * 3] - box.x0, y2 = dst[i2 * 3 + 1] - box.y0;
    const det = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (Math.abs(det) < 1e-6) continue; // degenerate (edge-on after projection)
    // inverse affine: (x, y) → barycentric → source
    const u0 = srcPts[i0 * 3], v0 = srcPts[i0 * 3 + 1];
    const u1 = srcPts[i1 * 3], v1 = srcPts[i1 * 3 + 1];
    const u2 = srcPts[i2 * 3], v2 = srcPts[i2 * 3 + 1];
    const id = 1 / det;
    // l1 = ((x - x0)(y2 - y0) - (x2 - x0)(y - y0)) / det ; l2 = ((x1 - x0)(y - y0) - (x - x0)(y1 - y0)) / det
    const a1 = (y2 - y0) * id, b1 = -(x2 - x0) * id;
    const a2 = -(y1 - y0) * id, b2 = (x1 - x0) * id;
    const du1 = u1 - u0, du2 = u2 - u0, dv1 = v1 - v0, dv2 = v2 - v0;
    // source = (u0, v0) + l1 (du1, dv1) + l2 (du2, dv2): affine in (x, y)
    const ax = a1 * du1 + a2 * du2, bx = b1 * du1 + b2 * du2;
    const ay = a1 * dv1 + a2 * dv2, by = b1 * dv1 + b2 * dv2;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1, x2))), maxX = Math.min(bw - 1, Math.ceil(Math.max(x0, x1, x2)));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1, y2))), maxY = Math.min(bh - 1, Math.ceil(Math.max(y0, y1, y2)));
    const E = 1e-3; // shared edges are covered by both neighbours: no cracks
    const a3 = -a1 - a2;
    for (let y = minY; y <= maxY; y++) {
      const py = y + 0.5 - y0;
      // The row's span, solved from the three barycentric constraints (l1 ≥ 0, l2 ≥ 0,
      // 1 − l1 − l2 ≥ 0), each linear in x: no per-pixel inside test.
      const c1 = b1 * py + E, c2 = b2 * py + E, c3 = 1 - b1 * py - b2 * py + E;
      let lo = minX + 0.5 - x0, hi = maxX + 0.5 - x0;
      if (a1 > 0) lo = Math.max(lo, -c1 / a1); else if (a1 < 0) hi = Math.min(hi, -c1 / a1); else if (c1 < 0) continue;
      if (a2 > 0) lo = Math.max(lo, -c2 / a2); else if (a2 < 0) hi = Math.min(hi, -c2 / a2); else if (c2 < 0) continue;
      if (a3 > 0) lo = Math.max(lo, -c3 / a3); else if (a3 < 0) hi = Math.min(hi, -c3 / a3); else if (c3 < 0) continue;
      const xs = Math.ceil(lo + x0 - 0.5), xe = Math.floor(hi + x0 - 0.5);
      if (xe < xs) continue;
      const px = xs + 0.5 - x0;
      let su = u0 + ax * px + bx * py, sv = v0 + ay * px + by * py;
      let o = y * bw + xs;
      for (let x = xs; x <= xe; x++, o++, su += ax, sv += ay) {
        // bilinear sample (clamped)
        let fx = su - 0.5, fy = sv - 0.5;
        if (fx < 0) fx = 0; else if (fx > sw - 1.001) fx = sw - 1.001;
        if (fy < 0) fy = 0; else if (fy > sh - 1.001) fy = sh - 1.001;
        const ix = fx | 0, iy = fy | 0, tx = fx - ix, ty = fy - iy;
        const j = iy * sw + ix;
        const w00 = (1 - tx) * (1 - ty), w01 = tx * (1 - ty), w10 = (1 - tx) * ty, w11 = tx * ty;
        O0[o] = S0[j] * w00 + S0[j + 1] * w01 + S0[j + sw] * w10 + S0[j + sw + 1] * w11;
        O1[o] = S1[j] * w00 + S1[j + 1] * w01 + S1[j + sw] * w10 + S1[j + sw + 1] * w11;
        O2[o] = S2[j] * w00 + S2[j + 1] * w01 + S2[j + sw] * w10 + S2[j + sw + 1] * w11;
        if (S3) O3[o] = S3[j] * w00 + S3[j + 1] * w01 + S3[j + sw] * w10 + S3[j + sw + 1] * w11;
        if (S4) O4[o] = S4[j] * w00 + S4[j + 1] * w01 + S4[j + sw] * w10 + S4[j + sw + 1] * w11;
        cover[o] = 1;
      }
    }
  }
}

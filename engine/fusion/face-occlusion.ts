/**
 * Hair, a hand or a phone over one side of the user's face: fill it from the face's own mirror
 * image, once per photo, on the aligned crop (prepareFace).
 *
 * Why: a fringe over one eye (common in the campaign's audience) otherwise reaches the comic as a
 * grey smear with a blurred eye under it — the occluder repaint in stylise.ts can only turn dark
 * areas into flat skin, and never inside the eye. The mesh knows where the hidden eye is, and faces
 * are nearly symmetric, so the other side, mirrored through the mesh, is the best guess of what is
 * under the hair.
 *
 * The same for a one-sided bright patch (a light background inside the oval of a turned face).
 *
 * How: the canonical mesh is symmetric (scripts/derive-canonical-mesh.ts), so every vertex has a
 * mirror partner (nearest vertex after reflecting x). A piecewise-affine warp with the partners'
 * positions as source gives the mirrored face in the crop's own geometry. A pixel is replaced
 * where its neighbourhood is far darker (or far brighter) than the skin *and* the mirrored
 * neighbourhood is clearly closer to it: an occluder on one side only. Symmetric dark things (brows, both eyes, a beard) are left
 * alone; so is a soft side light (not dark enough). The weight is blurred, so the fill fades in.
 */
import { CANONICAL_MESH, FACE_OVAL, MESH_POINTS, TRIANGLES } from './canonical-mesh';
import { warpFace } from './warp';
import { procrustes3 } from '../core/geometry';
import { boxBlur, fillPolygon, newPlanes, type Planes } from '../core/raster';

let mirror: Int32Array | undefined;

/** Mirror partner of every mesh vertex (computed once from the canonical mesh). */
export function meshMirror(): Int32Array {
  if (mirror) return mirror;
  const m = new Int32Array(MESH_POINTS);
  const P = CANONICAL_MESH;
  for (let i = 0; i < MESH_POINTS; i++) {
    const x = -P[i * 3], y = P[i * 3 + 1], z = P[i * 3 + 2];
    let best = i, bd = Infinity;
    for (let j = 0; j < MESH_POINTS; j++) {
      const d = (P[j * 3] - x) ** 2 + (P[j * 3 + 1] - y) ** 2 + (P[j * 3 + 2] - z) ** 2;
      if (d < bd) { bd = d; best = j; }
    }
    m[i] = best;
  }
  mirror = m;
  return m;
}

/**
 * The face mirrored through the mesh, in the crop's own geometry: every triangle is filled from
 * its mirror partner's place. `cover` is 1 where a triangle wrote.
 */
function mirrorFace(lab: Planes, points: Float32Array): { mirrored: Planes; cover: Uint8Array } {
  const w = lab.width, h = lab.height;
  const m = meshMirror();
  const src = new Float32Array(MESH_POINTS * 3);
  for (let i = 0; i < MESH_POINTS; i++) {
    src[i * 3] = points[m[i] * 3];
    src[i * 3 + 1] = points[m[i] * 3 + 1];
    src[i * 3 + 2] = points[i * 3 + 2]; // depth of the target vertex: keeps warpFace's painter's order
  }
  const mirrored = newPlanes(w, h);
  const cover = new Uint8Array(w * h);
  warpFace(lab, src, points, { x0: 0, y0: 0, x1: w, y1: h }, mirrored, cover);
  return { mirrored, cover };
}

/**
 * Occluder thresholds on the local mean L against the skin's mean L (mL): darker than
 * min(DARK·mL, mL − MARGIN) (hair) or brighter than max(BRIGHT·mL, mL + MARGIN) (a light background
 * inside the oval of a turned face); and the mirror closer to the skin by DIFFER·mL. Set on
 * ../shared/faces: a side light, wrinkles or the highlights on dark skin must not trigger it.
 */
const DARK = 0.6;
const BRIGHT = 1.5;
const MARGIN = 20;
const DIFFER = 0.2;

const smooth = (t: number) => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));

/**
 * Replaces one-sided occluders in `lab` (in place) by the mirrored face. `points`: 468 × (x, y, z)
 * in crop pixels. Returns the share of the face oval that was replaced (0–1), for logs-free tests.
 */
export function fillOcclusions(lab: Planes, points: Float32Array, skinMeanL: number, faceWidth: number): number {
  const w = lab.width, h = lab.height, n = w * h;
  const oval = new Float32Array(n);
  fillPolygon(oval, w, h, FACE_OVAL.map((i) => points[i * 3]), FACE_OVAL.map((i) => points[i * 3 + 1]));
  const { mirrored, cover } = mirrorFace(lab, points);
  const r = Math.max(2, Math.round(faceWidth / 24));
  const tmp = new Float32Array(n);
  const area = boxBlur(boxBlur(lab.c0, w, h, r, undefined, tmp), w, h, r, undefined, tmp);
  const marea = boxBlur(boxBlur(mirrored.c0, w, h, r, undefined, tmp), w, h, r, undefined, tmp);
  const mL = Math.max(10, skinMeanL);
  const darkBelow = Math.min(DARK * mL, mL - MARGIN), brightAbove = Math.max(BRIGHT * mL, mL + MARGIN);
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (!oval[i] || !cover[i]) continue;
    const dark = smooth((darkBelow - area[i]) / (0.1 * mL)) * smooth((marea[i] - area[i] - DIFFER * mL) / (0.1 * mL));
    const bright = smooth((area[i] - brightAbove) / (0.1 * mL)) * smooth((area[i] - marea[i] - DIFFER * mL) / (0.1 * mL));
    weight[i] = Math.max(dark, bright);
  }
  // Never from a turned face's far side: there the photo shows the silhouette's background or the
  // hair behind the cheek, not skin, and hair over the near cheek was filled with white patches.
  const far = farSideWeights(points), m = meshMirror(), fromFar = new Float32Array(MESH_POINTS);
  for (let v = 0; v < MESH_POINTS; v++) fromFar[v] = far[m[v]];
  const block = paintVertices(fromFar, points, w, h);
  for (let i = 0; i < n; i++) weight[i] *= 1 - block[i];
  const soft = boxBlur(weight, w, h, r, undefined, tmp);
  let replaced = 0, inOval = 0;
  for (let i = 0; i < n; i++) {
    const k = cover[i] ? Math.max(weight[i], soft[i]) : 0;
    if (oval[i]) { inOval++; replaced += k; }
    if (k <= 0) continue;
    lab.c0[i] += k * (mirrored.c0[i] - lab.c0[i]);
    lab.c1[i] += k * (mirrored.c1[i] - lab.c1[i]);
    lab.c2[i] += k * (mirrored.c2[i] - lab.c2[i]);
  }
  return inOval ? replaced / inOval : 0;
}

/**
 * Foreshortening (how squarely a point of the face is seen, plus SEEN_EPS, over the same for its
 * mirror partner) below which a point starts to count as a turned face's far side, and where it
 * counts whole. SEEN_EPS keeps a pair both edge-on (a frontal face's silhouette) from counting.
 * On the canonical face: nothing at 0°, 3 vertices (≤ 0.12) at 3°, the silhouette strip at 8°
 * (48 vertices at 1), the far cheek at 20° (152).
 */
export const FAR_FROM = 0.8;
export const FAR_FULL = 0.45;
const SEEN_EPS = 0.2;

let normals: Float32Array | undefined;
/** Unit outward normals of the canonical mesh's vertices (area-weighted over their triangles; once). */
function meshNormals(): Float32Array {
  if (normals) return normals;
  const C = CANONICAL_MESH, nv = new Float32Array(MESH_POINTS * 3);
  for (let t = 0; t < TRIANGLES.length / 3; t++) {
    const a = TRIANGLES[t * 3], b = TRIANGLES[t * 3 + 1], c = TRIANGLES[t * 3 + 2];
    const ux = C[b * 3] - C[a * 3], uy = C[b * 3 + 1] - C[a * 3 + 1], uz = C[b * 3 + 2] - C[a * 3 + 2];
    const vx = C[c * 3] - C[a * 3], vy = C[c * 3 + 1] - C[a * 3 + 1], vz = C[c * 3 + 2] - C[a * 3 + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    for (const v of [a, b, c]) { nv[v * 3] += nx; nv[v * 3 + 1] += ny; nv[v * 3 + 2] += nz; }
  }
  // outward = towards the viewer (−z) at the nose tip (vertex 1)
  const sign = nv[1 * 3 + 2] < 0 ? 1 : -1;
  for (let v = 0; v < MESH_POINTS; v++) {
    const l = Math.hypot(nv[v * 3], nv[v * 3 + 1], nv[v * 3 + 2]) || 1;
    for (let k = 0; k < 3; k++) nv[v * 3 + k] *= sign / l;
  }
  normals = nv;
  return nv;
}

/**
 * How much of each mesh vertex is a turned face's far side (0–1, per vertex), from the face's
 * points in the photo (x, y, z): how squarely the vertex is seen, over how squarely its mirror
 * partner is. Squareness comes from the canonical mesh's normals turned by the head pose (a rigid
 * fit of the canonical mesh onto the points) — per-triangle areas of the landmarks themselves are
 * too noisy near the silhouette. All zero for a face seen within a few degrees of face-on.
 */
export function farSideWeights(photoPoints: Float32Array): Float32Array {
  const m = meshMirror(), N = meshNormals();
  const R = procrustes3(CANONICAL_MESH, photoPoints, MESH_POINTS).R;
  const seen = new Float32Array(MESH_POINTS);
  for (let v = 0; v < MESH_POINTS; v++) {
    const nz = R[6] * N[v * 3] + R[7] * N[v * 3 + 1] + R[8] * N[v * 3 + 2];
    seen[v] = Math.max(0, -nz);
  }
  const k = new Float32Array(MESH_POINTS);
  for (let v = 0; v < MESH_POINTS; v++) k[v] = smooth((FAR_FROM - (seen[v] + SEEN_EPS) / (seen[m[v]] + SEEN_EPS)) / (FAR_FROM - FAR_FULL));
  return k;
}

/** Per-vertex values painted over the mesh's triangles (each triangle its vertices' mean). */
export function paintVertices(values: Float32Array, points: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let t = 0; t < TRIANGLES.length / 3; t++) {
    const a = TRIANGLES[t * 3], b = TRIANGLES[t * 3 + 1], c = TRIANGLES[t * 3 + 2];
    const v = (values[a] + values[b] + values[c]) / 3;
    if (v <= 0) continue;
    fillPolygon(out, w, h, [points[a * 3], points[b * 3], points[c * 3]], [points[a * 3 + 1], points[b * 3 + 1], points[c * 3 + 1]], 0, 0, v);
  }
  return out;
}

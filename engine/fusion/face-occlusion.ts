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
import { CANONICAL_MESH, FACE_OVAL, MESH_POINTS } from './canonical-mesh';
import { warpFace } from './warp';
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
  const m = meshMirror();
  const src = new Float32Array(MESH_POINTS * 3);
  for (let i = 0; i < MESH_POINTS; i++) {
    src[i * 3] = points[m[i] * 3];
    src[i * 3 + 1] = points[m[i] * 3 + 1];
    src[i * 3 + 2] = points[i * 3 + 2]; // depth of the target vertex: keeps warpFace's painter's order
  }
  const mirrored = newPlanes(w, h);
  const cover = new Uint8Array(n);
  warpFace(lab, src, points, { x0: 0, y0: 0, x1: w, y1: h }, mirrored, cover);
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

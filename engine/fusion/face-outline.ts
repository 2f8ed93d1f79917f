/**
 * The face's outline where the fused face meets anything but the drawing's own face.
 *
 * Why: the art draws every head with an ink outline around the face oval (3.5 % of the face's
 * width in the templates). A user's jaw wider or longer than the drawn one covers that outline,
 * and the face then ends in the feather band as a soft photo edge against the sky or the collar
 * (pin frame 1: 001, 016) — the one edge of the comic without a line.
 *
 * How: along the user's jaw (the mesh's JAW contour, cheek to cheek under the chin, in frame
 * pixels) each point looks outward in the original frame. Where the drawing's own outline (or
 * dark drawn hair) is right at the edge, or beyond a strip of drawn skin within `OUTLINE_REACH`,
 * nothing is drawn: the art's line stays the face's line, and a second one would double it.
 * Elsewhere (sky, clothes, the neck below a chin that now covers the drawn one) a line of
 * `OUTLINE_WIDTH` × the face width is drawn just inside the oval in the slot's ink colour, opaque
 * like the art's. The weights are smoothed along the jaw, so the line tapers into the art's own
 * outline instead of stopping, and it fades out towards the temples. Only pixels inside the oval
 * change (the blend mask is the clip): the art is untouched.
 */
import { FACE_OVAL, JAW } from './canonical-mesh';
import { drawStroke, paintInk, smoothPolyline } from './stylise';
import { scratch, type Rect, type RgbImage } from '../core/raster';
import { skinVariant } from './drawn-skin';

/** Line width as a fraction of the face's width (the templates stroke the drawn oval at 3.5 %, half of it outside). */
export const OUTLINE_WIDTH = 0.03;
/** How far outward (face widths) a strip of drawn skin may separate the user's jaw from the art's outline. */
export const OUTLINE_REACH = 0.15;
/** A frame pixel within this distance (max over RGB) of the ink colour is the art's line; of the skin tone, its skin. */
const INK_NEAR = 70;
const SKIN_NEAR = 40;

/**
 * Per jaw point, 0 or 1: 1 where the face meets something other than the drawing's own face (sky,
 * a collar, light hair, the neck below a drawn chin that the user's chin now covers), 0 where ink
 * or dark hair is at the jaw or beyond a strip of drawn skin (the art's own outline). `nx, ny` are
 * the outward normals.
 */
export function outlineWeights(
  frame: RgbImage, xs: number[], ys: number[], nx: number[], ny: number[], faceW: number,
  ink: readonly [number, number, number], skin: readonly [number, number, number],
): Float32Array {
  const W = frame.width, H = frame.height, F = frame.data;
  const reach = Math.max(3, Math.round(OUTLINE_REACH * faceW));
  const near = (o: number, c: readonly [number, number, number], d: number) =>
    Math.abs(F[o] - c[0]) < d && Math.abs(F[o + 1] - c[1]) < d && Math.abs(F[o + 2] - c[2]) < d;
  // 0 = drawn skin (its fill or a shade of it: halftone shadow dots), 1 = ink, 2 = other art
  const classAt = (x: number, y: number) => {
    const o = (y * W + x) * 3;
    if (near(o, ink, INK_NEAR)) return 1;
    return near(o, skin, SKIN_NEAR) || skinVariant(F[o], F[o + 1], F[o + 2], skin) > 0 ? 0 : 2;
  };
  const wt = new Float32Array(xs.length);
  for (let k = 0; k < xs.length; k++) {
    let w = 1, prev = -1;
    for (let d = 1; d <= reach; d++) {
      const x = Math.round(xs[k] + nx[k] * d - 0.5), y = Math.round(ys[k] + ny[k] * d - 0.5);
      if (x < 0 || y < 0 || x >= W || y >= H) break;
      const c = classAt(x, y);
      // A class decides once it holds for two pixels in a row (one pixel may be a blush dot or an antialiased edge).
      if (c !== 0 && c === prev) {
        // Ink at the edge (the art's line, dark drawn hair) or past a strip of drawn skin (the art's
        // outline of this face, visible beyond the user's jaw): no line of ours. Thickening the art's
        // line inward as well (to cover the feather's fade into it) cost dlib 5 frames of 672 at full
        // width and 2 (all Paul) at half width on ../shared/faces; over the sky it cost none.
        // Other art (sky, clothes, hair of another colour): the face ends here, it gets the line.
        w = c === 1 ? 0 : 1;
        break;
      }
      prev = c;
    }
    wt[k] = w; // only drawn skin within reach: the neck under a chin that covers the drawn one
  }
  return wt;
}

/**
 * Paint the outline onto `out` (the fused frame) within `box`. `dst`: the slot's target points
 * (frame pixels); `mask`: the blend mask over `box`. Returns the share of the jaw that got a line.
 */
export function drawFaceOutline(
  frame: RgbImage, out: Uint8Array, dst: Float32Array, box: Rect, mask: Float32Array, faceW: number,
  ink: readonly [number, number, number], skin: readonly [number, number, number], alpha: number,
): number {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const [xs, ys] = smoothPolyline(JAW.map((i) => dst[i * 3]), JAW.map((i) => dst[i * 3 + 1]));
  const n = xs.length;
  let cx = 0, cy = 0;
  for (const i of FACE_OVAL) { cx += dst[i * 3] / FACE_OVAL.length; cy += dst[i * 3 + 1] / FACE_OVAL.length; }
  const nx: number[] = [], ny: number[] = [];
  for (let k = 0; k < n; k++) {
    const a = Math.max(0, k - 1), b = Math.min(n - 1, k + 1);
    let tx = xs[b] - xs[a], ty = ys[b] - ys[a];
    const l = Math.hypot(tx, ty) || 1;
    tx /= l; ty /= l;
    let ux = -ty, uy = tx;
    if (ux * (xs[k] - cx) + uy * (ys[k] - cy) < 0) { ux = -ux; uy = -uy; }
    nx.push(ux); ny.push(uy);
  }
  const raw = outlineWeights(frame, xs, ys, nx, ny, faceW, ink, skin);
  // Smooth along the jaw (a line that tapers into the art's, not one that stops) and fade out over
  // the top fifth at each end (the temples).
  let len = 0;
  for (let k = 1; k < n; k++) len += Math.hypot(xs[k] - xs[k - 1], ys[k] - ys[k - 1]);
  const r = Math.max(1, Math.round((0.06 * faceW * n) / Math.max(1, len)));
  const wt = new Float32Array(n);
  let share = 0;
  for (let k = 0; k < n; k++) {
    let s = 0, c = 0;
    for (let j = Math.max(0, k - r); j <= Math.min(n - 1, k + r); j++) { s += raw[j]; c++; }
    const end = Math.min(k, n - 1 - k) / (0.2 * (n - 1));
    wt[k] = (s / c) * (end >= 1 ? 1 : end * end * (3 - 2 * end));
    share += raw[k];
  }
  if (share <= 0) return 0;
  share /= n;
  const cov = scratch('outline', bw * bh);
  const half = OUTLINE_WIDTH * faceW; // centred on the oval's edge: the inner half is the line, the outer half is clipped
  drawStroke(cov, bw, bh, xs.map((x) => x - box.x0), ys.map((y) => y - box.y0), (k) => half * wt[k]);
  // Any mask > 0 is inside the oval: full ink up to the edge (the art's line is opaque too).
  paintInk(out, frame.width, box, cov, ink, alpha, mask, 1e4);
  return share;
}

/**
 * Small, allocation-light geometry used by the fusion stages: 3D similarity (Procrustes) to
 * remove a face's pose and scale, 2D similarity for templates that carry detected points, and the
 * rotation that turns a slot pose into a projection.
 *
 * Why hand-written: the meshes are 468 points, the maths is a 4×4 symmetric eigenproblem (Horn's
 * quaternion method) — a library would cost more to load than it saves.
 */

export type Vec2 = [number, number];
export type Vec3 = [number, number, number];
/** Row-major 3×3 rotation. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export const deg2rad = (d: number) => (d * Math.PI) / 180;

/**
 * Rotation for a slot pose, in image axes (x right, y down, z away from the viewer).
 * Applied to a canonical (frontal) point: pitch about x first, then yaw about y, then roll in the
 * image plane — the same Euler order engine/analysis/face-pose.ts reads back, so estimatePose(projected
 * mesh) returns the slot's pose.
 *  - yaw > 0 moves the nose tip (z < 0) to the image's right;
 *  - pitch > 0 moves the nose up and the chin towards the viewer (looks up);
 *  - roll > 0 turns clockwise on screen.
 */
export function poseRotation(yawDeg: number, pitchDeg: number, rollDeg: number): Mat3 {
  const y = deg2rad(yawDeg), p = deg2rad(pitchDeg), r = deg2rad(rollDeg);
  const cy = Math.cos(y), sy = Math.sin(y), cp = Math.cos(p), sp = Math.sin(p), cr = Math.cos(r), sr = Math.sin(r);
  // Pitch: y' = y cp + z sp, z' = -y sp + z cp
  const P: Mat3 = [1, 0, 0, 0, cp, sp, 0, -sp, cp];
  // Yaw: x' = x cy - z sy, z' = x sy + z cy
  const Y: Mat3 = [cy, 0, -sy, 0, 1, 0, sy, 0, cy];
  // Roll: x' = x cr - y sr, y' = x sr + y cr
  const R: Mat3 = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  return mul3(R, mul3(Y, P));
}

export function mul3(a: Mat3, b: Mat3): Mat3 {
  const o = new Array(9).fill(0) as Mat3;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) o[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
  return o;
}

/** Jacobi eigen-decomposition of a small symmetric matrix (n×n, row-major). Returns the eigenvector of the largest eigenvalue. */
function largestEigenvector(A: number[], n: number): number[] {
  const a = A.slice();
  const v = new Array(n * n).fill(0);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-20) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-30) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (a[i * n + i] > a[best * n + best]) best = i;
  return Array.from({ length: n }, (_, k) => v[k * n + best]);
}

export interface Similarity3 {
  /** dst ≈ s · R · (src − srcMean) + dstMean */
  R: Mat3;
  s: number;
  srcMean: Vec3;
  dstMean: Vec3;
}

/**
 * Least-squares similarity that maps `src` onto `dst` (Horn 1987, unit quaternions), optionally
 * weighted per point. Used to strip a user's head pose and scale before blending shapes.
 */
export function procrustes3(src: ArrayLike<number>, dst: ArrayLike<number>, n: number, w?: ArrayLike<number>): Similarity3 {
  let ws = 0;
  const ms: Vec3 = [0, 0, 0], md: Vec3 = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    ws += wi;
    for (let k = 0; k < 3; k++) { ms[k] += wi * src[i * 3 + k]; md[k] += wi * dst[i * 3 + k]; }
  }
  for (let k = 0; k < 3; k++) { ms[k] /= ws; md[k] /= ws; }
  const S = new Array(9).fill(0);
  let ss = 0, sd = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    const a0 = src[i * 3] - ms[0], a1 = src[i * 3 + 1] - ms[1], a2 = src[i * 3 + 2] - ms[2];
    const b0 = dst[i * 3] - md[0], b1 = dst[i * 3 + 1] - md[1], b2 = dst[i * 3 + 2] - md[2];
    const a = [a0, a1, a2], b = [b0, b1, b2];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) S[r * 3 + c] += wi * a[r] * b[c];
    ss += wi * (a0 * a0 + a1 * a1 + a2 * a2);
    sd += wi * (b0 * b0 + b1 * b1 + b2 * b2);
  }
  const [Sxx, Sxy, Sxz, Syx, Syy, Syz, Szx, Szy, Szz] = S;
  const N = [
    Sxx + Syy + Szz, Syz - Szy, Szx - Sxz, Sxy - Syx,
    Syz - Szy, Sxx - Syy - Szz, Sxy + Syx, Szx + Sxz,
    Szx - Sxz, Sxy + Syx, -Sxx + Syy - Szz, Syz + Szy,
    Sxy - Syx, Szx + Sxz, Syz + Szy, -Sxx - Syy + Szz,
  ];
  const [q0, qx, qy, qz] = largestEigenvector(N, 4);
  const R: Mat3 = [
    q0 * q0 + qx * qx - qy * qy - qz * qz, 2 * (qx * qy - q0 * qz), 2 * (qx * qz + q0 * qy),
    2 * (qy * qx + q0 * qz), q0 * q0 - qx * qx + qy * qy - qz * qz, 2 * (qy * qz - q0 * qx),
    2 * (qz * qx - q0 * qy), 2 * (qz * qy + q0 * qx), q0 * q0 - qx * qx - qy * qy + qz * qz,
  ];
  // Scale: ratio of RMS sizes (symmetric form, robust to which side is noisier).
  const s = Math.sqrt(sd / Math.max(ss, 1e-12));
  return { R, s, srcMean: ms, dstMean: md };
}

export function applySimilarity3(t: Similarity3, src: ArrayLike<number>, n: number, out = new Float32Array(n * 3)): Float32Array {
  const { R, s, srcMean: m, dstMean: d } = t;
  for (let i = 0; i < n; i++) {
    const x = src[i * 3] - m[0], y = src[i * 3 + 1] - m[1], z = src[i * 3 + 2] - m[2];
    out[i * 3] = s * (R[0] * x + R[1] * y + R[2] * z) + d[0];
    out[i * 3 + 1] = s * (R[3] * x + R[4] * y + R[5] * z) + d[1];
    out[i * 3 + 2] = s * (R[6] * x + R[7] * y + R[8] * z) + d[2];
  }
  return out;
}

/** 2D similarity [a -b; b a] + t mapping src onto dst (least squares, Umeyama without reflection). */
export interface Similarity2 { a: number; b: number; tx: number; ty: number }

export function procrustes2(src: ArrayLike<number>, dst: ArrayLike<number>, n: number, srcStride = 2, dstStride = 2): Similarity2 {
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) { sx += src[i * srcStride]; sy += src[i * srcStride + 1]; dx += dst[i * dstStride]; dy += dst[i * dstStride + 1]; }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i * srcStride] - sx, y = src[i * srcStride + 1] - sy;
    const u = dst[i * dstStride] - dx, v = dst[i * dstStride + 1] - dy;
    num1 += x * u + y * v;
    num2 += x * v - y * u;
    den += x * x + y * y;
  }
  const a = num1 / den, b = num2 / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

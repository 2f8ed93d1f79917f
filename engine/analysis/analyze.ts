/**
 * Face analysis, end to end: decode once → detect → 468-point mesh → pose → quality.
 *
 * Returns two things on purpose:
 *  - `result`: the public, JSON-safe analysis (DESIGN.md's `analyze` contract), coordinates in
 *    the original photo's pixels after EXIF orientation;
 *  - `internal`: what the fusion stage reuses so nothing is decoded or inferred twice (the decoded
 *    working image, full 468-point meshes in working and original pixels, crop rectangles). It is
 *    never printed: it holds face data that must not leave the process.
 */
import { decodeImage, type DecodedImage, type DecodeOptions } from '../core/image-decode';
import { detectFaces, iou, type Box, type Detection, type DetectOptions } from './face-detector';
import { landmarkFace, mirrorDisagreement, MESH_MIN_PRESENCE, type FaceMesh, type LandmarkOptions, type Point3 } from './face-landmarker';
import { toLandmarks68 } from './landmarks68';
import { estimatePose, type Pose } from './face-pose';
import { measureQuality, FACE_OVAL, type Quality } from './photo-checks';
import { AppError } from '../core/errors';

export type { Box, Pose, Quality, Point3, DecodedImage };

export interface FaceResult {
  /** [x, y, w, h] of the face (extent of the mesh's face oval), original pixels. */
  box: Box;
  /** Detector confidence (0–1). */
  score: number;
  pose: Pose;
  /** 68 iBUG points, original pixels. */
  landmarks68: Array<[number, number]>;
  quality: Quality;
}

export interface AnalysisResult {
  /** Original size after EXIF orientation. */
  width: number;
  height: number;
  /**
   * Left to right in the photo (by box centre x; equal centres top to bottom): the order the user
   * sees when asked to tap their face, and what `--face INDEX` / `faceIndex` count in.
   */
  faces: FaceResult[];
}

export interface InternalFace {
  detection: Detection;
  /** 468 points in the working image's pixels. */
  meshWorking: Point3[];
  /** 468 points in original pixels (z scaled alike). */
  mesh: Point3[];
  /** Crop FaceMesh saw, working pixels. */
  roi: FaceMesh['roi'];
  /** FaceMesh's answer on the mirrored crop against its answer on the crop (see mirrorDisagreement). */
  mirrorDisagreement: number;
}

export interface AnalysisInternal {
  image: DecodedImage;
  /** Same order as result.faces. */
  faces: InternalFace[];
}

export interface AnalysisTimings {
  decode: number;
  detect: number;
  landmarks: number;
  /** pose + quality */
  quality: number;
  total: number;
  detectorPasses: number;
  meshRuns: number;
}

export interface AnalyzeOptions {
  decode?: DecodeOptions;
  detect?: DetectOptions;
  landmarks?: LandmarkOptions;
  threads?: number;
  /** Drop faces FaceMesh does not see as mirror-consistent (default true; off to measure it). */
  mirrorGate?: boolean;
}

export interface Analysis {
  result: AnalysisResult;
  internal: AnalysisInternal;
  timings: AnalysisTimings;
}

/**
 * Largest mirror disagreement (face-landmarker.ts `mirrorDisagreement`) a human face shows at a
 * given |yaw|: MAX_MIRROR_DISAGREEMENT at 0°, growing by MIRROR_DISAGREEMENT_PER_DEG per degree,
 * because a turned face is less mirror-like to the model. Measured in docs/face-analysis.md.
 */
export const MAX_MIRROR_DISAGREEMENT = 0.048;
export const MIRROR_DISAGREEMENT_PER_DEG = 0.003;
export function maxMirrorDisagreement(yawDeg: number): number {
  return MAX_MIRROR_DISAGREEMENT + MIRROR_DISAGREEMENT_PER_DEG * Math.abs(yawDeg);
}

/** Two meshes on the same face (e.g. a tile detection and a whole-image one) overlap this much. */
const DUPLICATE_IOU = 0.5;

function ovalBox(points: readonly Point3[]): Box {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const i of FACE_OVAL) {
    const [x, y] = points[i];
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  return [minX, minY, maxX - minX, maxY - minY];
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** Analyse already-decoded pixels (the fusion stage's templates, tests). */
export async function analyzeDecoded(image: DecodedImage, opts: AnalyzeOptions = {}, t0 = performance.now(), decodeMs = 0): Promise<Analysis> {
  const threads = opts.threads;
  const t1 = performance.now();
  const det = await detectFaces(image, { threads, ...opts.detect });
  const t2 = performance.now();
  type Cand = { detection: Detection; mesh: FaceMesh; box: Box; mirror: number };
  const cands: Cand[] = [];
  let meshRuns = 0;
  for (const d of det.faces) {
    const mesh = await landmarkFace(image, d, { threads, ...opts.landmarks });
    meshRuns += mesh.runs ?? 1;
    if (mesh.presence < MESH_MIN_PRESENCE) continue; // detector false positive (animal, pattern)
    const mirror = await mirrorDisagreement(image, mesh, { threads, ...opts.landmarks });
    meshRuns++;
    if (opts.mirrorGate !== false && mirror > maxMirrorDisagreement(estimatePose(mesh.points).yaw)) continue; // not a human face (a dog's)
    cands.push({ detection: d, mesh, box: ovalBox(mesh.points), mirror });
  }
  // After the mesh pass two detections may have converged on one face, and a partial detection
  // (half a face) may have grown into a box inside a bigger face: keep the larger, better one.
  cands.sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3]);
  const kept: Cand[] = [];
  for (const c of cands) {
    const dup = kept.some((k) => {
      if (iou(k.box, c.box) > DUPLICATE_IOU) return true;
      const ix = Math.min(k.box[0] + k.box[2], c.box[0] + c.box[2]) - Math.max(k.box[0], c.box[0]);
      const iy = Math.min(k.box[1] + k.box[3], c.box[1] + c.box[3]) - Math.max(k.box[1], c.box[1]);
      return ix > 0 && iy > 0 && ix * iy > 0.6 * c.box[2] * c.box[3];
    });
    if (!dup) kept.push(c);
  }
  kept.sort((a, b) => a.box[0] + a.box[2] / 2 - (b.box[0] + b.box[2] / 2) || a.box[1] - b.box[1]);
  const t3 = performance.now();
  const s = image.scale;
  const faces: FaceResult[] = [];
  const internalFaces: InternalFace[] = [];
  for (const c of kept) {
    const orig = c.mesh.points.map(([x, y, z]) => [x * s, y * s, z * s] as Point3);
    const pose = estimatePose(c.mesh.points);
    faces.push({
      box: c.box.map((v) => r1(v * s)) as Box,
      score: Math.round(c.detection.score * 1000) / 1000,
      pose,
      landmarks68: toLandmarks68(orig, pose.yaw).map(([x, y]) => [r1(x), r1(y)] as [number, number]),
      quality: measureQuality(image, c.mesh.points, s, image.originalWidth, image.originalHeight, c.mesh.presence),
    });
    internalFaces.push({ detection: c.detection, meshWorking: c.mesh.points, mesh: orig, roi: c.mesh.roi, mirrorDisagreement: c.mirror });
  }
  const t4 = performance.now();
  return {
    result: { width: image.originalWidth, height: image.originalHeight, faces },
    internal: { image, faces: internalFaces },
    timings: {
      decode: decodeMs,
      detect: t2 - t1,
      landmarks: t3 - t2,
      quality: t4 - t3,
      total: t4 - t0,
      detectorPasses: det.passes,
      meshRuns,
    },
  };
}

/** Bytes in, analysis out. Throws AppError for unreadable input; an empty `faces` list is not an error here (see requireFace / photo-checks). */
export async function analyzeImage(bytes: Uint8Array, opts: AnalyzeOptions = {}): Promise<Analysis> {
  const t0 = performance.now();
  const image = await decodeImage(bytes, opts.decode);
  const decodeMs = performance.now() - t0;
  return analyzeDecoded(image, opts, t0, decodeMs);
}

/** The analyze CLI and API contract: no face is an error the user can act on. */
export function requireFace(result: AnalysisResult): AnalysisResult {
  if (result.faces.length === 0) throw new AppError('NO_FACE');
  return result;
}

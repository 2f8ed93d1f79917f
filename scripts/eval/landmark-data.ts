/**
 * Shared by the landmark fit and the accuracy report: reference files (scripts/eval/landmark-reference.ts)
 * and our own analysis of the same photos, matched face by face.
 */
import fs from 'fs';
import path from 'path';
import { analyzeImage, type AnalyzeOptions } from '../../engine/analysis/analyze';
import type { Point3 } from '../../engine/analysis/face-landmarker';
import { MESH_TO_IBUG68 } from '../../engine/analysis/landmarks68';
import { iod, type Pt, type ReferenceImage } from './landmark-reference';

export const FIXTURE_REFERENCE = path.resolve(__dirname, '..', '..', 'test', 'engine', 'fixtures', 'landmarks68-reference.json');

export interface ReferenceFile {
  images: ReferenceImage[];
}

export function readReference(file: string): ReferenceFile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ReferenceFile;
}

/** Where the photo of a reference entry lives: an npm package file or a path under `photosDir`. */
export function imagePath(image: string, photosDir?: string): string {
  if (image.startsWith('@') || !photosDir) return require.resolve(image);
  return path.join(photosDir, image);
}

export interface MatchedFace {
  image: string;
  /** Reference 68 points, original pixels. */
  ref: Pt[];
  /** Our 468-point mesh, original pixels. */
  mesh: Point3[];
  /** Our 68 points as the analysis reports them. */
  ours: Pt[];
  yaw: number;
  pitch: number;
  roll: number;
}

/** Analyse every photo of a reference and pair our faces with reference faces (nose tips within a third of the eye distance). */
export async function matchReference(ref: ReferenceFile, photosDir?: string, opts: AnalyzeOptions = {}): Promise<{ matched: MatchedFace[]; missed: number }> {
  const matched: MatchedFace[] = [];
  let missed = 0;
  for (const im of ref.images) {
    if (!im.faces.length) continue;
    const a = await analyzeImage(fs.readFileSync(imagePath(im.image, photosDir)), opts);
    for (const rf of im.faces) {
      const r = rf.points;
      let best = -1, bestD = Infinity;
      a.internal.faces.forEach((f, i) => {
        const nose = f.mesh[MESH_TO_IBUG68[30]];
        const d = Math.hypot(nose[0] - r[30][0], nose[1] - r[30][1]);
        if (d < bestD) { bestD = d; best = i; }
      });
      if (best < 0 || bestD > iod(r) / 3) { missed++; continue; }
      const res = a.result.faces[best];
      matched.push({ image: im.image, ref: r, mesh: a.internal.faces[best].mesh, ours: res.landmarks68, ...res.pose });
    }
  }
  return { matched, missed };
}

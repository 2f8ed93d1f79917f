/**
 * The FaceEngine port bound to engine/: analysis (decode once, moderation copy, faces), the
 * prepared faces as a stored blob, and story rendering (fused frames → JPEG, poster, cover).
 * Models and decoded templates stay in memory for the life of the process; frames are fused in a
 * process-wide worker pool (created on the first story), so the HTTP server's event loop only
 * routes messages and waits while workers do the pixel work.
 */
import sharp from 'sharp';
import { analyzeDecoded, type FaceResult } from '../engine/analysis/analyze';
import { AppError } from '../engine/core/errors';
import { deserializeFaceData, serializeFaceData } from '../engine/fusion/face-data';
import { decodeImage, type DecodedImage } from '../engine/core/image-decode';
import { checkPhoto, selectFace } from '../engine/analysis/photo-checks';
import { prepareFace, type PreparedFace } from '../engine/fusion/fuse';
import { renderStories } from '../engine/pipeline/story-render';
import { FusePool } from '../engine/pipeline/worker-pool';
import type { AnalysedPhoto, FaceEngine, FusedStory } from './engine-port';

/** Faces a user may pick from in a group photo (Tencent's API fuses up to six). */
export const MAX_PICKABLE_FACES = 6;
const MODERATION_BOX = { width: 750, height: 1334 };
const MODERATION_MAX_BYTES = 1024 * 1024;

/** imgSecCheck's limits: ≤ 750×1334 and ≤ 1 MB; lower the quality until it fits. */
export async function moderationJpeg(image: DecodedImage): Promise<Buffer> {
  const base = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize({
    ...MODERATION_BOX,
    fit: 'inside',
    withoutEnlargement: true,
  });
  for (const quality of [80, 60, 40]) {
    const jpeg = await base.clone().jpeg({ quality }).toBuffer();
    if (jpeg.length <= MODERATION_MAX_BYTES) return jpeg;
  }
  throw new AppError('IMAGE_TOO_LARGE', { reason: 'moderation copy over 1 MB' });
}

let pool: FusePool | undefined;
/** The process-wide fusion pool, started on first use (workers idle are unref'd: they never keep the process alive). */
export function fusionPool(): FusePool {
  pool ??= new FusePool();
  return pool;
}

interface StoredFaces {
  faces: Record<string, PreparedFace>;
}

export function createEngine(): FaceEngine {
  return {
    async analyze(photo, moderate): Promise<AnalysedPhoto> {
      const image = await decodeImage(photo);
      await moderate(await moderationJpeg(image));
      const analysis = await analyzeDecoded(image);
      const faces: FaceResult[] = analysis.result.faces;
      let chosenIndex: number | null;
      try {
        chosenIndex = selectFace(faces).index; // NO_FACE throws here
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'MULTIPLE_FACES')) throw err;
        chosenIndex = null;
      }
      const pickable = chosenIndex === null ? faces.slice(0, MAX_PICKABLE_FACES).map((_, i) => i) : [chosenIndex];
      const prepared: StoredFaces = { faces: Object.fromEntries(pickable.map((i) => [String(i), prepareFace(analysis, i)])) };
      return {
        faces: chosenIndex === null ? faces.slice(0, MAX_PICKABLE_FACES) : faces,
        chosenIndex,
        imageSize: [analysis.result.width, analysis.result.height],
        faceData: serializeFaceData(prepared),
      };
    },

    checkPick(faces, faceIndex) {
      return checkPhoto(faces, faceIndex).index;
    },

    async fuseStory(input): Promise<FusedStory> {
      const stored = deserializeFaceData<StoredFaces>(input.faceData);
      const face = stored.faces[String(input.faceIndex)];
      if (!face) throw new AppError('INVALID_ARGUMENT', { reason: 'face index not prepared', details: { field: 'faceIndex' } });
      const [out] = await renderStories({
        pool: fusionPool(),
        faces: [face],
        storyIds: [input.storyId],
        shape: input.shape,
        features: input.features,
        caption: input.caption,
        codeFor: async () => input.code,
      });
      return { frames: out.frames, poster: out.poster, cover: out.cover! };
    },
  };
}

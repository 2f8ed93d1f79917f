/**
 * What the server flow needs from the image engine. `backend/engine-adapter.ts` binds it to
 * engine/ (analysis, fusion, posters); the domain only sees this interface.
 */
import type { FaceResult } from '../engine/analysis/analyze';

export interface AnalysedPhoto {
  /** Public face list, as the analyze CLI prints it. */
  faces: FaceResult[];
  /** Width and height after EXIF orientation. */
  imageSize: [number, number];
  /** Index chosen without asking (single or clearly dominant face), or null when the user must pick. */
  chosenIndex: number | null;
  /** The reusable, aligned faces (one per face the user may pick), serialised; sensitive face data. */
  faceData: Buffer;
}

export interface FusedStory {
  frames: Buffer[]; // JPEG, labelled as AI-generated in their metadata
  poster: Buffer; // JPEG
  cover: Buffer; // JPEG 1:1 share card
}

export interface FaceEngine {
  /**
   * Decodes once, hands a small JPEG copy (≤ 750×1334, ≤ 1 MB) to `moderate` (which throws to
   * stop), then analyses and prepares every selectable face. Throws AppError with analysis codes.
   */
  analyze(photo: Buffer, moderate: (jpeg: Buffer) => Promise<void>): Promise<AnalysedPhoto>;
  /** Validates the pick against the analysed faces (quality checks apply to the picked face). */
  checkPick(faces: FaceResult[], faceIndex: number | undefined): number;
  fuseStory(input: {
    faceData: Buffer;
    faceIndex: number;
    storyId: string;
    shape?: number;
    features?: number;
    caption: string;
    code: Buffer;
  }): Promise<FusedStory>;
}

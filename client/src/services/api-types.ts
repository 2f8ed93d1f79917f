/** What crosses the wire between the client and the cloud functions (both transports). See docs/api.md. */
import type { ErrorPayload } from '../../../engine/core/errors';

export type FnResult<T> = { ok: true; data: T } | { ok: false; error: ErrorPayload };

export interface LoginResult {
  /** Opaque, stable id of the caller (never the raw OPENID). */
  userId: string;
  platform: 'wechat' | 'local';
  isNew: boolean;
}

export type AgeGroup = 'adult' | 'guardian';

export interface ConsentResult {
  version: string;
  agreed: boolean;
  ageGroup?: AgeGroup;
  agreedAt?: number;
}

export interface UploadSlot {
  uploadId: string;
  cloudPath: string;
}

export type Box = [number, number, number, number];

export interface AnalyzeResult {
  photoId: string;
  faces: Array<{ box: Box; score: number }>;
  chosenIndex: number;
  imageSize: [number, number];
}

export interface FileRef {
  fileId: string;
  url: string;
}

export interface StoryResult {
  storyId: string;
  title: string;
  jobId: string;
  frames: FileRef[];
  poster: FileRef;
  cover: FileRef;
  createdAt: number;
}

export interface ShareResult {
  token: string;
  scene: string;
  page: string;
  path: string;
  title: string;
}

export interface SharedPoster {
  storyId: string;
  title: string;
  poster: string;
  cover: string;
}

export interface DeleteResult {
  deleted: { files: number; records: number };
}

/** A photo the user picked: a local path (WeChat temp file, or a blob: URL in the browser). */
export interface PickedPhoto {
  path: string;
  /** Browser only: the bytes behind `path`. */
  blob?: Blob;
  width?: number;
  height?: number;
  size?: number;
}

/** The transport a platform provides. */
export interface Backend {
  call<T>(name: string, data?: Record<string, unknown>): Promise<FnResult<T>>;
  /** Puts the photo into the upload slot `prepareUpload` gave; `onProgress` gets 0–100. */
  upload(photo: PickedPhoto, slot: UploadSlot, onProgress?: (percent: number) => void): Promise<FnResult<{ fileId: string }>>;
  /** Downscales/recompresses the photo before upload (longest side ≤ 1600 px, JPEG). Never fails: returns the input if it cannot. */
  compress(photo: PickedPhoto): Promise<PickedPhoto>;
}

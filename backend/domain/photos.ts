import { AppError } from '../../engine/core/errors';
import type { FaceEngine } from '../engine-port';
import type { Doc, Ports } from '../ports';
import type { FaceResult } from '../../engine/analysis/analyze';
import { requireConsent } from './consent';
import { newId, userPrefix } from './ids';
import { QUOTAS, takeQuota } from './limits';
import type { Settings } from './settings';

/**
 * An upload slot: the server decides where a user's photo goes (under the user's own prefix) and
 * remembers it, so a photo that is uploaded but never analysed is still found and deleted.
 */
export interface UploadDoc extends Doc {
  cloudPath: string;
  expiresAt: number;
}

/** An analysed photo: the original is already gone; only the prepared face data remains. */
export interface PhotoDoc extends Doc {
  faces: FaceResult[];
  chosenIndex: number | null;
  faceDataFileId: string;
  imageSize: [number, number];
  expiresAt: number;
}

export async function prepareUpload(ports: Ports, settings: Settings, userId: string): Promise<{ uploadId: string; cloudPath: string }> {
  await requireConsent(ports, userId);
  await takeQuota(ports, userId, QUOTAS.upload);
  const uploadId = newId();
  const cloudPath = `${userPrefix(userId)}uploads/${uploadId}.jpg`;
  const now = ports.clock.now();
  await ports.docs.put<UploadDoc>('photos', { _id: `upload:${uploadId}`, owner: userId, createdAt: now, expiresAt: now + settings.retentionMs, cloudPath });
  return { uploadId, cloudPath };
}

export async function getUpload(ports: Ports, userId: string, uploadId: string): Promise<UploadDoc> {
  const doc = await ports.docs.get<UploadDoc>('photos', `upload:${uploadId}`);
  if (!doc) throw new AppError('NOT_FOUND', { reason: 'no such upload' });
  if (doc.owner !== userId) throw new AppError('FORBIDDEN', { reason: 'upload of another user' });
  return doc;
}

/**
 * The file ID the client reports must be exactly the upload's own path: on WeChat
 * `cloud://<env>.<bucket>/<cloudPath>`, locally `cloud://local/<cloudPath>`. Anything else —
 * another user's file, `..`, encoded slashes, another environment — is FORBIDDEN.
 */
export function assertUploadFileId(fileId: string, upload: UploadDoc, envPrefix?: string): void {
  const m = /^cloud:\/\/([A-Za-z0-9_.-]+)\/(.+)$/.exec(fileId);
  const ok = !!m && m[2] === upload.cloudPath && (!envPrefix || m[1].startsWith(envPrefix)) && !/%|\\|\/\.\.?\//.test(fileId);
  if (!ok) throw new AppError('FORBIDDEN', { reason: 'file id outside the upload slot' });
}

export interface AnalyzeOutcome {
  photoId: string;
  faces: Array<{ box: [number, number, number, number]; score: number }>;
  chosenIndex: number;
  imageSize: [number, number];
}

/**
 * Moderation, analysis and preparation of every selectable face. The original is deleted whatever
 * happens (success or any error); on success only the prepared face data is kept, for at most the
 * retention. MULTIPLE_FACES keeps the face data (the user picks one) and carries the boxes.
 */
export async function analyzeUpload(
  ports: Ports,
  engine: FaceEngine,
  settings: Settings,
  userId: string,
  input: { uploadId: string; fileId: string; envPrefix?: string },
): Promise<AnalyzeOutcome> {
  await requireConsent(ports, userId);
  const upload = await getUpload(ports, userId, input.uploadId);
  assertUploadFileId(input.fileId, upload, input.envPrefix);
  await takeQuota(ports, userId, QUOTAS.analyze);

  let storedPhotoId: string | undefined;
  try {
    const photo = await ports.files.get(input.fileId);
    // Moderation runs on a small copy before any face analysis; decoding errors surface first.
    const analysed = await engine.analyze(photo, async (small) => {
      if ((await ports.contentCheck.check(small)) === 'reject') throw new AppError('CONTENT_REJECTED');
    });

    const photoId = newId();
    const now = ports.clock.now();
    const doc: PhotoDoc = {
      _id: photoId,
      owner: userId,
      createdAt: now,
      expiresAt: Math.min(upload.expiresAt, now + settings.retentionMs),
      faces: analysed.faces,
      chosenIndex: analysed.chosenIndex,
      faceDataFileId: '',
      imageSize: analysed.imageSize,
    };
    // The row first, then the file it owns: a process killed in between leaves a row with an
    // expiry (the sweeper deletes whatever is under its key), never a face file nobody knows of.
    await ports.docs.put('photos', doc);
    storedPhotoId = photoId;
    doc.faceDataFileId = (await ports.files.put(faceDataKey(doc), analysed.faceData, 'application/octet-stream')).fileId;
    await ports.docs.put('photos', doc);
    const boxes = analysed.faces.map((f) => f.box);
    if (analysed.chosenIndex === null) {
      throw new AppError('MULTIPLE_FACES', { details: { boxes, photoId, imageSize: analysed.imageSize } });
    }
    // Quality checks of the chosen face (blur, darkness, pose, size, border).
    const chosenIndex = engine.checkPick(analysed.faces, analysed.chosenIndex);
    return { photoId, faces: analysed.faces.map((f) => ({ box: f.box, score: f.score })), chosenIndex, imageSize: doc.imageSize };
  } catch (err) {
    // A failed pick check leaves nothing usable: forget the face data too (MULTIPLE_FACES keeps it).
    if (storedPhotoId && !(err instanceof AppError && err.code === 'MULTIPLE_FACES')) await forgetPhoto(ports, storedPhotoId);
    throw err;
  } finally {
    await ports.files.delete([input.fileId]);
    await ports.docs.delete('photos', `upload:${input.uploadId}`);
  }
}

export async function getPhoto(ports: Ports, userId: string, photoId: string): Promise<PhotoDoc> {
  const doc = await ports.docs.get<PhotoDoc>('photos', photoId);
  // No face data file yet: the analysis that wrote the row never finished (a killed process).
  if (!doc || doc.owner !== userId || doc.expiresAt <= ports.clock.now() || !doc.faceDataFileId) {
    throw new AppError('NOT_FOUND', { message: '照片已过期或不存在，请重新上传一张自拍。' });
  }
  return doc;
}

/** Where a photo's prepared face data is stored (derived from the row, so a crash cannot lose it). */
export const faceDataKey = (doc: Pick<PhotoDoc, '_id' | 'owner'>): string => `${userPrefix(doc.owner)}faces/${doc._id}.bin`;

/**
 * Deletes a photo's face data and its row (fusion done, retention passed, or a failed check):
 * every file under its key — the stored blob and whatever a killed write left beside it — then
 * the row.
 */
export async function forgetPhoto(ports: Ports, photoId: string): Promise<void> {
  const doc = await ports.docs.get<PhotoDoc>('photos', photoId);
  if (!doc) return;
  const files = new Set(await ports.files.list(faceDataKey(doc)));
  if (doc.faceDataFileId) files.add(doc.faceDataFileId);
  await ports.files.delete([...files]);
  await ports.docs.delete('photos', photoId);
}

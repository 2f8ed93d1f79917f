import { AppError } from '../../engine/core/errors';
import type { FaceEngine } from '../engine-port';
import { STORIES, type StoryInfo } from './catalog';
import type { Doc, Ports } from '../ports';
import { requireConsent } from './consent';
import { derivedId, newId, userPrefix } from './ids';
import { QUOTAS, takeQuota, type WorkQueue } from './limits';
import { forgetPhoto, getPhoto } from './photos';
import type { Settings } from './settings';

/** The page a poster's mini-program code opens (no leading slash: wxacode's rule). */
export const SHARE_PAGE = 'pages/index/index';
/** Scene carried by the code: `t=<22-char token>` = 24 characters, within WeChat's 32. */
export const sceneFor = (token: string) => `t=${token}`;

export interface JobDoc extends Doc {
  requestId: string;
  photoId: string;
  faceIndex: number;
  shape: number | null;
  features: number | null;
}

/**
 * One story of one job. Written as `running` (with an expiry) before any file, and replaced by
 * `done` after all files are stored: a crash leaves a `running` record whose expiry tells the
 * sweeper which files to reap, and the next call for the same request resumes it.
 */
export interface StoryRunDoc extends Doc {
  jobId: string;
  storyId: string;
  state: 'running' | 'done';
  attempt: string;
  frames: string[];
  poster: string;
  cover: string;
  shareToken: string;
}

export interface ShareDoc extends Doc {
  storyId: string;
  runId: string;
  poster: string;
  cover: string;
  active: boolean;
}

export interface StoryResult {
  storyId: string;
  title: string;
  jobId: string;
  frames: Array<{ fileId: string; url: string }>;
  poster: { fileId: string; url: string };
  cover: { fileId: string; url: string };
  createdAt: number;
}

const runId = (jobId: string, storyId: string) => `${jobId}:${storyId}`;
const attemptPrefix = (userId: string, jobId: string, storyId: string, attempt: string) => `${userPrefix(userId)}results/${jobId}/${storyId}/${attempt}/`;

export interface FuseInput {
  requestId: string;
  photoId: string;
  storyId: string;
  faceIndex?: number;
  shape?: number;
  features?: number;
  caption?: string;
}

function findStory(storyId: string): StoryInfo {
  const story = STORIES.find((s) => s.id === storyId);
  if (!story) throw new AppError('INVALID_ARGUMENT', { reason: 'unknown story', details: { field: 'story' } });
  return story;
}

/** The job for a request id: created on first use; a replay with other parameters is refused. */
async function jobFor(ports: Ports, engine: FaceEngine, userId: string, input: FuseInput): Promise<JobDoc> {
  const jobId = derivedId(userId, input.requestId);
  const existing = await ports.docs.get<JobDoc>('jobs', jobId);
  const wanted = { photoId: input.photoId, shape: input.shape ?? null, features: input.features ?? null };
  if (existing) {
    const sameFace = input.faceIndex === undefined || input.faceIndex === existing.faceIndex;
    if (existing.owner !== userId || existing.photoId !== wanted.photoId || existing.shape !== wanted.shape || existing.features !== wanted.features || !sameFace) {
      throw new AppError('INVALID_ARGUMENT', { reason: 'request id reused with other parameters', details: { field: 'requestId' } });
    }
    return existing;
  }
  const photo = await getPhoto(ports, userId, input.photoId);
  const faceIndex = engine.checkPick(photo.faces, input.faceIndex ?? photo.chosenIndex ?? undefined);
  const job: JobDoc = { _id: jobId, owner: userId, createdAt: ports.clock.now(), requestId: input.requestId, faceIndex, ...wanted };
  if (!(await ports.docs.create('jobs', job))) return (await ports.docs.get<JobDoc>('jobs', jobId))!;
  return job;
}

/** Fuses one story for the caller's photo (idempotent per request id and story). */
export async function fuseStory(ports: Ports, engine: FaceEngine, queue: WorkQueue, settings: Settings, userId: string, input: FuseInput): Promise<StoryResult> {
  await requireConsent(ports, userId);
  const story = findStory(input.storyId);
  const job = await jobFor(ports, engine, userId, input);
  const id = runId(job._id, story.id);
  const previous = await ports.docs.get<StoryRunDoc>('jobs', id);
  if (previous?.state === 'done') {
    // A replay: the face data may still be here if the process died before forgetting it.
    await forgetPhotoWhenAllDone(ports, job);
    return (await present(ports, [previous]))[0];
  }
  const now = ports.clock.now();
  if (previous?.state === 'running' && previous.expiresAt! > now) {
    throw new AppError('BUSY', { reason: 'story already running', details: { retryAfterSeconds: 3 } });
  }
  if (previous) await reapRun(ports, previous); // a crashed attempt: clean it, then resume

  await takeQuota(ports, userId, QUOTAS.fuse);
  const photo = await getPhoto(ports, userId, job.photoId);
  const attempt = newId(8);
  const shareToken = newId();
  const running: StoryRunDoc = {
    _id: id, owner: userId, createdAt: now, expiresAt: now + settings.staleRunMs,
    jobId: job._id, storyId: story.id, state: 'running', attempt, frames: [], poster: '', cover: '', shareToken,
  };
  await ports.docs.put('jobs', running);

  let done: StoryRunDoc;
  try {
    const fused = await queue.run(async () => {
      const faceData = await ports.files.get(photo.faceDataFileId);
      const code = await ports.codes.make(sceneFor(shareToken), SHARE_PAGE);
      return engine.fuseStory({ faceData, faceIndex: job.faceIndex, storyId: story.id, shape: job.shape ?? undefined, features: job.features ?? undefined, caption: input.caption ?? '', code });
    });

    // Files first, then the rows that point to them.
    const prefix = attemptPrefix(userId, job._id, story.id, attempt);
    const frames: string[] = [];
    for (let i = 0; i < fused.frames.length; i++) frames.push((await ports.files.put(`${prefix}frame-${i + 1}.jpg`, fused.frames[i], 'image/jpeg')).fileId);
    const poster = (await ports.files.put(`${prefix}poster.jpg`, fused.poster, 'image/jpeg')).fileId;
    const cover = (await ports.files.put(`${prefix}cover.jpg`, fused.cover, 'image/jpeg')).fileId;
    const share: ShareDoc = { _id: shareToken, owner: userId, createdAt: ports.clock.now(), storyId: story.id, runId: id, poster, cover, active: false };
    await ports.docs.put('shares', share);
    done = { ...running, state: 'done', frames, poster, cover };
    delete done.expiresAt;
    await ports.docs.put('jobs', done);
  } catch (err) {
    // A failure we can see (BUSY, a bad template, storage) cleans up now so a retry starts fresh;
    // a process killed here leaves the `running` record for the sweeper and the next call.
    await reapRun(ports, running).catch(() => undefined);
    throw err;
  }

  await forgetPhotoWhenAllDone(ports, job);
  return (await present(ports, [done]))[0];
}

/** Fusion done for every story: the face data has no further use. */
async function forgetPhotoWhenAllDone(ports: Ports, job: JobDoc): Promise<void> {
  const runs = await Promise.all(STORIES.map((s) => ports.docs.get<StoryRunDoc>('jobs', runId(job._id, s.id))));
  if (runs.every((r) => r?.state === 'done')) await forgetPhoto(ports, job.photoId);
}

/** Where an attempt's files go: `users/<u>/results/<job>/<story>/<attempt>/`. */
export const runFilesPrefix = (run: Pick<StoryRunDoc, 'owner' | 'jobId' | 'storyId' | 'attempt'>) => attemptPrefix(run.owner, run.jobId, run.storyId, run.attempt);

/**
 * Deletes a crashed attempt's files and its record, in that order (a reap that is itself
 * interrupted leaves the record, and the next reap finishes the job).
 */
export async function reapRun(ports: Ports, run: StoryRunDoc): Promise<void> {
  const files = await ports.files.list(attemptPrefix(run.owner, run.jobId, run.storyId, run.attempt));
  await ports.files.delete(files);
  await ports.docs.delete('shares', run.shareToken);
  await ports.docs.delete('jobs', run._id);
}

async function present(ports: Ports, runs: StoryRunDoc[]): Promise<StoryResult[]> {
  const ids = runs.flatMap((r) => [...r.frames, r.poster, r.cover]);
  const urls = await ports.urls.temporaryUrls(ids);
  const title = (id: string) => STORIES.find((s) => s.id === id)?.title ?? id;
  const file = (fileId: string) => ({ fileId, url: urls[fileId] ?? '' });
  return runs.map((r) => ({
    storyId: r.storyId,
    title: title(r.storyId),
    jobId: r.jobId,
    frames: r.frames.map(file),
    poster: file(r.poster),
    cover: file(r.cover),
    createdAt: r.createdAt,
  }));
}

/** The caller's finished stories: the newest result per story, in campaign order. */
export async function listStories(ports: Ports, userId: string): Promise<StoryResult[]> {
  const runs = (await ports.docs.findByOwner<StoryRunDoc | JobDoc>('jobs', userId)).filter((d): d is StoryRunDoc => (d as StoryRunDoc).state === 'done');
  const newest = new Map<string, StoryRunDoc>();
  for (const r of runs) if (!newest.has(r.storyId) || newest.get(r.storyId)!.createdAt <= r.createdAt) newest.set(r.storyId, r);
  const order = STORIES.map((s) => s.id);
  return present(ports, [...newest.values()].sort((a, b) => order.indexOf(a.storyId) - order.indexOf(b.storyId)));
}

/** Makes the caller's newest poster of a story reachable by its token; returns what a share needs. */
export async function shareStory(ports: Ports, userId: string, storyId: string): Promise<{ token: string; scene: string; page: string; path: string; title: string }> {
  findStory(storyId);
  await takeQuota(ports, userId, QUOTAS.share);
  const mine = (await listStories(ports, userId)).find((s) => s.storyId === storyId);
  if (!mine) throw new AppError('NOT_FOUND', { reason: 'no finished story to share' });
  const run = await ports.docs.get<StoryRunDoc>('jobs', runId(mine.jobId, storyId));
  const share = run && (await ports.docs.get<ShareDoc>('shares', run.shareToken));
  if (!run || !share) throw new AppError('NOT_FOUND');
  if (!share.active) await ports.docs.put<ShareDoc>('shares', { ...share, active: true });
  return { token: share._id, scene: sceneFor(share._id), page: SHARE_PAGE, path: `pages/poster/index?t=${share._id}`, title: mine.title };
}

/** A shared poster by its token, for anyone (Moments' single-page mode has no login). */
export async function viewShared(ports: Ports, token: string): Promise<{ storyId: string; title: string; poster: string; cover: string }> {
  const share = await ports.docs.get<ShareDoc>('shares', token);
  if (!share || !share.active) throw new AppError('NOT_FOUND', { message: '这张海报不存在或已被主人删除。' });
  const urls = await ports.urls.temporaryUrls([share.poster, share.cover]);
  const title = STORIES.find((s) => s.id === share.storyId)?.title ?? share.storyId;
  return { storyId: share.storyId, title, poster: urls[share.poster] ?? '', cover: urls[share.cover] ?? '' };
}

import { AppError } from '../../engine/core/errors';
import type { CollectionName, Doc, Ports } from '../ports';
import { userPrefix } from './ids';
import { forgetPhoto, type PhotoDoc, type UploadDoc } from './photos';
import { reapRun, type StoryRunDoc } from './stories';

const USER_COLLECTIONS: CollectionName[] = ['consents', 'photos', 'jobs', 'shares', 'visits', 'quota'];

/**
 * "Delete my data": every file under the user's prefix, every document they own, the user record
 * (and, locally, their sessions). Verified afterwards: anything left is an INTERNAL error, not a
 * silent success.
 */
export async function deleteUserData(ports: Ports, userId: string): Promise<{ files: number; records: number }> {
  const files = await ports.files.list(userPrefix(userId));
  await ports.files.delete(files);
  let records = 0;
  for (const c of USER_COLLECTIONS) {
    const docs = await ports.docs.findByOwner(c, userId);
    for (const d of docs) await ports.docs.delete(c, d._id);
    records += docs.length;
  }
  await ports.users.delete(userId);
  const leftFiles = await ports.files.list(userPrefix(userId));
  const leftDocs = (await Promise.all(USER_COLLECTIONS.map((c) => ports.docs.findByOwner(c, userId)))).flat();
  if (leftFiles.length || leftDocs.length || (await ports.users.get(userId))) {
    throw new AppError('INTERNAL', { reason: 'data left after deletion' });
  }
  return { files: files.length, records: records + 1 };
}

export interface SweepReport {
  photos: number;
  uploads: number;
  staleRuns: number;
  quotas: number;
  /** Files no row owns (only when the caller asked for the orphan scan: see sweepOrphans). */
  orphans?: number;
}

/**
 * The timer's job: originals (never-analysed uploads) and analysed face data past the retention,
 * story attempts a crash left behind, expired quota windows; with `orphans`, also every stored
 * file no row owns. Bounded per run; the next run continues where it stopped.
 */
export async function sweep(ports: Ports, batch = 200, opts: { orphans?: boolean } = {}): Promise<SweepReport> {
  const now = ports.clock.now();
  const report: SweepReport = { photos: 0, uploads: 0, staleRuns: 0, quotas: 0 };
  for (const doc of await ports.docs.findExpired<PhotoDoc | UploadDoc>('photos', now, batch)) {
    if (doc._id.startsWith('upload:')) {
      const upload = doc as UploadDoc;
      // The original may or may not have been uploaded: delete whatever is at its path.
      const files = await ports.files.list(upload.cloudPath);
      await ports.files.delete(files);
      await ports.docs.delete('photos', doc._id);
      report.uploads++;
    } else {
      await forgetPhoto(ports, doc._id);
      report.photos++;
    }
  }
  for (const run of await ports.docs.findExpired<StoryRunDoc>('jobs', now, batch)) {
    if (run.state !== 'running') continue;
    await reapRun(ports, run);
    report.staleRuns++;
  }
  for (const q of await ports.docs.findExpired('quota', now, batch)) {
    await ports.docs.delete('quota', q._id);
    report.quotas++;
  }
  if (opts.orphans) report.orphans = await sweepOrphans(ports);
  return report;
}

/**
 * After a restart of a runtime that is the only one serving its data (the local runtime holds a
 * lock on DATA_DIR): every story still `running` belongs to a process that is gone. Reap them now,
 * so the client's retry with the same request id resumes at once instead of being BUSY until the
 * record expires. (On CloudBase instances run side by side and a record is reaped when it expires.)
 */
export async function reapInterruptedRuns(ports: Ports, batch = 1000): Promise<number> {
  // Running records are exactly the story records with an expiry (`done` has none).
  const running = (await ports.docs.findExpired<StoryRunDoc>('jobs', Number.MAX_SAFE_INTEGER, batch)).filter((r) => r.state === 'running');
  for (const run of running) await reapRun(ports, run);
  return running.length;
}

/**
 * Every stored file under `users/` must be owned by a row: an upload by its slot, face data by its
 * photo row (the row is written first), a story's files by its run (`running`: all of its attempt
 * folder; `done`: exactly the files it lists). Anything else — a half-written `.partial`, a file
 * of a deleted row, a folder we do not know — is deleted. Returns how many files went.
 *
 * Safe while requests run because every writer stores the row before the file. It lists all user
 * files, so the local runtime runs it (at start and with each sweep); on CloudBase the file index
 * would be read in full, and the expiry sweep above is what runs there.
 */
export async function sweepOrphans(ports: Ports): Promise<number> {
  const rows = new Map<string, Promise<Doc | undefined>>();
  const row = <T extends Doc>(c: CollectionName, id: string) => {
    const k = `${c}/${id}`;
    if (!rows.has(k)) rows.set(k, ports.docs.get<T>(c, id));
    return rows.get(k) as Promise<T | undefined>;
  };
  const owned = async (fileId: string): Promise<boolean> => {
    const key = /^cloud:\/\/[^/]+\/(.+)$/.exec(fileId)?.[1] ?? '';
    const m = /^users\/([^/]+)\/(uploads|faces|results)\/(.+)$/.exec(key);
    if (!m) return false;
    const [, owner, kind, rest] = m;
    if (kind === 'uploads') {
      const id = /^([A-Za-z0-9_-]+)\.jpg(\.|$)/.exec(rest)?.[1];
      return !!id && (await row<UploadDoc>('photos', `upload:${id}`))?.owner === owner;
    }
    if (kind === 'faces') {
      const id = /^([A-Za-z0-9_-]+)\.bin(\.|$)/.exec(rest)?.[1];
      const photo = id ? await row<PhotoDoc>('photos', id) : undefined;
      // While the analysis writes, the row has no file ID yet and owns everything under its key.
      return !!photo && photo.owner === owner && (!photo.faceDataFileId || photo.faceDataFileId === fileId);
    }
    const [jobId, storyId, attempt, file] = rest.split('/');
    if (!file) return false;
    const run = await row<StoryRunDoc>('jobs', `${jobId}:${storyId}`);
    if (!run || run.owner !== owner || run.attempt !== attempt) return false;
    return run.state === 'running' || [...run.frames, run.poster, run.cover].includes(fileId);
  };
  let deleted = 0;
  for (const fileId of await ports.files.list('users/')) {
    if (await owned(fileId)) continue;
    // One by one: a name the storage refuses to address (not one we ever write) must not stop the rest.
    await ports.files.delete([fileId]).then(() => deleted++, () => undefined);
  }
  return deleted;
}

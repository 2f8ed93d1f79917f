import { AppError } from '../../engine/core/errors';
import type { CollectionName, Ports } from '../ports';
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
}

/**
 * The timer's job: originals (never-analysed uploads) and analysed face data past the retention,
 * story attempts a crash left behind, expired quota windows. Bounded per run; the next run
 * continues where it stopped.
 */
export async function sweep(ports: Ports, batch = 200): Promise<SweepReport> {
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
  return report;
}

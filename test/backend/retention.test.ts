import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import campaign from '../../templates/campaign.json';
import { createLocalPorts, type LocalPorts } from '../../backend/adapters/local/index';
import { recordConsent } from '../../backend/domain/consent';
import { boundedQueue, QUOTAS, takeQuota } from '../../backend/domain/limits';
import { analyzeUpload, prepareUpload } from '../../backend/domain/photos';
import { sweep } from '../../backend/domain/retention';
import { loadSettings } from '../../backend/domain/settings';
import { fuseStory, type StoryRunDoc } from '../../backend/domain/stories';
import { createEngine } from '../../backend/engine-adapter';
import type { FaceEngine } from '../../backend/engine-port';
import { AppError } from '../../engine/core/errors';
import { allFiles } from '../helpers/files';
import { selfieJpeg } from '../helpers/fixtures';

jest.setTimeout(120_000);

const MIN = 60_000;


describe('retention, crashes and limits (real SQLite, real files, a movable clock)', () => {
  let now = Date.UTC(2026, 10, 25, 8, 0, 0);
  let ports: LocalPorts;
  let dataDir: string;
  let engine: FaceEngine;
  const settings = loadSettings({});
  const userId = 'u_retention';

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-ret-'));
    ports = createLocalPorts(dataDir, { clock: { now: () => now } });
    engine = createEngine();
    await recordConsent(ports, userId, campaign.consentVersion, 'adult');
  });
  afterAll(() => ports.close());

  const rows = (collection: string) => (ports.db.prepare('SELECT COUNT(*) AS n FROM docs WHERE collection = ?').get(collection) as { n: number }).n;
  const upload = async () => {
    const slot = await prepareUpload(ports, settings, userId);
    const { fileId } = await ports.files.put(slot.cloudPath, await selfieJpeg(), 'image/jpeg');
    return { uploadId: slot.uploadId, fileId };
  };

  it('the default retention is the campaign’s 30 minutes', () => {
    expect(settings.retentionMs).toBe(campaign.retentionMinutes * MIN);
    expect(loadSettings({ RETENTION_MINUTES: '5' }).retentionMs).toBe(5 * MIN);
  });

  it('an upload never analysed and face data never fused are gone after the retention', async () => {
    await upload(); // uploaded, never analysed
    const analysed = await analyzeUpload(ports, engine, settings, userId, await upload());
    expect(allFiles(path.join(dataDir, 'files'))).toHaveLength(2); // one original, one face blob
    now += settings.retentionMs - MIN;
    expect(await sweep(ports)).toMatchObject({ photos: 0, uploads: 0 });
    now += 2 * MIN;
    expect(await sweep(ports)).toMatchObject({ photos: 1, uploads: 1 });
    // Scan storage and database: no original, no face data, no row.
    expect(allFiles(path.join(dataDir, 'files'))).toEqual([]);
    expect(rows('photos')).toBe(0);
    await expect(fuseStory(ports, engine, boundedQueue(1, 1), settings, userId, { requestId: 'late-request', photoId: analysed.photoId, storyId: 'chuang' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a story whose process died mid-run is reaped by the sweeper and resumes on the next call', async () => {
    const { photoId } = await analyzeUpload(ports, engine, settings, userId, await upload());
    const input = { requestId: 'crash-test-1', photoId, storyId: campaign.stories[2].id };
    // A failure the process sees cleans up at once: no record left, the retry is not BUSY.
    const failing: FaceEngine = { ...engine, fuseStory: async () => Promise.reject(new Error('disk full')) };
    await expect(fuseStory(ports, failing, boundedQueue(1, 1), settings, userId, input)).rejects.toThrow('disk full');
    const runningRows = () => ports.db.prepare("SELECT data FROM docs WHERE collection = 'jobs' AND data LIKE '%\"running\"%'").all() as { data: string }[];
    expect(runningRows()).toHaveLength(0);
    // A process killed mid-run never gets to clean up: the engine call simply never returns.
    const hanging: FaceEngine = { ...engine, fuseStory: () => new Promise(() => undefined) };
    void fuseStory(ports, hanging, boundedQueue(1, 1), settings, userId, input);
    for (let i = 0; i < 100 && runningRows().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const running = runningRows();
    expect(running).toHaveLength(1);
    // A second call while the run looks alive is BUSY with a retry-after, not a duplicate run.
    await expect(fuseStory(ports, engine, boundedQueue(1, 1), settings, userId, input)).rejects.toMatchObject({ code: 'BUSY' });
    // Leave a half-written file where the crashed attempt wrote, as a real crash would.
    const run = JSON.parse(running[0].data) as StoryRunDoc;
    await ports.files.put(`users/${userId}/results/${run.jobId}/${run.storyId}/${run.attempt}/frame-1.jpg`, Buffer.from('half'), 'image/jpeg');
    now += settings.staleRunMs + 1000;
    expect((await sweep(ports)).staleRuns).toBe(1);
    expect(allFiles(path.join(dataDir, 'files', 'users', userId, 'results'))).toEqual([]);
    // The same request resumes and completes; nothing half-visible remains.
    const done = await fuseStory(ports, engine, boundedQueue(1, 1), settings, userId, input);
    expect(done.frames.length).toBeGreaterThanOrEqual(4);
    expect(ports.db.prepare("SELECT COUNT(*) AS n FROM docs WHERE collection = 'jobs' AND data LIKE '%\"running\"%'").get()).toEqual({ n: 0 });
  });

  it('the face data is deleted as soon as every story is fused', async () => {
    const { photoId } = await analyzeUpload(ports, engine, settings, userId, await upload());
    const queue = boundedQueue(2, 8);
    const faceFile = path.join(dataDir, 'files', 'users', userId, 'faces', `${photoId}.bin`);
    for (const s of campaign.stories) {
      expect(fs.existsSync(faceFile)).toBe(true); // still needed until the last story
      await fuseStory(ports, engine, queue, settings, userId, { requestId: 'all-stories-1', photoId, storyId: s.id });
    }
    expect(fs.existsSync(faceFile)).toBe(false);
    expect(await ports.docs.get('photos', photoId)).toBeUndefined();
  });

  it('per-user quota → RATE_LIMITED with retry-after; the window resets', async () => {
    const rule = { ...QUOTAS.share, limit: 3 };
    for (let i = 0; i < 3; i++) await takeQuota(ports, 'u_quota', rule);
    const refused = takeQuota(ports, 'u_quota', rule);
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
    const { retryAfterSeconds } = (await refused.then(() => ({}), (e: AppError) => e.details!)) as { retryAfterSeconds?: number };
    expect(retryAfterSeconds).toBeGreaterThan(0);
    now += rule.windowMs;
    await expect(takeQuota(ports, 'u_quota', rule)).resolves.toBeUndefined();
  });

  it('a full fusion queue answers BUSY with retry-after instead of queueing without bound', async () => {
    const queue = boundedQueue(1, 2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = [queue.run(() => gate), queue.run(async () => 1), queue.run(async () => 2)];
    await expect(queue.run(async () => 3)).rejects.toMatchObject({ code: 'BUSY', details: { retryAfterSeconds: expect.any(Number) } });
    expect(queue.stats()).toEqual({ running: 1, waiting: 2 });
    release();
    await Promise.all(running);
    expect(queue.stats()).toEqual({ running: 0, waiting: 0 });
  });
});

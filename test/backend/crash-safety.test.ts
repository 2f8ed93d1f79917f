/**
 * Crash safety: a process killed at any point of `analyze` or `fuse` leaves nothing half-visible
 * and nothing orphaned. After a restart the interrupted story is gone, the client's retry with the
 * same request id gets a result at once, the stories list never shows a story without all its
 * files, and every file under DATA_DIR/files is owned by a row (or swept).
 *
 * In process, each crash point is hit exactly (a storage call that never returns, with the
 * half-written file a killed write leaves); the restart is the real runtime starting on the same
 * data folder. Then one real `npm start` process is killed with SIGKILL in the middle of a fuse.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import campaign from '../../templates/campaign.json';
import { createLocalPorts, type LocalPorts } from '../../backend/adapters/local/index';
import { recordConsent } from '../../backend/domain/consent';
import { derivedId } from '../../backend/domain/ids';
import { boundedQueue } from '../../backend/domain/limits';
import { analyzeUpload, getPhoto, prepareUpload, type PhotoDoc, type UploadDoc } from '../../backend/domain/photos';
import { sweep } from '../../backend/domain/retention';
import { loadSettings } from '../../backend/domain/settings';
import { fuseStory, type StoryRunDoc } from '../../backend/domain/stories';
import { createEngine } from '../../backend/engine-adapter';
import type { FaceEngine, FusedStory } from '../../backend/engine-port';
import type { DocStore, FileStorage, Ports } from '../../backend/ports';
import { startLocalServer } from '../../backend/runtime/local-server';
import { ApiClient } from '../../scripts/lib/api-client';
import { allFiles } from '../helpers/files';
import { selfieJpeg } from '../helpers/fixtures';
import { startRuntime } from '../helpers/runtime-process';

jest.setTimeout(120_000);

const PREFIX = 'cloud://local/';
const settings = loadSettings({});
const never = () => new Promise<never>(() => undefined);

/** Ports whose storage "dies" at the first call `when` picks: the call never returns, as in a killed process. */
function crashing(ports: LocalPorts, when: (op: 'file' | 'doc', what: string) => boolean): { ports: Ports; crashed: Promise<void> } {
  let crash!: () => void;
  const crashed = new Promise<void>((resolve) => (crash = resolve));
  let dead = false;
  const files: FileStorage = {
    ...ports.files,
    async put(key, bytes, type) {
      if (dead || when('file', key)) {
        if (!dead) {
          // A write killed half-way: the temporary file is there, the real name is not.
          const file = path.join(ports.filesDir, ...key.split('/'));
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(`${file}.0badc0ffee00.partial`, bytes.subarray(0, bytes.length >> 1));
        }
        dead = true;
        crash();
        return never();
      }
      return ports.files.put(key, bytes, type);
    },
  };
  const docs: DocStore = {
    ...ports.docs,
    async put(collection, doc) {
      // SQLite writes are atomic: a killed put either happened or did not; here it did not.
      if (dead || when('doc', `${collection}:${(doc as Partial<StoryRunDoc>).state ?? doc._id}`)) {
        dead = true;
        crash();
        return never();
      }
      return ports.docs.put(collection, doc);
    },
  };
  return { ports: { ...ports, files, docs }, crashed };
}

/** Status of a GET, body read (an unread body keeps the connection busy and the server's close waiting). */
async function served(url: string): Promise<number> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}

/** What must hold after any crash and restart. */
function expectConsistent(dataDir: string): void {
  const db = new Database(path.join(dataDir, 'app.db'), { readonly: true });
  try {
    const docs = (collection: string) => (db.prepare('SELECT data FROM docs WHERE collection = ?').all(collection) as { data: string }[]).map((r) => JSON.parse(r.data));
    const runs = docs('jobs').filter((d) => d.state) as StoryRunDoc[];
    expect(runs.filter((r) => r.state !== 'done')).toEqual([]);
    // Every file is owned by a row: an upload slot, a photo's face data, a finished story's files.
    // (A slot owns what is at and beside its path; so does a photo row whose face data was never
    // finished — both expire and are swept with everything under their key.)
    const owned = new Set<string>();
    const ownedPrefixes: string[] = [];
    for (const d of docs('photos') as Array<PhotoDoc & UploadDoc>) {
      if (d.cloudPath) ownedPrefixes.push(d.cloudPath);
      else if (d.faceDataFileId) owned.add(d.faceDataFileId.slice(PREFIX.length));
      else ownedPrefixes.push(`users/${d.owner}/faces/${d._id}.bin`);
    }
    for (const r of runs) for (const id of [...r.frames, r.poster, r.cover]) owned.add(id.slice(PREFIX.length));
    const filesDir = path.join(dataDir, 'files');
    const stored = allFiles(filesDir).map((f) => path.relative(filesDir, f).split(path.sep).join('/'));
    expect(stored.filter((k) => !owned.has(k) && !ownedPrefixes.some((p) => k.startsWith(p)))).toEqual([]);
    // …and every finished story has all of its files.
    for (const r of runs) for (const id of [...r.frames, r.poster, r.cover]) expect(fs.existsSync(path.join(filesDir, id.slice(PREFIX.length)))).toBe(true);
  } finally {
    db.close();
  }
}

describe('a crash at each point of fuse and analyze (in process), then a restart on the same data', () => {
  let dataDir: string;
  let ports: LocalPorts;
  let engine: FaceEngine;
  let real: FaceEngine;
  let session: { token: string; userId: string };
  let photoId: string;
  const story = campaign.stories[1].id;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-crash-'));
    ports = createLocalPorts(dataDir);
    real = createEngine();
    // One fusion for the whole matrix: every crash point gets the same story's bytes.
    const fused = new Map<string, Promise<FusedStory>>();
    engine = { ...real, fuseStory: (input) => fused.get(input.storyId) ?? (fused.set(input.storyId, real.fuseStory(input)), fused.get(input.storyId)!) };
    session = ports.sessions.create(Date.now());
    await recordConsent(ports, session.userId, campaign.consentVersion, 'adult');
    const slot = await prepareUpload(ports, settings, session.userId);
    const { fileId } = await ports.files.put(slot.cloudPath, await selfieJpeg(), 'image/jpeg');
    photoId = (await analyzeUpload(ports, real, settings, session.userId, { uploadId: slot.uploadId, fileId })).photoId;
  });
  afterAll(() => ports.close());

  const points: Array<[string, (op: 'file' | 'doc', what: string) => boolean]> = [
    ['while the frames are fused (running record, no file yet)', () => false],
    // (Between frames, the cover and the poster nothing else happens: the first frame and the poster stand for them.)
    ['writing the first frame', (op, what) => op === 'file' && what.endsWith('/frame-1.jpg')],
    ['writing the poster', (op, what) => op === 'file' && what.endsWith('/poster.jpg')],
    ['storing the share record', (op, what) => op === 'doc' && what.startsWith('shares:')],
    ['storing the done record', (op, what) => op === 'doc' && what === 'jobs:done'],
  ];
  it.each(points)('killed %s: the restart reaps it, the retry resumes, nothing half-visible or orphaned', async (_name, when) => {
    const requestId = `crash-${points.findIndex((p) => p[1] === when)}-request`;
    const dying = crashing(ports, when);
    const dyingEngine: FaceEngine = _name.startsWith('while') ? { ...engine, fuseStory: () => never() } : engine;
    let ran = false;
    void fuseStory(dying.ports, dyingEngine, boundedQueue(1, 1), settings, session.userId, { requestId, photoId, storyId: story }).finally(() => (ran = true));
    if (_name.startsWith('while')) {
      // The running record is written before the engine is called.
      for (let i = 0; i < 200 && !(await ports.docs.findByOwner<StoryRunDoc>('jobs', session.userId)).some((d) => d.state === 'running'); i++) await new Promise((r) => setTimeout(r, 10));
    } else await dying.crashed;
    expect(ran).toBe(false);
    expect((await ports.docs.findByOwner<StoryRunDoc>('jobs', session.userId)).filter((d) => d.state === 'running')).toHaveLength(1);

    const server = await startLocalServer({ port: 0, dataDir, loadEngine: () => engine });
    try {
      expectConsistent(dataDir);
      const api = new ApiClient(server.url);
      api.cookie = `szs_sid=${session.token}`;
      const before = await api.ok<{ stories: Array<{ storyId: string; jobId: string }> }>('stories');
      expect(before.stories.filter((s) => s.jobId === derivedId(session.userId, requestId))).toEqual([]);
      const retried = await api.call('fuse', { requestId, photoId, story });
      expect(retried).toMatchObject({ ok: true, data: { storyId: story } });
      if (!retried.ok) return;
      expect(retried.data.frames.length).toBeGreaterThanOrEqual(4);
      for (const f of [...retried.data.frames, retried.data.poster, retried.data.cover]) expect(await served(server.url + f.url)).toBe(200);
      expectConsistent(dataDir);
    } finally {
      await server.close();
    }
  });

  const analyzePoints: Array<[string, (op: 'file' | 'doc', what: string) => boolean]> = [
    ['before the photo row', (op, what) => op === 'doc' && what.startsWith('photos:') && !what.startsWith('photos:upload')],
    ['writing the face data', (op, what) => op === 'file' && what.includes('/faces/')],
  ];
  it.each(analyzePoints)('analyze killed %s: no face data outlives the retention, nothing unowned meanwhile', async (_name, when) => {
    const slot = await prepareUpload(ports, settings, session.userId);
    const { fileId } = await ports.files.put(slot.cloudPath, await selfieJpeg(), 'image/jpeg');
    const dying = crashing(ports, when);
    void analyzeUpload(dying.ports, real, settings, session.userId, { uploadId: slot.uploadId, fileId });
    await dying.crashed;
    const server = await startLocalServer({ port: 0, dataDir, loadEngine: () => engine });
    await server.close();
    expectConsistent(dataDir);
    // A row whose face data was never finished is not a usable photo.
    const half = (await ports.docs.findByOwner<PhotoDoc>('photos', session.userId)).filter((d) => !d._id.startsWith('upload:') && !d.faceDataFileId);
    for (const d of half) await expect(getPhoto(ports, session.userId, d._id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Past the retention the sweeper leaves no upload and no face data of it.
    const later = createLocalPorts(dataDir, { clock: { now: () => Date.now() + settings.retentionMs + 60_000 } });
    try {
      await sweep(later, 200, { orphans: true });
    } finally {
      later.close();
    }
    const userDir = path.join(dataDir, 'files', 'users', session.userId);
    expect(allFiles(path.join(userDir, 'uploads'))).toEqual([]);
    expect(allFiles(path.join(userDir, 'faces'))).toEqual([]);
    expect((await ports.docs.findByOwner('photos', session.userId)).length).toBe(0);
    // (The matrix above used `photoId`, which is past its retention now too: it ran first.)
  });

  it('files no row owns are swept at start; owned files stay', async () => {
    const userDir = path.join(dataDir, 'files', 'users', session.userId);
    const plant = (rel: string) => {
      fs.mkdirSync(path.dirname(path.join(userDir, rel)), { recursive: true });
      fs.writeFileSync(path.join(userDir, rel), 'left behind');
    };
    const keep = allFiles(path.join(dataDir, 'files'));
    expect(keep.length).toBeGreaterThan(0); // the finished stories of the matrix
    const done = (await ports.docs.findByOwner<StoryRunDoc>('jobs', session.userId)).find((d) => d.state === 'done')!;
    const doneDir = `results/${done.jobId}/${done.storyId}/${done.attempt}`;
    for (const rel of [
      'results/AAAAAAAAAAAAAAAAAAAAAA/chuang/zzzzzzzzzzz/frame-1.jpg', // no such run
      `results/${done.jobId}/${done.storyId}/otherattempt/poster.jpg`, // another attempt of a done run
      `${doneDir}/poster.jpg.0123456789ab.partial`, // a temporary file beside a finished story
      `${doneDir}/frame-9.jpg`, // not listed by the run
      'faces/ghostphotoidghostphotoi.bin', // face data without a row
      'uploads/ghostuploadidghostuploa.jpg', // an upload without its slot
      'elsewhere/notes.txt', // a folder we never write
    ]) plant(rel);
    fs.mkdirSync(path.join(dataDir, 'files', 'users', 'u_nobody'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'files', 'users', 'u_nobody', 'x.bin'), 'x');
    const server = await startLocalServer({ port: 0, dataDir, loadEngine: () => engine });
    await server.close();
    expect(allFiles(path.join(dataDir, 'files')).sort()).toEqual(keep.sort());
    expectConsistent(dataDir);
  });

  it('a second runtime on the same data folder is refused while the first runs', async () => {
    const first = await startLocalServer({ port: 0, dataDir, loadEngine: () => engine });
    try {
      await expect(startLocalServer({ port: 0, dataDir })).rejects.toThrow(/DATA_DIR .* is in use by another runtime/);
    } finally {
      await first.close();
    }
    const again = await startLocalServer({ port: 0, dataDir, loadEngine: () => engine });
    await again.close();
  });
});

describe('kill -9 of a real runtime in the middle of a fuse', () => {
  it('restarts clean: the retry with the same request id gets the story, nothing half-visible, no orphan file', async () => {
    let rt = await startRuntime({ LOG_LEVEL: 'silent' });
    const { dataDir } = rt;
    try {
      const api = new ApiClient(rt.url);
      await api.ok('login');
      await api.ok('consent', { action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' });
      const { photoId } = await api.ok('analyze', await api.uploadPhoto(await selfieJpeg()));
      const request = { requestId: 'killed-mid-fuse', photoId, story: campaign.stories[0].id };
      // Its outcome is kept, not awaited yet: the server is killed under it.
      const inFlight = api.call('fuse', request).then((answer) => ({ answer }), (failure: Error) => ({ failure }));
      // Kill it while the story runs: its running record is in the database, its files are not all there.
      const db = new Database(path.join(dataDir, 'app.db'), { readonly: true, fileMustExist: true });
      const running = db.prepare(`SELECT COUNT(*) AS n FROM docs WHERE collection = 'jobs' AND json_extract(data, '$.state') = 'running'`);
      try {
        for (let i = 0; i < 3000 && (running.get() as { n: number }).n === 0; i++) await new Promise((r) => setTimeout(r, 5));
        expect(running.get()).toEqual({ n: 1 });
      } finally {
        db.close();
      }
      expect(await rt.stop('SIGKILL')).toBeNull();
      expect(await inFlight).toEqual({ failure: expect.objectContaining({ message: 'fetch failed' }) });

      rt = await startRuntime({ LOG_LEVEL: 'info' }, { dataDir });
      expect(rt.output()).toMatch(/"msg":"recovered after an unclean stop","runs":1/);
      expectConsistent(dataDir);
      const again = new ApiClient(rt.url);
      again.cookie = api.cookie;
      expect(await again.ok('stories')).toEqual({ stories: [] });
      const retried = await again.call('fuse', request);
      expect(retried).toMatchObject({ ok: true, data: { storyId: request.story } });
      if (!retried.ok) return;
      expect(retried.data.frames.length).toBeGreaterThanOrEqual(4);
      for (const f of [...retried.data.frames, retried.data.poster, retried.data.cover]) expect(await served(rt.url + f.url)).toBe(200);
      expect((await again.ok('stories')).stories.map((s: { storyId: string }) => s.storyId)).toEqual([request.story]);
      expectConsistent(dataDir);
    } finally {
      await rt.stop('SIGKILL');
    }
  });
});

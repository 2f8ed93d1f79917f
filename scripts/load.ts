/**
 * `npm run load -- [--users N] [--seconds S] [--photo <image>]`: many simulated users against the
 * local runtime (a real `npm start` process on a free port, fresh data folder): each logs in,
 * consents, uploads the photo, fuses all eight stories one by one as the client does, fetches the
 * posters, then starts over, until the time is up. Prints one JSON object: throughput, latency
 * percentiles per call, errors by code, the server's peak memory, and a consistency check (every
 * accepted fuse call produced a story; no 5xx other than BUSY).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import campaign from '../templates/campaign.json';
import { ApiClient } from './lib/api-client';
import { ROOT } from './lib/builds';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const USERS = Number(arg('users', '8'));
const SECONDS = Number(arg('seconds', '60'));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function defaultPhoto(): Promise<Buffer> {
  const custom = arg('photo', '');
  if (custom) return fs.readFileSync(custom);
  // A one-face crop of a fixture photograph (npm package @vladmandic/face-api, MIT).
  return sharp(require.resolve('@vladmandic/face-api/demo/sample6.jpg')).extract({ left: 476, top: 150, width: 600, height: 720 }).jpeg({ quality: 90 }).toBuffer();
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0);

async function main(): Promise<void> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'szs-load-'));
  const server = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/start.ts', '--no-build'], {
    cwd: ROOT,
    // The same allocator settings as npm start: glibc otherwise keeps freed image buffers resident.
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'silent', MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      /* starting */
    }
    if (i > 300) throw new Error('runtime did not start');
    await new Promise((r) => setTimeout(r, 100));
  }

  // Peak RSS of the server: tsx runs it in a child process, so take the kernel's own peak
  // (VmHWM) of every process under the one we spawned.
  const descendants = (pid: number): number[] => {
    try {
      const kids = fs
        .readdirSync(`/proc/${pid}/task`)
        .flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
      return [pid, ...kids.flatMap(descendants)];
    } catch {
      return [pid];
    }
  };
  const peakRssMb = () => {
    let peak = 0;
    for (const pid of descendants(server.pid!)) {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        /* exited */
      }
    }
    return Math.round(peak);
  };

  const photo = await defaultPhoto();
  const latencies: Record<string, number[]> = {};
  const errors: Record<string, number> = {};
  let http5xx = 0;
  let storiesDone = 0;
  let usersDone = 0;
  let fuseAccepted = 0;
  const deadline = Date.now() + SECONDS * 1000;

  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      (latencies[name] ??= []).push(performance.now() - t);
    }
  };
  const call = async (api: ApiClient, name: string, data: Record<string, unknown> = {}) => {
    for (;;) {
      const res = await timed(name, () => api.call(name, data));
      if (res.ok) return res.data;
      errors[res.error.code] = (errors[res.error.code] ?? 0) + 1;
      const retry = res.error.details?.retryAfterSeconds;
      if ((res.error.code === 'BUSY' || res.error.code === 'RATE_LIMITED') && retry && Date.now() + retry * 1000 < deadline) {
        await new Promise((r) => setTimeout(r, retry * 1000));
        continue;
      }
      throw Object.assign(new Error(res.error.code), { code: res.error.code });
    }
  };

  const user = async (n: number) => {
    while (Date.now() < deadline) {
      const api = new ApiClient(base);
      try {
        await call(api, 'login');
        await call(api, 'consent', { action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' });
        const { uploadId } = await call(api, 'prepareUpload');
        const up = await timed('upload', () => api.upload(uploadId, photo));
        if (!up.ok) throw new Error(up.error.code);
        const { photoId } = await call(api, 'analyze', { uploadId, fileId: up.data.fileId });
        const requestId = `load-${n}-${Date.now()}`;
        for (const s of campaign.stories) {
          if (Date.now() >= deadline) break;
          const story = await call(api, 'fuse', { requestId, photoId, story: s.id });
          fuseAccepted++;
          const res = await timed('poster', () => fetch(base + story.poster.url));
          if (res.status >= 500) http5xx++;
          await res.arrayBuffer();
          storiesDone++;
        }
        await call(api, 'deleteMyData', { confirm: true });
        usersDone++;
      } catch (err) {
        if (!(err as { code?: string }).code) http5xx++;
      }
    }
  };

  const started = Date.now();
  await Promise.all(Array.from({ length: USERS }, (_, i) => user(i)));
  const elapsed = (Date.now() - started) / 1000;
  const summary = Object.fromEntries(
    Object.entries(latencies).map(([name, xs]) => {
      const s = [...xs].sort((a, b) => a - b);
      return [name, { count: s.length, p50: Math.round(pct(s, 50)), p95: Math.round(pct(s, 95)), p99: Math.round(pct(s, 99)) }];
    }),
  );
  const report = {
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    users: USERS,
    seconds: Math.round(elapsed),
    stories: storiesDone,
    storiesPerMinute: Math.round((storiesDone / elapsed) * 60),
    framesPerSecond: Math.round(((storiesDone * 4) / elapsed) * 10) / 10,
    usersCompleted: usersDone,
    latencyMs: summary,
    errors,
    http5xx,
    lostJobs: fuseAccepted - storiesDone,
    serverPeakRssMb: peakRssMb(),
  };
  server.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

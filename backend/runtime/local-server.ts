import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { AppError, toErrorPayload, type ErrorCode } from '../../engine/core/errors';
import { createLocalPorts, type LocalPorts } from '../adapters/local/index';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../adapters/local/sessions';
import { invoke, MAX_EVENT_BYTES } from '../functions/invoke';
import { functions } from '../functions/registry';
import type { FnDefinition, Services } from '../functions/types';
import { describeError, log } from '../log';
import { getUpload } from '../domain/photos';
import { requireConsent } from '../domain/consent';
import type { FaceEngine } from '../engine-port';
import type { ContentChecker } from '../ports';
import { reapInterruptedRuns, sweep } from '../domain/retention';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { createServices } from './services';

export interface LocalServerOptions {
  port: number;
  host?: string;
  dataDir: string;
  /** The H5 build to serve; omitted → API only. */
  staticDir?: string;
  fns?: Record<string, FnDefinition<any>>;
  /** The image engine, created on first use (tests may pass a smaller pool). */
  loadEngine?: () => FaceEngine;
  contentCheck?: ContentChecker;
  /** The address the posters' QR codes open (PUBLIC_URL); default this server's own http://<host>:<port>. */
  publicUrl?: string;
  /** How often the sweeper runs (retention, stale runs, orphan files); default 5 minutes like the cloud timer. */
  sweepIntervalMs?: number;
  /** Fusion slots and waiting line of this instance (defaults: one per core, four per core). */
  concurrency?: number;
  maxWaiting?: number;
}

export interface LocalServer {
  url: string;
  port: number;
  ports: LocalPorts;
  services: Services;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function readCookie(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** A body over its route's budget: answered with status 413 and the route's code (see bodyBudget). */
class BodyTooLarge extends AppError {
  /** false when the rest of the body was not read (over the drain bounds): close the connection. */
  drained = true;
}

/** How much of an oversized body is read and thrown away so the client can read the 413. */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

/**
 * What each route accepts as a body, and the error beyond it: an event is small JSON
 * (INVALID_ARGUMENT), an upload a photo within the upload budget (IMAGE_TOO_LARGE).
 */
function bodyBudget(pathname: string, maxUploadBytes: number): { limit: number; error: () => BodyTooLarge } | undefined {
  if (pathname.startsWith('/api/upload/')) {
    return { limit: maxUploadBytes, error: () => new BodyTooLarge('IMAGE_TOO_LARGE', { reason: 'upload over budget', details: { maxBytes: maxUploadBytes } }) };
  }
  if (pathname.startsWith('/api/fn/')) {
    return {
      limit: MAX_EVENT_BYTES,
      error: () =>
        new BodyTooLarge('INVALID_ARGUMENT', {
          reason: 'event over budget',
          message: `请求内容太大了（最多 ${MAX_EVENT_BYTES / 1024}KB），请返回上一步重新操作。`,
          details: { field: 'body', maxBytes: MAX_EVENT_BYTES },
        }),
    };
  }
  return undefined;
}

/**
 * Reads a body up to `limit` bytes. Beyond it nothing more is buffered, but the rest is read and
 * thrown away (at most DRAIN_MAX_BYTES / DRAIN_MAX_MS) before the error is answered: a socket
 * closed with unread data is reset by the kernel, and the client would see ECONNRESET instead of
 * the 413 and its message.
 */
function readBody(req: http.IncomingMessage, limit: number, tooLarge: () => BodyTooLarge): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    let chunks: Buffer[] | null = declared > limit ? null : [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = () => {
      const err = tooLarge();
      err.drained = false;
      req.pause();
      req.removeAllListeners('data');
      reject(err);
    };
    const startDraining = () => {
      chunks = null;
      if (declared > DRAIN_MAX_BYTES) return giveUp();
      timer = setTimeout(giveUp, DRAIN_MAX_MS);
      timer.unref();
    };
    if (!chunks) startDraining();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (chunks && size > limit) startDraining();
      if (chunks) chunks.push(chunk);
      else if (size > DRAIN_MAX_BYTES) giveUp();
    });
    req.on('end', () => {
      clearTimeout(timer);
      if (chunks) resolve(Buffer.concat(chunks));
      else reject(tooLarge());
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The route of a request for the log: ids (upload ids, file keys' user ids) become `:id`. */
const routeOf = (url: string) => url.split('?')[0].replace(/[A-Za-z0-9_-]{16,}/g, ':id').slice(0, 80);

/** HTTP status of a refused request (function results are always 200 with their `ok` flag). */
function statusOf(err: unknown, code: ErrorCode): number {
  if (err instanceof BodyTooLarge) return 413;
  return code === 'INTERNAL' ? 500 : code === 'FORBIDDEN' ? 403 : code === 'NOT_FOUND' ? 404 : 400;
}

function serveStatic(staticDir: string, urlPath: string, res: http.ServerResponse): void {
  const rel = decodeURIComponent(urlPath.split('?')[0]).replace(/^\/+/, '');
  const resolved = path.resolve(staticDir, rel || 'index.html');
  // Never serve outside the build folder.
  const inside = resolved === staticDir || resolved.startsWith(staticDir + path.sep);
  const file = inside && fs.existsSync(resolved) && fs.statSync(resolved).isFile() ? resolved : path.join(staticDir, 'index.html');
  if (!fs.existsSync(file)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('H5 build missing: run `npm run build:h5` (npm start does this for you).');
    return;
  }
  const ext = path.extname(file);
  const immutable = /\.[0-9a-f]{8,}\.(js|css)$/.test(file);
  res.writeHead(200, {
    'content-type': MIME[ext] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  fs.createReadStream(file).pipe(res);
}

/** The embedded runtime: the H5 build, the functions over HTTP with the local adapters, /healthz. */
export async function startLocalServer(opts: LocalServerOptions): Promise<LocalServer> {
  let publicUrl = opts.publicUrl; // the default is known once the server listens
  const ports = createLocalPorts(opts.dataDir, { contentCheck: opts.contentCheck, publicUrl: () => publicUrl! });
  const fns = opts.fns ?? functions;
  // Loaded lazily so the runtime answers /healthz before any model is read.
  const loadEngine = opts.loadEngine ?? (() => (require('../engine-adapter') as typeof import('../engine-adapter')).createEngine());
  const services = createServices(loadEngine, { concurrency: opts.concurrency, maxWaiting: opts.maxWaiting });
  const staticDir = opts.staticDir && path.resolve(opts.staticDir);
  let ready = false;

  const server = http.createServer(async (req, res) => {
    const url = req.url ?? '/';
    try {
      if (url === '/healthz') {
        sendJson(res, ready ? 200 : 503, { ok: ready });
        return;
      }
      if (!ready) {
        // Starting (recovering what a killed predecessor left) or shutting down.
        sendJson(res, 503, { ok: false, error: new AppError('BUSY', { details: { retryAfterSeconds: 1 } }).toPayload() });
        return;
      }
      const pathname = url.split('?')[0];
      const uploadMatch = /^\/api\/upload\/([A-Za-z0-9_-]{22})$/.exec(pathname);
      if (uploadMatch) {
        await handleUpload(req, res, uploadMatch[1]);
        return;
      }
      if (pathname.startsWith('/files/') && (req.method === 'GET' || req.method === 'HEAD')) {
        serveSignedFile(url, res);
        return;
      }
      const fnMatch = /^\/api\/fn\/([A-Za-z][A-Za-z0-9_-]{0,40})$/.exec(pathname);
      if (fnMatch) {
        if (req.method !== 'POST') {
          sendJson(res, 405, { ok: false, error: new AppError('INVALID_ARGUMENT', { reason: 'POST only' }).toPayload() });
          return;
        }
        const fn = fns[fnMatch[1]];
        if (!fn) {
          sendJson(res, 404, { ok: false, error: new AppError('NOT_FOUND').toPayload() });
          return;
        }
        const raw = await readBody(req, MAX_EVENT_BYTES, bodyBudget(pathname, 0)!.error);
        let event: unknown = {};
        if (raw.length) {
          try {
            event = JSON.parse(raw.toString('utf8'));
          } catch {
            throw new AppError('INVALID_ARGUMENT', { reason: 'body is not JSON' });
          }
        }
        // Identity comes from the session cookie only; `login` issues one to a new browser.
        const now = ports.clock.now();
        const token = readCookie(req, SESSION_COOKIE);
        let userId = token ? ports.sessions.resolve(token, now) : undefined;
        const headers: http.OutgoingHttpHeaders = {};
        if (!userId && fn.name === 'login') {
          const created = ports.sessions.create(now);
          userId = created.userId;
          headers['set-cookie'] = `${SESSION_COOKIE}=${created.token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}`;
        }
        const caller = userId ? { userId, platform: 'local' as const } : null;
        const result = await invoke(fn, event, { caller, ports, services: { ...services, envPrefix: 'local' } });
        sendJson(res, 200, result, headers);
        return;
      }
      if (url.startsWith('/api/')) {
        sendJson(res, 404, { ok: false, error: new AppError('NOT_FOUND').toPayload() });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, { ok: false, error: new AppError('INVALID_ARGUMENT').toPayload() });
        return;
      }
      if (!staticDir) {
        sendJson(res, 404, { ok: false, error: new AppError('NOT_FOUND').toPayload() });
        return;
      }
      serveStatic(staticDir, url, res);
    } catch (err) {
      const payload = toErrorPayload(err);
      const status = statusOf(err, payload.code);
      // Only whitelisted fields, and the reason redacted (backend/log.ts): never the body or a file ID.
      if (status === 500) log('error', 'request failed', { path: routeOf(url), method: req.method, code: payload.code, reason: describeError(err) });
      if (res.headersSent) {
        res.end();
        return;
      }
      const close = err instanceof BodyTooLarge;
      sendJson(res, status, { ok: false, error: payload }, close ? { connection: 'close' } : {});
      // Over the drain bounds: stop reading this client (the rest of its body is never read).
      if (err instanceof BodyTooLarge && !err.drained) res.once('finish', () => req.socket.destroySoon());
    }
  });

  // Malformed HTTP (a negative Content-Length, a broken header, headers over 16 KB): the same JSON
  // error shape as every other refusal instead of Node's bare 400.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const body = JSON.stringify({ ok: false, error: new AppError('INVALID_ARGUMENT').toPayload() });
    socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });

  // `Expect: 100-continue` (curl and others for big bodies): refuse an oversized body before it is sent.
  server.on('checkContinue', (req, res) => {
    const budget = bodyBudget((req.url ?? '/').split('?')[0], services.settings.maxUploadBytes);
    if (budget && Number(req.headers['content-length'] ?? 0) > budget.limit) {
      sendJson(res, 413, { ok: false, error: budget.error().toPayload() }, { connection: 'close' });
      return;
    }
    res.writeContinue();
    server.emit('request', req, res);
  });

  /** The caller behind the session cookie, if any. */
  function callerOf(req: http.IncomingMessage): string | undefined {
    const token = readCookie(req, SESSION_COOKIE);
    return token ? ports.sessions.resolve(token, ports.clock.now()) : undefined;
  }

  /**
   * The browser's stand-in for wx.cloud.uploadFile: raw image bytes to the upload slot that
   * `prepareUpload` gave this caller. Larger than the budget → IMAGE_TOO_LARGE without buffering it.
   */
  async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, uploadId: string): Promise<void> {
    if (req.method !== 'POST') throw new AppError('INVALID_ARGUMENT', { reason: 'POST only' });
    const userId = callerOf(req);
    if (!userId) throw new AppError('FORBIDDEN', { reason: 'login required' });
    await requireConsent(ports, userId);
    const upload = await getUpload(ports, userId, uploadId);
    const budget = bodyBudget('/api/upload/', services.settings.maxUploadBytes)!;
    const bytes = await readBody(req, budget.limit, budget.error);
    if (bytes.length === 0) throw new AppError('CORRUPT_IMAGE', { reason: 'empty upload' });
    const { fileId } = await ports.files.put(upload.cloudPath, bytes, String(req.headers['content-type'] ?? 'application/octet-stream'));
    sendJson(res, 200, { ok: true, data: { fileId } });
  }

  /** Files behind signed, expiring URLs (the local stand-in for temporary file URLs). */
  function serveSignedFile(url: string, res: http.ServerResponse): void {
    const parsed = new URL(url, 'http://local');
    const key = decodeURIComponent(parsed.pathname.slice('/files/'.length));
    if (!ports.urls.verify(key, parsed.searchParams.get('exp') ?? '', parsed.searchParams.get('sig') ?? '')) {
      sendJson(res, 403, { ok: false, error: new AppError('FORBIDDEN').toPayload() });
      return;
    }
    const file = path.join(ports.filesDir, ...key.split('/'));
    if (!file.startsWith(ports.filesDir + path.sep) || !fs.existsSync(file)) {
      sendJson(res, 404, { ok: false, error: new AppError('NOT_FOUND').toPayload() });
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'private, max-age=600' });
    fs.createReadStream(file).pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      ports.close();
      if (err.code === 'EADDRINUSE') {
        reject(new Error(`Port ${opts.port} is already in use. Stop the other server or start with PORT=<another port> npm start.`));
      } else reject(err);
    });
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  publicUrl ??= `http://${opts.host ?? '127.0.0.1'}:${port}`;

  // One runtime per DATA_DIR; then what a killed predecessor left is put right before anything is
  // served: its running stories are reaped (the client's retry resumes them at once) and files no
  // row owns are deleted, with the usual expiry sweep.
  let lock: DataDirLock;
  try {
    lock = lockDataDir(opts.dataDir);
    const reaped = await reapInterruptedRuns(ports);
    const swept = await sweep(ports, 200, { orphans: true });
    if (reaped || swept.orphans) log('warn', 'recovered after an unclean stop', { runs: reaped, files: swept.orphans });
  } catch (err) {
    await new Promise((resolve) => server.close(resolve));
    ports.close();
    throw err;
  }
  // The local stand-in for the cloud sweeper's timer trigger.
  let sweeping = false;
  const sweepTimer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweep(ports, 200, { orphans: true })
      .catch((err) => log('error', 'sweep failed', { reason: describeError(err) }))
      .finally(() => (sweeping = false));
  }, opts.sweepIntervalMs ?? 5 * 60_000);
  sweepTimer.unref();
  ready = true;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    ports,
    services,
    close() {
      // Stop accepting, let in-flight requests finish, then close the database.
      closing ??= new Promise<void>((resolve) => {
        ready = false;
        clearInterval(sweepTimer);
        server.close(() => {
          ports.close();
          lock.release();
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

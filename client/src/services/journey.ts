/**
 * The journey's state shared by the pages: the session, the consent gate, the current photo job
 * and the fusion run that draws the eight stories one after another (it outlives the progress page,
 * so the first story opens while the rest are still being drawn).
 */
import { useEffect, useState } from 'react';
import campaignJson from '../../../templates/campaign.json';
import type { ErrorPayload } from '../../../engine/core/errors';
// Spelled '../services/backend' so jest's moduleNameMapper (…/services/backend → backend.h5.ts) applies here too.
import { backend } from '../services/backend';
import type { AgeGroup, ConsentResult, FnResult, LoginResult, StoryResult } from './api-types';
import { KEYS, readLocal, removeLocal, writeLocal } from './storage';

export const CONSENT_VERSION: string = campaignJson.consentVersion;
export const STORY_IDS: string[] = campaignJson.stories.map((s) => s.id);

// ---------------------------------------------------------------------------------------------
// session

let loginPromise: Promise<FnResult<LoginResult>> | undefined;

/** One login per app start (the local runtime issues its session cookie here); it carries the share that brought this visitor. */
export function ensureLogin(): Promise<FnResult<LoginResult>> {
  const source = sourceToken();
  loginPromise ??= backend.call<LoginResult>('login', source ? { source } : {}).then((res) => {
    if (!res.ok) loginPromise = undefined;
    return res;
  });
  return loginPromise;
}

// ---------------------------------------------------------------------------------------------
// consent gate: the face-data consent (recorded by the backend), the age group, and WeChat's
// privacy authorisation. Nothing is uploaded before all of them.

export interface LocalConsent {
  version: string;
  ageGroup: AgeGroup;
  privacy: boolean;
  at: number;
}

export function localConsent(): LocalConsent | undefined {
  const c = readLocal<LocalConsent>(KEYS.consent);
  return c && c.version === CONSENT_VERSION && c.privacy && (c.ageGroup === 'adult' || c.ageGroup === 'guardian') ? c : undefined;
}

/** Records the consent with the backend; only an agreed answer opens the gate on this device. */
export async function agreeConsent(ageGroup: AgeGroup): Promise<FnResult<ConsentResult>> {
  const login = await ensureLogin();
  if (!login.ok) return login;
  const res = await backend.call<ConsentResult>('consent', { action: 'agree', agree: true, version: CONSENT_VERSION, ageGroup });
  if (res.ok && res.data.agreed) writeLocal(KEYS.consent, { version: CONSENT_VERSION, ageGroup, privacy: true, at: Date.now() } satisfies LocalConsent);
  return res;
}

export function forgetConsent(): void {
  removeLocal(KEYS.consent);
}

// ---------------------------------------------------------------------------------------------
// attribution: which share brought this visitor (first touch wins)

export function rememberSource(token: string): void {
  if (!readLocal(KEYS.source)) writeLocal(KEYS.source, { token, at: Date.now() });
}

export function sourceToken(): string | undefined {
  return readLocal<{ token: string }>(KEYS.source)?.token;
}

// ---------------------------------------------------------------------------------------------
// the photo job: one analysed photo, the chosen face, and ONE request id for all eight stories

export interface Job {
  photoId: string;
  faceIndex: number;
  requestId: string;
  createdAt: number;
}

/** 22 url-safe random characters (idempotency key, not a secret). */
export function newRequestId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let out = '';
  for (let i = 0; i < 22; i++) out += alphabet[Math.floor(Math.random() * 64)];
  return out;
}

/** The job of this photo: a retry or resume of the same photo reuses its request id. */
export function jobFor(photoId: string, faceIndex: number): Job {
  const saved = readLocal<Job>(KEYS.job);
  if (saved && saved.photoId === photoId && saved.faceIndex === faceIndex) return saved;
  const job: Job = { photoId, faceIndex, requestId: newRequestId(), createdAt: Date.now() };
  writeLocal(KEYS.job, job);
  return job;
}

export function savedJob(): Job | undefined {
  return readLocal<Job>(KEYS.job);
}

// ---------------------------------------------------------------------------------------------
// the fusion run

export type StoryStatus = 'waiting' | 'drawing' | 'done' | 'failed';
export interface StoryState {
  id: string;
  status: StoryStatus;
  result?: StoryResult;
  error?: ErrorPayload;
}
export interface FusionRun {
  job: Job;
  stories: StoryState[];
  finished: boolean;
  /** An error that stops the whole run (consent withdrawn, photo expired). */
  fatal?: ErrorPayload;
  startedAt: number;
  firstReadyAt?: number;
}

const STOP_CODES = new Set(['CONSENT_REQUIRED', 'NOT_FOUND', 'FORBIDDEN', 'INVALID_ARGUMENT']);
const RETRY_CODES = new Set(['BUSY', 'RATE_LIMITED']);
const MAX_RETRIES = 40;

let run: FusionRun | undefined;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((fn) => fn());

/** Test seam: how the run waits before retrying BUSY / RATE_LIMITED. */
export const timing = { sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };

export function currentRun(): FusionRun | undefined {
  return run;
}

export function subscribeRun(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Re-renders the calling component on every change of the run. */
export function useFusionRun(): FusionRun | undefined {
  const [, setTick] = useState(0);
  useEffect(() => {
    const off = subscribeRun(() => setTick((t) => t + 1));
    // The run may have changed between this render and the subscription (a page that starts it in
    // useLoad: its first story is already "drawing"): render once more.
    setTick((t) => t + 1);
    return off;
  }, []);
  return run;
}

/** Starts (or returns the running) run of this job: `fuse` for each story, in campaign order. */
export function startFusion(job: Job): FusionRun {
  if (run && run.job.requestId === job.requestId && run.job.photoId === job.photoId && !run.finished) return run;
  const r: FusionRun = { job, stories: STORY_IDS.map((id) => ({ id, status: 'waiting' })), finished: false, startedAt: Date.now() };
  run = r;
  void drive(r);
  emit();
  return r;
}

/** Tries the failed stories of the current run again (same request id). */
export function retryFailed(): void {
  const r = run;
  if (!r || !r.finished) return;
  r.stories.forEach((s) => {
    if (s.status === 'failed') {
      s.status = 'waiting';
      s.error = undefined;
    }
  });
  r.fatal = undefined;
  r.finished = false;
  void drive(r);
  emit();
}

async function drive(r: FusionRun): Promise<void> {
  for (const s of r.stories) {
    if (run !== r) return; // replaced (new photo) or cleared (data deleted)
    if (s.status === 'done') continue;
    await fuseOne(r, s);
    if (r.fatal) break;
  }
  if (run !== r) return;
  r.finished = true;
  emit();
}

async function fuseOne(r: FusionRun, s: StoryState): Promise<void> {
  s.status = 'drawing';
  emit();
  for (let attempt = 0; ; attempt++) {
    const res = await backend.call<StoryResult>('fuse', { requestId: r.job.requestId, photoId: r.job.photoId, story: s.id, faceIndex: r.job.faceIndex });
    if (run !== r) return;
    if (res.ok) {
      s.status = 'done';
      s.result = res.data;
      r.firstReadyAt ??= Date.now();
      emit();
      return;
    }
    if (RETRY_CODES.has(res.error.code) && attempt < MAX_RETRIES) {
      const seconds = Math.min(60, Math.max(1, Number(res.error.details?.retryAfterSeconds) || 3));
      await timing.sleep(seconds * 1000);
      if (run !== r) return;
      continue;
    }
    s.status = 'failed';
    s.error = res.error;
    if (STOP_CODES.has(res.error.code)) r.fatal = res.error;
    emit();
    return;
  }
}

/** Tests: forget the session and the run, as a fresh app start would. */
export function resetJourney(): void {
  loginPromise = undefined;
  run = undefined;
}

/** After "delete my data": nothing of the user stays on the device. */
export function clearLocalData(): void {
  run = undefined;
  removeLocal(KEYS.consent);
  removeLocal(KEYS.job);
  removeLocal(KEYS.source);
  emit();
}

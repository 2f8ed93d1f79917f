import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../engine/core/errors';
import { qrCodePng, sceneUrl } from '../../../engine/output/qr-code';
import type { ContentChecker, FileUrls, MiniProgramCodeMaker } from '../../ports';
import { LOCAL_FILE_PREFIX } from './file-storage';

/**
 * The local content check is pluggable: by default it accepts every image (there is no moderation
 * service offline); tests and operators pass their own rule, e.g. a list of rejected hashes.
 */
export function localContentChecker(rule: (jpeg: Buffer) => boolean = () => true): ContentChecker {
  return { check: async (jpeg) => (rule(jpeg) ? 'pass' : 'reject') };
}

/**
 * Offline stand-in for wxacode: a QR code PNG of the local runtime's H5 address for the same page
 * and scene (engine/output/qr-code.ts sceneUrl), so a phone that scans a poster made locally opens
 * the shared poster in its browser. `publicUrl` is asked at each call: the runtime knows its address
 * only once it listens (PUBLIC_URL, or http://<host>:<port>; scripts/start.ts).
 */
export function localCodeMaker(publicUrl: () => string): MiniProgramCodeMaker {
  return {
    async make(scene, page) {
      if (scene.length > 32) throw new AppError('INVALID_ARGUMENT', { reason: 'scene longer than 32 characters' });
      return qrCodePng(sceneUrl(publicUrl(), page, scene));
    },
  };
}

/** A per-data-folder secret for signing file URLs; created once, kept in DATA_DIR. */
export function loadOrCreateSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, 'url-secret');
  try {
    return fs.readFileSync(file);
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = crypto.randomBytes(32);
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

export const FILE_URL_TTL_MS = 3600 * 1000;

const sign = (secret: Buffer, key: string, exp: number) => crypto.createHmac('sha256', secret).update(`${key}\n${exp}`).digest('base64url');

/** Signed, expiring URLs served by the local runtime at /files/<key>?exp=…&sig=… */
export function localFileUrls(secret: Buffer, now: () => number): FileUrls & { verify(key: string, exp: string, sig: string): boolean } {
  return {
    async temporaryUrls(fileIds) {
      const exp = now() + FILE_URL_TTL_MS;
      const out: Record<string, string> = {};
      for (const id of fileIds) {
        if (!id.startsWith(LOCAL_FILE_PREFIX)) continue;
        const key = id.slice(LOCAL_FILE_PREFIX.length);
        out[id] = `/files/${key}?exp=${exp}&sig=${sign(secret, key, exp)}`;
      }
      return out;
    },
    verify(key, exp, sig) {
      const e = Number(exp);
      if (!Number.isFinite(e) || e < now()) return false;
      const expected = Buffer.from(sign(secret, key, e));
      const given = Buffer.from(sig);
      return expected.length === given.length && crypto.timingSafeEqual(expected, given);
    },
  };
}

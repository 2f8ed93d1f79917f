import crypto from 'node:crypto';
import type { Db } from './sqlite';

/** Browser sessions of the local runtime: an unguessable cookie value, stored only as a hash. */
export const SESSION_COOKIE = 'szs_sid';
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

const hash = (token: string) => crypto.createHash('sha256').update(token).digest('base64url');

export interface SessionStore {
  /** The user behind a cookie value, if the session exists and has not expired. */
  resolve(token: string, now: number): string | undefined;
  /** A new session for a new anonymous browser user. */
  create(now: number): { token: string; userId: string };
  deleteForUser(userId: string): void;
}

export function localSessionStore(db: Db): SessionStore {
  const find = db.prepare('SELECT user_id FROM sessions WHERE session_hash = ? AND expires_at > ?');
  const insert = db.prepare('INSERT INTO sessions (session_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)');
  const removeUser = db.prepare('DELETE FROM sessions WHERE user_id = ?');
  return {
    resolve(token, now) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
      return (find.get(hash(token), now) as { user_id: string } | undefined)?.user_id;
    },
    create(now) {
      const token = crypto.randomBytes(32).toString('base64url');
      const userId = 'u_' + crypto.randomBytes(12).toString('base64url');
      insert.run(hash(token), userId, now, now + SESSION_TTL_MS);
      return { token, userId };
    },
    deleteForUser(userId) {
      removeUser.run(userId);
    },
  };
}

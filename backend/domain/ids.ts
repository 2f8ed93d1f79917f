import crypto from 'node:crypto';

/** Random, URL- and scene-safe ids. 16 bytes → 22 characters (≈ 128 bits: unguessable). */
export const newId = (bytes = 16): string => crypto.randomBytes(bytes).toString('base64url');

/** A stable id derived from parts (idempotency keys); never reversible to its inputs. */
export const derivedId = (...parts: string[]): string => crypto.createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 22);

/** Where a user's files live: everything of a user is under this prefix. */
export const userPrefix = (userId: string): string => `users/${userId}/`;

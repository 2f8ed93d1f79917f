/**
 * Ports: what the domain needs from the platform. Each has a `local` adapter (SQLite + files)
 * and a `wechat` adapter (wx-server-sdk). The domain only ever sees these interfaces.
 */

/** Who is calling, taken only from the platform context (OPENID or the local session). */
export interface Caller {
  /** Stable opaque id used as the key of every row and storage path of this person. */
  userId: string;
  platform: 'wechat' | 'local';
}

export interface UserRecord {
  userId: string;
  platform: 'wechat' | 'local';
  createdAt: number;
  lastSeenAt: number;
}

export interface UserRepository {
  /** Creates the user on first sight, refreshes last-seen otherwise. */
  touch(caller: Caller, now: number): Promise<{ user: UserRecord; isNew: boolean }>;
  get(userId: string): Promise<UserRecord | undefined>;
  delete(userId: string): Promise<void>;
}

/** Blob storage addressed by a key like `users/<userId>/photos/<id>.jpg`. */
export interface FileStorage {
  put(key: string, bytes: Buffer, contentType: string): Promise<{ fileId: string }>;
  get(fileId: string): Promise<Buffer>;
  delete(fileIds: string[]): Promise<void>;
  /** Every stored file whose key starts with the prefix (for deletion and audits). */
  list(prefix: string): Promise<string[]>;
}

export interface Clock {
  now(): number;
}

export interface Ports {
  users: UserRepository;
  files: FileStorage;
  clock: Clock;
}

export const systemClock: Clock = { now: () => Date.now() };

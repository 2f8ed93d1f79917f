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
  docs: DocStore;
  contentCheck: ContentChecker;
  codes: MiniProgramCodeMaker;
  urls: FileUrls;
  clock: Clock;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Document storage for the domain's records. One small interface the SQLite adapter and the cloud
 * database adapter both implement, so each domain rule is written once. Every document has an
 * owner (the user id, or '-' for public/system records) and optionally an expiry, which are the
 * two things deletion, retention and quotas need to find records by.
 */
export type CollectionName = 'consents' | 'photos' | 'jobs' | 'shares' | 'visits' | 'quota';

export interface Doc {
  _id: string;
  owner: string;
  createdAt: number;
  expiresAt?: number;
}

export interface DocStore {
  get<T extends Doc>(collection: CollectionName, id: string): Promise<T | undefined>;
  /** Inserts a new document; false when the id already exists (idempotency keys rely on it). */
  create<T extends Doc>(collection: CollectionName, doc: T): Promise<boolean>;
  /** Replaces (or inserts) the whole document. */
  put<T extends Doc>(collection: CollectionName, doc: T): Promise<void>;
  delete(collection: CollectionName, id: string): Promise<void>;
  findByOwner<T extends Doc>(collection: CollectionName, owner: string): Promise<T[]>;
  /** Documents whose expiresAt is at or before `now`, oldest first, at most `limit`. */
  findExpired<T extends Doc>(collection: CollectionName, now: number, limit: number): Promise<T[]>;
  /** Documents created before `before`, at most `limit` (the sweeper's orphan scan). */
  findCreatedBefore<T extends Doc>(collection: CollectionName, before: number, limit: number): Promise<T[]>;
}

/** WeChat `security.imgSecCheck` or a local checker. Receives a downscaled JPEG (≤ 750×1334, ≤ 1 MB). */
export interface ContentChecker {
  check(jpeg: Buffer): Promise<'pass' | 'reject'>;
}

/** WeChat `wxacode.getUnlimited` or a local QR code: a PNG that opens `page` with `scene`. */
export interface MiniProgramCodeMaker {
  make(scene: string, page: string): Promise<Buffer>;
}

/** Short-lived URLs for showing stored images (WeChat temp file URLs; signed local URLs). */
export interface FileUrls {
  temporaryUrls(fileIds: string[]): Promise<Record<string, string>>;
}

import type { CollectionName, Doc, DocStore } from '../../ports';
import type { Db } from './sqlite';

/** Domain documents in one SQLite table; owner, created_at and expires_at are real indexed columns. */
export function localDocStore(db: Db): DocStore {
  const select = db.prepare('SELECT data FROM docs WHERE collection = ? AND id = ?');
  const insert = db.prepare('INSERT OR IGNORE INTO docs (collection, id, owner, created_at, expires_at, data) VALUES (?, ?, ?, ?, ?, ?)');
  const upsert = db.prepare(
    'INSERT INTO docs (collection, id, owner, created_at, expires_at, data) VALUES (?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (collection, id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, data = excluded.data',
  );
  const remove = db.prepare('DELETE FROM docs WHERE collection = ? AND id = ?');
  const byOwner = db.prepare('SELECT data FROM docs WHERE collection = ? AND owner = ? ORDER BY created_at, id');
  const expired = db.prepare('SELECT data FROM docs WHERE collection = ? AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?');
  const createdBefore = db.prepare('SELECT data FROM docs WHERE collection = ? AND created_at < ? ORDER BY created_at LIMIT ?');
  const rows = (list: unknown[]) => list.map((r) => JSON.parse((r as { data: string }).data));
  const args = (c: CollectionName, d: Doc) => [c, d._id, d.owner, d.createdAt, d.expiresAt ?? null, JSON.stringify(d)] as const;
  return {
    async get(c, id) {
      const row = select.get(c, id) as { data: string } | undefined;
      return row && JSON.parse(row.data);
    },
    async create(c, doc) {
      return insert.run(...args(c, doc)).changes === 1;
    },
    async put(c, doc) {
      upsert.run(...args(c, doc));
    },
    async delete(c, id) {
      remove.run(c, id);
    },
    async findByOwner(c, owner) {
      return rows(byOwner.all(c, owner));
    },
    async findExpired(c, now, limit) {
      return rows(expired.all(c, now, limit));
    },
    async findCreatedBefore(c, before, limit) {
      return rows(createdBefore.all(c, before, limit));
    },
  };
}

import type { Caller, UserRecord, UserRepository } from '../../ports';
import type { Db } from './sqlite';

interface UserRow {
  user_id: string;
  platform: 'wechat' | 'local';
  created_at: number;
  last_seen_at: number;
}

const toRecord = (r: UserRow): UserRecord => ({
  userId: r.user_id,
  platform: r.platform,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
});

export function localUserRepository(db: Db): UserRepository {
  const select = db.prepare('SELECT * FROM users WHERE user_id = ?');
  const insert = db.prepare('INSERT OR IGNORE INTO users (user_id, platform, created_at, last_seen_at) VALUES (?, ?, ?, ?)');
  const touchRow = db.prepare('UPDATE users SET last_seen_at = ? WHERE user_id = ?');
  const remove = db.prepare('DELETE FROM users WHERE user_id = ?');
  const removeSessions = db.prepare('DELETE FROM sessions WHERE user_id = ?');
  // A deleted user's browser sessions go with them: the next visit is a new, empty user.
  const removeAll = db.transaction((userId: string) => {
    removeSessions.run(userId);
    remove.run(userId);
  });
  const touch = db.transaction((caller: Caller, now: number) => {
    const isNew = insert.run(caller.userId, caller.platform, now, now).changes === 1;
    if (!isNew) touchRow.run(now, caller.userId);
    return { user: toRecord(select.get(caller.userId) as UserRow), isNew };
  });
  return {
    async touch(caller, now) {
      return touch(caller, now);
    },
    async get(userId) {
      const row = select.get(userId) as UserRow | undefined;
      return row && toRecord(row);
    },
    async delete(userId) {
      removeAll(userId);
    },
  };
}

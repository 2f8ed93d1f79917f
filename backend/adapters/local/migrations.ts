/**
 * Versioned schema of the embedded database. Append a new entry to change the schema; never edit
 * one that has shipped. Each runs once, inside a transaction, and is recorded in schema_migrations.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'users and sessions',
    sql: `
      CREATE TABLE users (
        user_id      TEXT PRIMARY KEY,
        platform     TEXT NOT NULL CHECK (platform IN ('wechat', 'local')),
        created_at   INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        session_hash TEXT PRIMARY KEY,
        user_id      TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE INDEX sessions_expiry ON sessions (expires_at);
    `,
  },
];

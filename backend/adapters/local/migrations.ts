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
  {
    version: 2,
    name: 'domain documents',
    sql: `
      CREATE TABLE docs (
        collection TEXT NOT NULL,
        id         TEXT NOT NULL,
        owner      TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        data       TEXT NOT NULL,
        PRIMARY KEY (collection, id)
      );
      CREATE INDEX docs_owner ON docs (collection, owner);
      CREATE INDEX docs_expiry ON docs (collection, expires_at) WHERE expires_at IS NOT NULL;
      CREATE INDEX docs_created ON docs (collection, created_at);
    `,
  },
];

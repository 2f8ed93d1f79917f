import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openDatabase } from '../../backend/adapters/local/sqlite';
import { MIGRATIONS, type Migration } from '../../backend/adapters/local/migrations';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'szs-sqlite-'));

describe('embedded database migrations', () => {
  it('creates the schema once and records every version', () => {
    const file = path.join(tmp(), 'app.db');
    const db = openDatabase(file);
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    db.close();
    // Reopening applies nothing twice (a second CREATE TABLE would throw).
    const again = openDatabase(file);
    expect((again.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(MIGRATIONS.length);
    again.close();
  });

  it('applies only newer migrations, in order', () => {
    const db = openDatabase(':memory:');
    const extra: Migration[] = [
      ...MIGRATIONS,
      { version: 1001, name: 'b', sql: 'ALTER TABLE t ADD COLUMN b TEXT' },
      { version: 1000, name: 'a', sql: 'CREATE TABLE t (a TEXT)' },
    ];
    expect(migrate(db, extra)).toBe(1001);
    expect(db.prepare("SELECT name FROM pragma_table_info('t')").all()).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('rolls back a failing migration completely', () => {
    const db = openDatabase(':memory:');
    const broken: Migration[] = [...MIGRATIONS, { version: 2000, name: 'broken', sql: 'CREATE TABLE half (x); SELECT * FROM missing_table;' }];
    expect(() => migrate(db, broken)).toThrow(/missing_table/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect((db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
  });
});

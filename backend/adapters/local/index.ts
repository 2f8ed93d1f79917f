import path from 'node:path';
import { systemClock, type Clock, type Ports } from '../../ports';
import { localFileStorage } from './file-storage';
import { localSessionStore, type SessionStore } from './sessions';
import { openDatabase, type Db } from './sqlite';
import { localUserRepository } from './user-repository';

export interface LocalPorts extends Ports {
  db: Db;
  sessions: SessionStore;
  close(): void;
}

/** The embedded default: SQLite at DATA_DIR/app.db, files under DATA_DIR/files. */
export function createLocalPorts(dataDir: string, clock: Clock = systemClock): LocalPorts {
  const db = openDatabase(path.join(dataDir, 'app.db'));
  return {
    db,
    sessions: localSessionStore(db),
    users: localUserRepository(db),
    files: localFileStorage(path.join(dataDir, 'files')),
    clock,
    close: () => db.close(),
  };
}

import path from 'node:path';
import { DEFAULT_PUBLIC_URL } from '../../../engine/output/qr-code';
import { systemClock, type Clock, type ContentChecker, type Ports } from '../../ports';
import { localDocStore } from './doc-store';
import { localFileStorage } from './file-storage';
import { localCodeMaker, localContentChecker, localFileUrls, loadOrCreateSecret } from './platform-services';
import { localSessionStore, type SessionStore } from './sessions';
import { openDatabase, type Db } from './sqlite';
import { localUserRepository } from './user-repository';

export interface LocalPorts extends Ports {
  db: Db;
  sessions: SessionStore;
  urls: ReturnType<typeof localFileUrls>;
  /** Where files live on disk (for the runtime's /files route). */
  filesDir: string;
  close(): void;
}

export interface LocalPortOptions {
  clock?: Clock;
  contentCheck?: ContentChecker;
  /** The address the posters' QR codes open (default: npm start's http://127.0.0.1:8787). */
  publicUrl?: () => string;
}

/** The embedded default: SQLite at DATA_DIR/app.db, files under DATA_DIR/files. */
export function createLocalPorts(dataDir: string, opts: LocalPortOptions = {}): LocalPorts {
  const clock = opts.clock ?? systemClock;
  const db = openDatabase(path.join(dataDir, 'app.db'));
  const filesDir = path.join(dataDir, 'files');
  return {
    db,
    sessions: localSessionStore(db),
    users: localUserRepository(db),
    files: localFileStorage(filesDir),
    docs: localDocStore(db),
    contentCheck: opts.contentCheck ?? localContentChecker(),
    codes: localCodeMaker(opts.publicUrl ?? (() => DEFAULT_PUBLIC_URL)),
    urls: localFileUrls(loadOrCreateSecret(dataDir), () => clock.now()),
    filesDir,
    clock,
    close: () => db.close(),
  };
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * One local runtime per data folder. The runtime reaps every `running` story it finds at start
 * (their process is gone), which is only right if no other live process serves the same
 * DATA_DIR: `DATA_DIR/runtime.lock` records the holder's pid. A lock whose process is gone (kill -9,
 * power loss, a container restarted with the same pid) is taken over.
 */
export interface DataDirLock {
  release(): void;
}

/** Folders locked by this process (a second server in one process is refused as well). */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

export function lockDataDir(dataDir: string): DataDirLock {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, 'runtime.lock');
  const token = crypto.randomBytes(8).toString('hex');
  fs.mkdirSync(dir, { recursive: true });
  let holder: { pid?: number } = {};
  try {
    holder = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    /* no lock, or an unreadable one: take it */
  }
  const pid = Number(holder.pid);
  const taken = Number.isInteger(pid) && pid > 0 && (pid === process.pid ? heldHere.has(dir) : alive(pid));
  if (taken) {
    throw new Error(
      `DATA_DIR ${dir} is in use by another runtime (pid ${pid}). Stop it, or start with DATA_DIR=<another folder>. ` +
        `If no runtime is running, delete ${file}.`,
    );
  }
  const tmp = `${file}.${token}`;
  fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, token, startedAt: new Date().toISOString() }));
  fs.renameSync(tmp, file);
  heldHere.add(dir);
  return {
    release() {
      heldHere.delete(dir);
      try {
        if (JSON.parse(fs.readFileSync(file, 'utf8')).token === token) fs.rmSync(file, { force: true });
      } catch {
        /* already gone */
      }
    },
  };
}

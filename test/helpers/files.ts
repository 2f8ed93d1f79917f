import fs from 'node:fs';
import path from 'node:path';

/** Every file below a folder (empty when it does not exist): what tests scan to prove deletion. */
export function allFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

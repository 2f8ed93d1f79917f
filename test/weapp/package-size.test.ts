/**
 * WeChat refuses a main package over 2 MB. Sums every file of the compiled weapp build outside the
 * subpackage roots declared in app.json (conservative: licence files and source maps count too).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DIST_WEAPP, assertWeappBuild } from './simulate-taro-page';

const LIMIT = 2 * 1024 * 1024;

function walk(dir: string, out: Array<{ rel: string; size: number }> = []): Array<{ rel: string; size: number }> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else out.push({ rel: path.relative(DIST_WEAPP, p).split(path.sep).join('/'), size: fs.statSync(p).size });
  }
  return out;
}

test('the weapp main package stays under 2 MB', () => {
  assertWeappBuild();
  const app = JSON.parse(fs.readFileSync(path.join(DIST_WEAPP, 'app.json'), 'utf8')) as {
    pages: string[];
    subpackages?: Array<{ root: string }>;
    subPackages?: Array<{ root: string }>;
  };
  const roots = [...(app.subpackages ?? []), ...(app.subPackages ?? [])].map((s) => s.root.replace(/\/?$/, '/'));
  const files = walk(DIST_WEAPP).filter((f) => !roots.some((r) => f.rel.startsWith(r)));
  const total = files.reduce((sum, f) => sum + f.size, 0);
  // Every registered page is really in the build being measured.
  for (const page of app.pages) expect(files.map((f) => f.rel)).toContain(`${page}.js`);
  expect(app.pages.length).toBeGreaterThanOrEqual(8);
  if (total >= LIMIT) {
    const biggest = [...files].sort((a, b) => b.size - a.size).slice(0, 10).map((f) => `${f.rel} ${f.size}`);
    throw new Error(`main package is ${total} bytes (limit ${LIMIT}); biggest files:\n${biggest.join('\n')}`);
  }
  expect(total).toBeLessThan(LIMIT);
  fs.mkdirSync(path.resolve(__dirname, '..', '..', 'test-artifacts'), { recursive: true });
  fs.writeFileSync(path.resolve(__dirname, '..', '..', 'test-artifacts', 'weapp-size.json'), JSON.stringify({ mainPackageBytes: total, files: files.length }, null, 2));
});

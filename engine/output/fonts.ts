/**
 * The TTF fonts used to render Chinese text (frame captions, speech bubbles, posters) with resvg.
 * There are no CJK system fonts on the servers: the fonts come from npm packages
 * (`@expo-google-fonts/noto-sans-sc`, `@expo-google-fonts/zcool-kuaile`, both OFL) or, in a bundled
 * cloud function, from the folder named by `SZ_FONT_DIR` (copy the two files listed in FONT_FILES).
 */
import fs from 'node:fs';
import path from 'node:path';

export const FONT_SANS = 'Noto Sans SC';
export const FONT_COMIC = 'ZCOOL KuaiLe';

export const FONT_FILES = {
  sans: { pkg: '@expo-google-fonts/noto-sans-sc', file: '700Bold/NotoSansSC_700Bold.ttf' },
  comic: { pkg: '@expo-google-fonts/zcool-kuaile', file: '400Regular/ZCOOLKuaiLe_400Regular.ttf' },
} as const;

const cache: Partial<Record<keyof typeof FONT_FILES, string>> = {};

/** Absolute path of one font file; throws a clear error when it cannot be found. */
export function fontPath(kind: keyof typeof FONT_FILES): string {
  const hit = cache[kind];
  if (hit) return hit;
  const { pkg, file } = FONT_FILES[kind];
  const candidates: string[] = [];
  if (process.env.SZ_FONT_DIR) candidates.push(path.join(process.env.SZ_FONT_DIR, path.basename(file)));
  try {
    candidates.push(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file));
  } catch {
    /* not installed: try the folders below */
  }
  candidates.push(path.join(process.cwd(), 'node_modules', pkg, file), path.join(__dirname, 'fonts', path.basename(file)));
  for (const c of candidates) {
    if (fs.existsSync(c)) return (cache[kind] = c);
  }
  throw new Error(`font ${file} not found (looked in ${candidates.join(', ')}); install ${pkg} or set SZ_FONT_DIR`);
}

/** resvg `font` options: only our TTFs, no system fonts (fast and identical on every machine). */
export function resvgFontOptions(kinds: Array<keyof typeof FONT_FILES> = ['sans', 'comic']) {
  return {
    fontFiles: kinds.map(fontPath),
    loadSystemFonts: false,
    defaultFontFamily: kinds.includes('sans') ? FONT_SANS : FONT_COMIC,
    sansSerifFamily: FONT_SANS,
  };
}

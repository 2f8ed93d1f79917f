/**
 * The whole journey in a real browser (the H5 build) against the real local runtime, with a real
 * face photo: consent → upload → stories → poster → the share link in a fresh browser context →
 * the poster's QR code scanned (decoded from the poster image) and opened in another fresh context →
 * delete my data → the share link now says it is gone. Screenshots: test-artifacts/journey-*.png.
 * Also measures the time from tapping "use this photo" to the first story frame on screen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { startRuntime, type RuntimeProcess } from '../helpers/runtime-process';
import { decodeQr } from '../helpers/qr';

const DEMO = path.dirname(require.resolve('@vladmandic/face-api/demo/sample6.jpg'));
const VIEWPORT = { width: 390, height: 844 };
/** The layout holds: nothing wider than the screen (scrolling tab rows scroll inside themselves). */
async function overflow(page: Page): Promise<number> {
  await settled(page);
  const { extra, culprits } = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const culprits = [...document.querySelectorAll('*')]
      .filter((e) => (e as HTMLElement).offsetParent !== null && e.getBoundingClientRect().right > vw + 0.01)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${String(e.className).slice(0, 40)} right=${e.getBoundingClientRect().right.toFixed(2)}`);
    return { extra: document.documentElement.scrollWidth - vw, culprits };
  });
  if (extra > 0) console.log('wider than the screen:', culprits);
  return extra;
}
/** Taro's H5 router slides a new page in from the right: wait until every shown page sits at x = 0. */
const settled = (page: Page) =>
  page.waitForFunction(() =>
    [...document.querySelectorAll('.taro_page')].filter((e) => (e as HTMLElement).offsetParent !== null || getComputedStyle(e).display !== 'none').every((e) => Math.abs(e.getBoundingClientRect().left) < 0.01),
  );
const shot = async (page: Page, name: string) => (await settled(page).catch(() => undefined), page).screenshot({ path: path.join(ARTIFACTS, `journey-${name}.png`), fullPage: true });

/** Waits until an <img> inside `selector` has really decoded (not just a src attribute). */
async function imageShown(page: Page, selector: string, timeout: number) {
  await page.waitForFunction(
    (sel) => {
      // Taro's H5 router keeps earlier pages in the DOM (hidden): only a visible one counts.
      const imgs = [...document.querySelectorAll(`${sel} img`)] as HTMLImageElement[];
      return imgs.some((img) => img.offsetParent !== null && img.complete && img.naturalWidth > 0);
    },
    selector,
    { timeout },
  );
}

describe('the whole journey in Chromium', () => {
  let runtime: RuntimeProcess;
  let browser: Browser;
  let photo: string;

  beforeAll(async () => {
    // One face from a fixture photograph (the crop the engine tests use; it passes the photo checks).
    photo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'szs-photo-')), 'selfie.jpg');
    await sharp(path.join(DEMO, 'sample6.jpg')).extract({ left: 1300, top: 150, width: 560, height: 560 }).jpeg({ quality: 92 }).toFile(photo);
    runtime = await startRuntime({ LOG_LEVEL: 'silent' });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  it('consent → upload → stories → poster → shared link → delete → gone', async () => {
    const owner = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 2 });
    const page = await owner.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));

    // Home → start.
    await page.goto(runtime.url + '/');
    await page.waitForFunction(() => document.querySelector('#session-status')?.textContent === '已登录', undefined, { timeout: 15_000 });
    await shot(page, '1-home');
    await page.click('#start:visible');

    // Consent: the button stays disabled until face consent, age and privacy are given.
    await page.waitForSelector('#consent-face');
    expect(await page.$eval('#consent-submit', (b) => b.className)).toContain('btn--disabled');
    await page.click('#consent-face');
    await page.click('#age-adult');
    expect(await page.$eval('#consent-submit', (b) => b.className)).toContain('btn--disabled');
    await page.click('#privacy-agree');
    await page.waitForFunction(() => !document.querySelector('#consent-submit')?.className.includes('btn--disabled'));
    await shot(page, '2-consent');
    await page.click('#consent-submit');

    // Photo: pick (the file input), preview with the face guide, upload.
    await page.waitForSelector('#pick-album');
    await shot(page, '3-photo');
    await page.setInputFiles('#photo-input', photo);
    await imageShown(page, '#photo-preview', 10_000);
    await shot(page, '4-preview');
    const started = Date.now();
    await page.click('#photo-use');
    await page.waitForSelector('#progress-stages', { timeout: 30_000 });
    await shot(page, '5-progress').catch(() => undefined);

    // The first story opens as soon as it is ready.
    await page.waitForSelector('#frames', { timeout: 120_000 });
    await imageShown(page, '#frame-0', 30_000);
    const firstStoryMs = Date.now() - started;
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, '6-story');
    const caption = await page.textContent('#frame-caption');
    expect(caption?.length).toBeGreaterThan(4);

    // All eight arrive while the user reads.
    await page.waitForFunction(() => /^8\/8/.test(document.querySelector('#stories-count')?.textContent ?? ''), undefined, { timeout: 240_000 });
    const allStoriesMs = Date.now() - started;
    await page.click('#tab-mei:visible');
    await imageShown(page, '#frame-0', 30_000);
    await shot(page, '7-story-mei');
    await page.click('#tab-chuang:visible');
    await imageShown(page, '#frame-0', 30_000);

    // Poster with its share link.
    await page.click('#open-poster:visible');
    await imageShown(page, '#poster-image', 30_000);
    await page.waitForSelector('#share-link', { timeout: 15_000 });
    const link = (await page.textContent('#share-link'))!.trim();
    expect(link).toMatch(/#\/pages\/poster\/index\?t=[A-Za-z0-9_-]{22}$/);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, '8-poster');

    // The share link in a fresh browser (no cookie, no storage): the poster from the token alone.
    const visitor = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 2 });
    const vpage = await visitor.newPage();
    vpage.on('pageerror', (e) => errors.push(String(e)));
    await vpage.goto(link);
    await imageShown(vpage, '#poster-image', 30_000);
    expect(await vpage.textContent('#poster-title')).toBe('闯 · 南下');
    expect(await vpage.$('#make-own')).not.toBeNull();
    expect(await vpage.$('#save-poster')).toBeNull();
    await shot(vpage, '9-shared');

    // The poster's code, as a phone camera reads it from the poster image: this runtime's address,
    // which opens the same poster in a browser (home page → scene → poster).
    const posterSrc = await page.$eval('#poster-image img', (img) => (img as HTMLImageElement).src);
    const scanned = await decodeQr(Buffer.from(await (await fetch(posterSrc)).arrayBuffer()));
    expect(scanned).toBe(`${runtime.url}/#/pages/index/index?scene=t%3D${link.split('t=')[1]}`);
    const scanner = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 2 });
    const spage = await scanner.newPage();
    spage.on('pageerror', (e) => errors.push(String(e)));
    await spage.goto(scanned!);
    await imageShown(spage, '#poster-image', 30_000);
    expect(await spage.textContent('#poster-title')).toBe('闯 · 南下');
    expect(spage.url()).toMatch(/#\/pages\/poster\/index\?t=[A-Za-z0-9_-]{22}$/);
    await shot(spage, '9b-scanned');
    await scanner.close();

    // Mine → delete my data (confirm in the modal) → home.
    await page.click('#back-stories:visible');
    await page.waitForSelector('#open-mine:visible');
    await page.click('#open-mine:visible');
    await page.waitForSelector('#mine-list .mine__card:visible', { timeout: 15_000 });
    expect(await page.$$eval('#mine-list .mine__card', (els) => els.length)).toBe(8);
    await shot(page, '10-mine');
    await page.click('#delete-data:visible');
    await page.waitForSelector('.taro__modal .taro-model__confirm', { state: 'visible' });
    await shot(page, '11-delete-confirm');
    await page.click('.taro__modal .taro-model__confirm');
    await page.waitForSelector('#start:visible', { timeout: 15_000 });
    expect(page.url()).toMatch(/#\/pages\/index\/index|\/$/);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('szs.')))).toEqual([]);

    // The share link now says it is gone.
    await vpage.reload();
    await vpage.waitForSelector('#poster-gone', { timeout: 15_000 });
    expect(await vpage.textContent('#poster-gone')).toContain('这张海报不存在或已被主人删除');
    await shot(vpage, '12-gone');

    // Nothing of the user is left in the embedded storage.
    const left = fs.existsSync(path.join(runtime.dataDir, 'files', 'users')) ? fs.readdirSync(path.join(runtime.dataDir, 'files', 'users')) : [];
    expect(left).toEqual([]);

    expect(errors).toEqual([]);
    fs.writeFileSync(path.join(ARTIFACTS, 'journey-timing.json'), JSON.stringify({ uploadToFirstStoryMs: firstStoryMs, uploadToAllStoriesMs: allStoriesMs }, null, 2));
    console.log(`upload → first story on screen: ${firstStoryMs} ms; all eight: ${allStoriesMs} ms`);
    await visitor.close();
    await owner.close();
  }, 420_000);
});

import path from 'node:path';
import type { Browser } from 'playwright-core';
import campaign from '../../templates/campaign.json';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { startRuntime, type RuntimeProcess } from '../helpers/runtime-process';

describe('H5 build in a real browser against the local runtime', () => {
  let runtime: RuntimeProcess;
  let browser: Browser;

  beforeAll(async () => {
    runtime = await startRuntime({ LOG_LEVEL: 'silent' });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  it('shows the eight story cards and a logged-in session', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(runtime.url + '/');
    await page.waitForSelector('.story-card');
    const titles = await page.$$eval('.story-card .story-card__title', (els) => els.map((e) => e.textContent));
    expect(titles).toEqual(campaign.stories.map((s) => s.title));
    await page.waitForFunction(() => document.querySelector('#session-status')?.textContent === '已登录', undefined, { timeout: 15_000 });
    // The session is an HttpOnly cookie the runtime issued to this browser.
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'szs_sid')?.httpOnly).toBe(true);
    // A tap reaches the page code.
    await page.click(`#story-${campaign.stories[3].id}`);
    await page.waitForFunction((t) => document.querySelector('#selected-story')?.textContent === t, `已选：${campaign.stories[3].title}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'home.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);

  it('holds its layout at 320 px wide', async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
    await page.goto(runtime.url + '/');
    await page.waitForSelector('.story-card');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const smallest = await page.$$eval('.story-card, #start', (els) => Math.min(...els.map((e) => e.getBoundingClientRect().height)));
    expect(smallest).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: path.join(ARTIFACTS, 'home-320.png'), fullPage: true });
  }, 30_000);
});

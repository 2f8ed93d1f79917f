/**
 * @jest-environment jsdom
 *
 * The COMPILED weapp home page (dist/weapp/pages/index) in miniprogram-simulate: the real wxml/wxs
 * templates render Taro's virtual DOM, taps travel through exparser to the page's `eh`, and login goes
 * through Taro.cloud.callFunction → the stubbed wx.cloud. (jsdom: j-component renders into a DOM.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadTaroPage, type TaroPageHarness } from './simulate-taro-page';

interface Story {
  id: string;
  title: string;
  char: string;
  year: string;
}
const campaign = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'templates', 'campaign.json'), 'utf8')) as {
  title: string;
  stories: Story[];
};

const LOGIN = { result: { ok: true, data: { userId: 'u_test', platform: 'wechat', isNew: true } } };

let page: TaroPageHarness | undefined;
afterEach(() => {
  page?.dispose();
  page = undefined;
});

/** Loads the home page with a login that answers only when the test says so. */
function openHome() {
  let answer!: (value: unknown) => void;
  const login = new Promise((resolve) => (answer = resolve));
  page = loadTaroPage('pages/index/index', { wx: { cloud: { callFunction: () => login } } });
  return { page, answerLogin: () => answer(LOGIN) };
}

test('campaign.json still has the eight stories this test expects', () => {
  expect(campaign.stories).toHaveLength(8);
});

test('renders the eight story cards with their titles, in campaign order', async () => {
  const { page } = openHome();
  await page.waitFor(() => page.root.querySelectorAll('.story-card').length > 0);

  const cards = page.root.querySelectorAll('.story-card');
  expect(cards).toHaveLength(8);
  expect(page.root.querySelectorAll('.story-card__title').map((n) => n.dom.textContent)).toEqual(campaign.stories.map((s) => s.title));
  for (const [i, story] of campaign.stories.entries()) {
    // The id comes from the template (`id="{{i.uid||i.sid}}"`), the text from the rendered DOM.
    const card = page.get(`#story-${story.id}`);
    expect(card.dom).toBe(cards[i].dom);
    expect(page.text(`#story-${story.id} .story-card__title`)).toBe(story.title);
    expect(page.text(`#story-${story.id} .story-card__no`)).toBe(`第${i + 1}话 · ${story.year}`);
  }
  expect(page.text('.home__title')).toBe(campaign.title);
  expect(page.errors).toEqual([]);
});

test('shows 已登录 once the login cloud function resolves', async () => {
  const { page, answerLogin } = openHome();
  await page.waitFor(() => expect(page.text('#session-status')).toBe('正在登录…'));
  // Storage reads (e.g. the share that brought this visitor) may come first; the cloud calls are exact.
  const cloudCalls = page.wxCalls.filter((c) => c.api.startsWith('cloud.'));
  expect(cloudCalls.map((c) => c.api)).toEqual(['cloud.init', 'cloud.callFunction']);
  expect(cloudCalls[1].args[0]).toMatchObject({ name: 'login' });

  answerLogin();
  await page.waitFor(() => expect(page.text('#session-status')).toBe('已登录'));
  expect(page.errors).toEqual([]);
});

test('tapping a card reaches the page and selects that story', async () => {
  const { page, answerLogin } = openHome();
  answerLogin();
  await page.waitFor(() => expect(page.text('#session-status')).toBe('已登录'));
  expect(page.text('#selected-story')).toBe('选一个故事，或者直接开始');

  const [, second, , , , , , last] = campaign.stories;
  await page.tap(`#story-${second.id}`);
  await page.waitFor(() => expect(page.text('#selected-story')).toBe(`已选：${second.title}`));
  expect(page.events).toEqual([{ type: 'tap', id: `story-${second.id}` }]);
  expect(page.get(`#story-${second.id}`).dom.className).toMatch(/story-card--selected/);
  expect(page.root.querySelectorAll('.story-card--selected')).toHaveLength(1);

  await page.tap(`#story-${last.id} .story-card__title`); // a tap on a child bubbles to the card's bindtap
  await page.waitFor(() => expect(page.text('#selected-story')).toBe(`已选：${last.title}`));
  expect(page.get(`#story-${second.id}`).dom.className).not.toMatch(/story-card--selected/);
  expect(page.errors).toEqual([]);
});

test('fails with a clear message when the weapp build is missing', () => {
  expect(() => loadTaroPage('pages/index/index', { distDir: path.join(__dirname, 'no-such-build') })).toThrow(/run npm run build:weapp/);
});

/**
 * @jest-environment jsdom
 *
 * The COMPILED weapp pages progress, stories and mine in miniprogram-simulate (see
 * simulate-taro-page.ts): the real WeChat templates render, taps travel through exparser to the
 * page code, and the tests assert what the user would get — the cloud calls made (through a
 * stubbed wx.cloud), where the page navigates, and the rendered text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadTaroPage, type TaroPageHarness } from './simulate-taro-page';
import { wxWith, ok, fail, message } from './wx-stub';

const ROOT = path.resolve(__dirname, '..', '..');
const campaign = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'campaign.json'), 'utf8')) as {
  consentVersion: string;
  stories: Array<{ id: string; char: string; title: string; year: string }>;
};
const captionsOf = (id: string) =>
  (JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'stories', id, 'story.json'), 'utf8')) as { frames: Array<{ caption?: string }> }).frames.map((f) => f.caption ?? '');
const LOGIN = () => ok({ userId: 'u_test', platform: 'wechat', isNew: false });
const CONSENT = { version: campaign.consentVersion, ageGroup: 'adult', privacy: true, at: 1 };
const JOB = { photoId: 'photo_0123456789abcdefghij', faceIndex: 0, requestId: 'req_0123456789abcdefghij' };

/** What `fuse` / `stories` answer for a story. */
const resultFor = (id: string) => ({
  storyId: id,
  title: campaign.stories.find((s) => s.id === id)!.title,
  jobId: `job-${id}`,
  frames: [1, 2, 3, 4].map((n) => ({ fileId: `cloud://env/${id}/frame-${n}.jpg`, url: `https://tmp/${id}/frame-${n}.jpg` })),
  poster: { fileId: `cloud://env/${id}/poster.jpg`, url: `https://tmp/${id}/poster.jpg` },
  cover: { fileId: `cloud://env/${id}/cover.jpg`, url: `https://tmp/${id}/cover.jpg` },
  createdAt: 1,
});

let page: TaroPageHarness | undefined;
afterEach(() => {
  page?.dispose();
  page = undefined;
});


const urlsOf = (p: TaroPageHarness, api: string) => p.wxCalls.filter((c) => c.api === api).map((c) => (c.args[0] as { url: string }).url);
/** A promise the test resolves when it wants the cloud function to answer. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('progress page (compiled weapp)', () => {
  test('resumes the saved job: fuse per story in campaign order with one request id; the first story opens the stories page', async () => {
    const first = deferred<unknown>();
    const { wx, calls } = wxWith(
      { fuse: (d) => (d.story === campaign.stories[0].id ? first.promise : ok(resultFor(d.story))) },
      { 'szs.consent': CONSENT, 'szs.job': JOB },
    );
    page = loadTaroPage('pages/progress/index', { wx });
    const p = page;
    const [chuang, kuai] = campaign.stories;
    // While the first story is drawn: its cell says so, the others wait, nothing navigates.
    await p.waitFor(() => expect(p.text(`#progress-${chuang.id}`)).toBe(`${chuang.char}画画中`));
    expect(p.text(`#progress-${kuai.id}`)).toBe(`${kuai.char}排队`);
    expect(p.text('#progress-stages')).toContain(`正在绘制第 1/${campaign.stories.length} 个故事`);
    expect(calls).toEqual([{ name: 'fuse', data: { requestId: JOB.requestId, photoId: JOB.photoId, story: chuang.id, faceIndex: 0 } }]);
    expect(urlsOf(p, 'redirectTo')).toEqual([]);

    first.resolve(ok(resultFor(chuang.id)));
    await p.waitFor(() => expect(urlsOf(p, 'redirectTo')).toEqual([`/pages/stories/index?story=${chuang.id}`]));
    await p.waitFor(() => expect(calls).toHaveLength(campaign.stories.length));
    expect(calls.map((c) => c.data.story)).toEqual(campaign.stories.map((s) => s.id));
    expect(new Set(calls.map((c) => c.data.requestId))).toEqual(new Set([JOB.requestId]));
    await p.waitFor(() => expect(p.text(`#progress-${campaign.stories[7].id}`)).toBe(`${campaign.stories[7].char}好了`));
    expect(p.text('#open-stories')).toBe('去看我的故事');
    expect(p.errors).toEqual([]);
  });

  test('without a saved job it sends the user to the photo page and draws nothing', async () => {
    const { wx, calls } = wxWith({}, { 'szs.consent': CONSENT });
    page = loadTaroPage('pages/progress/index', { wx });
    const p = page;
    await p.waitFor(() => expect(urlsOf(p, 'redirectTo')).toEqual(['/pages/photo/index']));
    expect(calls).toEqual([]);
  });

  test('a withdrawn consent stops the run, shows its message, and the consent step leads to the consent page', async () => {
    const { wx, calls } = wxWith({ fuse: () => fail('CONSENT_REQUIRED') }, { 'szs.job': JOB });
    page = loadTaroPage('pages/progress/index', { wx });
    const p = page;
    await p.waitFor(() => expect(p.text('#error-message')).toBe(message('CONSENT_REQUIRED')));
    expect(calls.map((c) => c.name)).toEqual(['fuse']); // the run stopped at the first story
    expect(p.text(`#progress-${campaign.stories[0].id}`)).toBe(`${campaign.stories[0].char}没画成`);
    await p.tap('#error-action-consent');
    await p.waitFor(() => expect(urlsOf(p, 'redirectTo')).toEqual(['/pages/consent/index']));
  });
});

describe('stories page (compiled weapp)', () => {
  const [chuang, kuai, chao] = campaign.stories;

  test('opened on a story: its frames and captions from the backend, frame by frame, other tabs, the poster', async () => {
    const { wx, calls } = wxWith(
      { login: LOGIN, stories: () => ok({ stories: [resultFor(chuang.id), resultFor(kuai.id)] }) },
      {},
      { previewImage: (o: any) => setTimeout(() => o?.success?.({}), 0) },
    );
    page = loadTaroPage('pages/stories/index', { query: { story: kuai.id }, wx });
    const p = page;
    await p.waitFor(() => expect(p.text('#stories-count')).toBe(`2/${campaign.stories.length} 个故事`));
    expect(calls.map((c) => c.name)).toEqual(['login', 'stories']);
    expect(p.text('#story-title')).toBe(kuai.title);
    const captions = captionsOf(kuai.id);
    expect(p.text('#frame-caption')).toBe(captions[0]);
    // Tapping a frame previews it full screen (the frame's own URL among the story's four).
    await p.tap('#frame-0');
    await p.waitFor(() => expect(p.wxCalls.find((c) => c.api === 'previewImage')?.args[0]).toMatchObject({ current: `https://tmp/${kuai.id}/frame-1.jpg`, urls: resultFor(kuai.id).frames.map((f) => f.url) }));

    await p.tap('#frame-next');
    await p.waitFor(() => expect(p.text('#frame-caption')).toBe(captions[1]));
    expect(p.text('.stories__page')).toBe('2/4');

    // A story not drawn yet says so; a drawn one shows its frames again, from the first.
    await p.tap(`#tab-${chao.id}`);
    await p.waitFor(() => expect(p.text('#story-empty')).toContain('这个故事还没画'));
    expect(p.root.querySelector('#frames')).toBeUndefined();
    await p.tap(`#tab-${chuang.id}`);
    await p.waitFor(() => expect(p.text('#story-title')).toBe(chuang.title));
    expect(p.text('#frame-caption')).toBe(captionsOf(chuang.id)[0]);

    await p.tap('#open-poster');
    await p.waitFor(() => expect(urlsOf(p, 'navigateTo')).toEqual([`/pages/poster/index?story=${chuang.id}`]));
    await p.tap('#open-mine');
    await p.waitFor(() => expect(urlsOf(p, 'navigateTo')).toEqual([`/pages/poster/index?story=${chuang.id}`, '/pages/mine/index']));
    expect(p.errors).toEqual([]);
  });

  test('a failed stories call shows its message in the empty story', async () => {
    const { wx } = wxWith({ login: LOGIN, stories: () => fail('RATE_LIMITED') });
    page = loadTaroPage('pages/stories/index', { wx });
    const p = page;
    await p.waitFor(() => expect(p.text('#story-empty')).toContain(message('RATE_LIMITED')));
    expect(p.text('#story-title')).toBe(chuang.title);
  });
});

describe('mine page (compiled weapp)', () => {
  const [chuang, kuai] = campaign.stories;
  const consented = { 'szs.consent': CONSENT, 'szs.job': JOB, 'szs.source': { token: 'TOKEN_abcdefghijklmnop', at: 1 } };

  test('lists my stories; a card opens that story', async () => {
    const { wx, calls } = wxWith({ login: LOGIN, stories: () => ok({ stories: [resultFor(chuang.id), resultFor(kuai.id)] }) });
    page = loadTaroPage('pages/mine/index', { wx });
    const p = page;
    await p.waitFor(() => expect(p.root.querySelectorAll('#mine-list .mine__card')).toHaveLength(2));
    expect(calls.map((c) => c.name)).toEqual(['login', 'stories']);
    expect(p.text(`#mine-${chuang.id}`)).toBe(`看「${chuang.char}」的故事 ›`);
    await p.tap(`#mine-${kuai.id}`);
    await p.waitFor(() => expect(urlsOf(p, 'navigateTo')).toEqual([`/pages/stories/index?story=${kuai.id}`]));
  });

  test('no stories yet: the empty panel and the way to start', async () => {
    const { wx } = wxWith({ login: LOGIN, stories: () => ok({ stories: [] }) });
    page = loadTaroPage('pages/mine/index', { wx });
    const p = page;
    await p.waitFor(() => expect(p.text('#mine-empty')).toContain('还没有故事'));
    await p.tap('#mine-start');
    await p.waitFor(() => expect(urlsOf(p, 'reLaunch')).toEqual(['/pages/index/index']));
  });

  test('删除我的数据 after the confirmation: deleteMyData, this device forgets everything, back home', async () => {
    const { wx, calls, store } = wxWith(
      { login: LOGIN, stories: () => ok({ stories: [resultFor(chuang.id)] }), deleteMyData: () => ok({ deleted: { files: 14, records: 9 } }) },
      consented,
      { showModal: (o: any) => setTimeout(() => o.success({ confirm: true, cancel: false }), 0), showToast: (o: any) => setTimeout(() => o?.success?.({}), 0) },
    );
    page = loadTaroPage('pages/mine/index', { wx });
    const p = page;
    await p.waitFor(() => p.get(`#mine-${chuang.id}`));
    await p.tap('#delete-data');
    await p.waitFor(() => expect(urlsOf(p, 'reLaunch')).toEqual(['/pages/index/index']));
    const modal = p.wxCalls.find((c) => c.api === 'showModal')!.args[0] as Record<string, unknown>;
    expect(modal).toMatchObject({ title: '删除我的数据', confirmText: '删除' });
    expect(calls.map((c) => c.name)).toEqual(['login', 'stories', 'deleteMyData']);
    expect(calls[2].data).toEqual({ confirm: true });
    expect([...store.keys()].filter((k) => k.startsWith('szs.'))).toEqual([]);
    expect(p.wxCalls.find((c) => c.api === 'showToast')!.args[0]).toMatchObject({ title: '已全部删除' });
  });

  test('cancelling the confirmation deletes nothing', async () => {
    const { wx, calls, store } = wxWith(
      { login: LOGIN, stories: () => ok({ stories: [resultFor(chuang.id)] }) },
      consented,
      { showModal: (o: any) => setTimeout(() => o.success({ confirm: false, cancel: true }), 0) },
    );
    page = loadTaroPage('pages/mine/index', { wx });
    const p = page;
    await p.waitFor(() => p.get(`#mine-${chuang.id}`));
    await p.tap('#delete-data');
    await p.waitFor(() => expect(p.wxCalls.map((c) => c.api)).toContain('showModal'));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.map((c) => c.name)).toEqual(['login', 'stories']);
    expect(store.get('szs.consent')).toEqual(CONSENT);
    expect(urlsOf(p, 'reLaunch')).toEqual([]);
  });
});

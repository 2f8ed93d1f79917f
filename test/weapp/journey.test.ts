/**
 * @jest-environment jsdom
 *
 * The COMPILED weapp journey pages in miniprogram-simulate (see simulate-taro-page.ts): the consent
 * gate blocks the upload, an error code shows its message, and the poster page's share handlers
 * carry the share token. Cloud functions answer through a stubbed wx.cloud.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadTaroPage, type TaroPageHarness } from './simulate-taro-page';
import { wxWith, ok, fail, message } from './wx-stub';

const ROOT = path.resolve(__dirname, '..', '..');
const campaign = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'campaign.json'), 'utf8')) as {
  consentVersion: string;
  share: { title: string; timelineTitle: string };
  stories: Array<{ id: string; title: string; shareTitle: string }>;
};

let page: TaroPageHarness | undefined;
afterEach(() => {
  page?.dispose();
  page = undefined;
});


/** WeChat async APIs: callbacks when given, else a promise (Taro passes some straight through). */
const answer = (o: any, res: unknown) => (o?.success ? void o.success(res) : Promise.resolve(res));

const LOGIN = () => ok({ userId: 'u_test', platform: 'wechat', isNew: true });
const CONSENTED = { 'szs.consent': { version: campaign.consentVersion, ageGroup: 'adult', privacy: true, at: 1 } };
const urlsOf = (p: TaroPageHarness, api: string) => p.wxCalls.filter((c) => c.api === api).map((c) => (c.args[0] as { url: string }).url);

describe('consent gate (compiled weapp)', () => {
  test('the photo page without consent uploads nothing and sends the user to the consent page', async () => {
    const { wx, called } = wxWith({ login: LOGIN });
    page = loadTaroPage('pages/photo/index', {
      wx: { ...wx, chooseMedia: (o: any) => answer(o, { tempFiles: [{ tempFilePath: 'wxfile://tmp/me.jpg', size: 1000 }] }) },
    });
    const p = page;
    await p.waitFor(() => expect(urlsOf(p, 'redirectTo')).toEqual(['/pages/consent/index']));
    await p.waitFor(() => p.get('#pick-album'));
    await p.tap('#pick-album');
    await p.waitFor(() => expect(urlsOf(p, 'redirectTo')).toHaveLength(2));
    expect(p.wxCalls.map((c) => c.api)).not.toContain('chooseMedia');
    expect(called).not.toContain('uploadFile');
    expect(called).not.toContain('prepareUpload');
  });

  test('the consent page: nothing is recorded until face consent, age and WeChat privacy are all given', async () => {
    const consentCalls: Array<Record<string, any>> = [];
    const { wx, store } = wxWith({ login: LOGIN, consent: (d) => (consentCalls.push(d), ok({ version: d.version, agreed: true, ageGroup: d.ageGroup })) });
    let privacyListener: ((resolve: (r: unknown) => void) => void) | undefined;
    page = loadTaroPage('pages/consent/index', {
      wx: {
        ...wx,
        getPrivacySetting: (o: any) => o.success({ needAuthorization: true, privacyContractName: '隐私保护指引' }),
        onNeedPrivacyAuthorization: (fn: any) => void (privacyListener = fn),
      },
    });
    const p = page;
    await p.waitFor(() => p.get('#privacy-agree'));
    await p.tap('#consent-face');
    await p.tap('#age-adult');
    await p.tap('#consent-submit');
    await new Promise((r) => setTimeout(r, 30));
    expect(consentCalls).toEqual([]);
    expect(store.has('szs.consent')).toBe(false);

    // A privacy API waiting (WeChat called onNeedPrivacyAuthorization) is released by the button.
    const released: unknown[] = [];
    privacyListener?.((r) => released.push(r));
    p.get('#privacy-agree').dispatchEvent('agreeprivacyauthorization');
    await p.waitFor(() => expect(p.text('#privacy-agree')).toContain('已同意'));
    expect(released).toEqual([{ event: 'agree', buttonId: 'privacy-agree' }]);
    await p.tap('#consent-submit');
    await p.waitFor(() => expect(consentCalls).toHaveLength(1));
    expect(consentCalls[0]).toEqual({ action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'adult' });
    await p.waitFor(() => expect(urlsOf(p, 'redirectTo')).toEqual(['/pages/photo/index']));
    expect(store.get('szs.consent')).toMatchObject({ version: campaign.consentVersion, ageGroup: 'adult', privacy: true });
  });
});

describe('errors (compiled weapp)', () => {
  test.each(['TOO_DARK', 'POSE_TOO_LARGE'])('analyze answering %s shows its message and the retake step', async (code) => {
    const { wx, called } = wxWith(
      {
        login: LOGIN,
        prepareUpload: () => ok({ uploadId: 'UPLOAD_ID_0123456789ab', cloudPath: 'users/u/uploads/a.jpg' }),
        analyze: () => fail(code),
      },
      CONSENTED,
    );
    page = loadTaroPage('pages/photo/index', {
      wx: {
        ...wx,
        chooseMedia: (o: any) => answer(o, { tempFiles: [{ tempFilePath: 'wxfile://tmp/me.jpg', size: 120_000 }] }),
        getImageInfo: (o: any) => answer(o, { width: 900, height: 1200, path: o.src }),
      },
    });
    const p = page;
    await p.waitFor(() => p.get('#pick-camera'));
    await p.tap('#pick-camera');
    await p.waitFor(() => p.get('#photo-use'));
    expect(p.wxCalls.find((c) => c.api === 'chooseMedia')!.args[0]).toMatchObject({ mediaType: ['image'], sourceType: ['camera'], sizeType: ['compressed'] });
    await p.tap('#photo-use');
    await p.waitFor(() => expect(p.text('#error-message')).toBe(message(code)));
    expect(p.text('#error-action-retake')).toBe('重新拍一张');
    expect(called).toEqual(['login', 'prepareUpload', 'uploadFile', 'analyze']);
    const upload = p.wxCalls.find((c) => c.api === 'cloud.uploadFile')!.args[0] as Record<string, unknown>;
    expect(upload).toMatchObject({ cloudPath: 'users/u/uploads/a.jpg', filePath: 'wxfile://tmp/me.jpg' });
    expect(p.errors).toEqual([]);
  });
});

describe('poster page (compiled weapp)', () => {
  const TOKEN = 'TOKEN_abcdefghijklmnop';
  const story = campaign.stories[0];
  const result = {
    storyId: story.id,
    title: story.title,
    jobId: 'job',
    frames: [],
    poster: { fileId: 'cloud://p', url: 'https://tmp/poster.jpg' },
    cover: { fileId: 'cloud://c', url: 'https://tmp/cover.jpg' },
    createdAt: 1,
  };

  test('the owner’s share handlers return the share token (chat: path, Moments: query)', async () => {
    const shareCalls: unknown[] = [];
    const { wx } = wxWith({
      login: LOGIN,
      stories: () => ok({ stories: [result] }),
      share: (d) => (shareCalls.push(d), ok({ token: TOKEN, scene: `t=${TOKEN}`, page: 'pages/index/index', path: `pages/poster/index?t=${TOKEN}`, title: story.title })),
    });
    page = loadTaroPage('pages/poster/index', { query: { story: story.id }, wx });
    const p = page;
    await p.waitFor(() => expect(p.text('#share-chat')).toBe('发给微信好友'));
    expect(shareCalls).toEqual([{ story: story.id }]);
    expect(typeof p.page.onShareAppMessage).toBe('function');
    expect(p.page.onShareAppMessage({ from: 'button' })).toEqual({ title: story.shareTitle, path: `pages/poster/index?t=${TOKEN}`, imageUrl: 'https://tmp/cover.jpg' });
    expect(p.page.onShareTimeline()).toEqual({ title: `${campaign.share.timelineTitle} · ${story.title}`, query: `t=${TOKEN}`, imageUrl: 'https://tmp/cover.jpg' });
    expect(p.errors).toEqual([]);
  });

  test('a shared poster in Moments’ single-page mode: no login, no "make my own", the hint instead', async () => {
    const { wx, called } = wxWith(
      { viewShared: (d) => (d.token === TOKEN ? ok({ storyId: story.id, title: story.title, poster: 'https://tmp/p.jpg', cover: 'https://tmp/c.jpg' }) : fail('NOT_FOUND')) },
      {},
      { getLaunchOptionsSync: () => ({ scene: 1154, query: { t: TOKEN }, path: 'pages/poster/index' }) },
    );
    page = loadTaroPage('pages/poster/index', { query: { t: TOKEN }, wx });
    const p = page;
    await p.waitFor(() => expect(p.text('#poster-title')).toBe(story.title));
    expect(called).toEqual(['viewShared']);
    expect(p.root.querySelector('#make-own')).toBeUndefined();
    expect(p.text('#single-hint')).toContain('前往小程序');
    expect(p.page.onShareTimeline().query).toBe(`t=${TOKEN}`);
  });

  test('a deleted poster says so', async () => {
    const { wx } = wxWith({ viewShared: () => ({ result: { ok: false, error: { code: 'NOT_FOUND', message: '这张海报不存在或已被主人删除。' } } }) });
    page = loadTaroPage('pages/poster/index', { query: { t: TOKEN }, wx });
    const p = page;
    await p.waitFor(() => expect(p.text('#poster-gone')).toContain('这张海报不存在或已被主人删除'));
    expect(p.text('#make-own')).toBe('我也做一张');
  });
});

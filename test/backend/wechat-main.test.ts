/**
 * The cloud function entry (wechatMain): whatever fails — loading the SDK, init, building the
 * ports, the platform context — the platform gets `{ok:false, error:{code:'INTERNAL'}}`, never a
 * raw throw, and the log line says why without an OPENID, file ID or URL in it.
 */
import campaign from '../../templates/campaign.json';
import { consent } from '../../backend/functions/consent';
import { login } from '../../backend/functions/login';
import { wechatMain } from '../../backend/runtime/wechat-main';
import { ERROR_MESSAGES } from '../../engine/core/errors';
import { createFakeCloud, type FakeCloud } from './fake-wx-server-sdk';

const INTERNAL = { ok: false, error: { code: 'INTERNAL', message: ERROR_MESSAGES.INTERNAL } };

/** Runs `fn` with logging on and returns what it wrote to stderr, as parsed log lines. */
async function logged<T>(fn: () => Promise<T>): Promise<{ result: T; lines: Array<Record<string, unknown>>; text: string }> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => (chunks.push(String(chunk)), true));
  const level = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'info';
  try {
    const result = await fn();
    return { result, lines: chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)), text: chunks.join('') };
  } finally {
    process.env.LOG_LEVEL = level;
    spy.mockRestore();
  }
}

describe('wechatMain: every failure is an answer', () => {
  beforeAll(() => {
    process.env.LOG_LEVEL = 'silent';
  });

  const broken: Array<[string, string, (cloud: FakeCloud) => void]> = [
    ['the SDK cannot be loaded', 'init', () => undefined],
    ['cloud.init throws', 'init', (c) => (c.init = () => { throw new Error('init: env cloud://prod-7g8h.bucket/x not found'); })],
    ['the database (port creation) throws', 'init', (c) => (c.database = () => { throw new Error('database unavailable'); })],
    ['getWXContext throws', 'context', (c) => (c.getWXContext = () => { throw new Error('no context for oFAKE-openid-123'); })],
  ];
  it.each(broken)('%s → INTERNAL, logged with its stage and a redacted reason', async (_name, stage, breakIt) => {
    const cloud = createFakeCloud();
    const loadSdk = _name.startsWith('the SDK') ? () => { throw new Error("Cannot find module 'wx-server-sdk'"); } : () => cloud;
    breakIt(cloud);
    const main = wechatMain(login, loadSdk);
    const { result, lines, text } = await logged(() => main({}));
    expect(result).toEqual(INTERNAL);
    expect(lines).toEqual([expect.objectContaining({ level: 'error', msg: 'fn failed', fn: 'login', code: 'INTERNAL', stage, reason: expect.stringMatching(/^Error: /) })]);
    expect(text).not.toMatch(/oFAKE-openid-123|cloud:\/\//);
  });

  it('initialises again on the next call after a failed init, and once only after a good one', async () => {
    const cloud = createFakeCloud();
    let fail = true;
    const main = wechatMain(login, () => {
      if (fail) throw new Error('cold start failed');
      return cloud;
    });
    expect(await main({})).toEqual(INTERNAL);
    fail = false;
    expect(await main({})).toMatchObject({ ok: true, data: { platform: 'wechat', isNew: true } });
    expect(await main({})).toMatchObject({ ok: true, data: { isNew: false } });
    expect(cloud.initCalls).toBe(1);
  });

  it('events that are not objects are refused as INVALID_ARGUMENT (not spread into one)', async () => {
    const main = wechatMain(login, () => createFakeCloud());
    for (const event of ['abc', [1, 2], 42, true]) {
      expect(await main(event)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
    expect(await main(undefined)).toMatchObject({ ok: true });
    expect(await main({ userInfo: { openId: 'forged' } })).toMatchObject({ ok: true });
  });

  it('a domain failure logs the AppError reason, not the OPENID', async () => {
    const main = wechatMain(consent, () => createFakeCloud());
    const { result, lines, text } = await logged(() => main({ action: 'agree', agree: true, version: 'v0-old', ageGroup: 'adult' }));
    expect(result).toMatchObject({ ok: false, error: { code: 'CONSENT_REQUIRED', details: { currentVersion: campaign.consentVersion } } });
    expect(lines).toEqual([]); // CONSENT_REQUIRED is not an error of ours: info goes to stdout
    expect(text).toBe('');
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => (out.push(String(chunk)), true));
    process.env.LOG_LEVEL = 'info';
    try {
      await main({ action: 'agree', agree: true, version: 'v0-old', ageGroup: 'adult' });
    } finally {
      process.env.LOG_LEVEL = 'silent';
      spy.mockRestore();
    }
    expect(JSON.parse(out.join(''))).toMatchObject({ level: 'info', msg: 'fn failed', fn: 'consent', code: 'CONSENT_REQUIRED', reason: 'outdated consent version' });
    expect(out.join('')).not.toContain('oFAKE-openid-123');
  });
});

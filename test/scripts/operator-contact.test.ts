/**
 * The operator contact check: example/placeholder contacts are refused in release builds
 * (NODE_ENV=production, Taro's and build:functions' default) and only warned about in the local
 * builds of npm start / npm test (LOCAL_BUILD=1); the Taro config and build:functions apply it.
 */
import campaign from '../../templates/campaign.json';
import { checkOperatorContact, isReleaseBuild, operatorContactProblems } from '../../config/operator-contact';

const REAL = { name: '深圳市某某文化传播有限公司', email: 'privacy@szstory.cn', phone: '0755-12345678' };

describe('operatorContactProblems', () => {
  it('accepts a real-looking contact', () => {
    expect(operatorContactProblems(REAL)).toEqual([]);
  });
  it.each([
    ['privacy@example.com'],
    ['ops@EXAMPLE.org'],
    ['a@mail.example.net'],
    ['me@campaign.test'],
    ['x@foo.invalid'],
    ['root@localhost'],
    [''],
  ])('refuses the example address %p', (email) => {
    expect(operatorContactProblems({ ...REAL, email })).toEqual([expect.stringContaining(`operator.email "${email}" is an example address`)]);
  });
  it.each([
    ['name', '活动运营方（待填写）'],
    ['name', 'TODO'],
    ['phone', 'xxx-xxxx'],
    ['address', '请填写地址'],
  ] as const)('refuses a placeholder %s %p', (field, value) => {
    expect(operatorContactProblems({ ...REAL, [field]: value })).toEqual([`operator.${field} "${value}" is a placeholder`]);
  });
  it('refuses a campaign without an operator', () => {
    expect(operatorContactProblems(undefined)[0]).toMatch(/no "operator"/);
  });
  it("flags the repository's shipped placeholder (the operator must fill it in before a release)", () => {
    expect(operatorContactProblems(campaign.operator)).toEqual([
      'operator.email "privacy@example.com" is an example address',
      'operator.name "活动运营方（待填写）" is a placeholder',
    ]);
  });
});

describe('isReleaseBuild', () => {
  it('is a release unless NODE_ENV says otherwise or LOCAL_BUILD=1', () => {
    expect(isReleaseBuild({})).toBe(true);
    expect(isReleaseBuild({ NODE_ENV: 'production' })).toBe(true);
    expect(isReleaseBuild({ NODE_ENV: 'production', LOCAL_BUILD: '1' })).toBe(false);
    expect(isReleaseBuild({ NODE_ENV: 'development' })).toBe(false);
    expect(isReleaseBuild({ NODE_ENV: 'test' })).toBe(false);
  });
});

describe('checkOperatorContact', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => (warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)));
  afterEach(() => warn.mockRestore());

  it('throws in a release build, naming the field and the file to edit', () => {
    expect(() => checkOperatorContact({ name: 'ACME', email: 'privacy@example.com' }, { release: true, what: 'build:weapp' })).toThrow(
      /^build:weapp: the privacy policy's operator contact is not filled in — operator.email "privacy@example.com" is an example address\. .*templates\/campaign.json "operator"/,
    );
    expect(warn).not.toHaveBeenCalled();
  });
  it('only warns in a local build', () => {
    checkOperatorContact({ name: 'ACME', email: 'privacy@example.com' }, { release: false, what: 'npm start' });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/^\[warning\] npm start: .*example address/);
  });
  it('is silent for a real contact', () => {
    checkOperatorContact(REAL, { release: true, what: 'build:h5' });
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('the builds apply it', () => {
  const PLACEHOLDER = { name: '活动运营方（待填写）', email: 'privacy@example.com' };
  const saved = { NODE_ENV: process.env.NODE_ENV, LOCAL_BUILD: process.env.LOCAL_BUILD, TARO_ENV: process.env.TARO_ENV };
  let warn: jest.SpyInstance;
  beforeEach(() => {
    jest.resetModules();
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    warn.mockRestore();
    jest.dontMock('../../templates/campaign.json');
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  });
  /** config/index.ts's factory as Taro calls it, with the campaign's operator replaced. */
  const taroConfig = (operator: object) => {
    jest.doMock('../../templates/campaign.json', () => ({ ...campaign, operator }));
    const factory = require('../../config/index').default as (merge: (...objs: object[]) => object) => Promise<any>;
    return factory((...objs) => Object.assign({}, ...objs));
  };

  it('the Taro config refuses a placeholder in a production build', async () => {
    Object.assign(process.env, { NODE_ENV: 'production', TARO_ENV: 'weapp' });
    delete process.env.LOCAL_BUILD;
    await expect(taroConfig(PLACEHOLDER)).rejects.toThrow(/^taro build --type weapp: the privacy policy's operator contact is not filled in/);
  });
  it('the Taro config only warns in the local build of npm start / npm test', async () => {
    Object.assign(process.env, { NODE_ENV: 'production', TARO_ENV: 'h5', LOCAL_BUILD: '1' });
    const config = await taroConfig(PLACEHOLDER);
    expect(config.outputRoot).toBe('dist/h5');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[warning\] taro build --type h5: .*privacy@example.com/));
  });
  it('the Taro config builds a real contact in production without a word', async () => {
    Object.assign(process.env, { NODE_ENV: 'production', TARO_ENV: 'weapp' });
    delete process.env.LOCAL_BUILD;
    expect((await taroConfig(REAL)).outputRoot).toBe('dist/weapp');
    expect(warn).not.toHaveBeenCalled();
  });
  it('build:functions refuses a placeholder before bundling anything (NODE_ENV unset = production)', async () => {
    jest.doMock('../../templates/campaign.json', () => ({ ...campaign, operator: PLACEHOLDER }));
    const { main } = require('../../scripts/build-functions') as typeof import('../../scripts/build-functions');
    await expect(main(['no-such-function'], {})).rejects.toThrow(/^build:functions: the privacy policy's operator contact is not filled in — operator.email "privacy@example.com"/);
  });
});

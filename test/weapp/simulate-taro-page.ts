/**
 * Loads a page of the COMPILED Taro weapp build (dist/weapp) into miniprogram-simulate, so the real
 * WeChat templates (base.wxml, utils.wxs, the page wxml) are compiled by the official wcc compiler,
 * rendered by j-component/exparser into jsdom, and taps reach the page's real `eh` handler.
 *
 * How it works:
 *  1. A fresh `wx` stub is installed (a Proxy that throws on any API it does not know, so a new
 *     platform dependency fails loudly instead of silently doing nothing), plus `App`, `getApp`,
 *     `getCurrentPages` and `Page`.
 *  2. dist/weapp/app.js is executed by a tiny CommonJS loader (relative `require()` only, a fresh
 *     module cache per load). app.js pulls runtime/taro/vendors/common through `wx.webpackJsonp`
 *     and calls `App(createReactApp(...))`; the stub then fires onLaunch/onShow like WeChat does.
 *  3. `simulate.load(<dist>/pages/x/index, { rootPath: <dist> })` compiles ALL wxml/wxs under dist with
 *     wcc (so `<import src="../../base.wxml"/>` and `utils.wxs` resolve), registers the `comp`
 *     recursive component and then runs the page js. The page js calls `Page(createPageConfig(...))`;
 *     our `Page` turns that into a `Component()` definition (page lifecycles → lifetimes /
 *     pageLifetimes, functions such as `eh` → methods) and hands it to simulate's `Component`.
 *  4. `render` + `attach` create the page; `attached` fires onLoad + onShow, `ready` fires onReady.
 *
 * Needs a DOM: run the test with the `@jest-environment jsdom` docblock.
 */
import fs from 'node:fs';
import path from 'node:path';

export const DIST_WEAPP = path.resolve(__dirname, '..', '..', 'dist', 'weapp');

/** The parts of j-component's Component wrapper the tests use (the package's own typings need miniprogram-api-typings). */
export interface SimNode {
  readonly dom: HTMLElement;
  readonly data: Record<string, any>;
  readonly instance: Record<string, any>;
  dispatchEvent(eventName: string, options?: Record<string, unknown>): void;
  querySelector(selector: string): SimNode | undefined;
  querySelectorAll(selector: string): SimNode[];
  triggerPageLifeTime(lifeTime: string, ...args: unknown[]): void;
}
export interface SimRoot extends SimNode {
  attach(parent: Element): void;
  detach(): void;
}
interface Simulate {
  load(componentPath: string, tagName: string, options?: Record<string, unknown>): string;
  render(id: string, properties?: Record<string, unknown>): SimRoot;
  sleep(ms: number): Promise<void>;
}

type AnyFn = (...args: any[]) => any;
type WxStubs = Record<string, unknown>;

export interface WxCall {
  api: string;
  args: unknown[];
}

/** One mini-program event that reached the page's `eh` (Taro's single event entry point). */
export interface PageEvent {
  type: string;
  /** currentTarget.id: the element the `bindtap="eh"` sits on (Taro's uid, or its sid when no id is set). */
  id: string;
}

export interface LoadTaroPageOptions {
  /** Extra or replacement `wx` members, merged one level deep over the defaults (so `{ cloud: { callFunction } }` keeps `cloud.init`). */
  wx?: WxStubs;
  /** Page query (onLoad options). */
  query?: Record<string, string>;
  /** Defaults to dist/weapp. */
  distDir?: string;
}

export interface TaroPageHarness {
  /** The j-component root of the page; `querySelector` / `querySelectorAll` walk the exparser tree. */
  root: SimRoot;
  /** The page instance (what `this` is inside the Taro page config). */
  page: Record<string, any>;
  /** The installed `wx` stub. */
  wx: Record<string, any>;
  /** Every call made on a stubbed `wx` function, in order (`cloud.callFunction` is recorded as such). */
  wxCalls: WxCall[];
  /** Errors the page code raised through stubs / lifecycles that would otherwise be swallowed. */
  errors: unknown[];
  /** Events delivered to the page's `eh` method, in order. */
  events: PageEvent[];
  /** querySelector that throws with the selector when nothing matches. */
  get(selector: string): SimNode;
  /** Text content of the rendered element (whitespace collapsed). */
  text(selector: string): string;
  /** Dispatches a `tap` on the rendered element (bubbles through exparser to the bound `eh`). */
  tap(selector: string): Promise<void>;
  /** Polls until `check` neither throws nor returns `false` (so `() => expect(…)…` works); rethrows the last failure on timeout. */
  waitFor<T>(check: () => T, timeoutMs?: number): Promise<T>;
  dispose(): void;
}

const BUILD_HINT = 'run npm run build:weapp';

/** Fails with a clear message when the weapp build is missing or incomplete. */
export function assertWeappBuild(distDir = DIST_WEAPP, pages: string[] = []): void {
  const required = ['app.js', 'runtime.js', 'taro.js', 'base.wxml', 'utils.wxs', 'comp.js', 'comp.json', 'comp.wxml'];
  for (const page of pages) required.push(`${page}.js`, `${page}.json`, `${page}.wxml`);
  const missing = required.filter((f) => !fs.existsSync(path.join(distDir, f)));
  if (missing.length) {
    throw new Error(`The compiled weapp build is missing (${missing.join(', ')} not found in ${distDir}): ${BUILD_HINT}`);
  }
}

/** Warns (does not fail) when a source file is newer than the build: assertions may then see the old page. */
function warnIfStale(distDir: string): void {
  const root = path.resolve(__dirname, '..', '..');
  const built = fs.statSync(path.join(distDir, 'app.js')).mtimeMs;
  const newer: string[] = [];
  const walk = (p: string) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) fs.readdirSync(p).forEach((f) => walk(path.join(p, f)));
    else if (st.mtimeMs > built) newer.push(path.relative(root, p));
  };
  ['client/src', 'templates/campaign.json'].forEach((p) => walk(path.join(root, p)));
  if (newer.length) console.warn(`dist/weapp is older than ${newer.slice(0, 5).join(', ')}: ${BUILD_HINT} if the assertions disagree with the source`);
}

// ---------------------------------------------------------------------------------------------
// wx stub

/** Property names that generic code (promise resolution, jest's printers, util.inspect) probes on any object. */
const INSPECTION_KEYS = new Set(['then', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType', 'tagName', 'constructor', 'inspect', '@@__IMMUTABLE_ITERABLE__@@', '@@__IMMUTABLE_RECORD__@@']);

/** Reading a member the stub does not define throws (and is kept in `errors`, in case page code swallows it). */
function strictObject<T extends object>(target: T, name: string, errors: unknown[]): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'symbol' || key in t || INSPECTION_KEYS.has(key)) return Reflect.get(t, key, receiver);
      const err = new Error(`${name}.${key} is not stubbed in test/weapp/simulate-taro-page.ts (add it there or pass it in options.wx)`);
      errors.push(err);
      throw err;
    },
  });
}

const SYSTEM_INFO = {
  brand: 'devtools',
  model: 'iPhone 12/13 (Pro)',
  pixelRatio: 3,
  screenWidth: 390,
  screenHeight: 844,
  windowWidth: 390,
  windowHeight: 844,
  statusBarHeight: 47,
  language: 'zh_CN',
  version: '8.0.5',
  system: 'iOS 10.0.1',
  platform: 'devtools',
  SDKVersion: '3.3.4',
  safeArea: { top: 47, left: 0, right: 390, bottom: 810, width: 390, height: 763 },
};

function defaultWx(storage: Map<string, unknown>): WxStubs {
  return {
    // Taro's webpack runtime keeps its chunk registry on wx (`wx["webpackJsonp"] = wx["webpackJsonp"] || []`).
    webpackJsonp: [],
    // Taro's processApis reads wx.env once (Taro.env).
    env: { USER_DATA_PATH: 'http://usr' },
    getSystemInfoSync: () => ({ ...SYSTEM_INFO }),
    getWindowInfo: () => ({ ...SYSTEM_INFO }),
    getStorageSync: (key: string) => (storage.has(key) ? storage.get(key) : ''),
    setStorageSync: (key: string, value: unknown) => void storage.set(key, value),
    removeStorageSync: (key: string) => void storage.delete(key),
    nextTick: (cb: () => void) => void setTimeout(cb, 0),
    canIUse: () => true,
    cloud: {
      DYNAMIC_CURRENT_ENV: Symbol.for('DYNAMIC_CURRENT_ENV'),
      init: () => undefined,
      callFunction: (opts: { name: string }) =>
        Promise.reject(new Error(`wx.cloud.callFunction('${opts?.name}') is not stubbed: pass options.wx.cloud.callFunction`)),
    },
  };
}

/** Wraps every function so calls are recorded (and exceptions kept) before they reach the page. */
function recordFunctions(obj: WxStubs, prefix: string, calls: WxCall[], errors: unknown[]): WxStubs {
  const out: WxStubs = {};
  for (const [key, value] of Object.entries(obj)) {
    const api = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'function') {
      out[key] = (...args: unknown[]) => {
        calls.push({ api, args });
        try {
          const res = (value as AnyFn)(...args);
          if (res && typeof (res as Promise<unknown>).then === 'function') {
            (res as Promise<unknown>).then(undefined, (err) => errors.push(err));
          }
          return res;
        } catch (err) {
          errors.push(err);
          throw err;
        }
      };
    } else if (value && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype && key !== 'env') {
      out[key] = strictObject(recordFunctions(value as WxStubs, api, calls, errors), `wx.${api}`, errors);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function buildWx(overrides: WxStubs, calls: WxCall[], errors: unknown[]): Record<string, any> {
  const merged: WxStubs = defaultWx(new Map());
  for (const [key, value] of Object.entries(overrides)) {
    const base = merged[key];
    const isPlain = (v: unknown) => !!v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
    merged[key] = isPlain(base) && isPlain(value) ? { ...(base as object), ...(value as object) } : value;
  }
  return strictObject(recordFunctions(merged, '', calls, errors), 'wx', errors);
}

// ---------------------------------------------------------------------------------------------
// a tiny CommonJS loader for the dist files (what WeChat's own module system does for them)

function createLoader(distDir: string) {
  const cache = new Map<string, { exports: unknown }>();
  const resolveFile = (p: string) => {
    for (const candidate of [p, `${p}.js`, path.join(p, 'index.js')]) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
    }
    throw new Error(`cannot resolve ${p} in the weapp build`);
  };
  const load = (file: string): unknown => {
    const hit = cache.get(file);
    if (hit) return hit.exports;
    const module = { exports: {} as unknown };
    cache.set(file, module);
    const code = fs.readFileSync(file, 'utf8');
    // `new Function` (not node's vm) so the code sees this jest environment's globals (wx, Page, Component…).
    const fn = new Function('require', 'module', 'exports', `${code}\n//# sourceURL=${file}`);
    const localRequire = (request: string) => {
      if (!request.startsWith('.') && !path.isAbsolute(request)) {
        throw new Error(`${path.relative(distDir, file)} requires '${request}': only relative paths exist in a mini-program`);
      }
      return load(resolveFile(path.resolve(path.dirname(file), request)));
    };
    fn.call(module.exports, localRequire, module, module.exports);
    return module.exports;
  };
  return (absPath: string) => load(resolveFile(absPath));
}

// ---------------------------------------------------------------------------------------------
// Page → Component

const PAGE_LIFECYCLES = new Set(['onLoad', 'onShow', 'onReady', 'onHide', 'onUnload', 'onResize']);

interface PageContext {
  route: string;
  query: Record<string, string>;
  pages: any[];
  errors: unknown[];
  events: PageEvent[];
}

function pageToComponent(pageOptions: Record<string, unknown>, { route, query, pages, errors, events }: PageContext) {
  const methods: Record<string, AnyFn> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pageOptions)) {
    if (key === 'data') continue;
    // Every function becomes a method: `eh` (Taro's event handler, bound as bindtap="eh"), the page
    // lifecycles (Taro reads `this.onReady.called`) and the other page hooks (onPullDownRefresh…).
    if (typeof value === 'function') methods[key] = value as AnyFn;
    else extra[key] = value;
  }
  const eh = methods.eh;
  if (eh) {
    methods.eh = function (this: unknown, event: any) {
      events.push({ type: String(event?.type), id: String(event?.currentTarget?.id ?? '') });
      return eh.call(this, event);
    };
  }
  const call = (inst: any, name: string, ...args: unknown[]) => {
    if (typeof inst[name] !== 'function') return;
    try {
      inst[name](...args);
    } catch (err) {
      errors.push(err);
      throw err;
    }
  };
  return {
    data: pageOptions.data ?? {},
    methods,
    lifetimes: {
      created(this: any) {
        // What WeChat puts on a page instance before onLoad.
        Object.assign(this, extra);
        this.route = this.__route__ = route;
        this.options = { ...query };
        pages.push(this);
      },
      attached(this: any) {
        call(this, 'onLoad', { ...query });
        call(this, 'onShow');
      },
      ready(this: any) {
        call(this, 'onReady');
      },
      detached(this: any) {
        call(this, 'onUnload');
        const i = pages.indexOf(this);
        if (i >= 0) pages.splice(i, 1);
      },
    },
    pageLifetimes: {
      show(this: any) {
        call(this, 'onShow');
      },
      hide(this: any) {
        call(this, 'onHide');
      },
      resize(this: any, size: unknown) {
        call(this, 'onResize', size);
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** Loads `route` (e.g. 'pages/index/index') of the compiled weapp build and attaches it to a jsdom parent. */
export function loadTaroPage(route: string, options: LoadTaroPageOptions = {}): TaroPageHarness {
  const distDir = options.distDir ?? DIST_WEAPP;
  assertWeappBuild(distDir, [route]);
  if (!options.distDir) warnIfStale(distDir);
  if (typeof document === 'undefined' || typeof window === 'undefined') {
    throw new Error('simulate-taro-page needs a DOM: add the `@jest-environment jsdom` docblock to the test file');
  }
  const query = options.query ?? {};

  // Requiring simulate defines global.Component / global.Behavior and a generic global.wx (replaced below).
  const simulate = require('miniprogram-simulate') as Simulate;
  // miniprogram-simulate runs a component's js with node's `require(path)` (src/utils.js runJs) and
  // then deletes it from require.cache — under jest that would share one module instance across loads
  // and never re-run webpack chunks. It looks `runJs` up on its utils module at call time, so we point
  // it at our loader, which runs the dist files inside this page's own module cache.
  const simUtils = require('miniprogram-simulate/src/utils') as { runJs: (p: string) => unknown };

  const wxCalls: WxCall[] = [];
  const errors: unknown[] = [];
  const pages: any[] = [];
  const events: PageEvent[] = [];
  const wx = buildWx(options.wx ?? {}, wxCalls, errors);
  let app: Record<string, any> | undefined;
  const g = globalThis as any;
  g.wx = wx;
  g.App = (appOptions: Record<string, any>) => {
    if (app) throw new Error('App() called twice');
    app = appOptions;
  };
  g.getApp = () => app;
  g.getCurrentPages = () => [...pages];
  g.Page = (pageOptions: Record<string, unknown>) => g.Component(pageToComponent(pageOptions, { route, query, pages, errors, events }));

  const requireDist = createLoader(distDir);
  requireDist(path.join(distDir, 'app.js'));
  if (!app) throw new Error('dist/weapp/app.js did not call App()');
  const launch = { path: route, query, scene: 1001, referrerInfo: {} };
  app.onLaunch?.(launch);
  app.onShow?.(launch);

  const previousRunJs = simUtils.runJs;
  simUtils.runJs = (componentPath: string) => requireDist(componentPath);
  let id: string;
  try {
    // rootPath = dist root: wcc must see every wxml/wxs (base.wxml, utils.wxs, comp.wxml) to resolve imports.
    id = simulate.load(path.join(distDir, route), 'page', { rootPath: distDir, compiler: 'official' });
  } finally {
    simUtils.runJs = previousRunJs;
  }

  const root = simulate.render(id);
  const parent = document.createElement('parent-wrapper');
  document.body.appendChild(parent);
  root.attach(parent);

  const get = (selector: string): SimNode => {
    const node = root.querySelector(selector);
    if (!node) throw new Error(`no rendered element matches ${selector}`);
    return node;
  };
  const harness: TaroPageHarness = {
    root,
    page: root.instance,
    wx,
    wxCalls,
    errors,
    events,
    get,
    text: (selector) => (get(selector).dom.textContent ?? '').replace(/\s+/g, ' ').trim(),
    async tap(selector) {
      get(selector).dispatchEvent('tap');
      await simulate.sleep(0);
    },
    async waitFor(check, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      let lastError: unknown;
      for (;;) {
        try {
          const value = check();
          if (value !== false) return value;
          lastError = new Error(`waitFor: check still returned false after ${timeoutMs} ms`);
        } catch (err) {
          lastError = err;
        }
        if (Date.now() > deadline) throw lastError;
        await simulate.sleep(10);
      }
    },
    dispose() {
      root.detach();
      parent.remove();
    },
  };
  return harness;
}

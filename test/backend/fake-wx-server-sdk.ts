/**
 * The project's only fake of the WeChat platform: an in-memory wx-server-sdk that follows the
 * documented API (wx-server-sdk 4.x index.d.ts) closely enough to exercise the `wechat` adapters:
 * getWXContext, database collections (doc get/set/update/remove, where with equality and RegExp,
 * skip/limit, at most 100 results per get), uploadFile/downloadFile/deleteFile/getTempFileURL.
 */
import sharp from 'sharp';
import type { WxCloud, WxCollection, WxContext, WxDatabase, WxQuery } from '../../backend/adapters/wechat/sdk';

class FakeRegExp {
  constructor(readonly regexp: string, readonly options = '') {}
  test(value: unknown) {
    return typeof value === 'string' && new RegExp(this.regexp, this.options).test(value);
  }
}

type Doc = Record<string, any>;

class FakeCommand {
  constructor(readonly op: 'lt' | 'lte', readonly value: number) {}
  test(v: unknown) {
    return typeof v === 'number' && (this.op === 'lt' ? v < this.value : v <= this.value);
  }
}

export interface FakeCloud extends WxCloud {
  context: WxContext;
  /** Images that imgSecCheck rejects (by exact bytes) and the codes made so far. */
  rejectImages: (jpeg: Buffer) => boolean;
  codesMade: Array<{ scene: string; page: string }>;
  collections: Map<string, Map<string, Doc>>;
  storage: Map<string, Buffer>;
  initCalls: number;
}

export function createFakeCloud(env = 'test-env-1a2b'): FakeCloud {
  const collections = new Map<string, Map<string, Doc>>();
  const storage = new Map<string, Buffer>();
  const col = (name: string) => {
    if (!collections.has(name)) collections.set(name, new Map());
    return collections.get(name)!;
  };
  const matches = (doc: Doc, cond: Record<string, any>) =>
    Object.entries(cond).every(([k, v]) => (v instanceof FakeRegExp || v instanceof FakeCommand ? v.test(doc[k]) : doc[k] === v));

  const query = (name: string, cond: Record<string, any>, skip: number, limit: number, order?: [string, 'asc' | 'desc']): WxQuery => ({
    where: (c) => query(name, { ...cond, ...c }, skip, limit, order),
    orderBy: (field, dir) => query(name, cond, skip, limit, [field, dir]),
    skip: (n) => query(name, cond, n, limit, order),
    limit: (n) => query(name, cond, skip, Math.min(n, 100), order),
    async get() {
      const all: Doc[] = [...col(name).entries()].filter(([, d]) => matches(d, cond)).map(([id, d]) => ({ _id: id, ...d }));
      if (order) all.sort((a, b) => (a[order[0]] < b[order[0]] ? -1 : a[order[0]] > b[order[0]] ? 1 : 0) * (order[1] === 'asc' ? 1 : -1));
      return { data: all.slice(skip, skip + limit) };
    },
    async remove() {
      let removed = 0;
      for (const [id, d] of col(name)) if (matches(d, cond)) (col(name).delete(id), removed++);
      return { stats: { removed } };
    },
  });

  const db: WxDatabase = {
    collection(name: string): WxCollection {
      return {
        ...query(name, {}, 0, 100),
        doc: (id: string) => ({
          async get() {
            const d = col(name).get(id);
            if (!d) throw new Error(`document.get:fail document with _id ${id} does not exist`);
            return { data: { _id: id, ...d } };
          },
          async set({ data }) {
            col(name).set(id, { ...data });
            return { _id: id };
          },
          async update({ data }) {
            const d = col(name).get(id);
            if (!d) return { stats: { updated: 0 } };
            col(name).set(id, { ...d, ...data });
            return { stats: { updated: 1 } };
          },
          async remove() {
            const removed = col(name).delete(id) ? 1 : 0;
            return { stats: { removed } };
          },
        }),
        async add({ data }) {
          // Documented behaviour: a given _id that already exists is a duplicate-key error.
          const { _id, ...rest } = data;
          const id = _id ?? Math.random().toString(36).slice(2);
          if (col(name).has(id)) throw new Error('database request fail: E11000 duplicate key error (-502001)');
          col(name).set(id, rest);
          return { _id: id };
        },
      };
    },
    RegExp: ({ regexp, options }) => new FakeRegExp(regexp, options),
    command: { lt: (v: number) => new FakeCommand('lt', v), lte: (v: number) => new FakeCommand('lte', v) },
    serverDate: () => new Date(),
  };

  const cloud: FakeCloud = {
    context: { OPENID: 'oFAKE-openid-123', APPID: 'wx0000000000000000', ENV: env },
    collections,
    storage,
    initCalls: 0,
    rejectImages: () => false,
    codesMade: [],
    openapi: {
      security: {
        async imgSecCheck({ media }) {
          if (media.value.length > 1024 * 1024) return { errCode: 40006, errMsg: 'invalid media size' };
          return cloud.rejectImages(media.value) ? { errCode: 87014, errMsg: 'risky content' } : { errCode: 0, errMsg: 'ok' };
        },
      },
      wxacode: {
        async getUnlimited({ scene, page }) {
          if (scene.length > 32) return { buffer: Buffer.alloc(0), errCode: 40169 };
          if (page.startsWith('/')) return { buffer: Buffer.alloc(0), errCode: 41030 };
          cloud.codesMade.push({ scene, page });
          // wxacode answers with a PNG image (a plain square stands in for the code's pattern).
          const buffer = await sharp({ create: { width: 280, height: 280, channels: 3, background: '#2e7d32' } }).png().toBuffer();
          return { buffer, contentType: 'image/png', errCode: 0 };
        },
      },
    },
    DYNAMIC_CURRENT_ENV: Symbol('DYNAMIC_CURRENT_ENV'),
    init() {
      cloud.initCalls++;
    },
    getWXContext: () => ({ ...cloud.context }),
    database: () => db,
    async uploadFile({ cloudPath, fileContent }) {
      if (!cloudPath || cloudPath.startsWith('/')) throw new Error('uploadFile:fail invalid cloudPath');
      const fileID = `cloud://${env}.7465-${env}-1300000000/${cloudPath}`;
      storage.set(fileID, Buffer.from(fileContent));
      return { fileID };
    },
    async downloadFile({ fileID }) {
      const bytes = storage.get(fileID);
      if (!bytes) throw new Error('downloadFile:fail storage file not exist');
      return { fileContent: bytes };
    },
    async deleteFile({ fileList }) {
      if (fileList.length > 50) throw new Error('deleteFile:fail too many files');
      return {
        fileList: fileList.map((fileID) =>
          storage.delete(fileID) ? { fileID, status: 0, errMsg: 'ok' } : { fileID, status: -1, errMsg: 'STORAGE_FILE_NOT_EXIST' },
        ),
      };
    },
    async getTempFileURL({ fileList }) {
      return {
        fileList: fileList.map((f) => {
          const fileID = typeof f === 'string' ? f : f.fileID;
          return { fileID, tempFileURL: `https://example.invalid/${encodeURIComponent(fileID)}`, status: storage.has(fileID) ? 0 : -1 };
        }),
      };
    },
  };
  return cloud;
}

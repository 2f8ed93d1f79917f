/**
 * The subset of wx-server-sdk the adapters use, as documented (index.d.ts of wx-server-sdk 4.x).
 * Adapters take this interface rather than importing the SDK, so the one fake of the platform
 * (test/backend/fake-wx-server-sdk.ts) can stand in for it in tests.
 */
export interface WxContext {
  OPENID?: string;
  APPID?: string;
  UNIONID?: string;
  ENV?: string;
  SOURCE?: string;
}

export interface WxDocRef {
  get(): Promise<{ data: Record<string, any> }>;
  set(opts: { data: Record<string, any> }): Promise<unknown>;
  update(opts: { data: Record<string, any> }): Promise<{ stats: { updated: number } }>;
  remove(): Promise<{ stats: { removed: number } }>;
}

export interface WxQuery {
  where(cond: Record<string, any>): WxQuery;
  orderBy(field: string, order: 'asc' | 'desc'): WxQuery;
  limit(n: number): WxQuery;
  skip(n: number): WxQuery;
  get(): Promise<{ data: Record<string, any>[] }>;
  remove(): Promise<{ stats: { removed: number } }>;
}

export interface WxCollection extends WxQuery {
  doc(id: string): WxDocRef;
  add(opts: { data: Record<string, any> }): Promise<{ _id: string }>;
}

export interface WxDatabase {
  collection(name: string): WxCollection;
  RegExp(opts: { regexp: string; options?: string }): unknown;
  /** Query operators (`db.command`): only comparisons are used. */
  command: { lt(value: number): unknown; lte(value: number): unknown };
  serverDate(): unknown;
}

export interface WxCloud {
  init(config?: { env?: string | symbol }): void;
  getWXContext(): WxContext;
  database(): WxDatabase;
  uploadFile(p: { cloudPath: string; fileContent: Buffer }): Promise<{ fileID: string }>;
  downloadFile(p: { fileID: string }): Promise<{ fileContent: Buffer }>;
  deleteFile(p: { fileList: string[] }): Promise<{ fileList: Array<{ fileID: string; status: number; errMsg: string }> }>;
  openapi: {
    security: { imgSecCheck(p: { media: { contentType: string; value: Buffer } }): Promise<{ errCode: number; errMsg?: string }> };
    wxacode: { getUnlimited(p: { scene: string; page: string; checkPath?: boolean; width?: number; envVersion?: string }): Promise<{ buffer: Buffer; contentType?: string; errCode?: number }> };
  };
  getTempFileURL(p: { fileList: Array<string | { fileID: string; maxAge?: number }> }): Promise<{ fileList: Array<{ fileID: string; tempFileURL: string; status: number }> }>;
  DYNAMIC_CURRENT_ENV: symbol;
}

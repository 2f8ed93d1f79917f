/** A tiny client of the local runtime's HTTP API that keeps its session cookie, like a browser. */
export class ApiClient {
  cookie?: string;
  constructor(readonly base: string) {}

  async call<T = any>(name: string, data: Record<string, unknown> = {}): Promise<{ ok: true; data: T } | { ok: false; error: { code: string; message: string; details?: any } }> {
    const res = await fetch(`${this.base}/api/fn/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: JSON.stringify(data),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    return res.json();
  }

  async ok<T = any>(name: string, data: Record<string, unknown> = {}): Promise<T> {
    const res = await this.call<T>(name, data);
    if (!res.ok) throw new Error(`${name} failed: ${JSON.stringify(res.error)}`);
    return res.data;
  }

  async upload(uploadId: string, bytes: Buffer, contentType = 'image/jpeg') {
    const res = await fetch(`${this.base}/api/upload/${uploadId}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: new Uint8Array(bytes),
    });
    return res.json() as Promise<{ ok: true; data: { fileId: string } } | { ok: false; error: { code: string; message: string } }>;
  }

  /** login + consent + prepareUpload + upload: what the photo page does before `analyze`. */
  async uploadPhoto(bytes: Buffer): Promise<{ uploadId: string; fileId: string }> {
    const { uploadId } = await this.ok('prepareUpload');
    const up = await this.upload(uploadId, bytes);
    if (!up.ok) throw new Error(`upload failed: ${JSON.stringify(up.error)}`);
    return { uploadId, fileId: up.data.fileId };
  }
}

import type { Backend, FnResult, PickedPhoto, UploadSlot } from './api-types';
import { ERROR_MESSAGES } from '../../../engine/core/errors';

declare const API_BASE: string;

const INTERNAL = { ok: false as const, error: { code: 'INTERNAL' as const, message: ERROR_MESSAGES.INTERNAL } };
/** Longest side of the uploaded photo: plenty for face analysis, small enough to upload fast. */
export const MAX_SIDE = 1600;

/** Browser transport: the local runtime's HTTP API; the session is an HttpOnly cookie it issues. */
export function initBackend(): void {
  // Nothing to set up: the cookie travels with every same-origin request.
}

function post(url: string, body: Blob, onProgress?: (percent: number) => void): Promise<FnResult<{ fileId: string }>> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', body.type || 'image/jpeg');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      try {
        resolve(JSON.parse(xhr.responseText) as FnResult<{ fileId: string }>);
      } catch {
        resolve(INTERNAL);
      }
    };
    xhr.onerror = () => resolve(INTERNAL);
    xhr.send(body);
  });
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    // A browser that never answers (or a test DOM without images) must not hold the upload up.
    const timer = setTimeout(() => reject(new Error('image decode timeout')), 10_000);
    img.onload = () => (clearTimeout(timer), resolve(img));
    img.onerror = (e) => (clearTimeout(timer), reject(e));
    img.src = src;
  });
}

export const backend: Backend = {
  async call<T>(name: string, data: Record<string, unknown> = {}): Promise<FnResult<T>> {
    try {
      const res = await fetch(`${API_BASE}/api/fn/${encodeURIComponent(name)}`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(data),
      });
      return (await res.json()) as FnResult<T>;
    } catch {
      return { ok: false, error: { code: 'INTERNAL', message: ERROR_MESSAGES.INTERNAL } };
    }
  },

  /** The browser's stand-in for wx.cloud.uploadFile: the bytes to POST /api/upload/<uploadId>. */
  async upload(photo: PickedPhoto, slot: UploadSlot, onProgress?: (percent: number) => void) {
    let blob = photo.blob;
    if (!blob) {
      try {
        blob = await (await fetch(photo.path)).blob();
      } catch {
        return INTERNAL;
      }
    }
    const res = await post(`${API_BASE}/api/upload/${encodeURIComponent(slot.uploadId)}`, blob, onProgress);
    if (res.ok) onProgress?.(100);
    return res;
  },

  /** Canvas downscale to ≤ 1600 px, JPEG (the browser applies EXIF orientation when decoding). */
  async compress(photo: PickedPhoto): Promise<PickedPhoto> {
    try {
      const img = await loadImage(photo.path);
      const w = img.naturalWidth;
      const h = img.naturalHeight;
      const scale = Math.min(1, MAX_SIDE / Math.max(w, h));
      const isSmallJpeg = scale === 1 && photo.blob?.type === 'image/jpeg' && (photo.blob?.size ?? Infinity) < 1_500_000;
      if (isSmallJpeg) return { ...photo, width: w, height: h };
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      const ctx = canvas.getContext('2d');
      if (!ctx) return photo;
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
      if (!blob) return photo;
      return { path: URL.createObjectURL(blob), blob, width: canvas.width, height: canvas.height, size: blob.size };
    } catch {
      return photo;
    }
  },
};

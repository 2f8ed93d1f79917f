import Taro from '@tarojs/taro';

/** Share tokens are 22 url-safe characters (backend/domain/ids.ts newId). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * The share token a page was opened with: a scanned poster code carries `scene` (URL-encoded
 * `t=<token>`, see wxacode.getUnlimited), a shared link or Moments carries `t` directly.
 */
export function shareTokenFrom(params: Record<string, string | undefined> | undefined): string | undefined {
  if (!params) return undefined;
  const candidates: Array<string | undefined> = [];
  if (params.scene) {
    let scene = params.scene;
    try {
      scene = decodeURIComponent(scene);
    } catch {
      /* keep it raw */
    }
    for (const part of scene.split('&')) {
      const [k, v] = part.split('=');
      if (k === 't') candidates.push(v);
    }
  }
  candidates.push(params.t);
  return candidates.find((c): c is string => !!c && TOKEN_PATTERN.test(c));
}

/**
 * Moments opens a shared page in single-page mode (scene 1154): no login, no navigation, no album.
 * Only WeChat has it; the browser never is.
 */
export function isSinglePageMode(): boolean {
  if (process.env.TARO_ENV !== 'weapp') return false;
  try {
    return Taro.getLaunchOptionsSync().scene === 1154;
  } catch {
    return false;
  }
}

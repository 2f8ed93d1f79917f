/**
 * Saving a poster: WeChat needs a local temp file (downloadFile first) and the
 * `scope.writePhotosAlbum` permission — asked once; after a refusal only the settings page can
 * grant it, so we explain and offer `openSetting`. The browser downloads the file instead.
 */
import Taro from '@tarojs/taro';

const SCOPE = 'scope.writePhotosAlbum';

export type SaveOutcome = 'saved' | 'denied' | 'failed';

async function ensureAlbumPermission(): Promise<boolean> {
  const setting = await Taro.getSetting();
  const granted = (setting.authSetting as Record<string, boolean | undefined>)[SCOPE];
  if (granted === true) return true;
  if (granted === undefined) {
    try {
      await Taro.authorize({ scope: SCOPE as any });
      return true;
    } catch {
      /* refused just now: fall through to the explanation */
    }
  }
  const modal = await Taro.showModal({
    title: '需要相册权限',
    content: '保存海报需要允许「添加到相册」。去设置里打开吗？',
    confirmText: '去设置',
    cancelText: '先不了',
  });
  if (!modal.confirm) return false;
  const after = await Taro.openSetting();
  return !!(after.authSetting as Record<string, boolean | undefined>)[SCOPE];
}

/** Downloads the poster into a temp file (WeChat). */
export async function downloadPoster(url: string): Promise<string> {
  const res = await Taro.downloadFile({ url });
  if (res.statusCode && res.statusCode !== 200) throw new Error(`download ${res.statusCode}`);
  return res.tempFilePath;
}

export async function savePoster(url: string): Promise<SaveOutcome> {
  if (process.env.TARO_ENV !== 'weapp') {
    const a = document.createElement('a');
    a.href = url;
    a.download = '我的深圳故事.jpg';
    document.body.appendChild(a);
    a.click();
    a.remove();
    return 'saved';
  }
  try {
    if (!(await ensureAlbumPermission())) return 'denied';
    void Taro.showLoading({ title: '保存中' });
    const filePath = await downloadPoster(url);
    await Taro.saveImageToPhotosAlbum({ filePath });
    Taro.hideLoading();
    void Taro.showToast({ title: '已保存到相册', icon: 'success' });
    return 'saved';
  } catch {
    Taro.hideLoading();
    void Taro.showToast({ title: '没保存成功，再试一次', icon: 'none' });
    return 'failed';
  }
}

/** WeChat's share-image sheet (send to a chat, save, …) where the base library has it. */
export function canShareImage(): boolean {
  if (process.env.TARO_ENV !== 'weapp') return false;
  try {
    return typeof (Taro as any).showShareImageMenu === 'function' && Taro.canIUse('showShareImageMenu');
  } catch {
    return false;
  }
}

export async function shareImage(url: string): Promise<void> {
  try {
    const path = await downloadPoster(url);
    await (Taro as any).showShareImageMenu({ path });
  } catch {
    /* closed or unavailable */
  }
}

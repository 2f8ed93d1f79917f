/**
 * The local stand-in for WeChat's mini-program code (`wxacode.getUnlimited`): a QR code PNG that
 * carries the same scene payload. Online, the backend asks WeChat for the real code and passes its
 * PNG to the poster composer instead; both are just "the code image" to engine/output/poster.ts.
 */
import QRCode from 'qrcode';

export interface QrOptions {
  /** Output width and height in pixels (default 440). */
  size?: number;
  /** Quiet zone in modules (default 2; the poster draws a white box around it too). */
  margin?: number;
  dark?: string;
  light?: string;
}

/**
 * A URL a phone camera opens for a scene (the H5 poster page), e.g.
 * sceneUrl('http://127.0.0.1:8787', 'pages/poster/index', 'p=Ab3x') → http://127.0.0.1:8787/#/pages/poster/index?scene=p%3DAb3x
 */
export function sceneUrl(baseUrl: string, page: string, scene: string): string {
  return `${baseUrl.replace(/\/$/, '')}/#/${page.replace(/^\//, '')}?scene=${encodeURIComponent(scene)}`;
}

/**
 * The payload the local mini-program code carries: `page?scene=<encoded scene>`, exactly what
 * backend/adapters/local/platform-services.ts encodes for wxacode's (page, scene) pair, e.g.
 * scenePayload('pages/index/index', 't=Ab3x…') → pages/index/index?scene=t%3DAb3x…
 */
export function scenePayload(page: string, scene: string): string {
  return `${page.replace(/^\//, '')}?scene=${encodeURIComponent(scene)}`;
}

/** A QR code PNG for `text` (a scene string or a URL built with sceneUrl). */
export async function qrCodePng(text: string, opts: QrOptions = {}): Promise<Buffer> {
  if (!text) throw new Error('qrCodePng: empty payload');
  return QRCode.toBuffer(text, {
    type: 'png',
    errorCorrectionLevel: 'M',
    width: opts.size ?? 440,
    margin: opts.margin ?? 2,
    color: { dark: opts.dark ?? '#1b1b1fff', light: opts.light ?? '#ffffffff' },
  });
}

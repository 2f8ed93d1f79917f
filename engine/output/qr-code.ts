/**
 * The local stand-in for WeChat's mini-program code (`wxacode.getUnlimited`): a QR code PNG of an
 * address a phone camera opens — the local runtime's H5 page with the same page and scene, e.g.
 * http://192.168.1.20:8787/#/pages/index/index?scene=t%3D<token>, which opens the shared poster in
 * the browser. Online, the backend asks WeChat for the real code and passes its PNG to the poster
 * composer instead; both are just "the code image" to engine/output/poster.ts.
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

/** `npm start`'s own address, the base when nothing else is known (the fuse CLI's posters). */
export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:8787';

/**
 * The URL a phone camera opens for wxacode's (page, scene) pair: the H5 build's hash route with
 * the scene as its query, exactly what the mini-program page reads (`decodeURIComponent(scene)`), e.g.
 * sceneUrl('http://192.168.1.20:8787', 'pages/index/index', 't=Ab3x…') → http://192.168.1.20:8787/#/pages/index/index?scene=t%3DAb3x…
 */
export function sceneUrl(baseUrl: string, page: string, scene: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/#/${page.replace(/^\//, '')}?scene=${encodeURIComponent(scene)}`;
}

/** A QR code PNG for `text` (a URL built with sceneUrl). */
export async function qrCodePng(text: string, opts: QrOptions = {}): Promise<Buffer> {
  if (!text) throw new Error('qrCodePng: empty payload');
  return QRCode.toBuffer(text, {
    type: 'png',
    errorCorrectionLevel: 'M',
    width: opts.size ?? 440,
    margin: opts.margin ?? 2,
    color: { dark: opts.dark ?? '#1b1b1fff', light: opts.light ?? '#ffffffff' },
    // PNG row filter "none": a two-colour image compresses as well without it, and pngjs's adaptive
    // filtering cost ≈ 0.7 s per code under jest (≈ 25 ms in plain Node)
    rendererOpts: { filterType: 0 } as QRCode.QRCodeToBufferOptions['rendererOpts'],
  });
}

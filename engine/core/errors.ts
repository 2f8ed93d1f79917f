/**
 * Error codes shared by the engine, backend, cloud functions, CLI and client.
 * Every code has a short Chinese message that tells the user what to do next.
 * This file must stay dependency-free: the mini-program bundles it too.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'UNSUPPORTED_FORMAT',
  'CORRUPT_IMAGE',
  'IMAGE_TOO_LARGE',
  'IMAGE_TOO_SMALL',
  'NO_FACE',
  'MULTIPLE_FACES',
  'FACE_TOO_SMALL',
  'FACE_EXCEEDS_BORDER',
  'POSE_TOO_LARGE',
  'TOO_BLURRY',
  'TOO_DARK',
  'FACE_OCCLUDED',
  'CONTENT_REJECTED',
  'CONSENT_REQUIRED',
  'RATE_LIMITED',
  'BUSY',
  'NOT_FOUND',
  'FORBIDDEN',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  INVALID_ARGUMENT: '请求参数不正确，请返回上一步重新操作。',
  UNSUPPORTED_FORMAT: '暂不支持这种图片格式，请选择 JPG、PNG 或 WebP 照片。',
  CORRUPT_IMAGE: '照片文件已损坏，无法打开，请重新拍摄或换一张照片。',
  IMAGE_TOO_LARGE: '照片太大了，请选择 4000 万像素、20MB 以内的照片。',
  IMAGE_TOO_SMALL: '照片尺寸太小了，请换一张更清晰、更大的照片。',
  NO_FACE: '没有找到人脸，请换一张正脸清晰的照片。',
  MULTIPLE_FACES: '照片里有多张人脸，请点选你自己的脸。',
  FACE_TOO_SMALL: '脸在照片里太小了，请靠近一些重新拍摄。',
  FACE_EXCEEDS_BORDER: '脸超出了照片边缘，请让整张脸都在画面里。',
  POSE_TOO_LARGE: '脸的角度太偏了（侧脸、低头或仰头），请正对镜头重新拍摄。',
  TOO_BLURRY: '照片有点模糊，请保持手机稳定重新拍摄。',
  TOO_DARK: '照片太暗了，请到光线充足的地方重新拍摄。',
  FACE_OCCLUDED: '看不到你的眼睛，请摘下墨镜、露出整张脸重新拍摄。',
  CONTENT_REJECTED: '这张照片未通过内容安全检查，请换一张照片。',
  CONSENT_REQUIRED: '使用前请先阅读并同意人脸信息处理授权。',
  RATE_LIMITED: '操作太频繁了，请稍后再试。',
  BUSY: '现在参与的人太多了，请稍等片刻再试。',
  NOT_FOUND: '内容不存在或已被删除。',
  FORBIDDEN: '你没有权限访问这项内容。',
  INTERNAL: '系统开小差了，请稍后再试。',
};

/** Extra data some codes carry: face boxes for MULTIPLE_FACES, retry-after for RATE_LIMITED/BUSY. */
export interface ErrorDetails {
  boxes?: Array<[number, number, number, number]>;
  retryAfterSeconds?: number;
  field?: string;
  [key: string]: unknown;
}

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

/** The one error type that crosses layers. `message` is always the user-facing Chinese text. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: ErrorDetails;
  /** Developer-facing reason; never contains face data, URLs or OPENIDs. */
  readonly reason?: string;

  constructor(code: ErrorCode, opts: { details?: ErrorDetails; reason?: string; message?: string } = {}) {
    super(opts.message ?? ERROR_MESSAGES[code]);
    this.name = 'AppError';
    this.code = code;
    this.details = opts.details;
    this.reason = opts.reason;
  }

  toPayload(): ErrorPayload {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Any thrown value → a payload safe to show a user (unknown errors become INTERNAL). */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof AppError) return err.toPayload();
  return { code: 'INTERNAL', message: ERROR_MESSAGES.INTERNAL };
}

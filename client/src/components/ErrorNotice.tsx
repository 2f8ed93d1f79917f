import { useEffect, useState } from 'react';
import { View, Text, Button } from '@tarojs/components';
import { ERROR_MESSAGES, type ErrorCode, type ErrorPayload } from '../../../engine/core/errors';
import './ErrorNotice.scss';

/** What the user can do next. */
export type NextStep = 'retake' | 'choose' | 'retry' | 'consent' | 'home';

export const STEP_LABELS: Record<NextStep, string> = {
  retake: '重新拍一张',
  choose: '换一张照片',
  retry: '再试一次',
  consent: '去授权',
  home: '回到首页',
};

const PHOTO_PROBLEM: NextStep[] = ['choose', 'retake'];
const CAPTURE_PROBLEM: NextStep[] = ['retake', 'choose'];

/** Every error code → the next steps offered, first one highlighted. */
export const NEXT_STEPS: Record<ErrorCode, NextStep[]> = {
  INVALID_ARGUMENT: ['home'],
  UNSUPPORTED_FORMAT: PHOTO_PROBLEM,
  CORRUPT_IMAGE: PHOTO_PROBLEM,
  IMAGE_TOO_LARGE: PHOTO_PROBLEM,
  IMAGE_TOO_SMALL: PHOTO_PROBLEM,
  NO_FACE: PHOTO_PROBLEM,
  MULTIPLE_FACES: PHOTO_PROBLEM,
  FACE_TOO_SMALL: CAPTURE_PROBLEM,
  FACE_EXCEEDS_BORDER: CAPTURE_PROBLEM,
  POSE_TOO_LARGE: CAPTURE_PROBLEM,
  TOO_BLURRY: CAPTURE_PROBLEM,
  TOO_DARK: CAPTURE_PROBLEM,
  FACE_OCCLUDED: CAPTURE_PROBLEM,
  CONTENT_REJECTED: ['choose'],
  CONSENT_REQUIRED: ['consent'],
  RATE_LIMITED: ['retry'],
  BUSY: ['retry'],
  NOT_FOUND: ['home'],
  FORBIDDEN: ['home'],
  INTERNAL: ['retry', 'home'],
};

/** A short, friendly headline per kind of problem. */
function headline(code: ErrorCode): string {
  if (code === 'BUSY' || code === 'RATE_LIMITED') return '稍等一下';
  if (code === 'INTERNAL') return '出了点小状况';
  if (code === 'CONSENT_REQUIRED') return '还差一步授权';
  if (code === 'NOT_FOUND' || code === 'FORBIDDEN' || code === 'INVALID_ARGUMENT') return '这里走不通了';
  return '这张照片不太行';
}

interface Props {
  error: ErrorPayload;
  onAction: (step: NextStep) => void;
  /** Steps this screen cannot offer (e.g. no camera in the browser). */
  hide?: NextStep[];
}

/** An error's Chinese message and buttons for the next step (retake / choose another / try later). */
export function ErrorNotice({ error, onAction, hide = [] }: Props) {
  const code = (error.code in NEXT_STEPS ? error.code : 'INTERNAL') as ErrorCode;
  const steps = NEXT_STEPS[code].filter((s) => !hide.includes(s));
  const wait = Math.max(0, Math.ceil(Number(error.details?.retryAfterSeconds) || 0));
  const [left, setLeft] = useState(wait);
  useEffect(() => {
    setLeft(wait);
    if (!wait) return;
    const timer = setInterval(() => setLeft((n) => (n <= 1 ? (clearInterval(timer), 0) : n - 1)), 1000);
    return () => clearInterval(timer);
  }, [error, wait]);

  return (
    <View className='error-notice' id='error-notice' data-code={code}>
      <View className='error-notice__head'>
        <Text className='error-notice__icon'>!</Text>
        <Text className='error-notice__title'>{headline(code)}</Text>
      </View>
      <Text className='error-notice__message' id='error-message'>
        {error.message || ERROR_MESSAGES[code]}
      </Text>
      <View className='error-notice__actions'>
        {steps.map((step, i) => {
          const waiting = step === 'retry' && left > 0;
          return (
            <Button
              key={step}
              id={`error-action-${step}`}
              className={`btn ${i === 0 ? 'btn--primary' : 'btn--ghost'} error-notice__btn${waiting ? ' btn--disabled' : ''}`}
              disabled={waiting}
              onClick={() => !waiting && onAction(step)}
            >
              {waiting ? `${left} 秒后再试` : STEP_LABELS[step]}
            </Button>
          );
        })}
      </View>
    </View>
  );
}

import { act, fireEvent, render, waitFor } from '@testing-library/react';
// The jest mock of @tarojs/taro (moduleNameMapper): the same module instance the pages get.
import Taro, { storage } from './mocks/taro';
import campaign from '../../templates/campaign.json';
import { ERROR_CODES, ERROR_MESSAGES, type ErrorCode } from '../../engine/core/errors';
import { ErrorNotice, STEP_LABELS, type NextStep } from '../../client/src/components/ErrorNotice';
import PhotoPage from '../../client/src/pages/photo/index';
import { clearLocalData, resetJourney } from '../../client/src/services/journey';
import { fail, installFakeApi, photoFile } from './fake-api';

/** Written out on purpose (not imported): a change in the component's mapping must fail here. */
const EXPECTED: Record<ErrorCode, NextStep[]> = {
  INVALID_ARGUMENT: ['home'],
  UNSUPPORTED_FORMAT: ['choose', 'retake'],
  CORRUPT_IMAGE: ['choose', 'retake'],
  IMAGE_TOO_LARGE: ['choose', 'retake'],
  IMAGE_TOO_SMALL: ['choose', 'retake'],
  NO_FACE: ['choose', 'retake'],
  MULTIPLE_FACES: ['choose', 'retake'],
  FACE_TOO_SMALL: ['retake', 'choose'],
  FACE_EXCEEDS_BORDER: ['retake', 'choose'],
  POSE_TOO_LARGE: ['retake', 'choose'],
  FACE_OCCLUDED: ['retake', 'choose'],
  TOO_BLURRY: ['retake', 'choose'],
  TOO_DARK: ['retake', 'choose'],
  CONTENT_REJECTED: ['choose'],
  CONSENT_REQUIRED: ['consent'],
  RATE_LIMITED: ['retry'],
  BUSY: ['retry'],
  NOT_FOUND: ['home'],
  FORBIDDEN: ['home'],
  INTERNAL: ['retry', 'home'],
};

describe('ErrorNotice', () => {
  it('covers every error code', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each([...ERROR_CODES])('%s → its Chinese message and the next step', (code) => {
    const onAction = jest.fn();
    const { container, unmount } = render(<ErrorNotice error={{ code, message: ERROR_MESSAGES[code] }} onAction={onAction} />);
    expect(container.querySelector('#error-message')!.textContent).toBe(ERROR_MESSAGES[code]);
    const buttons = [...container.querySelectorAll('button')];
    expect(buttons.map((b) => b.id)).toEqual(EXPECTED[code].map((s) => `error-action-${s}`));
    expect(buttons.map((b) => b.textContent)).toEqual(EXPECTED[code].map((s) => STEP_LABELS[s]));
    expect(buttons[0].className).toContain('btn--primary');
    fireEvent.click(buttons[0]);
    expect(onAction).toHaveBeenCalledWith(EXPECTED[code][0]);
    unmount();
  });

  it('shows the message the backend sent (e.g. the shared-poster wording)', () => {
    const { container } = render(<ErrorNotice error={{ code: 'NOT_FOUND', message: '这张海报不存在或已被主人删除。' }} onAction={() => undefined} />);
    expect(container.querySelector('#error-message')!.textContent).toBe('这张海报不存在或已被主人删除。');
  });

  it('waits out retryAfterSeconds before "try again" works', () => {
    jest.useFakeTimers();
    try {
      const onAction = jest.fn();
      const { container } = render(<ErrorNotice error={{ code: 'BUSY', message: ERROR_MESSAGES.BUSY, details: { retryAfterSeconds: 3 } }} onAction={onAction} />);
      const retry = () => container.querySelector('#error-action-retry') as HTMLButtonElement;
      expect(retry().textContent).toBe('3 秒后再试');
      expect(retry().disabled).toBe(true);
      fireEvent.click(retry());
      expect(onAction).not.toHaveBeenCalled();
      act(() => void jest.advanceTimersByTime(3100));
      expect(retry().textContent).toBe('再试一次');
      fireEvent.click(retry());
      expect(onAction).toHaveBeenCalledWith('retry');
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('the photo page shows an analysis error with its next step', () => {
  beforeEach(() => {
    storage.clear();
    clearLocalData();
    resetJourney();
    jest.clearAllMocks();
    storage.set('szs.consent', { version: campaign.consentVersion, ageGroup: 'adult', privacy: true, at: 1 });
  });

  it.each(['TOO_DARK', 'CONTENT_REJECTED', 'BUSY'] as ErrorCode[])('%s', async (code) => {
    installFakeApi({ analyze: () => fail(code) });
    const { container } = render(<PhotoPage />);
    await act(async () => {
      fireEvent.change(container.querySelector('#photo-input')!, { target: { files: [photoFile()] } });
    });
    await act(async () => {
      fireEvent.click(container.querySelector('#photo-use')!);
    });
    await waitFor(() => expect(container.querySelector('#error-message')?.textContent).toBe(ERROR_MESSAGES[code]));
    expect([...container.querySelectorAll('#error-notice button')].map((b) => b.id)).toEqual(EXPECTED[code].map((s) => `error-action-${s}`));
    expect((Taro as any).redirectTo).not.toHaveBeenCalled();
  });
});

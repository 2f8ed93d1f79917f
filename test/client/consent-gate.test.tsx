import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
// The jest mock of @tarojs/taro (moduleNameMapper): the same module instance the pages get.
import Taro, { storage } from './mocks/taro';
import campaign from '../../templates/campaign.json';
import { ConsentForm, canAgree } from '../../client/src/components/ConsentForm';
import ConsentPage from '../../client/src/pages/consent/index';
import PhotoPage from '../../client/src/pages/photo/index';
import { clearLocalData, resetJourney } from '../../client/src/services/journey';
import { installFakeApi, photoFile } from './fake-api';

const taro = Taro as unknown as Record<string, jest.Mock>;
const submit = () => document.querySelector('#consent-submit') as HTMLButtonElement;
const tap = async (selector: string) => {
  await act(async () => {
    fireEvent.click(document.querySelector(selector)!);
  });
};

beforeEach(() => {
  (storage as Map<string, unknown>).clear();
  clearLocalData();
  resetJourney();
  jest.clearAllMocks();
});

describe('the consent gate', () => {
  it('needs all three: face consent, an age answer and the privacy step', () => {
    expect(canAgree({ face: false, age: undefined, privacy: false })).toBe(false);
    expect(canAgree({ face: true, age: 'adult', privacy: false })).toBe(false);
    expect(canAgree({ face: true, age: undefined, privacy: true })).toBe(false);
    expect(canAgree({ face: false, age: 'guardian', privacy: true })).toBe(false);
    expect(canAgree({ face: true, age: 'guardian', privacy: true })).toBe(true);
  });

  it('keeps the button disabled until every step is done (WeChat privacy button)', async () => {
    const onSubmit = jest.fn();
    const onPrivacyAgreed = jest.fn();
    render(<ConsentForm retentionMinutes={30} privacyMode='wechat' onSubmit={onSubmit} onOpenPolicy={() => undefined} onPrivacyAgreed={onPrivacyAgreed} />);
    // What is kept and for how long, how to delete.
    expect(screen.getByText('分析完立刻删除，不会保存。')).toBeTruthy();
    expect(screen.getByText('画完即删，最迟 30 分钟后自动删除。')).toBeTruthy();
    expect(document.querySelector('#privacy-agree')!.getAttribute('data-open-type')).toBe('agreePrivacyAuthorization');

    expect(submit().disabled).toBe(true);
    await tap('#consent-face');
    expect(submit().disabled).toBe(true);
    await tap('#age-adult');
    expect(submit().disabled).toBe(true);
    fireEvent.click(submit());
    expect(onSubmit).not.toHaveBeenCalled();
    await tap('#privacy-agree');
    expect(onPrivacyAgreed).toHaveBeenCalledTimes(1);
    expect(submit().disabled).toBe(false);
    await tap('#consent-face'); // un-ticking closes the gate again
    expect(submit().disabled).toBe(true);
    await tap('#consent-face');
    fireEvent.click(submit());
    expect(onSubmit).toHaveBeenCalledWith('adult');
  });

  it('records the consent with the current version and age group, then opens the photo page', async () => {
    const api = installFakeApi();
    render(<ConsentPage />);
    await tap('#consent-face');
    await tap('#age-guardian');
    await tap('#privacy-agree'); // the browser: acknowledge the privacy policy
    expect(submit().disabled).toBe(false);
    await tap('#consent-submit');
    await waitFor(() => expect(taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/photo/index' }));
    expect(api.calls.find((c) => c.name === 'consent')!.body).toEqual({ action: 'agree', agree: true, version: campaign.consentVersion, ageGroup: 'guardian' });
    expect(storage.get('szs.consent')).toMatchObject({ version: campaign.consentVersion, ageGroup: 'guardian', privacy: true });
  });

  it('makes an upload impossible before the consent: the photo page sends nothing and goes to the consent page', async () => {
    const api = installFakeApi();
    render(<PhotoPage />);
    await waitFor(() => expect(taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/consent/index' }));
    // Even if a photo gets picked, using it uploads nothing.
    await act(async () => {
      fireEvent.change(document.querySelector('#photo-input')!, { target: { files: [photoFile()] } });
    });
    await tap('#photo-use');
    await new Promise((r) => setTimeout(r, 20));
    expect(api.uploads).toEqual([]);
    expect(api.names()).not.toContain('prepareUpload');
    expect(api.names()).not.toContain('analyze');
  });

  it('an outdated local consent (old version) does not open the gate', async () => {
    const api = installFakeApi();
    storage.set('szs.consent', { version: 'old-version', ageGroup: 'adult', privacy: true, at: 1 });
    render(<PhotoPage />);
    await waitFor(() => expect(taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/consent/index' }));
    expect(api.names()).not.toContain('prepareUpload');
  });

  it('with the consent, the same steps upload the photo and analyse it', async () => {
    const api = installFakeApi({ analyze: () => ({ ok: false, error: { code: 'NO_FACE', message: '没有找到人脸，请换一张正脸清晰的照片。' } }) });
    storage.set('szs.consent', { version: campaign.consentVersion, ageGroup: 'adult', privacy: true, at: 1 });
    render(<PhotoPage />);
    await act(async () => {
      fireEvent.change(document.querySelector('#photo-input')!, { target: { files: [photoFile()] } });
    });
    await tap('#photo-use');
    await waitFor(() => expect(api.names()).toContain('analyze'));
    expect(api.uploads).toEqual([{ url: '/api/upload/UPLOAD_ID_0123456789ab', size: 7 }]);
    expect(api.calls.find((c) => c.name === 'analyze')!.body).toEqual({ uploadId: 'UPLOAD_ID_0123456789ab', fileId: 'cloud://local/users/u/uploads/x.jpg' });
    expect(taro.redirectTo).not.toHaveBeenCalled();
  });
});

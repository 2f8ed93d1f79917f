import { useEffect, useState } from 'react';
import Taro, { useLoad } from '@tarojs/taro';
import { View, Text, Button } from '@tarojs/components';
import campaignJson from '../../../../templates/campaign.json';
import type { ErrorPayload } from '../../../../engine/core/errors';
import { ConsentForm, type PrivacyMode } from '../../components/ConsentForm';
import { ErrorNotice } from '../../components/ErrorNotice';
import type { AgeGroup } from '../../services/api-types';
import { agreeConsent } from '../../services/journey';
import { hasWechatPrivacy, onPrivacyRequest, privacyAgreed, privacyDeclined, privacyNeeded, watchPrivacy } from '../../services/privacy';
import { ROUTES } from '../../services/routes';

/** Face-data consent + age + WeChat privacy authorisation; only then the photo page. */
export default function ConsentPage() {
  const [privacyMode, setPrivacyMode] = useState<PrivacyMode>(hasWechatPrivacy() ? 'wechat' : 'policy');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | undefined>(undefined);

  useLoad(() => {
    watchPrivacy();
    if (hasWechatPrivacy()) void privacyNeeded().then((needed) => setPrivacyMode(needed ? 'wechat' : 'granted'));
  });
  // A privacy API asked while this page is open: show the WeChat button again.
  useEffect(() => onPrivacyRequest(() => setPrivacyMode('wechat')), []);

  const submit = async (ageGroup: AgeGroup) => {
    setBusy(true);
    setError(undefined);
    const res = await agreeConsent(ageGroup);
    setBusy(false);
    if (!res.ok) return setError(res.error);
    void Taro.redirectTo({ url: ROUTES.photo });
  };

  return (
    <View className='page'>
      <Text className='h1'>先说清楚，再开始</Text>
      <Text className='lead'>你的脸只用来画你的故事。下面三件事都确认后，才会上传照片。</Text>
      <ConsentForm
        retentionMinutes={campaignJson.retentionMinutes}
        privacyMode={privacyMode}
        busy={busy}
        onSubmit={(age) => void submit(age)}
        onOpenPolicy={() => void Taro.navigateTo({ url: ROUTES.privacy })}
        onPrivacyAgreed={privacyAgreed}
      />
      {error ? <ErrorNotice error={error} onAction={(step) => (step === 'home' ? void Taro.reLaunch({ url: ROUTES.home }) : setError(undefined))} /> : null}
      <Button
        id='consent-decline'
        className='btn btn--ghost'
        onClick={() => {
          privacyDeclined();
          void Taro.reLaunch({ url: ROUTES.home });
        }}
      >
        不同意，先逛逛
      </Button>
      <Text className='muted consent-version'>{`授权版本 ${campaignJson.consentVersion}`}</Text>
    </View>
  );
}

import { useState } from 'react';
import { View, Text, Button } from '@tarojs/components';
import type { AgeGroup } from '../services/api-types';
import { PRIVACY_BUTTON_ID } from '../services/privacy';
import './ConsentForm.scss';

/**
 * How the privacy step looks: WeChat's `agreePrivacyAuthorization` button, a plain acknowledgement
 * of the privacy policy (browser), or already granted (WeChat says no authorisation is needed).
 */
export type PrivacyMode = 'wechat' | 'policy' | 'granted';

export interface ConsentChoices {
  face: boolean;
  age?: AgeGroup;
  privacy: boolean;
}

/** The gate: face-data consent, an age answer and the privacy step, all three. */
export const canAgree = (c: ConsentChoices): boolean => c.face && (c.age === 'adult' || c.age === 'guardian') && c.privacy;

interface Props {
  retentionMinutes: number;
  privacyMode: PrivacyMode;
  busy?: boolean;
  onSubmit: (ageGroup: AgeGroup) => void;
  onOpenPolicy: () => void;
  /** WeChat's privacy button was tapped (release a waiting privacy API). */
  onPrivacyAgreed?: () => void;
}

function Check({ id, checked, onClick, children }: { id: string; checked: boolean; onClick: () => void; children: React.ReactNode }) {
  return (
    <View id={id} className={`check${checked ? ' check--on' : ''}`} role='checkbox' aria-checked={checked} onClick={onClick}>
      <Text className='check__box'>{checked ? '✓' : ''}</Text>
      <View className='check__text'>{children}</View>
    </View>
  );
}

/** The face-data consent: purpose, what is kept and how long, how to delete; age; privacy. */
export function ConsentForm({ retentionMinutes, privacyMode, busy = false, onSubmit, onOpenPolicy, onPrivacyAgreed }: Props) {
  const [face, setFace] = useState(false);
  const [age, setAge] = useState<AgeGroup | undefined>(undefined);
  const [privacy, setPrivacy] = useState(privacyMode === 'granted');
  const ready = canAgree({ face, age, privacy: privacy || privacyMode === 'granted' }) && !busy;

  return (
    <View className='consent'>
      <View className='panel consent__terms'>
        <Text className='panel__title'>人脸信息处理授权</Text>
        <View className='consent__item'>
          <Text className='consent__key'>用来做什么</Text>
          <Text className='consent__val'>只用来把你的脸画进八段深圳漫画故事，不做其他用途。</Text>
        </View>
        <View className='consent__item'>
          <Text className='consent__key'>原照片</Text>
          <Text className='consent__val'>分析完立刻删除，不会保存。</Text>
        </View>
        <View className='consent__item'>
          <Text className='consent__key'>脸部数据</Text>
          <Text className='consent__val'>{`画完即删，最迟 ${retentionMinutes} 分钟后自动删除。`}</Text>
        </View>
        <View className='consent__item'>
          <Text className='consent__key'>漫画和海报</Text>
          <Text className='consent__val'>保留到你删除为止；你分享出去之前，别人看不到。</Text>
        </View>
        <View className='consent__item'>
          <Text className='consent__key'>怎么删除</Text>
          <Text className='consent__val'>随时在「我的故事」点「删除我的数据」，全部删除。</Text>
        </View>
        <Text className='link' id='open-policy' onClick={onOpenPolicy}>
          查看完整《隐私政策》
        </Text>
      </View>

      <Check id='consent-face' checked={face} onClick={() => setFace(!face)}>
        <Text>我已阅读并同意上述人脸信息处理</Text>
      </Check>

      <Text className='consent__ask'>你的年龄</Text>
      <View className='consent__ages'>
        <View id='age-adult' className={`chip${age === 'adult' ? ' chip--on' : ''}`} role='radio' aria-checked={age === 'adult'} onClick={() => setAge('adult')}>
          <Text>已满 14 周岁</Text>
        </View>
        <View id='age-guardian' className={`chip${age === 'guardian' ? ' chip--on' : ''}`} role='radio' aria-checked={age === 'guardian'} onClick={() => setAge('guardian')}>
          <Text>未满 14 周岁，监护人已同意</Text>
        </View>
      </View>

      {privacyMode === 'wechat' ? (
        <Button
          id={PRIVACY_BUTTON_ID}
          className={`btn btn--ghost consent__privacy${privacy ? ' consent__privacy--on' : ''}`}
          openType='agreePrivacyAuthorization'
          onAgreePrivacyAuthorization={() => {
            setPrivacy(true);
            onPrivacyAgreed?.();
          }}
        >
          {privacy ? '✓ 已同意《小程序隐私保护指引》' : '同意《小程序隐私保护指引》'}
        </Button>
      ) : privacyMode === 'policy' ? (
        <Check id={PRIVACY_BUTTON_ID} checked={privacy} onClick={() => setPrivacy(!privacy)}>
          <Text>我已阅读《隐私政策》</Text>
        </Check>
      ) : (
        <Text className='consent__granted'>✓ 已同意《小程序隐私保护指引》</Text>
      )}

      <Button
        id='consent-submit'
        className={`btn btn--primary consent__submit${ready ? '' : ' btn--disabled'}`}
        disabled={!ready}
        onClick={() => ready && age && onSubmit(age)}
      >
        {busy ? '正在保存…' : '同意，去选照片'}
      </Button>
      {!ready && !busy ? <Text className='consent__todo'>勾选同意、选择年龄后才能上传照片</Text> : null}
    </View>
  );
}

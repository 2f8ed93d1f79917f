import { useState } from 'react';
import Taro, { useLoad, useShareAppMessage } from '@tarojs/taro';
import { View, Text, Button } from '@tarojs/components';
import { StoryGrid } from '../../components/StoryGrid';
import { campaign } from '../../services/campaign';
import type { LoginResult } from '../../services/api-types';
import { ensureLogin, localConsent, rememberSource } from '../../services/journey';
import { shareTokenFrom } from '../../services/launch';
import { ROUTES, withQuery } from '../../services/routes';
import { SHARE } from '../../services/stories';
import './index.scss';

type Session = { state: 'pending' } | { state: 'ready'; login: LoginResult } | { state: 'failed'; message: string };

/** The campaign home: title, the eight story cards, the start button. A scanned code or shared link opens that poster. */
export default function Index() {
  const [session, setSession] = useState<Session>({ state: 'pending' });
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);

  useLoad((params: Record<string, string | undefined>) => {
    // A poster's code carries scene=t%3D<token>; a shared link carries t=<token>.
    const token = shareTokenFrom(params);
    if (token) {
      rememberSource(token);
      void Taro.navigateTo({ url: withQuery(ROUTES.poster, { t: token }) });
    }
    void ensureLogin().then((res) => {
      setSession(res.ok ? { state: 'ready', login: res.data } : { state: 'failed', message: res.error.message });
    });
  });

  useShareAppMessage(() => ({ title: SHARE.title, path: 'pages/index/index' }));

  const selected = campaign.stories.find((s) => s.id === selectedId);
  const start = () => {
    void Taro.navigateTo({ url: localConsent() ? ROUTES.photo : ROUTES.consent });
  };

  return (
    <View className='home'>
      <View className='home__hero'>
        <View className='home__badge'>
          <Text>1980 — 2026 · 八段漫画</Text>
        </View>
        <Text className='home__title'>{campaign.title}</Text>
        <Text className='home__subtitle'>{campaign.subtitle}</Text>
      </View>
      <StoryGrid stories={campaign.stories} selectedId={selectedId} onSelect={setSelectedId} />
      <View className='home__footer'>
        <Text className='home__selected' id='selected-story'>
          {selected ? `已选：${selected.title}` : '选一个故事，或者直接开始'}
        </Text>
        <Button className='home__start' id='start' onClick={start}>
          上传自拍，开始我的故事
        </Button>
        <Button className='btn btn--ghost home__mine' id='open-mine' onClick={() => void Taro.navigateTo({ url: ROUTES.mine })}>
          我的故事
        </Button>
        <Text className='home__session' id='session-status'>
          {session.state === 'ready' ? '已登录' : session.state === 'failed' ? session.message : '正在登录…'}
        </Text>
        <Text className='home__label'>{`所有画面均为${campaign.aiLabel}内容`}</Text>
        <Text className='link home__policy' id='open-policy' onClick={() => void Taro.navigateTo({ url: ROUTES.privacy })}>
          隐私政策
        </Text>
      </View>
    </View>
  );
}

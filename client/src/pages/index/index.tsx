import { useState } from 'react';
import { View, Text, Button } from '@tarojs/components';
import { useLoad } from '@tarojs/taro';
import { StoryGrid } from '../../components/StoryGrid';
import { campaign } from '../../services/campaign';
import { backend } from '../../services/backend';
import type { LoginResult } from '../../services/api-types';
import './index.scss';

type Session = { state: 'pending' } | { state: 'ready'; login: LoginResult } | { state: 'failed'; message: string };

/** The campaign home: title, the eight story cards, the start button. */
export default function Index() {
  const [session, setSession] = useState<Session>({ state: 'pending' });
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);

  useLoad(() => {
    void backend.call<LoginResult>('login').then((res) => {
      setSession(res.ok ? { state: 'ready', login: res.data } : { state: 'failed', message: res.error.message });
    });
  });

  const selected = campaign.stories.find((s) => s.id === selectedId);

  return (
    <View className='home'>
      <View className='home__hero'>
        <Text className='home__title'>{campaign.title}</Text>
        <Text className='home__subtitle'>{campaign.subtitle}</Text>
      </View>
      <StoryGrid stories={campaign.stories} selectedId={selectedId} onSelect={setSelectedId} />
      <View className='home__footer'>
        <Text className='home__selected' id='selected-story'>
          {selected ? `已选：${selected.title}` : '选一个故事，或者直接开始'}
        </Text>
        <Button className='home__start' id='start'>
          上传自拍，开始我的故事
        </Button>
        <Text className='home__session' id='session-status'>
          {session.state === 'ready' ? '已登录' : session.state === 'failed' ? session.message : '正在登录…'}
        </Text>
        <Text className='home__label'>{`所有画面均为${campaign.aiLabel}内容`}</Text>
      </View>
    </View>
  );
}

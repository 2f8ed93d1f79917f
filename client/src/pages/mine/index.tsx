import { useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { View, Text, Button, Image } from '@tarojs/components';
import type { ErrorPayload } from '../../../../engine/core/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { backend } from '../../services/backend';
import type { DeleteResult, StoryResult } from '../../services/api-types';
import { clearLocalData, ensureLogin } from '../../services/journey';
import { ROUTES, withQuery } from '../../services/routes';
import { storyInfo } from '../../services/stories';
import './index.scss';

/** My finished stories, and "delete my data" (every file and record, then this device's state). */
export default function MinePage() {
  const [stories, setStories] = useState<StoryResult[] | undefined>(undefined);
  const [error, setError] = useState<ErrorPayload | undefined>(undefined);
  const [deleting, setDeleting] = useState(false);

  const load = async () => {
    const login = await ensureLogin();
    if (!login.ok) return setError(login.error);
    const res = await backend.call<{ stories: StoryResult[] }>('stories');
    if (res.ok) setStories(res.data.stories);
    else setError(res.error);
  };
  useDidShow(() => void load());

  const deleteAll = async () => {
    const answer = await Taro.showModal({
      title: '删除我的数据',
      content: '你的漫画、海报、分享链接和授权记录会被全部删除，分享出去的海报也会失效，无法恢复。确定删除吗？',
      confirmText: '删除',
      confirmColor: '#e63946',
      cancelText: '再想想',
    });
    if (!answer.confirm) return;
    setDeleting(true);
    const res = await backend.call<DeleteResult>('deleteMyData', { confirm: true });
    setDeleting(false);
    if (!res.ok) return setError(res.error);
    clearLocalData();
    void Taro.showToast({ title: '已全部删除', icon: 'success' });
    void Taro.reLaunch({ url: ROUTES.home });
  };

  return (
    <View className='page mine'>
      <Text className='h1'>我的故事</Text>
      <Text className='lead'>只有你能看到这里。分享出去的海报，删除后也会失效。</Text>
      {error ? <ErrorNotice error={error} onAction={() => (setError(undefined), void load())} /> : null}
      {stories === undefined && !error ? <Text className='muted mine__loading'>加载中…</Text> : null}
      {stories?.length === 0 ? (
        <View className='panel' id='mine-empty'>
          <Text className='panel__title'>还没有故事</Text>
          <Text className='lead'>上传一张自拍，八个故事一次画好。</Text>
          <Button className='btn btn--primary' id='mine-start' onClick={() => void Taro.reLaunch({ url: ROUTES.home })}>
            开始我的故事
          </Button>
        </View>
      ) : null}
      {stories?.length ? (
        <View className='mine__grid' id='mine-list'>
          {stories.map((s) => (
            <View
              key={s.storyId}
              id={`mine-${s.storyId}`}
              className='mine__card'
              onClick={() => void Taro.navigateTo({ url: withQuery(ROUTES.stories, { story: s.storyId }) })}
            >
              <Image className='mine__cover' src={s.cover.url} mode='aspectFill' />
              <Text className='mine__title'>{`看「${storyInfo(s.storyId)?.char ?? s.title}」的故事 ›`}</Text>
            </View>
          ))}
        </View>
      ) : null}

      <View className='panel mine__danger'>
        <Text className='panel__title'>删除我的数据</Text>
        <Text className='lead'>立即删除你的全部照片数据、漫画、海报、分享链接和授权记录。</Text>
        <Button id='delete-data' className={`btn btn--primary${deleting ? ' btn--disabled' : ''}`} disabled={deleting} onClick={() => void deleteAll()}>
          {deleting ? '正在删除…' : '删除我的数据'}
        </Button>
      </View>
      <Text className='link mine__policy' onClick={() => void Taro.navigateTo({ url: ROUTES.privacy })}>
        隐私政策
      </Text>
    </View>
  );
}

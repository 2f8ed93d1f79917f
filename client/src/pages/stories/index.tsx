import { useState } from 'react';
import Taro, { useLoad, useShareAppMessage } from '@tarojs/taro';
import { View, Text, Button, Image, Swiper, SwiperItem, ScrollView } from '@tarojs/components';
import type { ErrorPayload } from '../../../../engine/core/errors';
import { ErrorNotice, type NextStep } from '../../components/ErrorNotice';
import { backend } from '../../services/backend';
import type { StoryResult } from '../../services/api-types';
import { ensureLogin, retryFailed, useFusionRun, type StoryStatus } from '../../services/journey';
import { ROUTES, withQuery } from '../../services/routes';
import { SHARE, STORIES } from '../../services/stories';
import './index.scss';

interface View_ {
  status: StoryStatus | 'none';
  result?: StoryResult;
  error?: ErrorPayload;
}

/** Eight tabs, a swiper through the chosen story's frames with captions, and the way to its poster. */
export default function StoriesPage() {
  const run = useFusionRun();
  const [active, setActive] = useState<string>(STORIES[0].id);
  const [frame, setFrame] = useState(0);
  const [saved, setSaved] = useState<StoryResult[] | undefined>(undefined);
  const [loadError, setLoadError] = useState<ErrorPayload | undefined>(undefined);

  useLoad((params: Record<string, string | undefined>) => {
    if (params?.story && STORIES.some((s) => s.id === params.story)) setActive(params.story);
    // Without a run in this visit (opened from 「我的故事」): the finished stories from the backend.
    void ensureLogin().then(() =>
      backend.call<{ stories: StoryResult[] }>('stories').then((res) => (res.ok ? setSaved(res.data.stories) : setLoadError(res.error))),
    );
  });

  useShareAppMessage(() => ({ title: SHARE.title, path: 'pages/index/index' }));

  const stateOf = (id: string): View_ => {
    const live = run?.stories.find((s) => s.id === id);
    if (live && live.status !== 'waiting') return { status: live.status, result: live.result, error: live.error };
    const old = saved?.find((s) => s.storyId === id);
    if (old) return { status: 'done', result: old };
    if (live) return { status: 'waiting' };
    return { status: 'none' };
  };

  const story = STORIES.find((s) => s.id === active) ?? STORIES[0];
  const view = stateOf(story.id);
  const drawn = STORIES.filter((s) => stateOf(s.id).status === 'done').length;
  const stillDrawing = !!run && !run.finished;

  const select = (id: string) => {
    setActive(id);
    setFrame(0);
  };

  const onAction = (step: NextStep) => {
    if (step === 'retry') return retryFailed();
    if (step === 'consent') return void Taro.navigateTo({ url: ROUTES.consent });
    if (step === 'home') return void Taro.reLaunch({ url: ROUTES.home });
    void Taro.navigateTo({ url: ROUTES.photo });
  };

  return (
    <View className='page stories'>
      <View className='stories__head'>
        <Text className='h1'>我的深圳故事</Text>
        <Text className='stories__count' id='stories-count'>
          {stillDrawing ? `已画好 ${drawn}/${STORIES.length}，其余还在画…` : `${drawn}/${STORIES.length} 个故事`}
        </Text>
      </View>

      <ScrollView className='stories__tabs' scrollX enhanced showScrollbar={false}>
        {STORIES.map((s) => {
          const st = stateOf(s.id).status;
          return (
            <View
              key={s.id}
              id={`tab-${s.id}`}
              className={`stories__tab stories__tab--${st}${s.id === story.id ? ' stories__tab--active' : ''}`}
              onClick={() => select(s.id)}
            >
              <Text className='stories__tab-char'>{s.char}</Text>
              <Text className='stories__tab-year'>{st === 'done' ? s.year : st === 'drawing' ? '画画中' : st === 'failed' ? '没画成' : s.year}</Text>
            </View>
          );
        })}
      </ScrollView>

      <View className='stories__title-row'>
        <Text className='stories__title' id='story-title'>
          {story.title}
        </Text>
        <Text className='ai-tag'>AI合成</Text>
      </View>
      <Text className='muted'>{`${story.year} · ${story.blurb}`}</Text>

      {view.status === 'done' && view.result ? (
        <View className='stories__viewer'>
          <Swiper
            className='stories__swiper'
            id='frames'
            current={frame}
            onChange={(e: any) => setFrame(e?.detail?.current ?? 0)}
            indicatorDots={false}
          >
            {view.result.frames.map((f, i) => (
              <SwiperItem key={f.fileId} className='stories__slide'>
                <Image className='stories__frame' id={`frame-${i}`} src={f.url} mode='aspectFit' onClick={() => void Taro.previewImage({ current: f.url, urls: view.result!.frames.map((x) => x.url) })} />
              </SwiperItem>
            ))}
          </Swiper>
          <View className='stories__caption-box'>
            <Text className='stories__page'>{`${frame + 1}/${view.result.frames.length}`}</Text>
            <Text className='stories__caption' id='frame-caption'>
              {story.captions[frame] ?? ''}
            </Text>
          </View>
          <View className='row stories__nav'>
            <Button id='frame-prev' className={`btn btn--ghost${frame === 0 ? ' btn--disabled' : ''}`} disabled={frame === 0} onClick={() => setFrame(Math.max(0, frame - 1))}>
              上一格
            </Button>
            <Button id='frame-next' className={`btn btn--ghost${frame >= view.result.frames.length - 1 ? ' btn--disabled' : ''}`} disabled={frame >= view.result.frames.length - 1} onClick={() => setFrame(Math.min(view.result!.frames.length - 1, frame + 1))}>
              下一格
            </Button>
          </View>
          <Button id='open-poster' className='btn btn--primary' onClick={() => void Taro.navigateTo({ url: withQuery(ROUTES.poster, { story: story.id }) })}>
            看海报 · 保存或分享
          </Button>
        </View>
      ) : view.status === 'failed' && view.error ? (
        <ErrorNotice error={view.error} onAction={onAction} hide={run?.finished ? [] : ['retry']} />
      ) : view.status === 'none' ? (
        <View className='panel stories__empty' id='story-empty'>
          <Text className='panel__title'>这个故事还没画</Text>
          <Text className='lead'>{loadError ? loadError.message : '上传一张自拍，八个故事一次画好。'}</Text>
        </View>
      ) : (
        <View className='panel stories__pending' id='story-pending'>
          <Text className='stories__pending-char'>{story.char}</Text>
          <Text className='lead'>{view.status === 'drawing' ? '正在画这个故事，马上就好…' : '排队中，前面的故事画完就轮到它。'}</Text>
        </View>
      )}

      <Button id='try-another' className='btn btn--ghost' onClick={() => void Taro.navigateTo({ url: ROUTES.photo })}>
        换张照片再来
      </Button>
      <Button id='open-mine' className='btn btn--ghost' onClick={() => void Taro.navigateTo({ url: ROUTES.mine })}>
        我的故事 · 删除数据
      </Button>
    </View>
  );
}

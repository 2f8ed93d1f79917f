import { useRef, useState } from 'react';
import Taro, { useLoad, useShareAppMessage, useShareTimeline } from '@tarojs/taro';
import { View, Text, Button, Image } from '@tarojs/components';
import type { ErrorPayload } from '../../../../engine/core/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { backend } from '../../services/backend';
import type { ShareResult, SharedPoster, StoryResult } from '../../services/api-types';
import { canShareImage, savePoster, shareImage } from '../../services/album';
import { currentRun, ensureLogin, rememberSource } from '../../services/journey';
import { isSinglePageMode, shareTokenFrom } from '../../services/launch';
import { ROUTES } from '../../services/routes';
import { SHARE, posterRatio, storyInfo } from '../../services/stories';
import './index.scss';

const IS_WEAPP = process.env.TARO_ENV === 'weapp';

type State =
  | { kind: 'loading' }
  | { kind: 'owner'; storyId: string; title: string; poster: string; cover: string }
  | { kind: 'viewer'; storyId: string; title: string; poster: string; cover: string }
  | { kind: 'gone' }
  | { kind: 'error'; error: ErrorPayload };

/** What a share to a chat carries: the poster page with the share token. */
export function shareMessage(token: string | undefined, storyId: string | undefined, cover: string | undefined) {
  const story = storyInfo(storyId);
  return {
    title: story?.shareTitle ?? SHARE.title,
    path: token ? `pages/poster/index?t=${token}` : 'pages/index/index',
    ...(cover ? { imageUrl: cover } : {}),
  };
}

/** What a share to Moments carries: this page's query only. */
export function shareTimeline(token: string | undefined, storyId: string | undefined, cover: string | undefined) {
  const story = storyInfo(storyId);
  return {
    title: story ? `${SHARE.timelineTitle} · ${story.title}` : SHARE.timelineTitle,
    query: token ? `t=${token}` : '',
    ...(cover ? { imageUrl: cover } : {}),
  };
}

/**
 * The poster: the owner's (save, share to a chat, Moments, the share-image sheet) or a shared one
 * opened with `t` — rendered from the token alone, also in Moments' single-page mode.
 */
export default function PosterPage() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [token, setToken] = useState<string | undefined>(undefined);
  const [shareError, setShareError] = useState<ErrorPayload | undefined>(undefined);
  const single = useRef(isSinglePageMode());
  const latest = useRef<{ token?: string; storyId?: string; cover?: string }>({});

  const remember = (t: string | undefined, storyId: string, cover: string) => {
    latest.current = { token: t, storyId, cover };
    setToken(t);
  };

  const openShared = async (t: string) => {
    if (!single.current) rememberSource(t);
    const res = await backend.call<SharedPoster>('viewShared', { token: t });
    if (res.ok) {
      remember(t, res.data.storyId, res.data.cover);
      setState({ kind: 'viewer', ...res.data });
    } else setState(res.error.code === 'NOT_FOUND' ? { kind: 'gone' } : { kind: 'error', error: res.error });
  };

  const openMine = async (storyId: string) => {
    const login = await ensureLogin();
    if (!login.ok) return setState({ kind: 'error', error: login.error });
    let mine: StoryResult | undefined = currentRun()?.stories.find((s) => s.id === storyId)?.result;
    if (!mine) {
      const list = await backend.call<{ stories: StoryResult[] }>('stories');
      if (!list.ok) return setState({ kind: 'error', error: list.error });
      mine = list.data.stories.find((s) => s.storyId === storyId);
    }
    if (!mine) return setState({ kind: 'gone' });
    setState({ kind: 'owner', storyId, title: mine.title, poster: mine.poster.url, cover: mine.cover.url });
    remember(undefined, storyId, mine.cover.url);
    // The share token: the poster's code carries it, chats and Moments open it.
    const shared = await backend.call<ShareResult>('share', { story: storyId });
    if (shared.ok) remember(shared.data.token, storyId, mine.cover.url);
    else setShareError(shared.error);
  };

  useLoad((params: Record<string, string | undefined>) => {
    const t = shareTokenFrom(params);
    if (t) return void openShared(t);
    if (params?.story && storyInfo(params.story)) return void openMine(params.story);
    setState({ kind: 'gone' });
  });

  useShareAppMessage(() => shareMessage(latest.current.token, latest.current.storyId, latest.current.cover));
  useShareTimeline(() => shareTimeline(latest.current.token, latest.current.storyId, latest.current.cover));

  const shareLink = token && !IS_WEAPP && typeof location !== 'undefined' ? `${location.origin}${location.pathname}#/pages/poster/index?t=${token}` : '';
  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(shareLink);
      void Taro.showToast({ title: '链接已复制', icon: 'success' });
    } catch {
      void Taro.showToast({ title: '长按链接复制', icon: 'none' });
    }
  };

  if (state.kind === 'loading') {
    return (
      <View className='page poster'>
        <View className='poster__skeleton' id='poster-loading'>
          <Text className='lead'>海报加载中…</Text>
        </View>
      </View>
    );
  }

  if (state.kind === 'gone' || state.kind === 'error') {
    return (
      <View className='page poster'>
        {state.kind === 'gone' ? (
          <View className='panel poster__gone' id='poster-gone'>
            <Text className='poster__gone-mark'>?</Text>
            <Text className='panel__title'>这张海报不存在或已被主人删除</Text>
            <Text className='lead'>也许主人收回了它。你可以做一张属于自己的深圳故事。</Text>
          </View>
        ) : (
          <ErrorNotice error={state.error} onAction={() => void Taro.reLaunch({ url: ROUTES.home })} hide={single.current ? ['home'] : []} />
        )}
        {single.current ? (
          <Text className='lead poster__hint'>点击屏幕下方「前往小程序」，做一张你自己的。</Text>
        ) : (
          <Button id='make-own' className='btn btn--primary' onClick={() => void Taro.reLaunch({ url: ROUTES.home })}>
            我也做一张
          </Button>
        )}
      </View>
    );
  }

  const owner = state.kind === 'owner';
  return (
    <View className='page poster'>
      <View className='poster__head'>
        <Text className='h1' id='poster-title'>
          {state.title}
        </Text>
        <Text className='ai-tag'>AI合成</Text>
      </View>
      {!owner ? <Text className='lead'>朋友把自己画进了深圳故事，邀请你也来一段。</Text> : null}
      <View className='poster__card'>
        <View className='poster__box' style={{ paddingTop: `${(posterRatio(state.storyId) * 100).toFixed(2)}%` }}>
          <Image className='poster__img' id='poster-image' src={state.poster} mode='aspectFit' onClick={() => void Taro.previewImage({ current: state.poster, urls: [state.poster] })} />
        </View>
      </View>

      {owner ? (
        <View className='poster__actions'>
          <Button id='save-poster' className='btn btn--primary' onClick={() => void savePoster(state.poster)}>
            保存到相册
          </Button>
          {IS_WEAPP ? (
            <>
              <Button id='share-chat' className={`btn btn--ink${token ? '' : ' btn--disabled'}`} openType='share' disabled={!token}>
                {token ? '发给微信好友' : '准备分享…'}
              </Button>
              {canShareImage() ? (
                <Button id='share-image' className='btn btn--ghost' onClick={() => void shareImage(state.poster)}>
                  分享海报图片
                </Button>
              ) : null}
              <Text className='muted poster__tip'>分享到朋友圈：点右上角「···」→「分享到朋友圈」</Text>
            </>
          ) : token ? (
            <View className='panel poster__link'>
              <Text className='panel__title'>分享链接</Text>
              <Text className='poster__url' id='share-link' userSelect>
                {shareLink}
              </Text>
              <Button id='copy-link' className='btn btn--ink' onClick={() => void copyLink()}>
                复制链接
              </Button>
            </View>
          ) : null}
          {shareError ? <Text className='muted'>{shareError.message}</Text> : null}
          <Button id='back-stories' className='btn btn--ghost' onClick={() => void Taro.navigateBack().catch(() => Taro.redirectTo({ url: ROUTES.stories }))}>
            回到故事
          </Button>
        </View>
      ) : single.current ? (
        <Text className='lead poster__hint' id='single-hint'>
          点击屏幕下方「前往小程序」，做一张你自己的。
        </Text>
      ) : (
        <Button id='make-own' className='btn btn--primary' onClick={() => void Taro.reLaunch({ url: ROUTES.home })}>
          我也做一张
        </Button>
      )}
    </View>
  );
}

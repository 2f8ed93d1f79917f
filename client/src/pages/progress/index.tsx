import { useEffect, useRef } from 'react';
import Taro, { useLoad } from '@tarojs/taro';
import { View, Text, Button } from '@tarojs/components';
import { ErrorNotice, type NextStep } from '../../components/ErrorNotice';
import { ProgressStages } from '../../components/ProgressStages';
import { currentRun, retryFailed, savedJob, startFusion, useFusionRun } from '../../services/journey';
import { ROUTES, withQuery } from '../../services/routes';
import { STORIES } from '../../services/stories';
import './index.scss';

/** Drawing the eight stories; the first one opens the moment it is ready. */
export default function ProgressPage() {
  const run = useFusionRun();
  const opened = useRef(false);

  useLoad(() => {
    // Resume after a restart: the same photo and request id continue where they stopped.
    if (!currentRun()) {
      const job = savedJob();
      if (job) startFusion(job);
      else void Taro.redirectTo({ url: ROUTES.photo });
    }
  });

  const first = run?.stories.find((s) => s.status === 'done');
  useEffect(() => {
    if (first && !opened.current) {
      opened.current = true;
      void Taro.redirectTo({ url: withQuery(ROUTES.stories, { story: first.id }) });
    }
  }, [first]);

  const drawn = run ? run.stories.filter((s) => s.status === 'done').length : 0;
  const failedStory = run?.stories.find((s) => s.status === 'failed');
  const error = run?.fatal ?? (run?.finished && !first ? failedStory?.error : undefined);

  const onAction = (step: NextStep) => {
    if (step === 'retry') return retryFailed();
    if (step === 'consent') return void Taro.redirectTo({ url: ROUTES.consent });
    if (step === 'retake' || step === 'choose') return void Taro.redirectTo({ url: ROUTES.photo });
    void Taro.reLaunch({ url: ROUTES.home });
  };

  return (
    <View className='page progress'>
      <Text className='h1'>正在把你画进深圳</Text>
      <Text className='lead'>第一个故事画好就给你看，其余的接着画。</Text>
      <View className='progress__stages'>
        <ProgressStages phase={drawn >= STORIES.length ? 'done' : 'draw'} drawn={drawn} total={STORIES.length} failed={!!error} />
      </View>
      {error ? <ErrorNotice error={error} onAction={onAction} /> : null}
      <View className='progress__grid'>
        {STORIES.map((s, i) => {
          const status = run?.stories[i]?.status ?? 'waiting';
          return (
            <View key={s.id} id={`progress-${s.id}`} className={`progress__cell progress__cell--${status}`}>
              <Text className='progress__char'>{s.char}</Text>
              <Text className='progress__state'>{status === 'done' ? '好了' : status === 'drawing' ? '画画中' : status === 'failed' ? '没画成' : '排队'}</Text>
            </View>
          );
        })}
      </View>
      {first ? (
        <Button className='btn btn--primary' id='open-stories' onClick={() => void Taro.redirectTo({ url: withQuery(ROUTES.stories, { story: first.id }) })}>
          去看我的故事
        </Button>
      ) : null}
    </View>
  );
}

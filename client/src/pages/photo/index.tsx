import { useRef, useState } from 'react';
import Taro, { useLoad } from '@tarojs/taro';
import { View, Text, Button, Image } from '@tarojs/components';
import type { ErrorPayload } from '../../../../engine/core/errors';
import { ErrorNotice, type NextStep } from '../../components/ErrorNotice';
import { FaceChooser } from '../../components/FaceChooser';
import { ProgressStages } from '../../components/ProgressStages';
import { backend } from '../../services/backend';
import type { AnalyzeResult, Box, PickedPhoto, UploadSlot } from '../../services/api-types';
import { ensureLogin, forgetConsent, jobFor, localConsent, startFusion } from '../../services/journey';
import { ROUTES } from '../../services/routes';
import './index.scss';

const IS_WEAPP = process.env.TARO_ENV === 'weapp';

type State =
  | { step: 'pick' }
  | { step: 'preview'; photo: PickedPhoto }
  | { step: 'upload'; photo: PickedPhoto; percent: number }
  | { step: 'check'; photo: PickedPhoto }
  | { step: 'faces'; photo: PickedPhoto; photoId: string; boxes: Box[]; width: number; height: number }
  | { step: 'error'; photo?: PickedPhoto; error: ErrorPayload };

/** Shared by the page and the tests: when did the upload start (for "upload → first story"). */
export const uploadClock = { startedAt: 0 };

/** Album or camera → preview with a face guide → compress → upload → analyze (→ pick a face). */
export default function PhotoPage() {
  const [state, setState] = useState<State>({ step: 'pick' });
  const size = useRef<{ width?: number; height?: number }>({});

  const gateOpen = () => {
    if (localConsent()) return true;
    void Taro.redirectTo({ url: ROUTES.consent });
    return false;
  };

  useLoad(() => {
    if (gateOpen()) void ensureLogin();
  });

  const show = (photo: PickedPhoto) => {
    size.current = { width: photo.width, height: photo.height };
    setState({ step: 'preview', photo });
  };

  const pick = async (source: 'camera' | 'album') => {
    if (!gateOpen()) return;
    if (!IS_WEAPP) {
      document.getElementById(source === 'camera' ? 'photo-camera' : 'photo-input')?.click();
      return;
    }
    try {
      const res = await Taro.chooseMedia({ count: 1, mediaType: ['image'], sourceType: [source], sizeType: ['compressed'], camera: 'front' });
      const file = res.tempFiles[0];
      if (file) show({ path: file.tempFilePath, size: file.size });
    } catch {
      /* the user closed the picker */
    }
  };

  const onFile = (e: { target: { files?: FileList | null; value?: string } }) => {
    const file = e.target.files?.[0];
    if (!file) return;
    show({ path: URL.createObjectURL(file), blob: file, size: file.size });
    e.target.value = '';
  };

  const fail = (error: ErrorPayload, photo?: PickedPhoto) => {
    if (error.code === 'CONSENT_REQUIRED') forgetConsent();
    setState({ step: 'error', photo, error });
  };

  const use = async (original: PickedPhoto) => {
    // The gate: nothing leaves the device without the consent, the age answer and the privacy step.
    if (!gateOpen()) return;
    uploadClock.startedAt = Date.now();
    setState({ step: 'upload', photo: original, percent: 0 });
    const photo = await backend.compress(original);
    const login = await ensureLogin();
    if (!login.ok) return fail(login.error, original);
    const slot = await backend.call<UploadSlot>('prepareUpload');
    if (!slot.ok) return fail(slot.error, original);
    const up = await backend.upload(photo, slot.data, (percent) => setState({ step: 'upload', photo: original, percent }));
    if (!up.ok) return fail(up.error, original);
    setState({ step: 'check', photo: original });
    const res = await backend.call<AnalyzeResult>('analyze', { uploadId: slot.data.uploadId, fileId: up.data.fileId });
    if (res.ok) {
      startFusion(jobFor(res.data.photoId, res.data.chosenIndex));
      void Taro.redirectTo({ url: ROUTES.progress });
      return;
    }
    const { details } = res.error;
    if (res.error.code === 'MULTIPLE_FACES' && details?.boxes?.length && typeof details.photoId === 'string') {
      const width = photo.width ?? size.current.width ?? 1;
      const height = photo.height ?? size.current.height ?? 1;
      setState({ step: 'faces', photo, photoId: details.photoId, boxes: details.boxes, width, height });
      return;
    }
    fail(res.error, original);
  };

  const chooseFace = (photoId: string, faceIndex: number) => {
    startFusion(jobFor(photoId, faceIndex));
    void Taro.redirectTo({ url: ROUTES.progress });
  };

  const onAction = (step: NextStep) => {
    if (step === 'retake') return void pick('camera');
    if (step === 'choose') return void pick('album');
    if (step === 'retry') return state.step === 'error' && state.photo ? void use(state.photo) : setState({ step: 'pick' });
    if (step === 'consent') return void Taro.redirectTo({ url: ROUTES.consent });
    void Taro.reLaunch({ url: ROUTES.home });
  };

  const pickers = (
    <View className='photo__pickers'>
      <Button id='pick-camera' className='btn btn--primary' onClick={() => void pick('camera')}>
        拍一张自拍
      </Button>
      <Button id='pick-album' className='btn btn--ghost' onClick={() => void pick('album')}>
        从相册选
      </Button>
    </View>
  );

  return (
    <View className='page photo'>
      {IS_WEAPP ? null : (
        <View className='photo__inputs'>
          <input id='photo-input' type='file' accept='image/jpeg,image/png,image/webp' onChange={onFile} />
          <input id='photo-camera' type='file' accept='image/*' capture='user' onChange={onFile} />
        </View>
      )}
      <Text className='h1'>选一张自拍</Text>
      <Text className='lead'>正脸、光线亮、五官清楚，画出来最像你。</Text>

      {state.step === 'pick' ? (
        <>
          <View className='photo__frame photo__frame--empty'>
            <View className='photo__guide' />
            <Text className='photo__guide-text'>把脸放在框里</Text>
          </View>
          <View className='photo__tips'>
            <Text className='photo__tip'>✓ 正对镜头</Text>
            <Text className='photo__tip'>✓ 光线充足</Text>
            <Text className='photo__tip'>✓ 不戴墨镜口罩</Text>
          </View>
          {pickers}
        </>
      ) : null}

      {state.step === 'preview' ? (
        <>
          <View className='photo__frame'>
            <Image
              className='photo__img'
              id='photo-preview'
              src={state.photo.path}
              mode='aspectFill'
              onLoad={(e: any) => {
                const d = e?.detail ?? {};
                if (d.width && d.height) size.current = { width: d.width, height: d.height };
              }}
            />
            <View className='photo__guide' />
            <Text className='photo__guide-text'>脸在框里就好</Text>
          </View>
          <Button id='photo-use' className='btn btn--primary' onClick={() => void use(state.photo)}>
            就用这张，开始画
          </Button>
          <Button id='photo-again' className='btn btn--ghost' onClick={() => setState({ step: 'pick' })}>
            换一张
          </Button>
        </>
      ) : null}

      {state.step === 'upload' || state.step === 'check' ? (
        <>
          <View className='photo__frame photo__frame--busy'>
            <Image className='photo__img' src={state.photo.path} mode='aspectFill' />
            <View className='photo__scan' />
          </View>
          <ProgressStages phase={state.step} uploadPercent={state.step === 'upload' ? state.percent : 100} />
        </>
      ) : null}

      {state.step === 'faces' ? (
        <View className='photo__faces'>
          <FaceChooser src={state.photo.path} width={state.width} height={state.height} boxes={state.boxes} onChoose={(i) => chooseFace(state.photoId, i)} />
          <Button id='photo-again' className='btn btn--ghost' onClick={() => setState({ step: 'pick' })}>
            换一张照片
          </Button>
        </View>
      ) : null}

      {state.step === 'error' ? (
        <>
          {state.photo ? (
            <View className='photo__frame photo__frame--small'>
              <Image className='photo__img' src={state.photo.path} mode='aspectFill' />
            </View>
          ) : null}
          <ErrorNotice error={state.error} onAction={onAction} />
        </>
      ) : null}

      <Text className='muted photo__note'>原照片分析完立即删除。</Text>
    </View>
  );
}

import { act, fireEvent, render, waitFor } from '@testing-library/react';
// The jest mock of @tarojs/taro (moduleNameMapper): the same module instance the pages get.
import Taro, { storage } from './mocks/taro';
import campaign from '../../templates/campaign.json';
import { FaceChooser } from '../../client/src/components/FaceChooser';
import PhotoPage from '../../client/src/pages/photo/index';
import { clearLocalData, currentRun, resetJourney } from '../../client/src/services/journey';
import { fail, installFakeApi, ok, photoFile } from './fake-api';

const BOXES: Array<[number, number, number, number]> = [
  [100, 200, 200, 240],
  [500, 160, 180, 220],
  [800, 300, 100, 120],
];

describe('FaceChooser', () => {
  it('places one tappable frame per box, in the photo’s proportions', () => {
    const { container } = render(<FaceChooser src='blob:x' width={1000} height={800} boxes={BOXES} onChoose={() => undefined} />);
    const faces = container.querySelectorAll('.face-chooser__box');
    expect(faces).toHaveLength(3);
    const style = (faces[1] as HTMLElement).style;
    expect([style.left, style.top, style.width, style.height]).toEqual(['50.000%', '20.000%', '18.000%', '27.500%']);
    expect((container.querySelector('.face-chooser__photo') as HTMLElement).style.paddingTop).toBe('80.000%');
  });

  it('a small face (40 px in a 1920 px group photo) gets a frame of at least a tenth of the width, centred on it', () => {
    const small: Array<[number, number, number, number]> = [[300, 500, 40, 48], [1500, 400, 200, 240]];
    const { container } = render(<FaceChooser src='blob:x' width={1920} height={1280} boxes={small} onChoose={() => undefined} />);
    const style = (container.querySelector('#face-0') as HTMLElement).style;
    // 192 × 192 px about the face's centre (320, 524).
    expect([style.left, style.top, style.width, style.height]).toEqual(['11.667%', '33.438%', '10.000%', '15.000%']);
    expect((container.querySelector('#face-1') as HTMLElement).style.width).toBe('10.417%');
  });

  it('taps → the chosen index (and only after a tap)', () => {
    const onChoose = jest.fn();
    const { container } = render(<FaceChooser src='blob:x' width={1000} height={800} boxes={BOXES} onChoose={onChoose} />);
    const confirm = container.querySelector('#face-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.click(confirm);
    expect(onChoose).not.toHaveBeenCalled();
    fireEvent.click(container.querySelector('#face-0')!);
    fireEvent.click(container.querySelector('#face-2')!);
    expect(container.querySelectorAll('.face-chooser__box--chosen')).toHaveLength(1);
    expect(container.querySelector('#face-2')!.className).toContain('face-chooser__box--chosen');
    fireEvent.click(confirm);
    expect(onChoose).toHaveBeenCalledTimes(1);
    expect(onChoose).toHaveBeenCalledWith(2);
  });
});

describe('MULTIPLE_FACES on the photo page', () => {
  beforeEach(() => {
    storage.clear();
    clearLocalData();
    resetJourney();
    jest.clearAllMocks();
    storage.set('szs.consent', { version: campaign.consentVersion, ageGroup: 'adult', privacy: true, at: 1 });
  });

  it('shows the boxes, and the tapped face goes to fuse with the photo id', async () => {
    const api = installFakeApi({
      analyze: () => fail('MULTIPLE_FACES', { boxes: BOXES, photoId: 'PHOTO_ID_multi_0001' }),
      fuse: (b) => ok({ storyId: b.story, title: b.story, jobId: 'j', frames: [], poster: { fileId: 'p', url: '/p' }, cover: { fileId: 'c', url: '/c' }, createdAt: 1 }),
    });
    const { container } = render(<PhotoPage />);
    await act(async () => {
      fireEvent.change(container.querySelector('#photo-input')!, { target: { files: [photoFile()] } });
    });
    await act(async () => {
      fireEvent.click(container.querySelector('#photo-use')!);
    });
    await waitFor(() => expect(container.querySelectorAll('.face-chooser__box')).toHaveLength(3));
    expect(api.names()).not.toContain('fuse');
    await act(async () => {
      fireEvent.click(container.querySelector('#face-1')!);
    });
    await act(async () => {
      fireEvent.click(container.querySelector('#face-confirm')!);
    });
    expect((Taro as any).redirectTo).toHaveBeenCalledWith({ url: '/pages/progress/index' });
    await waitFor(() => expect(api.names().filter((n) => n === 'fuse')).toHaveLength(8));
    const fuses = api.calls.filter((c) => c.name === 'fuse').map((c) => c.body);
    expect(fuses[0]).toMatchObject({ photoId: 'PHOTO_ID_multi_0001', faceIndex: 1, story: campaign.stories[0].id });
    expect(new Set(fuses.map((f) => f.requestId)).size).toBe(1);
    expect(fuses.every((f) => f.faceIndex === 1)).toBe(true);
    await waitFor(() => expect(currentRun()?.finished).toBe(true));
  });
});

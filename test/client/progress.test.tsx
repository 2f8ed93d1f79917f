import { act, render, waitFor } from '@testing-library/react';
// The jest mock of @tarojs/taro (moduleNameMapper): the same module instance the pages get.
import Taro, { storage } from './mocks/taro';
import campaign from '../../templates/campaign.json';
import { ProgressStages, journeyStages } from '../../client/src/components/ProgressStages';
import ProgressPage from '../../client/src/pages/progress/index';
import { clearLocalData, currentRun, jobFor, resetJourney, startFusion, timing } from '../../client/src/services/journey';
import { fail, installFakeApi, ok } from './fake-api';

const labels = (input: Parameters<typeof journeyStages>[0]) => journeyStages(input).stages.map((s) => `${s.state}:${s.label}`);

describe('progress stages', () => {
  it('names each stage and moves through them', () => {
    expect(labels({ phase: 'upload', uploadPercent: 40 })).toEqual(['active:上传中 40%', 'todo:检查照片', 'todo:绘制 8 个漫画故事']);
    expect(journeyStages({ phase: 'upload', uploadPercent: 40 }).percent).toBe(8);
    expect(labels({ phase: 'check' })).toEqual(['done:上传中', 'active:检查照片', 'todo:绘制 8 个漫画故事']);
    expect(labels({ phase: 'draw', drawn: 0 })).toEqual(['done:上传中', 'done:检查照片', 'active:正在绘制第 1/8 个故事']);
    expect(labels({ phase: 'draw', drawn: 2 })).toEqual(['done:上传中', 'done:检查照片', 'active:正在绘制第 3/8 个故事']);
    expect(journeyStages({ phase: 'draw', drawn: 4 }).percent).toBe(65);
    expect(labels({ phase: 'done', drawn: 8 })).toEqual(['done:上传中', 'done:检查照片', 'done:8 个故事都画好了']);
    expect(journeyStages({ phase: 'done', drawn: 8 }).percent).toBe(100);
    expect(labels({ phase: 'check', failed: true })[1]).toBe('failed:检查照片');
  });

  it('renders the bar and the rows with their states', () => {
    const { container } = render(<ProgressStages phase='draw' drawn={5} total={8} />);
    expect(container.querySelector('#stage-draw')!.textContent).toContain('正在绘制第 6/8 个故事');
    expect(container.querySelector('#stage-upload')!.getAttribute('data-state')).toBe('done');
    expect(container.querySelector('#stage-draw')!.getAttribute('data-state')).toBe('active');
    expect((container.querySelector('#progress-fill') as HTMLElement).style.width).toBe('74%');
    expect(container.querySelector('#progress-percent')!.textContent).toBe('74%');
  });
});

describe('the fusion run and the progress page', () => {
  const story = (id: string) => ({ storyId: id, title: id, jobId: 'j', frames: [{ fileId: 'f', url: '/f' }], poster: { fileId: 'p', url: '/p' }, cover: { fileId: 'c', url: '/c' }, createdAt: 1 });
  let sleeps: number[];
  beforeEach(() => {
    storage.clear();
    clearLocalData();
    resetJourney();
    jest.clearAllMocks();
    sleeps = [];
    timing.sleep = async (ms: number) => void sleeps.push(ms);
  });

  it('fuses the eight stories in campaign order with one request id, waiting out BUSY', async () => {
    let busy = 1;
    const api = installFakeApi({
      fuse: (b) => (b.story === 'kuai' && busy-- > 0 ? fail('BUSY', { retryAfterSeconds: 2 }) : ok(story(b.story))),
    });
    const job = jobFor('PHOTO_ID_0001', 0);
    startFusion(job);
    await waitFor(() => expect(currentRun()?.finished).toBe(true));
    const fuses = api.calls.filter((c) => c.name === 'fuse').map((c) => c.body);
    expect(fuses.map((f) => f.story)).toEqual([campaign.stories[0].id, 'kuai', ...campaign.stories.slice(1).map((s) => s.id)]);
    expect(new Set(fuses.map((f) => f.requestId))).toEqual(new Set([job.requestId]));
    expect(sleeps).toEqual([2000]);
    expect(currentRun()!.stories.every((s) => s.status === 'done')).toBe(true);
    // A resume of the same photo reuses the stored request id.
    expect(jobFor('PHOTO_ID_0001', 0).requestId).toBe(job.requestId);
    expect(jobFor('PHOTO_ID_0002', 0).requestId).not.toBe(job.requestId);
  });

  it('opens the first story as soon as it is ready, while the rest keep drawing', async () => {
    const gates: Array<() => void> = [];
    const api = installFakeApi({
      fuse: (b) => new Promise((resolve) => gates.push(() => resolve(ok(story(b.story))))),
    });
    startFusion(jobFor('PHOTO_ID_0003', 0));
    const { container } = render(<ProgressPage />);
    await waitFor(() => expect(gates).toHaveLength(1));
    expect(container.querySelector('#stage-draw')!.textContent).toContain('正在绘制第 1/8 个故事');
    expect((Taro as any).redirectTo).not.toHaveBeenCalled();
    await act(async () => gates[0]());
    await waitFor(() => expect((Taro as any).redirectTo).toHaveBeenCalledWith({ url: `/pages/stories/index?story=${campaign.stories[0].id}` }));
    await waitFor(() => expect(gates).toHaveLength(2)); // the second story is being drawn already
    expect(container.querySelector('#stage-draw')!.textContent).toContain('正在绘制第 2/8 个故事');
    expect(api.names().filter((n) => n === 'fuse')).toHaveLength(2);
    for (let i = 1; i < 8; i++) {
      await waitFor(() => expect(gates.length).toBeGreaterThan(i));
      await act(async () => gates[i]());
    }
    await waitFor(() => expect(currentRun()?.finished).toBe(true));
    expect((Taro as any).redirectTo).toHaveBeenCalledTimes(1);
  });

  it('stops on an expired photo and shows what to do', async () => {
    installFakeApi({ fuse: () => fail('NOT_FOUND') });
    startFusion(jobFor('PHOTO_ID_0004', 0));
    const { container } = render(<ProgressPage />);
    await waitFor(() => expect(container.querySelector('#error-message')).toBeTruthy());
    expect(currentRun()!.fatal?.code).toBe('NOT_FOUND');
    expect(container.querySelector('#error-action-home')).toBeTruthy();
  });
});

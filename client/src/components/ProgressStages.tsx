import { View, Text } from '@tarojs/components';
import './ProgressStages.scss';

export type StageState = 'todo' | 'active' | 'done' | 'failed';
export interface Stage {
  key: 'upload' | 'check' | 'draw';
  label: string;
  state: StageState;
}
export type Phase = 'upload' | 'check' | 'draw' | 'done';

export interface ProgressInput {
  phase: Phase;
  /** 0–100 while uploading. */
  uploadPercent?: number;
  /** Stories finished so far. */
  drawn?: number;
  total?: number;
  failed?: boolean;
}

/** The three named stages and the overall percentage (upload 0–20, check 20–30, drawing 30–100). */
export function journeyStages({ phase, uploadPercent = 0, drawn = 0, total = 8, failed = false }: ProgressInput): { stages: Stage[]; percent: number } {
  const order: Phase[] = ['upload', 'check', 'draw', 'done'];
  const at = order.indexOf(phase);
  const state = (i: number): StageState => (at > i ? 'done' : at === i ? (failed ? 'failed' : 'active') : 'todo');
  const k = Math.min(drawn + 1, total);
  const drawLabel = phase === 'done' ? `${total} 个故事都画好了` : phase === 'draw' ? `正在绘制第 ${k}/${total} 个故事` : `绘制 ${total} 个漫画故事`;
  const stages: Stage[] = [
    { key: 'upload', label: phase === 'upload' ? `上传中 ${Math.round(uploadPercent)}%` : '上传中', state: state(0) },
    { key: 'check', label: '检查照片', state: state(1) },
    { key: 'draw', label: drawLabel, state: state(2) },
  ];
  const clamp = (v: number) => Math.max(0, Math.min(100, v));
  const percent =
    phase === 'upload' ? clamp(uploadPercent) * 0.2 : phase === 'check' ? 25 : phase === 'draw' ? 30 + (70 * clamp((drawn / total) * 100)) / 100 : 100;
  return { stages, percent: Math.round(percent) };
}

const MARK: Record<StageState, string> = { todo: '', active: '…', done: '✓', failed: '!' };

/** A comic progress bar and the named stages under it. */
export function ProgressStages(props: ProgressInput) {
  const { stages, percent } = journeyStages(props);
  return (
    <View className='stages' id='progress-stages'>
      <View className='stages__bar' role='progressbar' aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
        <View className='stages__fill' id='progress-fill' style={{ width: `${percent}%` }} />
      </View>
      <Text className='stages__percent' id='progress-percent'>{`${percent}%`}</Text>
      {stages.map((s) => (
        <View key={s.key} id={`stage-${s.key}`} className={`stages__row stages__row--${s.state}`} data-state={s.state}>
          <Text className='stages__dot'>{MARK[s.state]}</Text>
          <Text className='stages__label'>{s.label}</Text>
        </View>
      ))}
    </View>
  );
}

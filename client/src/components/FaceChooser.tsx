import { useState } from 'react';
import { View, Text, Image, Button } from '@tarojs/components';
import type { Box } from '../services/api-types';
import './FaceChooser.scss';

interface Props {
  /** The uploaded photo (the boxes are in its pixels). */
  src: string;
  width: number;
  height: number;
  boxes: Box[];
  onChoose: (faceIndex: number) => void;
}

const pct = (v: number, of: number) => `${Math.max(0, Math.min(100, (v / of) * 100)).toFixed(3)}%`;

/** MULTIPLE_FACES: the photo with a tappable frame on each face; "就是我" sends the chosen index. */
export function FaceChooser({ src, width, height, boxes, onChoose }: Props) {
  const [chosen, setChosen] = useState<number | undefined>(undefined);
  return (
    <View className='face-chooser'>
      <Text className='face-chooser__hint'>照片里有好几张脸，点一下你自己</Text>
      <View className='face-chooser__photo' style={{ paddingTop: `${((height / width) * 100).toFixed(3)}%` }}>
        <Image className='face-chooser__img' src={src} mode='scaleToFill' />
        {boxes.map(([x, y, w, h], i) => (
          <View
            key={i}
            id={`face-${i}`}
            className={`face-chooser__box${chosen === i ? ' face-chooser__box--chosen' : ''}`}
            style={{ left: pct(x, width), top: pct(y, height), width: pct(w, width), height: pct(h, height) }}
            onClick={() => setChosen(i)}
          >
            <Text className='face-chooser__no'>{chosen === i ? '我' : String(i + 1)}</Text>
          </View>
        ))}
      </View>
      <Button
        id='face-confirm'
        className={`btn btn--primary${chosen === undefined ? ' btn--disabled' : ''}`}
        disabled={chosen === undefined}
        onClick={() => chosen !== undefined && onChoose(chosen)}
      >
        {chosen === undefined ? '先点选你的脸' : '就是我，开始画'}
      </Button>
    </View>
  );
}

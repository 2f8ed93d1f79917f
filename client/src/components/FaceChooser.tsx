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

/**
 * Smallest tap target, as a fraction of the photo's width: a 40 px face in a group photo is ≈ 2 %
 * of it, a few screen pixels. Smaller boxes grow about their centre to this size (the analysis
 * finds faces down to ≈ 40 px, docs/face-analysis.md).
 */
export const MIN_TAP_FRACTION = 0.1;

/** The frame drawn and tapped for a face box: the box, grown about its centre to the minimum tap size. */
export function tapFrame([x, y, w, h]: Box, width: number): Box {
  const min = MIN_TAP_FRACTION * width;
  const tw = Math.max(w, min), th = Math.max(h, min);
  return [x + w / 2 - tw / 2, y + h / 2 - th / 2, tw, th];
}

/**
 * MULTIPLE_FACES: the photo with a tappable frame on each face, numbered in the order the server
 * lists them (left to right); "就是我" sends the chosen index.
 */
export function FaceChooser({ src, width, height, boxes, onChoose }: Props) {
  const [chosen, setChosen] = useState<number | undefined>(undefined);
  return (
    <View className='face-chooser'>
      <Text className='face-chooser__hint'>照片里有好几张脸，点一下你自己</Text>
      <View className='face-chooser__photo' style={{ paddingTop: `${((height / width) * 100).toFixed(3)}%` }}>
        <Image className='face-chooser__img' src={src} mode='scaleToFill' />
        {boxes.map((box, i) => tapFrame(box, width)).map(([x, y, w, h], i) => (
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

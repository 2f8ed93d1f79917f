import { View, Text } from '@tarojs/components';
import type { StoryCard } from '../services/campaign';
import './StoryGrid.scss';

interface Props {
  stories: StoryCard[];
  selectedId?: string;
  onSelect: (id: string) => void;
}

/** The eight story cards, two per row; a tap selects a story. */
export function StoryGrid({ stories, selectedId, onSelect }: Props) {
  return (
    <View className='story-grid'>
      {stories.map((story, index) => (
        <View
          key={story.id}
          id={`story-${story.id}`}
          className={`story-card${story.id === selectedId ? ' story-card--selected' : ''}`}
          data-story={story.id}
          onClick={() => onSelect(story.id)}
        >
          <View className='story-card__head'>
            <Text className='story-card__char'>{story.char}</Text>
            <Text className='story-card__no'>{`第${index + 1}话 · ${story.year}`}</Text>
          </View>
          <Text className='story-card__title'>{story.title}</Text>
          <Text className='story-card__blurb'>{story.blurb}</Text>
        </View>
      ))}
    </View>
  );
}

import campaign from '../../templates/campaign.json';

/** The campaign's stories, in order (ids and titles; the engine owns frames and slots). */
export interface StoryInfo {
  id: string;
  title: string;
  char: string;
}

export const STORIES: StoryInfo[] = campaign.stories.map(({ id, title, char }) => ({ id, title, char }));

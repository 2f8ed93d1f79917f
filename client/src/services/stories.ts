/** Story texts for the client: titles and blurbs from campaign.json, frame captions from each story.json. */
import campaignJson from '../../../templates/campaign.json';
import chuang from '../../../templates/stories/chuang/story.json';
import kuai from '../../../templates/stories/kuai/story.json';
import chao from '../../../templates/stories/chao/story.json';
import chuangxin from '../../../templates/stories/chuangxin/story.json';
import pin from '../../../templates/stories/pin/story.json';
import xin from '../../../templates/stories/xin/story.json';
import rong from '../../../templates/stories/rong/story.json';
import mei from '../../../templates/stories/mei/story.json';

const manifests: Record<string, { frames: Array<{ caption?: string }>; poster?: { width: number; height: number } }> = { chuang, kuai, chao, chuangxin, pin, xin, rong, mei };

export interface StoryInfo {
  id: string;
  char: string;
  title: string;
  year: string;
  blurb: string;
  shareTitle: string;
  captions: string[];
}

export const STORIES: StoryInfo[] = campaignJson.stories.map((s) => ({
  id: s.id,
  char: s.char,
  title: s.title,
  year: s.year,
  blurb: s.blurb,
  shareTitle: s.shareTitle,
  captions: (manifests[s.id]?.frames ?? []).map((f) => f.caption ?? ''),
}));

export const storyInfo = (id: string | undefined): StoryInfo | undefined => STORIES.find((s) => s.id === id);

export const SHARE = campaignJson.share;

/** Poster height / width of a story (the layout in its story.json). */
export const posterRatio = (id: string | undefined): number => {
  const p = id ? manifests[id]?.poster : undefined;
  return p && p.width > 0 ? p.height / p.width : 2344 / 1080;
};

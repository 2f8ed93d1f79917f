/** The campaign as the client sees it: read from templates/campaign.json at build time. */
import campaignJson from '../../../templates/campaign.json';

export interface StoryCard {
  id: string;
  char: string;
  title: string;
  year: string;
  blurb: string;
}

export interface Campaign {
  title: string;
  subtitle: string;
  aiLabel: string;
  stories: StoryCard[];
}

export const campaign: Campaign = {
  title: campaignJson.title,
  subtitle: campaignJson.subtitle,
  aiLabel: campaignJson.aiLabel,
  stories: campaignJson.stories.map(({ id, char, title, year, blurb }) => ({ id, char, title, year, blurb })),
};

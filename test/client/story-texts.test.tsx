/**
 * The client reads the story texts at build time (client/src/services/stories.ts imports
 * campaign.json and each story.json): every campaign story must come with its frame captions, so a
 * story added to campaign.json without its import there fails here instead of showing no captions.
 */
import fs from 'node:fs';
import path from 'node:path';
import campaign from '../../templates/campaign.json';
import { STORIES } from '../../client/src/services/stories';

describe('story texts in the client', () => {
  it('has every campaign story, in order, with the captions of its story.json', () => {
    expect(STORIES.map((s) => s.id)).toEqual(campaign.stories.map((s) => s.id));
    for (const s of STORIES) {
      const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'templates', 'stories', s.id, 'story.json'), 'utf8')) as { frames: Array<{ caption?: string }> };
      expect([s.id, s.captions]).toEqual([s.id, manifest.frames.map((f) => f.caption ?? '')]);
      expect(s.captions.every((c) => c.length > 0)).toBe(true);
    }
  });
});

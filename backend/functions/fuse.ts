import { fuseStory, type StoryResult } from '../domain/stories';
import { ID_PATTERN, int, str } from '../domain/validate';
import { callerOf, type FnDefinition } from './types';

/**
 * `fuse { requestId, photoId, story, faceIndex?, shape?, features?, caption? }`: one story per call,
 * so the client shows each story as soon as it is ready; the same request id and story return the
 * same result.
 */
export const fuse: FnDefinition<StoryResult> = {
  name: 'fuse',
  allowAnonymous: false,
  async run(event, ctx) {
    return fuseStory(ctx.ports, ctx.services.engine(), ctx.services.queue, ctx.services.settings, callerOf(ctx).userId, {
      requestId: str(event, 'requestId', { pattern: ID_PATTERN })!,
      photoId: str(event, 'photoId', { pattern: ID_PATTERN })!,
      storyId: str(event, 'story', { pattern: /^[a-z0-9-]{1,40}$/ })!,
      faceIndex: int(event, 'faceIndex', 0, 5),
      shape: int(event, 'shape', 0, 100),
      features: int(event, 'features', 0, 100),
      caption: str(event, 'caption', { optional: true, max: 24, drawable: true }),
    });
  },
};

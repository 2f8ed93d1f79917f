import { listStories, shareStory, viewShared as viewSharedStory, type StoryResult } from '../domain/stories';
import { str } from '../domain/validate';
import { callerOf, type FnDefinition } from './types';

/** `stories`: the caller's finished stories with temporary URLs. */
export const stories: FnDefinition<{ stories: StoryResult[] }> = {
  name: 'stories',
  allowAnonymous: false,
  run: async (_event, ctx) => ({ stories: await listStories(ctx.ports, callerOf(ctx).userId) }),
};

/** `share { story }`: makes that poster reachable by an unguessable token; returns token and scene. */
export const share: FnDefinition<Awaited<ReturnType<typeof shareStory>>> = {
  name: 'share',
  allowAnonymous: false,
  run: async (event, ctx) => shareStory(ctx.ports, callerOf(ctx).userId, str(event, 'story', { pattern: /^[a-z0-9-]{1,40}$/ })!),
};

/** `viewShared { token }`: a shared poster, for anyone (no login in Moments' single-page mode). */
export const viewShared: FnDefinition<Awaited<ReturnType<typeof viewSharedStory>>> = {
  name: 'viewShared',
  allowAnonymous: true,
  run: async (event, ctx) => viewSharedStory(ctx.ports, str(event, 'token', { pattern: /^[A-Za-z0-9_-]{22}$/ })!),
};

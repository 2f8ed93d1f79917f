import { analyzeUpload, type AnalyzeOutcome } from '../domain/photos';
import { ID_PATTERN, str } from '../domain/validate';
import { callerOf, type FnDefinition } from './types';

/** `analyze { uploadId, fileId }`: moderation, face analysis and checks; the original is deleted. */
export const analyze: FnDefinition<AnalyzeOutcome> = {
  name: 'analyze',
  allowAnonymous: false,
  async run(event, ctx) {
    const uploadId = str(event, 'uploadId', { pattern: ID_PATTERN })!;
    const fileId = str(event, 'fileId', { max: 512 })!;
    return analyzeUpload(ctx.ports, ctx.services.engine(), ctx.services.settings, callerOf(ctx).userId, { uploadId, fileId, envPrefix: ctx.services.envPrefix });
  },
};

import { prepareUpload } from '../domain/photos';
import { callerOf, type FnDefinition } from './types';

/** `prepareUpload`: where the client may upload its photo (a path under the caller's own prefix). */
export const prepareUploadFn: FnDefinition<{ uploadId: string; cloudPath: string }> = {
  name: 'prepareUpload',
  allowAnonymous: false,
  run: async (_event, ctx) => prepareUpload(ctx.ports, ctx.services.settings, callerOf(ctx).userId),
};

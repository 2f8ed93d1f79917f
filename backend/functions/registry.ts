import { analyze } from './analyze';
import { consent } from './consent';
import { fuse } from './fuse';
import { login } from './login';
import { deleteMyData, sweeper } from './retention';
import { share, stories, viewShared } from './stories';
import type { FnDefinition } from './types';
import { prepareUploadFn } from './upload';

/** Every cloud function by name; the local runtime serves exactly these. */
export const functions: Record<string, FnDefinition<any>> = Object.fromEntries(
  [login, consent, prepareUploadFn, analyze, fuse, stories, share, viewShared, deleteMyData, sweeper].map((f) => [f.name, f]),
);

import { login } from './login';
import type { FnDefinition } from './types';

/** Every cloud function by name; the local runtime serves exactly these. */
export const functions: Record<string, FnDefinition<any>> = {
  [login.name]: login,
};

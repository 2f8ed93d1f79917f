import { AppError } from '../../engine/errors';
import type { FnDefinition } from './types';

export interface LoginResult {
  userId: string;
  platform: 'wechat' | 'local';
  isNew: boolean;
}

/** Returns the caller's identity as the platform established it; records first sight. */
export const login: FnDefinition<LoginResult> = {
  name: 'login',
  allowAnonymous: false,
  async run(_event, { caller, ports }) {
    if (!caller) throw new AppError('FORBIDDEN', { reason: 'no platform identity' });
    const { user, isNew } = await ports.users.touch(caller, ports.clock.now());
    return { userId: user.userId, platform: user.platform, isNew };
  },
};

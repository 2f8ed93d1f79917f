import { AppError } from '../../engine/core/errors';
import { recordFirstTouch } from '../domain/attribution';
import { str } from '../domain/validate';
import type { FnDefinition } from './types';

export interface LoginResult {
  userId: string;
  platform: 'wechat' | 'local';
  isNew: boolean;
}

/**
 * Returns the caller's identity as the platform established it; records first sight and, with
 * `source` (the share token of the poster or link that brought them), the attribution.
 */
export const login: FnDefinition<LoginResult> = {
  name: 'login',
  allowAnonymous: false,
  async run(event, { caller, ports }) {
    if (!caller) throw new AppError('FORBIDDEN', { reason: 'no platform identity' });
    const source = str(event, 'source', { optional: true, pattern: /^[A-Za-z0-9_-]{22}$/ });
    const { user, isNew } = await ports.users.touch(caller, ports.clock.now());
    if (source) await recordFirstTouch(ports, user.userId, source);
    return { userId: user.userId, platform: user.platform, isNew };
  },
};

import { AppError } from '../../engine/core/errors';
import { CONSENT_VERSION, currentConsent, recordConsent, type AgeGroup } from '../domain/consent';
import { str } from '../domain/validate';
import { callerOf, type FnDefinition } from './types';

export interface ConsentResult {
  version: string;
  agreed: boolean;
  ageGroup?: AgeGroup;
  agreedAt?: number;
}

/**
 * `consent`: `{ action: 'get' }` tells whether the current version is agreed; `{ action: 'agree',
 * version, ageGroup: 'adult' | 'guardian' }` records who agreed to which version, when.
 */
export const consent: FnDefinition<ConsentResult> = {
  name: 'consent',
  allowAnonymous: false,
  async run(event, ctx) {
    const { userId } = callerOf(ctx);
    const action = str(event, 'action', { optional: true, pattern: /^(get|agree)$/ }) ?? 'get';
    if (action === 'agree') {
      const version = str(event, 'version', { max: 40 })!;
      const ageGroup = str(event, 'ageGroup', { pattern: /^(adult|guardian)$/ }) as AgeGroup;
      if (event.agree !== true) throw new AppError('INVALID_ARGUMENT', { reason: 'agree must be true', details: { field: 'agree' } });
      const doc = await recordConsent(ctx.ports, userId, version, ageGroup);
      return { version: doc.version, agreed: true, ageGroup: doc.ageGroup, agreedAt: doc.agreedAt };
    }
    const doc = await currentConsent(ctx.ports, userId);
    return doc ? { version: doc.version, agreed: true, ageGroup: doc.ageGroup, agreedAt: doc.agreedAt } : { version: CONSENT_VERSION, agreed: false };
  },
};

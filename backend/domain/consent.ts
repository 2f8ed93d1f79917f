import campaign from '../../templates/campaign.json';
import { AppError } from '../../engine/core/errors';
import type { Doc, Ports } from '../ports';

/** The consent text's version; changing the text means a new version and a new consent. */
export const CONSENT_VERSION: string = campaign.consentVersion;

/** `adult`: 14 or older. `guardian`: under 14, with a guardian's consent given together. */
export type AgeGroup = 'adult' | 'guardian';

export interface ConsentDoc extends Doc {
  version: string;
  ageGroup: AgeGroup;
  agreedAt: number;
}

const consentId = (userId: string, version: string) => `${userId}:${version}`;

export async function recordConsent(ports: Ports, userId: string, version: string, ageGroup: AgeGroup): Promise<ConsentDoc> {
  if (version !== CONSENT_VERSION) {
    // The client showed an old text: it must show the current one again.
    throw new AppError('CONSENT_REQUIRED', { reason: 'outdated consent version', details: { currentVersion: CONSENT_VERSION } });
  }
  const now = ports.clock.now();
  const doc: ConsentDoc = { _id: consentId(userId, version), owner: userId, createdAt: now, version, ageGroup, agreedAt: now };
  await ports.docs.put('consents', doc);
  return doc;
}

export async function currentConsent(ports: Ports, userId: string): Promise<ConsentDoc | undefined> {
  return ports.docs.get<ConsentDoc>('consents', consentId(userId, CONSENT_VERSION));
}

/** No analysis or fusion without a recorded consent of the current version. */
export async function requireConsent(ports: Ports, userId: string): Promise<void> {
  if (!(await currentConsent(ports, userId))) {
    throw new AppError('CONSENT_REQUIRED', { details: { currentVersion: CONSENT_VERSION } });
  }
}

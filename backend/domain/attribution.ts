import type { Doc, Ports } from '../ports';
import type { ShareDoc } from './stories';

/**
 * Which share brought a visitor: first touch wins. Stored as the visitor's own row (deleted with
 * their data); it names the share token and story, never the sharer.
 */
export interface VisitDoc extends Doc {
  sourceToken: string;
  storyId: string;
}

export async function recordFirstTouch(ports: Ports, userId: string, token: string): Promise<boolean> {
  const share = await ports.docs.get<ShareDoc>('shares', token);
  if (!share || !share.active || share.owner === userId) return false; // unknown, private, or one's own
  return ports.docs.create<VisitDoc>('visits', { _id: userId, owner: userId, createdAt: ports.clock.now(), sourceToken: token, storyId: share.storyId });
}

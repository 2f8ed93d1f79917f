import type { Caller, UserRecord, UserRepository } from '../../ports';
import type { WxDatabase } from './sdk';

const COLLECTION = 'users';

const isNotFound = (err: unknown) => /not exist|cannot find|does not exist/i.test(String((err as Error)?.message ?? err));

/** Users in the cloud database, one document per user keyed by the opaque user id. */
export function wechatUserRepository(db: WxDatabase): UserRepository {
  const users = () => db.collection(COLLECTION);
  const get = async (userId: string): Promise<UserRecord | undefined> => {
    try {
      const { data } = await users().doc(userId).get();
      return { userId, platform: 'wechat', createdAt: data.createdAt, lastSeenAt: data.lastSeenAt };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  return {
    async touch(caller: Caller, now: number) {
      const existing = await get(caller.userId);
      if (existing) {
        await users().doc(caller.userId).update({ data: { lastSeenAt: now } });
        return { user: { ...existing, lastSeenAt: now }, isNew: false };
      }
      const user: UserRecord = { userId: caller.userId, platform: 'wechat', createdAt: now, lastSeenAt: now };
      await users().doc(caller.userId).set({ data: { createdAt: now, lastSeenAt: now } });
      return { user, isNew: true };
    },
    get,
    async delete(userId) {
      try {
        await users().doc(userId).remove();
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

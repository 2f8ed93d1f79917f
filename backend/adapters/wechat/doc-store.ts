import type { CollectionName, Doc, DocStore } from '../../ports';
import type { WxDatabase } from './sdk';

/** The cloud database returns at most 100 documents per query from a cloud function. */
const PAGE = 100;

const isDuplicate = (err: unknown) => /duplicate|E11000|-502001/i.test(String((err as Error)?.message ?? err));
const isNotFound = (err: unknown) => /not exist|cannot find|does not exist/i.test(String((err as Error)?.message ?? err));

/** Domain documents as cloud database documents: one collection per name, `_id` as the key. */
export function wechatDocStore(db: WxDatabase): DocStore {
  const strip = <T extends Doc>(doc: T) => {
    const { _id, ...rest } = doc;
    return rest;
  };
  const all = async <T>(query: import('./sdk').WxQuery, limit = Infinity): Promise<T[]> => {
    const out: T[] = [];
    for (let skip = 0; out.length < limit; skip += PAGE) {
      const { data } = await query.skip(skip).limit(Math.min(PAGE, limit - out.length)).get();
      out.push(...(data as T[]));
      if (data.length < PAGE) break;
    }
    return out;
  };
  return {
    async get(c, id) {
      try {
        return (await db.collection(c).doc(id).get()).data as any;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(c, doc) {
      try {
        await db.collection(c).add({ data: { ...doc } });
        return true;
      } catch (err) {
        if (isDuplicate(err)) return false;
        throw err;
      }
    },
    async put(c, doc) {
      await db.collection(c).doc(doc._id).set({ data: strip(doc) });
    },
    async delete(c, id) {
      try {
        await db.collection(c).doc(id).remove();
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async findByOwner(c, owner) {
      return all(db.collection(c).where({ owner }).orderBy('createdAt', 'asc'));
    },
    async findExpired(c, now, limit) {
      return all(db.collection(c).where({ expiresAt: db.command.lte(now) }).orderBy('expiresAt', 'asc'), limit);
    },
    async findCreatedBefore(c, before, limit) {
      return all(db.collection(c).where({ createdAt: db.command.lt(before) }).orderBy('createdAt', 'asc'), limit);
    },
  };
}

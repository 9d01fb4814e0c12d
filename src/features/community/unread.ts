import type { Em } from '../../db/orm.ts';
import { onLive, processCaches, publishLive, TaggedCache } from '../../db/process-cache.ts';
import type { PortalUser } from '../../entities/index.ts';
import { unreadCount } from './service.ts';

/**
 * The navigation's unread count, kept per process for a short time so that a portal page
 * costs no extra statement (test/integration/statement-count.test.ts). It is evicted where it
 * changes, in every process, through the live messages (src/db/process-cache.ts): a message
 * to the user (./service.ts sendMessage names the recipient) and the user reading
 * (markedRead below). Like the other caches it answers nothing while the process does not
 * hear the others (the LISTEN connection is down).
 */
const TTL_MS = 30_000;
const MAX_ENTRIES = 20_000;

type UnreadLive = { kind: 'unread-changed'; userId: string };

const caches = new WeakMap<object, TaggedCache<number>>();

function cacheOf(em: Em): TaggedCache<number> {
  let cache = caches.get(em.config);
  if (!cache) {
    const shared = processCaches(em);
    const created = new TaggedCache<number>(MAX_ENTRIES, TTL_MS, () => shared.hearing);
    onLive(em, (payload) => {
      try {
        const message = JSON.parse(payload) as { kind?: string; userId?: string; recipientId?: string };
        const user = message.kind === 'unread-changed' ? message.userId : message.kind === 'direct-message' ? message.recipientId : undefined;
        if (user) created.evict([user]);
      } catch {
        // Not a message of ours.
      }
    });
    caches.set(em.config, created);
    cache = created;
  }
  return cache;
}

/** The unread messages of the user in a property (at most 100 counted), cached per process. */
export async function cachedUnreadCount(em: Em, user: PortalUser, propertyId: string): Promise<number> {
  const cache = cacheOf(em);
  const key = `${user.id}:${propertyId}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const generation = cache.generation;
  const count = await unreadCount(em, user, propertyId);
  cache.set(key, count, [user.id], generation);
  return count;
}

/**
 * The user's count changed in this process (a message to them, their reading): gone here at
 * once; the live message that follows tells every other process.
 */
export function unreadChangedHere(em: Em, userId: string) {
  cacheOf(em).evict([userId]);
}

/** The user read messages: their count changes here at once and in every other process. */
export async function markedRead(em: Em, userId: string) {
  unreadChangedHere(em, userId);
  const message: UnreadLive = { kind: 'unread-changed', userId };
  await publishLive(em, JSON.stringify(message));
}

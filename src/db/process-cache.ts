import type { Configuration } from '@mikro-orm/core';
import pg from 'pg';
import { log } from '../log.ts';
import { isEmbedded, type Em, type Orm } from './orm.ts';

/**
 * Caches held in this process's memory for answers every request needs (the session of a
 * cookie, a portal user's access), kept coherent across processes and machines by
 * PostgreSQL LISTEN/NOTIFY: whoever changes what a cache holds calls `invalidate`, which
 * evicts here at once and sends a NOTIFY on the same connection (inside a transaction it
 * is delivered at commit, and dropped on rollback). Every process LISTENs and evicts what
 * the message names, its own messages included, so an answer cached between the local
 * eviction and the commit goes too.
 *
 * A process that is not listening (not yet connected, or the connection dropped) cannot
 * hear evictions, so its caches answer nothing and every lookup goes to the database;
 * on reconnecting it starts empty. The embedded database (PGlite) lives in one process
 * only: eviction there is local, nothing to hear.
 */
export type CacheName = 'access' | 'sessions';

const CHANNEL = 'hausportal_cache';
/** Live updates for open pages (Direktnachrichten over SSE, src/features/community/live.ts) share the LISTEN connection. */
const LIVE_CHANNEL = 'hausportal_live';
/** NOTIFY payloads are limited to 8000 bytes; a longer list of tags evicts the whole cache. */
const MAX_PAYLOAD = 7000;
const RECONNECT_MS = 1000;

type Entry<V> = { value: V; expiresAt: number; tags: string[] };

/**
 * A bounded map whose entries expire after `ttlMs` and can be evicted by tag. When full,
 * the entry stored longest ago goes first.
 */
export class TaggedCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly keysByTag = new Map<string, Set<string>>();
  /**
   * Bumped by every eviction. A load reads it before asking the database and stores its
   * answer only if it is unchanged: an answer read before a change must not outlive it.
   */
  generation = 0;

  readonly maxEntries: number;
  readonly ttlMs: number;
  private readonly usable: () => boolean;

  constructor(maxEntries: number, ttlMs: number, usable: () => boolean) {
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
    this.usable = usable;
  }

  get size() {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    if (!this.usable()) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= performance.now()) {
      this.remove(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, tags: string[], generation: number) {
    if (!this.usable() || generation !== this.generation) return;
    this.remove(key);
    while (this.entries.size >= this.maxEntries) this.remove(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expiresAt: performance.now() + this.ttlMs, tags });
    for (const tag of tags) {
      const keys = this.keysByTag.get(tag) ?? new Set<string>();
      keys.add(key);
      this.keysByTag.set(tag, keys);
    }
  }

  evict(tags: string[]) {
    this.generation++;
    for (const tag of tags) for (const key of [...(this.keysByTag.get(tag) ?? [])]) this.remove(key);
  }

  clear() {
    this.generation++;
    this.entries.clear();
    this.keysByTag.clear();
  }

  private remove(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }
}

type Message = { cache: CacheName; tags: string[] | 'all' };

const LIMITS: Record<CacheName, { maxEntries: number; ttlMs: number }> = {
  access: { maxEntries: 20_000, ttlMs: 30_000 },
  sessions: { maxEntries: 20_000, ttlMs: 60_000 },
};

/** The caches of one ORM (one database) in this process, and its LISTEN connection. */
class ProcessCaches {
  readonly caches: Record<CacheName, TaggedCache<unknown>>;
  /** Who hears live messages in this process (publishLive); their payload as sent. */
  readonly liveHandlers = new Set<(payload: string) => void>();
  /** True while evictions from other processes reach this one (always on the embedded database). */
  hearing: boolean;
  private listener: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private started = false;

  readonly embedded: boolean;
  private readonly connectionString: string | undefined;

  constructor(embedded: boolean, connectionString: string | undefined) {
    this.embedded = embedded;
    this.connectionString = connectionString;
    this.hearing = embedded;
    const usable = () => this.hearing;
    this.caches = {
      access: new TaggedCache(LIMITS.access.maxEntries, LIMITS.access.ttlMs, usable),
      sessions: new TaggedCache(LIMITS.sessions.maxEntries, LIMITS.sessions.ttlMs, usable),
    };
  }

  apply(message: Message) {
    const cache = this.caches[message.cache];
    if (!cache) return;
    if (message.tags === 'all') cache.clear();
    else cache.evict(message.tags);
  }

  /** Starts listening (once per ORM, however many apps share it); resolves when the first attempt ended. */
  async listen(): Promise<void> {
    if (this.embedded || this.started) return;
    this.started = true;
    await this.connect();
  }

  private async connect() {
    if (this.closed || !this.connectionString) return;
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'hausportal-cache-listener' });
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.deaf();
      if (!this.closed) {
        if (error) log.warn(`cache listener lost its connection, caches off until it is back: ${error.message}`);
        this.retry = setTimeout(() => void this.connect(), RECONNECT_MS);
      }
      client.end().catch(() => {});
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (notification) => {
      if (notification.channel === LIVE_CHANNEL && notification.payload) return this.hearLive(notification.payload);
      if (notification.channel !== CHANNEL || !notification.payload) return;
      try {
        this.apply(JSON.parse(notification.payload) as Message);
      } catch {
        // Not ours: ignore.
      }
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      await client.query(`listen ${LIVE_CHANNEL}`);
      if (this.listener !== client) return;
      // Whatever changed while nobody listened is unknown: start empty.
      for (const cache of Object.values(this.caches)) cache.clear();
      this.hearing = true;
    } catch (error) {
      lost(error as Error);
    }
  }

  hearLive(payload: string) {
    for (const handler of this.liveHandlers) {
      try {
        handler(payload);
      } catch (error) {
        log.warn(`live handler failed: ${(error as Error).message}`);
      }
    }
  }

  private deaf() {
    this.hearing = false;
    for (const cache of Object.values(this.caches)) cache.clear();
  }

  /** Ends listening for every app on this ORM: whoever closes the ORM calls it first. */
  async close() {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.listener;
    this.listener = undefined;
    this.hearing = this.embedded;
    await client?.end().catch(() => {});
  }
}

const registry = new WeakMap<object, ProcessCaches>();

function connectionStringOf(orm: Orm | Em): string | undefined {
  const config: Configuration = orm.config;
  return config.get('clientUrl') ?? undefined;
}

/** The caches of the database this ORM or EntityManager talks to (forks share them). */
export function processCaches(orm: Orm | Em): ProcessCaches {
  const key = orm.config;
  const known = registry.get(key);
  if (known) return known;
  const caches = new ProcessCaches(isEmbedded(orm), connectionStringOf(orm));
  registry.set(key, caches);
  return caches;
}

/** One named cache of the database `em` talks to. */
export function processCache<V>(em: Orm | Em, name: CacheName): TaggedCache<V> {
  return processCaches(em).caches[name] as TaggedCache<V>;
}

/**
 * Evicts entries carrying any of `tags` (or all) from the named cache in every process:
 * here at once, elsewhere through NOTIFY on `em`'s connection (at commit when `em` is in a
 * transaction). Call it after the change is written (flushed).
 */
export async function invalidate(em: Em, cache: CacheName, tags: string[] | 'all'): Promise<void> {
  if (tags !== 'all' && tags.length === 0) return;
  const caches = processCaches(em);
  let message: Message = { cache, tags };
  if (JSON.stringify(message).length > MAX_PAYLOAD) message = { cache, tags: 'all' };
  caches.apply(message);
  if (caches.embedded) return;
  await em.execute('select pg_notify(?, ?)', [CHANNEL, JSON.stringify(message)]);
}

/**
 * Hears every live message published in any process on this database (payloads of at most
 * ~7,000 bytes; NOTIFY's limit is 8,000). Returns the function that stops hearing. A process
 * that is not listening at the moment misses them: live updates are a convenience, a reload
 * shows the same from the database.
 */
export function onLive(orm: Orm | Em, handler: (payload: string) => void): () => void {
  const caches = processCaches(orm);
  caches.liveHandlers.add(handler);
  return () => caches.liveHandlers.delete(handler);
}

/**
 * Sends a live message to every process: on PostgreSQL through NOTIFY on `em`'s connection
 * (delivered at commit inside a transaction, dropped on rollback), on the embedded database
 * (one process) straight to this process's handlers — call it after the commit there.
 */
export async function publishLive(em: Em, payload: string): Promise<void> {
  if (payload.length > MAX_PAYLOAD) throw new Error('live payload too long');
  const caches = processCaches(em);
  if (caches.embedded) {
    queueMicrotask(() => caches.hearLive(payload));
    return;
  }
  await em.execute('select pg_notify(?, ?)', [LIVE_CHANNEL, payload]);
}

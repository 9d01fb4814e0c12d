import { CompiledQuery, type Kysely } from 'kysely';
import type { Em } from './orm.ts';

/*
 * PostgreSQL advisory locks keyed by a name (hashtext), each held on a pool connection of
 * its own: the lock is session-level, so it stays held across the transactions the task
 * runs on other connections (the migrator's, the seed's, a job's), and it is released in
 * `finally`, or by PostgreSQL when the connection dies with the process.
 *
 * Not for the embedded database: its single connection would be taken by the lock and the
 * task would wait for it forever. It needs none across processes either, since only one
 * process can open its directory (src/scheduler/lock.ts keeps its in-process guard there).
 */

const unlock = <DB>(connection: Kysely<DB>, key: string) => connection.executeQuery(CompiledQuery.raw('select pg_advisory_unlock(hashtext($1))', [key]));

/** Waits until no other session holds the lock `key`, then runs `task` while holding it. */
export async function whileHoldingAdvisoryLock<T>(em: Em, key: string, task: () => Promise<T>): Promise<T> {
  return em
    .getKysely()
    .connection()
    .execute(async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('select pg_advisory_lock(hashtext($1))', [key]));
      try {
        return await task();
      } finally {
        await unlock(connection, key);
      }
    });
}

/** Runs `task` holding the lock `key` if no other session holds it; returns whether it ran. */
export async function ifAdvisoryLockFree(em: Em, key: string, task: () => Promise<void>): Promise<boolean> {
  return em
    .getKysely()
    .connection()
    .execute(async (connection) => {
      const result = await connection.executeQuery<{ locked: boolean }>(CompiledQuery.raw('select pg_try_advisory_lock(hashtext($1)) as locked', [key]));
      if (!result.rows[0]?.locked) return false;
      try {
        await task();
      } finally {
        await unlock(connection, key);
      }
      return true;
    });
}

/** The runs under way in this process per key (the embedded database's stand-in for the lock). */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `task` when no other run with the same key is under way, in any process: later
 * callers wait their turn. On PostgreSQL an advisory lock; on the embedded database (one
 * process, one connection, see the top) a queue per key in this process.
 */
export async function oneAtATime<T>(em: Em, key: string, task: () => Promise<T>, embedded: boolean): Promise<T> {
  if (!embedded) return whileHoldingAdvisoryLock(em, key, task);
  const before = queues.get(key) ?? Promise.resolve();
  const run = before.then(task, task);
  const settled = run.catch(() => undefined);
  queues.set(key, settled);
  try {
    return await run;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}

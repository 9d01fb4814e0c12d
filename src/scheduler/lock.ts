import { ifAdvisoryLockFree } from '../db/advisory-lock.ts';
import { isEmbedded, type Em, type Orm } from '../db/orm.ts';

const runningHere = new Set<string>();

/**
 * Runs `task` only if no other run of the same job is under way, here or in another
 * server instance: a PostgreSQL advisory lock keyed by the job name, held on a connection
 * of its own for the duration. Returns false when the job was skipped.
 *
 * The embedded database has one connection and belongs to one process, so there the lock
 * is taken on that connection (it cannot be held by anyone else) and the in-process guard
 * does the real work; holding a second connection would deadlock it.
 */
export async function withAdvisoryLock(orm: Orm, name: string, task: (em: Em) => Promise<void>): Promise<boolean> {
  if (runningHere.has(name)) return false;
  runningHere.add(name);
  const key = `hausportal:job:${name}`;
  const em = orm.em.fork() as Em;
  try {
    if (isEmbedded(orm)) {
      const [{ locked }] = await em.execute<{ locked: boolean }[]>('select pg_try_advisory_lock(hashtext(?)) as locked', [key]);
      if (!locked) return false;
      try {
        await task(em);
      } finally {
        await em.execute('select pg_advisory_unlock(hashtext(?))', [key]);
      }
      return true;
    }
    return await ifAdvisoryLockFree(em, key, () => task(em));
  } finally {
    runningHere.delete(name);
  }
}

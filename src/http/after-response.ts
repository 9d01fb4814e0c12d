import type { Response } from 'express';
import type { Em, Orm } from '../db/orm.ts';
import { log } from '../log.ts';

/**
 * Work a handler leaves for after its response has been sent, so that neither the answer
 * nor the time it takes can depend on that work (the password reset must not tell whether
 * an address has an account). Each piece runs with its own EntityManager; an error is
 * logged and goes no further, never failing the process. One per app; `settled()` waits
 * for everything scheduled so far (the shutdown, the tests).
 */
export class AfterResponse {
  private readonly orm: Orm;
  private readonly pending = new Set<Promise<void>>();

  constructor(orm: Orm) {
    this.orm = orm;
  }

  /** Runs `work` once `res` is done: sent, or its connection gone (the request still counts). */
  schedule(res: Response, label: string, work: (em: Em) => Promise<void>): void {
    const responded = new Promise<void>((resolve) => res.once('close', resolve));
    const done = responded.then(() => work(this.orm.em.fork() as Em)).catch((error: unknown) => log.error(`${label} (after the response) failed`, error));
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Resolves when all scheduled work has ended, including work scheduled meanwhile. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }
}

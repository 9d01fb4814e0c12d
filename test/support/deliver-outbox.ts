/**
 * One run of the mail-outbox job in a process of its own, as a server instance runs it:
 * the outbox of DATABASE_URL goes to SMTP_URL through the pooled transport, under the job's
 * advisory lock. test/integration/outbox.test.ts kills it with SIGKILL in the middle of a
 * run and starts it again. Waits for the lock while another session (a killed run whose
 * connection PostgreSQL has not closed yet) still holds it; prints the result as JSON.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { openOrm } from '../../src/db/orm.ts';
import { createMailTransport } from '../../src/features/mail/transport.ts';
import { withAdvisoryLock } from '../../src/scheduler/lock.ts';
import { TASKS } from '../../src/scheduler/tasks.ts';

const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: process.env.DATABASE_URL, SMTP_URL: process.env.SMTP_URL, JOBS: 'off', LOG_LEVEL: 'error' });
const orm = await openOrm({ kind: 'postgres', url: config.databaseUrl! });
const transport = createMailTransport(config);
try {
  let result: unknown;
  for (let tries = 0; result === undefined; tries++) {
    if (tries === 100) throw new Error('the mail-outbox job lock stayed taken for 10 s');
    const ran = await withAdvisoryLock(orm, 'mail-outbox', async (em) => {
      result = await TASKS['mail-outbox'].run(em, { config, clock: systemClock, transport });
    });
    if (!ran) await sleep(100);
  }
  console.log(JSON.stringify(result));
} finally {
  transport.close?.();
  await orm.close();
}

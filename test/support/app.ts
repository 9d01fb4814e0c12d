import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import { inject } from 'vitest';
import { createApp } from '../../src/app.ts';
import { fixedClock, systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import type { Em } from '../../src/db/orm.ts';
import { onLive, processCaches, publishLive } from '../../src/db/process-cache.ts';
import { createMailTransport } from '../../src/features/mail/transport.ts';
import { runTask } from '../../src/scheduler/bree.ts';
import { Client } from './client.ts';
import { openTestDatabase } from './db.ts';
import { startSmtpReceiver } from './smtp.ts';
import { loadWorld } from './world.ts';

export type TestClock = ReturnType<typeof fixedClock>;

/**
 * One running Hausportal for a test file: its own seeded database, its own file storage
 * (a temporary STORAGE_DIR, removed on close), a real SMTP receiver, the real Express app
 * on a free port, and a clock the test controls.
 */
export async function startTestApp(
  options: {
    env?: Record<string, string>;
    clock?: TestClock;
    /** Sees the SQL of every statement the app's ORM sends (test/integration/query-count.test.ts). */
    onQuery?: (sql: string) => void;
  } = {},
) {
  const database = await openTestDatabase(inject('testDatabase'), inject('templateDatabase'), { onQuery: options.onQuery });
  const smtp = await startSmtpReceiver();
  const clock = options.clock ?? fixedClock(systemClock.now());
  // The app must know its own URL (links in mails, Origin check), known only after listen.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const storageDir = await mkdtemp(path.join(tmpdir(), 'hausportal-test-storage-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    BASE_URL: baseUrl,
    SMTP_URL: smtp.url,
    JOBS: 'off',
    LOG_LEVEL: 'error',
    STORAGE_DIR: storageDir,
    ...options.env,
  });
  const app = createApp({ orm: database.orm, config, clock });
  await app.cachesReady();
  server.on('request', app);
  const transport = createMailTransport(config);

  const orm = database.orm;
  const world = await loadWorld(orm.em.fork() as Em);
  return {
    baseUrl,
    app,
    orm,
    /** The test database's URL, to open a second "server instance" on it; undefined on the embedded database. */
    databaseUrl: database.url,
    config,
    /** Where this app keeps uploaded and generated files. */
    storageDir: config.storageDir,
    clock,
    smtp,
    world,
    /** A fresh EntityManager that sees every Verwaltung (for assertions only). */
    em: () => orm.em.fork({ disableTransactions: false }) as Em,
    client: () => new Client(baseUrl),
    /**
     * Empties the app's in-process caches (sessions, portal access: src/db/process-cache.ts), for a
     * test that writes behind the app's back with raw SQL; the app's own raw writers evict by
     * calling sessionsChanged / accessChanged, its ORM writes evict by themselves.
     */
    forgetCaches() {
      for (const cache of Object.values(processCaches(orm).caches)) cache.clear();
    },
    /**
     * Waits until this process has heard every cache eviction committed so far (its own
     * included: a login's flush evicts the session cache through NOTIFY, which may arrive after
     * the next request cached the session again). PostgreSQL delivers notifications in commit
     * order, so hearing a fresh live message of our own means every earlier one was applied.
     */
    async cachesCaughtUp() {
      // Not listening: the caches answer nothing, so no eviction can be pending.
      if (!processCaches(orm).hearing) return;
      const marker = `test-barrier-${crypto.randomUUID()}`;
      let stop = () => {};
      let timer: NodeJS.Timeout | undefined;
      const heard = new Promise<void>((resolve, reject) => {
        stop = onLive(orm, (payload) => payload === marker && resolve());
        timer = setTimeout(() => reject(new Error('the cache listener did not hear its own message within 3 s')), 3000);
      });
      try {
        await publishLive(orm.em.fork() as Em, marker);
        await heard;
      } finally {
        clearTimeout(timer);
        stop();
      }
    },
    /** Waits for the work the app does after its responses (src/http/after-response.ts), e.g. a password reset's mail. */
    settle: () => app.afterResponse.settled(),
    /**
     * Runs the real outbox job once, as the scheduler would, and returns what arrived. Waits for
     * the work after the responses first: the scheduler's next run comes long after it.
     */
    async deliverMail() {
      await app.afterResponse.settled();
      await runTask(orm, 'mail-outbox', { config, clock, transport });
      return smtp.messages;
    },
    /** Runs a scheduled task once, as the scheduler would (under its advisory lock); false when it was skipped. */
    runTask(name: string) {
      return runTask(orm, name, { config, clock, transport });
    },
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      app.closeLiveStreams();
      await closed;
      await app.pdfWorkers.close();
      await app.closeCaches();
      transport.close?.();
      await smtp.close();
      await database.drop();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

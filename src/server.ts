import cluster from 'node:cluster';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createApp } from './app.ts';
import { systemClock } from './clock.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { migrate, openOrm, type Orm } from './db/orm.ts';
import { DEMO_LOGINS, seedDemoIfEmpty } from './features/demo/seed.ts';
import { createMailTransport } from './features/mail/transport.ts';
import { log, setLogLevel } from './log.ts';
import { startScheduler } from './scheduler/bree.ts';
import { fileStorageFor } from './storage/configured.ts';

/** What a cluster worker sends its primary once it serves (WEB_CONCURRENCY > 1). */
const WORKER_READY = 'hausportal:worker-ready';

/** Opens the database named by the configuration and brings its schema up to date. */
async function openDatabase(config: Config): Promise<Orm> {
  if (!config.databaseUrl) await mkdir(config.dataDir, { recursive: true });
  const orm = await openOrm(config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'embedded', dataDir: `${config.dataDir}/pglite` }, {
    preparedStatements: config.preparedStatements,
  });
  await orm.em.fork().execute('select 1');
  await migrate(orm);
  return orm;
}

/** The one-line answer when the database cannot be opened or migrated. */
function databaseUnreachable(config: Config, error: unknown): never {
  const where = config.databaseUrl ? new URL(config.databaseUrl).host : `${config.dataDir}/pglite`;
  console.error(`Database not reachable or not migratable (${where}): ${(error as Error).message}`);
  process.exit(1);
}

function printWelcome(config: Config, seeded: boolean) {
  if (seeded || config.env !== 'production') {
    console.log(`\n  Verwalterkonsole: ${config.baseUrl}/verwaltung/anmelden`);
    console.log(`  Bewohnerportal:   ${config.baseUrl}/portal/anmelden`);
    if (config.env !== 'production') console.log(`  Dev-Postfach:     ${config.baseUrl}/dev/mails`);
    console.log('\n  Demo-Zugänge (Passwort jeweils "' + DEMO_LOGINS.password + '"):');
    for (const login of DEMO_LOGINS.accounts) console.log(`    ${login.area.padEnd(8)} ${login.email.padEnd(36)} ${login.who}`);
    console.log('');
  }
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  setLogLevel(config.logLevel);
  if (cluster.isPrimary && config.webConcurrency > 1) return supervise(config);

  let orm: Orm;
  try {
    orm = await openDatabase(config);
  } catch (error) {
    databaseUnreachable(config, error);
  }

  // The storage lets the demo keep an invitation letter PDF (src/features/invitations/demo.ts).
  const seeded = config.seedDemo ? await seedDemoIfEmpty(orm.em.fork(), new Date(), { storage: fileStorageFor(config), baseUrl: config.baseUrl }) : false;
  const transport = createMailTransport(config);
  const app = createApp({ orm, config, clock: systemClock });
  const server: Server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const scheduler = config.jobs ? await startScheduler(orm, { config, clock: systemClock, transport }) : undefined;

  if (cluster.isWorker) {
    // Ready means listening, hearing the other workers' evictions and (worker 1) scheduling;
    // the primary announces the server only once every worker has said so.
    await app.cachesReady();
    log.info(`Worker ${process.env.HAUSPORTAL_WORKER} (pid ${process.pid}) bereit${scheduler ? ', mit den geplanten Aufgaben' : ''}`);
    process.send?.(WORKER_READY);
  } else {
    log.info(`Hausportal läuft auf ${config.baseUrl} (${config.databaseUrl ? 'PostgreSQL' : `eingebettete Datenbank in ${config.dataDir}/pglite`})`);
    printWelcome(config, seeded);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    app.closeLiveStreams();
    await scheduler?.stop();
    await closed;
    await app.afterResponse.settled();
    await app.pdfWorkers.close();
    await app.closeCaches();
    await orm.close();
    transport.close?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * WEB_CONCURRENCY=N (N > 1, PostgreSQL only): this process migrates and seeds once, then runs
 * N workers through node:cluster that share the port (the primary hands out connections in
 * turn). Bree and its tasks run in worker 1 only; the tasks' advisory locks would keep even
 * two schedulers from running a task twice. The caches of each worker hear the others'
 * evictions through LISTEN/NOTIFY (src/db/process-cache.ts). A worker that dies is started
 * again; SIGTERM/SIGINT stop every worker gracefully and wait for them.
 */
async function supervise(config: Config) {
  let orm: Orm;
  try {
    orm = await openDatabase(config);
  } catch (error) {
    databaseUnreachable(config, error);
  }
  const seeded = config.seedDemo ? await seedDemoIfEmpty(orm.em.fork(), new Date(), { storage: fileStorageFor(config), baseUrl: config.baseUrl }) : false;
  await orm.close();

  const indexOf = new Map<number, number>();
  let stopping = false;
  let failed = false;
  const start = (index: number) => {
    // The schema is migrated and the demo seeded already; only worker 1 schedules the jobs.
    const worker = cluster.fork({ HAUSPORTAL_WORKER: String(index), SEED_DEMO: 'off', JOBS: config.jobs && index === 1 ? 'on' : 'off' });
    indexOf.set(worker.id, index);
  };
  cluster.on('exit', (worker, code, signal) => {
    const index = indexOf.get(worker.id) ?? 0;
    indexOf.delete(worker.id);
    if (stopping) {
      if (code !== 0) failed = true;
      if (indexOf.size === 0) process.exit(failed ? 1 : 0);
      return;
    }
    log.error(`Worker ${index} ended (${signal ?? `exit ${code}`}); it is started again`);
    setTimeout(() => !stopping && start(index), 1000);
  });
  // Installed before the workers start: a stop while they start up stops them too.
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping ${indexOf.size} workers`);
    if (indexOf.size === 0) process.exit(0);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Not 'listening': worker 1 starts the scheduler after it listens, and its caches connect on their own.
  // Counted by worker index: a worker that reported, died and was started again reports twice.
  const ready = new Promise<void>((resolve) => {
    const up = new Set<number>();
    cluster.on('message', (worker, message) => {
      if (message !== WORKER_READY) return;
      up.add(indexOf.get(worker.id) ?? 0);
      if (up.size === config.webConcurrency) resolve();
    });
  });
  for (let index = 1; index <= config.webConcurrency; index++) start(index);
  await ready;
  log.info(`Hausportal läuft auf ${config.baseUrl} (PostgreSQL, ${config.webConcurrency} Worker)`);
  printWelcome(config, seeded);
}

await main();

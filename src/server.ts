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
import { localFileStorage } from './storage/files.ts';

/** Opens the database named by the configuration and brings its schema up to date. */
async function openDatabase(config: Config): Promise<Orm> {
  if (!config.databaseUrl) await mkdir(config.dataDir, { recursive: true });
  const orm = await openOrm(config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'embedded', dataDir: `${config.dataDir}/pglite` });
  await orm.em.fork().execute('select 1');
  await migrate(orm);
  return orm;
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

  let orm: Orm;
  try {
    orm = await openDatabase(config);
  } catch (error) {
    const where = config.databaseUrl ? new URL(config.databaseUrl).host : `${config.dataDir}/pglite`;
    console.error(`Database not reachable or not migratable (${where}): ${(error as Error).message}`);
    process.exit(1);
  }

  // The storage lets the demo keep an invitation letter PDF (src/features/invitations/demo.ts).
  const seeded = config.seedDemo
    ? await seedDemoIfEmpty(orm.em.fork(), new Date(), { storage: localFileStorage(config.storageDir), baseUrl: config.baseUrl })
    : false;
  const transport = createMailTransport(config);
  const app = createApp({ orm, config, clock: systemClock });
  const server: Server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const scheduler = config.jobs ? await startScheduler(orm, { config, clock: systemClock, transport }) : undefined;

  log.info(`Hausportal läuft auf ${config.baseUrl} (${config.databaseUrl ? 'PostgreSQL' : `eingebettete Datenbank in ${config.dataDir}/pglite`})`);
  if (seeded || config.env !== 'production') {
    console.log(`\n  Verwalterkonsole: ${config.baseUrl}/verwaltung/anmelden`);
    console.log(`  Bewohnerportal:   ${config.baseUrl}/portal/anmelden`);
    if (config.env !== 'production') console.log(`  Dev-Postfach:     ${config.baseUrl}/dev/mails`);
    console.log('\n  Demo-Zugänge (Passwort jeweils "' + DEMO_LOGINS.password + '"):');
    for (const login of DEMO_LOGINS.accounts) console.log(`    ${login.area.padEnd(8)} ${login.email.padEnd(36)} ${login.who}`);
    console.log('');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
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

await main();

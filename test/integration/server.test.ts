import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openOrm } from '../../src/db/orm.ts';
import { Client } from '../support/client.ts';
import { adminExecute, databaseUrl } from '../support/db.ts';

/**
 * `npm start` as a user runs it: the real server process on the embedded database in a
 * fresh DATA_DIR, started twice to show the data survives a restart.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type Running = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

function startServer(env: Record<string, string>): Running {
  let output = '';
  const child = spawn(process.execPath, ['src/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', JOBS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitUntilUp(baseUrl: string, running: Running) {
  for (let i = 0; i < 300; i++) {
    if (running.child.exitCode !== null) throw new Error(`server exited:\n${running.output()}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not come up:\n${running.output()}`);
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'hausportal-start-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('npm start on the embedded database', () => {
  it('migrates, seeds, prints the logins, keeps data across a restart and stops on SIGTERM', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), BASE_URL: baseUrl, DATA_DIR: dataDir };

    const first = startServer(env);
    await waitUntilUp(baseUrl, first);
    expect(first.output()).toContain(`${baseUrl}/verwaltung/anmelden`);
    expect(first.output()).toContain('verwalter@sonnenschein-hv.de');
    expect(first.output()).toContain('kristina.maiblume@example.de');

    const admin = new Client(baseUrl);
    await admin.loginStaff('verwalter@sonnenschein-hv.de', 'hausportal-demo');
    const invited = await admin.post('/verwaltung/administration/mitarbeiter', { name: 'Neue Kollegin', email: 'neu@sonnenschein-hv.de', role: 'staff' });
    expect(invited.status).toBe(303);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = startServer(env);
    await waitUntilUp(baseUrl, second);
    const again = new Client(baseUrl);
    await again.loginStaff('verwalter@sonnenschein-hv.de', 'hausportal-demo');
    const staff = await again.get('/verwaltung/administration/mitarbeiter');
    expect(staff.$('tbody').text()).toContain('neu@sonnenschein-hv.de');
    const properties = await again.get('/verwaltung/liegenschaften');
    // Seeded once only: one "Rosenweg 24", not two.
    expect(properties.$('#property-results a').filter((_, a) => properties.$(a).text() === 'Rosenweg 24')).toHaveLength(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);

  it('gives one clear line when the database is down', async () => {
    const port = await freePort();
    const closedPort = await freePort();
    const running = startServer({ PORT: String(port), DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/none` });
    expect(await running.exited).toBe(1);
    const lines = running.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Database not reachable/);
  }, 60_000);

  it('gives one clear line on invalid configuration', async () => {
    const running = startServer({ PORT: 'nope' });
    expect(await running.exited).toBe(1);
    expect(running.output().trim()).toMatch(/^Invalid configuration: PORT/);
    expect(running.output().trim().split('\n')).toHaveLength(1);
  }, 60_000);
});

const testDatabase = inject('testDatabase');

describe.skipIf(testDatabase.kind === 'embedded')(
  'two instances starting at once on a fresh PostgreSQL database (PostgreSQL only: only one process can open an embedded database)',
  () => {
    const name = `hausportal_t_start_${randomBytes(6).toString('hex')}`;
    const adminUrl = testDatabase.kind === 'postgres' ? testDatabase.adminUrl : '';
    beforeAll(() => adminExecute(adminUrl, [`create database "${name}"`]));
    afterAll(() => adminExecute(adminUrl, [`drop database if exists "${name}" with (force)`]));

    it('both come up, the migrations run once and the demo world is seeded once', async () => {
      const ports = [await freePort(), await freePort()];
      const instances = ports.map((port) =>
        startServer({
          PORT: String(port),
          BASE_URL: `http://127.0.0.1:${port}`,
          DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl(adminUrl, name),
          SEED_DEMO: 'on',
        }),
      );
      try {
        for (const [i, port] of ports.entries()) {
          await waitUntilUp(`http://127.0.0.1:${port}`, instances[i]);
          expect((await fetch(`http://127.0.0.1:${port}/verwaltung/anmelden`)).status).toBe(200);
        }

        const orm = await openOrm({ kind: 'postgres', url: databaseUrl(adminUrl, name) });
        try {
          const em = orm.em.fork();
          const organizations = await em.execute<{ count: string }[]>(`select count(*) from organization where name like 'Hausverwaltung Sonnenschein%'`);
          expect(Number(organizations[0].count)).toBe(1);
          const migrations = await em.execute<{ name: string; runs: string }[]>(
            'select name, count(*) as runs from mikro_orm_migrations group by name order by name',
          );
          const files = (await readdir(path.join(ROOT, 'migrations'))).filter((file) => /^Migration.*\.ts$/.test(file) && !file.endsWith('.d.ts'));
          expect(migrations.map((m) => [m.name, Number(m.runs)])).toEqual(files.map((file) => [file.replace(/\.ts$/, ''), 1]).sort());
        } finally {
          await orm.close();
        }
      } finally {
        for (const instance of instances) instance.child.kill('SIGTERM');
        await Promise.all(instances.map((instance) => instance.exited));
      }
    }, 120_000);
  },
);

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StaffUser } from '../../src/entities/index.ts';
import { Client } from '../support/client.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { startInstance, type Instance } from '../support/server-process.ts';

/**
 * Another process hears an eviction through LISTEN/NOTIFY when its writer commits: within
 * milliseconds, not within the same instant. A request that overtakes the notification may
 * still be answered from the cache, so these checks allow the notification its short way
 * (polled every 10 ms for up to 5 s) instead of racing it.
 */
const EVICTION = { interval: 10, timeout: 5000 };

/**
 * The session cache (src/auth/session.ts) across processes: real server processes
 * (src/server.ts) on one PostgreSQL test database. A session one process has cached ends
 * there at once when another process logs it out, changes the password or blocks the
 * login: the eviction travels by NOTIFY (src/db/process-cache.ts). Then the same with
 * WEB_CONCURRENCY=2: two cluster workers behind one port.
 * PostgreSQL only: the embedded database opens in one process.
 */
const testDatabase = inject('testDatabase');

/** A browser on another instance with the same cookies (the same person behind a load balancer). */
function sameBrowserOn(client: Client, baseUrl: string): Client {
  const other = new Client(baseUrl);
  for (const [name, value] of client.cookies) other.cookies.set(name, value);
  return other;
}

/** A GET on a new connection each time: the cluster's primary hands connections to its workers in turn. */
function freshGet(url: string, cookies: Map<string, string>): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const req = httpRequest(url, { agent: false, headers: { cookie, connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end();
  });
}

const STAFF_HOME = '/verwaltung';
const refusedToLogin = (page: { status: number; location: string | null | undefined }) =>
  page.status >= 300 && page.status < 400 && String(page.location).includes('/anmelden');

let app: TestApp;
const instances: Instance[] = [];
beforeAll(async () => {
  if (testDatabase.kind === 'embedded') return;
  // The test app gives the cloned, seeded database (and the world's names); the servers under test are the two processes.
  app = await startTestApp();
});
afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await app?.close();
});

describe.skipIf(testDatabase.kind === 'embedded')('cached sessions across two server processes on one PostgreSQL database', () => {
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    [a, b] = await Promise.all([startInstance(app.databaseUrl!), startInstance(app.databaseUrl!)]);
    instances.push(a, b);
  }, 120_000);

  it('logged in through A, logged out through B: A refuses the cookie on the next request', async () => {
    const browser = new Client(a.baseUrl);
    await browser.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    // Twice: the first request reads the session from the database and caches it, the second is served from A's cache.
    expect((await browser.get(STAFF_HOME)).status).toBe(200);
    expect((await browser.get(STAFF_HOME)).status).toBe(200);

    const sameOnB = sameBrowserOn(browser, b.baseUrl);
    expect((await sameOnB.get(STAFF_HOME)).status).toBe(200);
    expect((await sameOnB.post('/verwaltung/abmelden')).status).toBe(303);

    await expect.poll(async () => refusedToLogin(await browser.get(STAFF_HOME)), EVICTION).toBe(true);
  });

  it('a session that is not logged out stays valid on A (the attempt that must pass)', async () => {
    const first = new Client(a.baseUrl);
    const second = new Client(b.baseUrl);
    await first.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    await second.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    expect((await first.get(STAFF_HOME)).status).toBe(200);
    // Another session of the same user ends on B: only that one goes.
    expect((await second.post('/verwaltung/abmelden')).status).toBe(303);
    expect((await first.get(STAFF_HOME)).status).toBe(200);
  });

  it('a password changed through B ends the resident’s other session cached on A', async () => {
    const email = 'heinrich.eigner@example.de';
    const home = `/portal/liegenschaften/${app.world.properties.maxPlanck.id}`;
    const elsewhere = new Client(a.baseUrl);
    await elsewhere.loginPortal(email, app.world.password);
    expect((await elsewhere.get(home)).status).toBe(200);
    expect((await elsewhere.get(home)).status).toBe(200);

    const here = new Client(b.baseUrl);
    await here.loginPortal(email, app.world.password);
    const changed = await here.post('/portal/profil/passwort', {
      currentPassword: app.world.password,
      newPassword: 'ein-ganz-neues-passwort-2026',
      newPasswordRepeat: 'ein-ganz-neues-passwort-2026',
    });
    expect(changed.status).toBe(303);

    await expect.poll(async () => refusedToLogin(await elsewhere.get(home)), EVICTION).toBe(true);
    // The browser that changed it keeps its new session, on either process.
    expect((await here.get(home)).status).toBe(200);
    expect((await sameBrowserOn(here, a.baseUrl).get(home)).status).toBe(200);
  });

  it('a login blocked through B (Portalzugang sperren) is refused on A at once', async () => {
    const home = `/portal/liegenschaften/${app.world.properties.maxPlanck.id}`;
    const resident = new Client(a.baseUrl);
    await resident.loginPortal('kristina.maiblume@example.de', app.world.password);
    expect((await resident.get(home)).status).toBe(200);
    expect((await resident.get(home)).status).toBe(200);

    const manager = new Client(b.baseUrl);
    await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    expect((await manager.post(`/verwaltung/kontakte/${app.world.contacts.kristina.id}/portalzugang/sperren`)).status).toBe(303);

    await expect.poll(async () => refusedToLogin(await resident.get(home)), EVICTION).toBe(true);
    await resident.loginPortal('kristina.maiblume@example.de', app.world.password).then(
      () => expect.fail('a blocked login must not log in'),
      (error: Error) => expect(error.message).toMatch(/portal login failed/),
    );
  });
});

describe.skipIf(testDatabase.kind === 'embedded')('cached staff sessions and changes written by another process', () => {
  let a: Instance;
  beforeAll(() => {
    a = instances[0];
  });

  it('a role change and a deactivation written elsewhere (here: the test process, through the ORM) apply on A at once', async () => {
    // The app has no form for either yet; whatever writes them through the ORM evicts (SessionCacheSubscriber).
    const ADMIN_PAGE = '/verwaltung/administration/mitarbeiter';
    const browser = new Client(a.baseUrl);
    await browser.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect((await browser.get(ADMIN_PAGE)).status).toBe(200);
    expect((await browser.get(ADMIN_PAGE)).status).toBe(200);

    const em = app.em();
    const admin = await em.findOneOrFail(StaffUser, app.world.staff.nordAdmin.id, { filters: { tenant: false } });
    admin.role = 'staff';
    await em.flush();
    await expect.poll(async () => (await browser.get(ADMIN_PAGE)).status, EVICTION).toBe(403);
    expect((await browser.get(STAFF_HOME)).status).toBe(200);

    admin.disabledAt = new Date();
    await em.flush();
    await expect.poll(async () => refusedToLogin(await browser.get(STAFF_HOME)), EVICTION).toBe(true);
  });
});

/** What a clustered server printed before it announced itself: by then every worker must have said it is ready. */
const announced = (instance: Instance) => instance.output().split('Hausportal läuft auf')[0];

describe.skipIf(testDatabase.kind === 'embedded')('WEB_CONCURRENCY=2: two cluster workers on one port', () => {
  let clustered: Instance;
  beforeAll(async () => {
    clustered = await startInstance(app.databaseUrl!, { WEB_CONCURRENCY: '2', JOBS: 'on' });
    instances.push(clustered);
  }, 120_000);

  it('serves requests from both workers, each listening for evictions, and a logout ends the session on both', async () => {
    const workers = [...announced(clustered).matchAll(/Worker (\d) \(pid (\d+)\) bereit/g)].map((m) => m[1]).sort();
    expect(workers).toEqual(['1', '2']);
    const listeners = await app
      .em()
      .execute<Array<{ count: string }>>(
        `select count(*) from pg_stat_activity where datname = current_database() and application_name = 'hausportal-cache-listener' and query ilike 'listen%'`,
      );
    // Each worker listens, and so do the two instances above and the test app itself.
    expect(Number(listeners[0].count)).toBeGreaterThanOrEqual(2);

    const browser = new Client(clustered.baseUrl);
    await browser.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    // Fresh connections alternate between the workers: both read the session and cache it.
    for (let i = 0; i < 6; i++) expect((await freshGet(`${clustered.baseUrl}${STAFF_HOME}`, browser.cookies)).status).toBe(200);

    const loggedOut = new Map(browser.cookies);
    expect((await browser.post('/verwaltung/abmelden')).status).toBe(303);
    for (let i = 0; i < 6; i++)
      await expect.poll(async () => refusedToLogin(await freshGet(`${clustered.baseUrl}${STAFF_HOME}`, loggedOut)), EVICTION).toBe(true);
  });

  it('runs the scheduled jobs in worker 1 only', () => {
    const withJobs = [...announced(clustered).matchAll(/Worker (\d) \(pid \d+\) bereit, mit den geplanten Aufgaben/g)].map((m) => m[1]);
    expect(withJobs).toEqual(['1']);
  });
});

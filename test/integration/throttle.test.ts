import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THROTTLE } from '../../src/auth/throttle.ts';
import { fixedClock } from '../../src/clock.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';

const auth = JSON.parse(readFileSync(new URL('../../locales/de/auth.json', import.meta.url), 'utf8'));
const TOO_MANY_ATTEMPTS: string = auth.errors.tooManyAttempts;
const INVALID_LOGIN: string = auth.errors.invalidLogin;

const STAFF_LOGIN = '/verwaltung/anmelden';
const PORTAL_LOGIN = '/portal/anmelden';
const SECOND = 1000;
const MINUTE = 60 * SECOND;

// Documentation addresses (RFC 5737), sent as X-Forwarded-For; the app trusts loopback proxies.
const ip = (n: number) => `203.0.113.${n}`;

const clock = fixedClock(new Date());
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app?.close());

/** A browser behind its own IP address. */
function browserFrom(address: string): Client {
  const client = app.client();
  client.ip = address;
  return client;
}

function attempt(client: Client, path: string, email: string, password: string): Promise<Page> {
  return client.post(path, { email, password });
}

function expectLocked(page: Page) {
  expect(page.status).toBe(429);
  expect(page.$('[role=alert]').text()).toBe(TOO_MANY_ATTEMPTS);
  expect(page.headers.getSetCookie().some((c) => /^hp_(staff|portal)_session=/.test(c))).toBe(false);
}

function expectLoggedIn(page: Page, home: string) {
  expect(page.status).toBe(303);
  expect(page.location).toBe(home);
}

/** Sends exactly as many wrong passwords as it takes to lock the account. */
async function lockOut(path: string, email: string, from: Client) {
  for (let i = 1; i <= THROTTLE.accountLimit; i++) {
    const page = await attempt(from, path, email, `falsch-${i}`);
    expect(page.status).toBe(422);
  }
  expectLocked(await attempt(from, path, email, 'noch-ein-versuch'));
}

describe('brute force against one account', () => {
  it('lets 100 wrong passwords through only up to the limit and then refuses even the right one', async () => {
    const victim = app.world.staff.clerk.email;
    const attacker = browserFrom(ip(66));
    const statuses: number[] = [];
    for (let i = 1; i <= 100; i++) {
      const page = await attempt(attacker, STAFF_LOGIN, victim, `falsch-${i}`);
      statuses.push(page.status);
      if (page.status === 422) expect(page.$('[role=alert]').text()).toBe(INVALID_LOGIN);
      else expectLocked(page);
      // Now and then the attacker tries the real password: it must never get in.
      if (i > THROTTLE.accountLimit && i % 10 === 0) expectLocked(await attempt(attacker, STAFF_LOGIN, victim, app.world.password));
    }
    const limit = THROTTLE.accountLimit;
    expect(statuses.slice(0, limit)).toEqual(Array(limit).fill(422));
    expect(statuses.slice(limit)).toEqual(Array(100 - limit).fill(429));

    // The lock is on the account: the owner's own address does not help, nor does letter case.
    const owner = browserFrom(ip(10));
    expectLocked(await attempt(owner, STAFF_LOGIN, victim, app.world.password));
    expectLocked(await attempt(owner, STAFF_LOGIN, ` ${victim.toUpperCase()} `, app.world.password));
    expect((await owner.get('/verwaltung/liegenschaften')).status).toBe(303);
  });

  it('leaves other accounts alone while one is locked', async () => {
    const attacker = browserFrom(ip(67));
    await lockOut(PORTAL_LOGIN, app.world.portalUsers.kristina.email, attacker);

    expectLoggedIn(await attempt(browserFrom(ip(11)), PORTAL_LOGIN, app.world.portalUsers.eigner.email, app.world.password), '/portal');
    expectLoggedIn(await attempt(browserFrom(ip(12)), STAFF_LOGIN, app.world.staff.manager.email, app.world.password), '/verwaltung');
    // The same e-mail in the other area is another account with its own counter.
    expectLocked(await attempt(browserFrom(ip(13)), PORTAL_LOGIN, app.world.portalUsers.kristina.email, app.world.password));
  });

  it('lets the real owner in again once the window has passed, not a second earlier', async () => {
    expect(THROTTLE.windowMs).toBe(5 * MINUTE);
    const victim = app.world.staff.nordAdmin.email;
    await lockOut(STAFF_LOGIN, victim, browserFrom(ip(68)));
    const owner = browserFrom(ip(14));

    clock.advance(THROTTLE.windowMs - SECOND);
    expectLocked(await attempt(owner, STAFF_LOGIN, victim, app.world.password));

    clock.advance(2 * SECOND); // 5 minutes + 1 second after the lock
    expectLoggedIn(await attempt(owner, STAFF_LOGIN, victim, app.world.password), '/verwaltung');
    const page = await owner.get('/verwaltung/liegenschaften');
    expect(page.status).toBe(200);
    expect(
      page
        .$('#property-results tbody a')
        .map((_, a) => page.$(a).text())
        .get(),
    ).toEqual(['Hafenstraße 9']);
  });

  it('starts counting from zero after a successful login', async () => {
    const victim = app.world.staff.manager.email;
    const owner = browserFrom(ip(15));
    for (let i = 1; i < THROTTLE.accountLimit; i++) expect((await attempt(owner, STAFF_LOGIN, victim, `vertippt-${i}`)).status).toBe(422);
    expectLoggedIn(await attempt(owner, STAFF_LOGIN, victim, app.world.password), '/verwaltung');
    for (let i = 1; i < THROTTLE.accountLimit; i++) expect((await attempt(owner, STAFF_LOGIN, victim, `vertippt-${i}`)).status).toBe(422);
    expectLoggedIn(await attempt(owner, STAFF_LOGIN, victim, app.world.password), '/verwaltung');
  });
});

describe('parallel bursts', () => {
  /** Fires all attempts at once, each from a browser that already holds its CSRF token. */
  async function burst(attempts: { from: string; email: string; password: string }[], path: string): Promise<number[]> {
    const browsers = await Promise.all(
      attempts.map(async ({ from }) => {
        const browser = browserFrom(from);
        await browser.csrfToken();
        return browser;
      }),
    );
    const pages = await Promise.all(attempts.map(({ email, password }, i) => attempt(browsers[i], path, email, password)));
    return pages.map((p) => p.status);
  }

  const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

  it('evaluates no more than the account limit of wrong passwords sent at the same moment', async () => {
    const victim = app.world.portalUsers.eigner.email;
    const statuses = await burst(
      Array.from({ length: 30 }, (_, i) => ({ from: ip(150 + i), email: victim, password: `parallel-falsch-${i}` })),
      PORTAL_LOGIN,
    );
    expect(count(statuses, 422)).toBe(THROTTLE.accountLimit);
    expect(count(statuses, 429)).toBe(30 - THROTTLE.accountLimit);
    expectLocked(await attempt(browserFrom(ip(16)), PORTAL_LOGIN, victim, app.world.password));
  });

  it('evaluates no more than the IP limit of attempts sent at the same moment from one address', async () => {
    const from = ip(120);
    const statuses = await burst(
      Array.from({ length: THROTTLE.ipLimit + 20 }, (_, i) => ({ from, email: `parallel-${i}@example.de`, password: 'passwort123' })),
      STAFF_LOGIN,
    );
    expect(count(statuses, 422)).toBe(THROTTLE.ipLimit);
    expect(count(statuses, 429)).toBe(20);
  });
});

describe('many accounts from one IP address', () => {
  it('locks the address after the IP limit, while another address is unaffected', async () => {
    const sprayer = browserFrom(ip(99));
    for (let i = 1; i <= THROTTLE.ipLimit; i++) {
      const page = await attempt(sprayer, STAFF_LOGIN, `unbekannt-${i}@example.de`, 'passwort123');
      expect(page.status, `attempt ${i}`).toBe(422);
    }
    expectLocked(await attempt(sprayer, STAFF_LOGIN, 'noch-einer@example.de', 'passwort123'));
    // Locked means locked: a real account with its right password, in either area.
    expectLocked(await attempt(sprayer, STAFF_LOGIN, app.world.staff.clerk.email, app.world.password));
    expectLocked(await attempt(sprayer, PORTAL_LOGIN, app.world.portalUsers.frieda.email, app.world.password));

    const neighbour = browserFrom(ip(100));
    expect((await attempt(neighbour, STAFF_LOGIN, 'noch-einer@example.de', 'passwort123')).status).toBe(422);
    expectLoggedIn(await attempt(neighbour, STAFF_LOGIN, app.world.staff.clerk.email, app.world.password), '/verwaltung');
    expectLoggedIn(await attempt(browserFrom(ip(101)), PORTAL_LOGIN, app.world.portalUsers.frieda.email, app.world.password), '/portal');
  });

  it('does not count successful logins against the address (colleagues behind one office router)', async () => {
    const office = browserFrom(ip(130));
    for (let i = 1; i < THROTTLE.ipLimit; i++) expect((await attempt(office, STAFF_LOGIN, `tippfehler-${i}@sonnenschein-hv.de`, 'x')).status).toBe(422);
    // This login would be the limit-th attempt; it succeeds and is not held against the address.
    expectLoggedIn(await attempt(office, STAFF_LOGIN, app.world.staff.clerk.email, app.world.password), '/verwaltung');
    expect((await attempt(office, STAFF_LOGIN, 'tippfehler-letzter@sonnenschein-hv.de', 'x')).status).toBe(422);
    expectLocked(await attempt(office, STAFF_LOGIN, 'tippfehler-zu-viel@sonnenschein-hv.de', 'x'));
  });
});

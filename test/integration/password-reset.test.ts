import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { RESET_THROTTLE } from '../../src/auth/throttle.ts';
import { OutboxMail } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';
import { linkIn } from '../support/smtp.ts';

const auth = JSON.parse(readFileSync(new URL('../../locales/de/auth.json', import.meta.url), 'utf8'));

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const MINUTE = 60 * 1000;
const SENT =
  'Falls ein Konto mit dieser E-Mail-Adresse existiert, haben wir soeben eine E-Mail mit einem Link zum Zurücksetzen gesendet. Der Link ist eine Stunde gültig.';

// Documentation addresses (RFC 5737), sent as X-Forwarded-For; the app trusts loopback proxies.
const ip = (n: number) => `203.0.113.${n}`;

/** A browser behind its own IP address. */
function browserFrom(address: string): Client {
  const client = app.client();
  client.ip = address;
  return client;
}

/** Every request of a test starts with fresh reset budgets for its address and its IP. */
function freshResetBudgets() {
  app.clock.advance(Math.max(RESET_THROTTLE.addressWindowMs, RESET_THROTTLE.ipWindowMs) + MINUTE);
}
const LINK_INVALID = 'Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet. Bitte fordern Sie einen neuen an.';

const AREAS = [
  {
    area: 'staff',
    base: '/verwaltung',
    home: '/verwaltung',
    cookie: 'hp_staff_session',
    email: 'sachbearbeitung@sonnenschein-hv.de',
    unknown: 'niemand@sonnenschein-hv.de',
  },
  {
    area: 'portal',
    base: '/portal',
    home: '/portal',
    cookie: 'hp_portal_session',
    email: 'heinrich.eigner@example.de',
    unknown: 'niemand@example.de',
  },
] as const;

describe.each(AREAS)('password reset ($area)', ({ area, base, home, cookie, email, unknown }) => {
  /** The account's password as the tests have left it. */
  let password: string;
  beforeAll(() => {
    password = app.world.password;
  });
  beforeEach(freshResetBudgets);

  /** Requests a reset as a visitor would and returns the path of the link that was mailed. */
  async function requestResetLink(): Promise<string> {
    app.smtp.clear();
    const page = await app.client().post(`${base}/passwort-vergessen`, { email });
    expect(page.status).toBe(200);
    await app.deliverMail();
    const mails = app.smtp.to(email);
    expect(mails).toHaveLength(1);
    const link = new URL(linkIn(mails[0], `${base}/passwort-zuruecksetzen/`));
    expect(link.origin).toBe(app.baseUrl);
    return link.pathname;
  }

  async function setPassword(browser: Client, path: string, newPassword: string) {
    const page = await browser.post(path, { password: newPassword, passwordRepeat: newPassword });
    if (page.status === 303) password = newPassword;
    return page;
  }

  function expectLinkInvalid(page: Awaited<ReturnType<Client['get']>>) {
    expect(page.status).toBe(410);
    expect(page.$('h1').text()).toBe('Link nicht mehr gültig');
    expect(page.$('[role=alert]').text()).toBe(LINK_INVALID);
  }

  it('offers "Passwort vergessen?" on the login page', async () => {
    const browser = app.client();
    const login = await browser.get(`${base}/anmelden`);
    const link = login.$('a').filter((_, a) => login.$(a).text() === 'Passwort vergessen?');
    expect(link.attr('href')).toBe(`${base}/passwort-vergessen`);

    const form = await browser.get(link.attr('href')!);
    expect(form.status).toBe(200);
    expect(form.$('h1').text()).toBe('Passwort vergessen?');
    expect(form.$(`form[action="${base}/passwort-vergessen"] input[name=email]`)).toHaveLength(1);
  });

  it('answers a known and an unknown e-mail byte for byte alike and mails only the known account', async () => {
    app.smtp.clear();
    // One browser, so both answers carry the same CSRF token: nothing else may differ.
    const browser = app.client();
    const known = await browser.post(`${base}/passwort-vergessen`, { email });
    const other = await browser.post(`${base}/passwort-vergessen`, { email: unknown });

    expect(known.status).toBe(200);
    expect(other.status).toBe(200);
    expect(known.text).toBe(other.text);
    const headers = (page: Page) => {
      const all: string[] = [];
      page.headers.forEach((value, name) => {
        if (name !== 'date') all.push(`${name}: ${value}`);
      });
      return all;
    };
    expect(headers(known)).toEqual(headers(other));
    expect(known.$('[role=status]').text()).toBe(SENT);
    expect(known.text).not.toContain(email);

    await app.deliverMail();
    expect(app.smtp.messages).toHaveLength(1);
    const [mail] = app.smtp.to(email);
    expect(mail.subject).toBe('Passwort zurücksetzen');
    expect(mail.text).toContain('Neues Passwort vergeben: ');
    expect(app.smtp.to(unknown)).toHaveLength(0);
  });

  it('refuses a malformed address with 422 and the message next to the field, and mails nothing', async () => {
    app.smtp.clear();
    const page = await app.client().post(`${base}/passwort-vergessen`, { email: 'heinrich@' });
    expect(page.status).toBe(422);
    expect(page.$('#email-error').text()).toBe(auth.errors.emailInvalid);
    expect(page.$('#email').attr('value')).toBe('heinrich@');
    await app.deliverMail();
    expect(app.smtp.messages).toHaveLength(0);
  });

  it('opens the form for a new password from the link', async () => {
    const path = await requestResetLink();
    const form = await app.client().get(path);
    expect(form.status).toBe(200);
    expect(form.$('h1').text()).toBe('Neues Passwort vergeben');
    expect(form.$('main').text()).toContain(`Vergeben Sie ein neues Passwort für ${email}.`);
    expect(form.$(`form[action="${path}"] input[name=password]`)).toHaveLength(1);
    expect(form.$(`form[action="${path}"] input[name=passwordRepeat]`)).toHaveLength(1);
  });

  it('refuses a too short password and a mismatch with 422 and the message next to the field', async () => {
    const path = await requestResetLink();
    const browser = app.client();

    const tooShort = await browser.post(path, { password: 'kurz', passwordRepeat: 'kurz' });
    expect(tooShort.status).toBe(422);
    expect(tooShort.$('#password-error').text()).toBe('Das Passwort muss mindestens 10 Zeichen lang sein.');
    expect(tooShort.$('#password').attr('aria-invalid')).toBe('true');

    const mismatch = await browser.post(path, { password: 'ein-langes-passwort', passwordRepeat: 'ein-anderes-passwort' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.$('#password-error').text()).toBe('Die beiden Passwörter stimmen nicht überein.');
    expect(mismatch.headers.getSetCookie().some((c) => c.startsWith(`${cookie}=`))).toBe(false);

    // Nothing was changed: the link still works and so does the old password.
    expect((await browser.get(path)).status).toBe(200);
    expect((await app.client().post(`${base}/anmelden`, { email, password })).status).toBe(303);
  });

  it('sets the new password: logs in, refuses the old password and ends other sessions', async () => {
    const elsewhere = app.client();
    if (area === 'staff') await elsewhere.loginStaff(email, password);
    else await elsewhere.loginPortal(email, password);
    expect((await elsewhere.get(home)).status).toBe(200);
    const oldPassword = password;

    const path = await requestResetLink();
    const browser = app.client();
    const done = await setPassword(browser, path, 'Sonnenblume-im-Garten-1');
    expect(done.status).toBe(303);
    expect(done.location).toBe(home);
    expect(done.headers.getSetCookie().find((c) => c.startsWith(`${cookie}=`))).toMatch(/HttpOnly/i);
    expect((await browser.get(home)).status).toBe(200);

    const withOld = await app.client().post(`${base}/anmelden`, { email, password: oldPassword });
    expect(withOld.status).toBe(422);
    expect(withOld.$('[role=alert]').text()).toBe('E-Mail-Adresse oder Passwort ist falsch.');
    expect((await app.client().post(`${base}/anmelden`, { email, password: 'Sonnenblume-im-Garten-1' })).status).toBe(303);

    const other = await elsewhere.get(home);
    expect(other.status).toBe(303);
    expect(other.location).toMatch(new RegExp(`^${base}/anmelden`));
  });

  it('refuses a link that was used already with 410', async () => {
    const path = await requestResetLink();
    expect((await setPassword(app.client(), path, 'Erster-neuer-Versuch-2')).status).toBe(303);

    const again = app.client();
    expectLinkInvalid(await again.get(path));
    expectLinkInvalid(await again.post(path, { password: 'Zweiter-neuer-Versuch-3', passwordRepeat: 'Zweiter-neuer-Versuch-3' }));
    expect((await app.client().post(`${base}/anmelden`, { email, password: 'Zweiter-neuer-Versuch-3' })).status).toBe(422);
  });

  it('lets only one of two simultaneous submissions of the same link through', async () => {
    const path = await requestResetLink();
    const [one, two] = [app.client(), app.client()];
    await Promise.all([one.csrfToken(), two.csrfToken()]);

    const answers = await Promise.all([
      one.post(path, { password: 'Gleichzeitig-Eins-6', passwordRepeat: 'Gleichzeitig-Eins-6' }),
      two.post(path, { password: 'Gleichzeitig-Zwei-7', passwordRepeat: 'Gleichzeitig-Zwei-7' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([303, 410]);
    password = answers[0].status === 303 ? 'Gleichzeitig-Eins-6' : 'Gleichzeitig-Zwei-7';
    expect((await app.client().post(`${base}/anmelden`, { email, password })).status).toBe(303);
  });

  it('refuses a link after more than an hour with 410', async () => {
    const path = await requestResetLink();
    app.clock.advance(61 * MINUTE);

    const browser = app.client();
    expectLinkInvalid(await browser.get(path));
    expectLinkInvalid(await browser.post(path, { password: 'Zu-spaet-gekommen-4', passwordRepeat: 'Zu-spaet-gekommen-4' }));
    expect((await app.client().post(`${base}/anmelden`, { email, password })).status).toBe(303);
  });

  it('accepts only the newest link when a reset is requested twice', async () => {
    const first = await requestResetLink();
    app.clock.advance(MINUTE); // the first link is not expired, only replaced
    const second = await requestResetLink();

    expectLinkInvalid(await app.client().get(first));
    expect((await app.client().get(second)).status).toBe(200);
    expect((await setPassword(app.client(), second, 'Nur-der-neueste-Link-5')).status).toBe(303);
  });
});

describe('flooding "Passwort vergessen?"', () => {
  beforeEach(freshResetBudgets);

  const outboxRowsTo = (address: string) => app.em().count(OutboxMail, { to: address }, { filters: { tenant: false } });

  it('sends one address at most the limit of mails, however often it is asked, and answers every time the same', async () => {
    const email = app.world.staff.manager.email;
    app.smtp.clear();
    const answers: Page[] = [];
    for (let i = 0; i < 15; i++) answers.push(await browserFrom(ip(20 + i)).post('/verwaltung/passwort-vergessen', { email }));

    await app.deliverMail();
    expect(app.smtp.to(email)).toHaveLength(RESET_THROTTLE.addressLimit);
    expect(answers.map((a) => a.status)).toEqual(Array(15).fill(200));
    expect(new Set(answers.map((a) => a.$('main').text())).size).toBe(1);
    expect(answers[14].$('[role=status]').text()).toBe(SENT);

    // Requests sent at the same moment, in any spelling of the address, are held to the limit too.
    const resident = app.world.portalUsers.kristina.email;
    app.smtp.clear();
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        browserFrom(ip(40 + i)).post('/portal/passwort-vergessen', { email: i % 2 ? ` ${resident.toUpperCase()}` : resident }),
      ),
    );
    expect(burst.map((a) => a.status)).toEqual(Array(10).fill(200));
    await app.deliverMail();
    expect(app.smtp.to(resident)).toHaveLength(RESET_THROTTLE.addressLimit);

    // Another address is not affected, and after the window this one gets a mail again.
    await browserFrom(ip(50)).post('/verwaltung/passwort-vergessen', { email: app.world.staff.clerk.email });
    await app.deliverMail();
    expect(app.smtp.to(app.world.staff.clerk.email)).toHaveLength(1);
    app.clock.advance(RESET_THROTTLE.addressWindowMs + MINUTE);
    await browserFrom(ip(51)).post('/verwaltung/passwort-vergessen', { email });
    await app.deliverMail();
    expect(app.smtp.to(email)).toHaveLength(1);
  });

  it('keeps counting an address through the clean-up of the throttle counters', async () => {
    const email = app.world.staff.nordAdmin.email;
    app.smtp.clear();
    for (let i = 0; i < RESET_THROTTLE.addressLimit - 1; i++) await browserFrom(ip(80 + i)).post('/verwaltung/passwort-vergessen', { email });
    app.clock.advance(10 * MINUTE); // longer than the login's window, within the address's
    await app.settle();
    expect(await app.runTask('session-cleanup')).toBe(true);
    for (let i = 0; i < 5; i++) await browserFrom(ip(90 + i)).post('/verwaltung/passwort-vergessen', { email });
    await app.deliverMail();
    expect(app.smtp.to(email)).toHaveLength(RESET_THROTTLE.addressLimit);
  });

  it('refuses an IP address beyond its limit with 429 and a message that names no address', async () => {
    const flooder = browserFrom(ip(60));
    for (let i = 1; i <= RESET_THROTTLE.ipLimit; i++) {
      const page = await flooder.post('/portal/passwort-vergessen', { email: `unbekannt-${i}@example.de` });
      expect(page.status, `request ${i}`).toBe(200);
    }
    app.smtp.clear();
    const known = await flooder.post('/portal/passwort-vergessen', { email: app.world.portalUsers.kristina.email });
    const unknown = await flooder.post('/verwaltung/passwort-vergessen', { email: 'niemand@example.de' });
    for (const page of [known, unknown]) {
      expect(page.status).toBe(429);
      expect(page.$('[role=alert]').text()).toBe(
        'Zu viele Anfragen zum Zurücksetzen von diesem Anschluss. Bitte warten Sie 15 Minuten und versuchen Sie es dann erneut.',
      );
      expect(page.$('[role=status]')).toHaveLength(0);
    }
    await app.deliverMail();
    expect(app.smtp.messages).toHaveLength(0);

    // Another address asks as before; the flooder's login is its own budget; the window ends.
    expect((await browserFrom(ip(61)).post('/portal/passwort-vergessen', { email: app.world.portalUsers.kristina.email })).status).toBe(200);
    await flooder.loginPortal(app.world.portalUsers.frieda.email, app.world.password);
    app.clock.advance(RESET_THROTTLE.ipWindowMs + MINUTE);
    expect((await flooder.post('/portal/passwort-vergessen', { email: 'niemand@example.de' })).status).toBe(200);
  });

  it.skipIf(inject('testDatabase').kind === 'embedded')(
    'answers before it looks the address up: the answer arrives while the outbox cannot be written (PostgreSQL only: a second connection holds the lock)',
    async () => {
      const email = app.world.staff.clerk.email;
      await app.deliverMail(); // nothing left over from earlier tests
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = app.em().transactional(async (tx) => {
        await tx.execute('lock table outbox_mail in exclusive mode');
        locked();
        await released;
      });
      await isLocked;
      try {
        const before = await outboxRowsTo(email);
        const answer = await Promise.race([
          browserFrom(ip(70)).post('/verwaltung/passwort-vergessen', { email }),
          new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), 10_000)),
        ]);
        expect(answer === 'no answer' ? answer : answer.$('[role=status]').text()).toBe(SENT);
        expect(await outboxRowsTo(email)).toBe(before);
      } finally {
        release();
        await holder;
      }
      // Released, the work after the answer writes the mail.
      app.smtp.clear();
      await app.deliverMail();
      expect(app.smtp.to(email)).toHaveLength(1);
    },
    20_000,
  );
});

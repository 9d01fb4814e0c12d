import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';
import { linkIn } from '../support/smtp.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const MINUTE = 60 * 1000;
const LINK_INVALID = 'Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet. Bitte fordern Sie einen neuen an.';

const AREAS = [
  {
    area: 'staff',
    base: '/verwaltung',
    home: '/verwaltung/liegenschaften',
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

  it('answers a known and an unknown e-mail alike and mails only the known account', async () => {
    app.smtp.clear();
    const known = await app.client().post(`${base}/passwort-vergessen`, { email });
    const other = await app.client().post(`${base}/passwort-vergessen`, { email: unknown });

    expect(known.status).toBe(200);
    expect(other.status).toBe(200);
    const message = (page: typeof known, address: string) => page.$('main').text().replace(address, '<adresse>');
    expect(message(known, email)).toBe(message(other, unknown));
    expect(known.$('[role=status]').text()).toBe(
      `Falls ein Konto mit der Adresse ${email} existiert, haben wir soeben eine E-Mail mit einem Link zum Zurücksetzen gesendet. Der Link ist eine Stunde gültig.`,
    );

    await app.deliverMail();
    expect(app.smtp.messages).toHaveLength(1);
    const [mail] = app.smtp.to(email);
    expect(mail.subject).toBe('Passwort zurücksetzen');
    expect(mail.text).toContain('Neues Passwort vergeben: ');
    expect(app.smtp.to(unknown)).toHaveLength(0);
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
    const second = await requestResetLink();

    expectLinkInvalid(await app.client().get(first));
    expect((await app.client().get(second)).status).toBe(200);
    expect((await setPassword(app.client(), second, 'Nur-der-neueste-Link-5')).status).toBe(303);
  });
});

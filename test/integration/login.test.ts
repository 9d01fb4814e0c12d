import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('staff login', () => {
  it('logs the demo manager in and starts at the Übersicht', async () => {
    const browser = app.client();
    const login = await browser.post('/verwaltung/anmelden', { email: 'verwalter@sonnenschein-hv.de', password: app.world.password });
    expect(login.status).toBe(303);
    expect(login.location).toBe('/verwaltung');
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('hp_staff_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/verwaltung/);

    const list = await browser.get('/verwaltung/liegenschaften');
    expect(list.status).toBe(200);
    expect(list.$('main h1').text()).toBe('Liegenschaften');
    expect(
      list
        .$('#property-results a')
        .map((_, a) => list.$(a).text())
        .get(),
    ).toContain('Rosenweg 24');
  });

  it('accepts the e-mail address in any letter case and follows a safe "weiter" path', async () => {
    const browser = app.client();
    const login = await browser.post('/verwaltung/anmelden', {
      email: ' Verwalter@Sonnenschein-HV.de ',
      password: app.world.password,
      weiter: '/verwaltung/kontakte',
    });
    expect(login.location).toBe('/verwaltung/kontakte');
  });

  it('never redirects outside the console after login', async () => {
    const browser = app.client();
    const login = await browser.post('/verwaltung/anmelden', {
      email: 'verwalter@sonnenschein-hv.de',
      password: app.world.password,
      weiter: '//evil.example/x',
    });
    expect(login.location).toBe('/verwaltung');
  });

  it('answers a wrong password and an unknown e-mail alike, keeping the e-mail in the form', async () => {
    const wrong = await app.client().post('/verwaltung/anmelden', { email: 'sachbearbeitung@sonnenschein-hv.de', password: 'falsch-falsch' });
    const unknown = await app.client().post('/verwaltung/anmelden', { email: 'niemand@sonnenschein-hv.de', password: 'falsch-falsch' });
    for (const page of [wrong, unknown]) {
      expect(page.status).toBe(422);
      expect(page.$('[role=alert]').text()).toBe('E-Mail-Adresse oder Passwort ist falsch.');
      expect(page.headers.getSetCookie().some((c) => c.startsWith('hp_staff_session='))).toBe(false);
    }
    expect(wrong.$('input[name=email]').val()).toBe('sachbearbeitung@sonnenschein-hv.de');
  });

  it('stores only a hash of the session secret', async () => {
    const browser = app.client();
    await browser.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    const token = browser.cookies.get('hp_staff_session')!;
    const [id, secret] = token.split('.');
    const session = await app.em().findOneOrFail(Session, { id }, { filters: { tenant: false } });
    expect(Buffer.from(session.secretHash).toString('utf8')).not.toContain(secret);
    expect(session.secretHash.length).toBe(32);
  });

  it('logs out: the old cookie no longer opens the console', async () => {
    const browser = app.client();
    await browser.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    const token = browser.cookies.get('hp_staff_session')!;
    const logout = await browser.post('/verwaltung/abmelden');
    expect(logout.location).toBe('/verwaltung/anmelden?abgemeldet=1');

    const replay = app.client();
    replay.cookies.set('hp_staff_session', token);
    const page = await replay.get('/verwaltung/liegenschaften');
    expect(page.status).toBe(303);
    expect(page.location).toMatch(/^\/verwaltung\/anmelden/);
  });

  it('sends an anonymous visitor to the login page and back after login', async () => {
    const browser = app.client();
    const page = await browser.get('/verwaltung/liegenschaften?q=rosen');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/verwaltung/anmelden?weiter=%2Fverwaltung%2Fliegenschaften%3Fq%3Drosen');
    const form = await browser.get(page.location!);
    expect(form.$('input[name=weiter]').val()).toBe('/verwaltung/liegenschaften?q=rosen');
  });

  it('answers htmx requests of a logged-out user with 401 and HX-Redirect', async () => {
    const page = await app.client().get('/verwaltung/liegenschaften', { 'HX-Request': 'true' });
    expect(page.status).toBe(401);
    expect(page.headers.get('hx-redirect')).toMatch(/^\/verwaltung\/anmelden/);
  });
});

describe('sessions of the other area', () => {
  it('refuses a staff session token presented as portal cookie', async () => {
    const staff = app.client();
    await staff.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    const intruder = app.client();
    intruder.cookies.set('hp_portal_session', staff.cookies.get('hp_staff_session')!);
    const page = await intruder.get('/portal');
    expect(page.status).toBe(303);
    expect(page.location).toMatch(/^\/portal\/anmelden/);
  });

  it('refuses a portal session token presented as staff cookie', async () => {
    const resident = app.client();
    await resident.loginPortal('kristina.maiblume@example.de', app.world.password);
    const intruder = app.client();
    intruder.cookies.set('hp_staff_session', resident.cookies.get('hp_portal_session')!);
    const page = await intruder.get('/verwaltung/liegenschaften');
    expect(page.status).toBe(303);
    expect(page.location).toMatch(/^\/verwaltung\/anmelden/);
  });

  it('treats a forged or malformed token as no session', async () => {
    for (const token of ['garbage', 'a.b.c', `${'x'.repeat(40)}.y`, '']) {
      const browser = app.client();
      browser.cookies.set('hp_staff_session', token);
      const page = await browser.get('/verwaltung/liegenschaften');
      expect(page.status).toBe(303);
    }
  });
});

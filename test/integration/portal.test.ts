import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import { Organization, PortalUser } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('resident portal', () => {
  it('takes a resident with one property straight to its start page', async () => {
    const browser = app.client();
    const login = await browser.post('/portal/anmelden', { email: 'kristina.maiblume@example.de', password: app.world.password });
    expect(login.location).toBe('/portal');
    const selection = await browser.get('/portal');
    expect(selection.status).toBe(303);
    expect(selection.location).toBe(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}`);

    const start = await browser.get(selection.location!);
    expect(start.status).toBe(200);
    expect(start.$('h1').text()).toContain('Max-Planck-Straße 12');
    expect(start.$('main').text()).toContain('Wohnung 002');
    expect(start.$('main').text()).toContain('Mieter');
    expect(start.$('main').text()).toContain('Hausverwaltung Sonnenschein GmbH');
  });

  it('offers the object selection to an owner with flats in two properties', async () => {
    const browser = app.client();
    await browser.loginPortal('heinrich.eigner@example.de', app.world.password);
    const selection = await browser.get('/portal');
    expect(selection.status).toBe(200);
    expect(selection.$('h1').text()).toBe('Objektauswahl');
    const names = selection
      .$('.cards strong')
      .map((_, el) => selection.$(el).text())
      .get();
    expect(names).toEqual(['Max-Planck-Straße 12', 'Rosenweg 24']);
    expect(selection.$('.cards').text()).toContain('Eigentümer');
  });

  it('shows nothing to a resident whose contract starts next month while "Vorvertraglicher Zugang" is off', async () => {
    const em = app.em();
    // The demo Verwaltung opens the portal 30 days before a contract starts (seed 002); with
    // the window open Peter Schulz would see the property (test/integration/access-windows.test.ts).
    await em.nativeUpdate(Organization, { id: app.world.organizations.sonnenschein.id }, { preContractAccessEnabled: false });
    app.forgetCaches();
    const schulz = await em.findOneOrFail(PortalUser, { email: 'kristina.maiblume@example.de' }, { filters: { tenant: false } });
    const user = em.create(PortalUser, {
      organization: schulz.organization,
      email: 'peter.schulz@example.de',
      name: 'Peter Schulz',
      passwordHash: await hashPassword(app.world.password),
      createdAt: new Date(),
      onboardedAt: new Date(),
      contacts: [app.world.contacts.schulz.id],
    });
    await em.flush();
    const browser = app.client();
    await browser.loginPortal(user.email, app.world.password);
    const selection = await browser.get('/portal');
    expect(selection.status).toBe(200);
    expect(selection.$('.empty').text()).toContain('keine Liegenschaft');
    const start = await browser.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}`);
    expect(start.status).toBe(404);
  });

  it('switches the language to English and back', async () => {
    const browser = app.client();
    await browser.loginPortal('heinrich.eigner@example.de', app.world.password);
    const switched = await browser.get('/sprache/en?zurueck=/portal');
    // One more hop under /portal, where the resident's session is sent: it remembers the language for mails.
    expect(switched.location).toBe('/portal/sprache/en?zurueck=%2Fportal');
    expect((await browser.get(switched.location!)).location).toBe('/portal');
    const english = await browser.get('/portal');
    expect(english.$('html').attr('lang')).toBe('en');
    expect(english.$('h1').text()).toBe('Choose a property');
    await browser.get('/sprache/de?zurueck=/portal');
    expect((await browser.get('/portal')).$('h1').text()).toBe('Objektauswahl');
  });

  it('does not follow a language-switch redirect to another site', async () => {
    const page = await app.client().get('/sprache/en?zurueck=//evil.example');
    expect(page.location).toBe('/');
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Announcement, Appointment, BulletinPost, Session } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';

/** The read-only preview (Vorschau) of a property's portal: src/features/preview. */
const preview = JSON.parse(readFileSync(new URL('../../locales/de/preview.json', import.meta.url), 'utf8'));

const HOUR = 60 * 60 * 1000;
const MANAGER = 'verwalter@sonnenschein-hv.de';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const rosenweg = () => app.world.properties.rosenweg;
const previewUrl = (propertyId: string) => `/verwaltung/liegenschaften/${propertyId}/vorschau`;
const previewStart = () => `/portal/vorschau/liegenschaften/${rosenweg().id}`;

async function staffClient(email = MANAGER): Promise<Client> {
  const client = app.client();
  await client.loginStaff(email, app.world.password);
  return client;
}

/** A staff member who opened the preview of Rosenweg 24. */
async function previewClient(email = MANAGER): Promise<Client> {
  const client = await staffClient(email);
  const opened = await client.get(previewUrl(rosenweg().id));
  expect(opened.status).toBe(303);
  return client;
}

const isPreviewEnded = (page: Page) => page.status === 404 && page.$('[role=alert]').text() === preview.errors.ended;

describe('opening the preview', () => {
  it('shows a red "Vorschau" button on the property page that opens a new tab', async () => {
    const page = await (await staffClient()).get(`/verwaltung/liegenschaften/${rosenweg().id}`);
    const button = page.$('.property-actions a.button.danger');
    expect(button.text()).toBe('Vorschau');
    expect(button.attr('href')).toBe(previewUrl(rosenweg().id));
    expect(button.attr('target')).toBe('_blank');
    expect(button.attr('rel')).toBe('noopener');
  });

  it('creates a preview session with its own cookie for /portal/vorschau only and redirects to the property', async () => {
    const staff = await staffClient();
    const opened = await staff.get(previewUrl(rosenweg().id));
    expect(opened.status).toBe(303);
    expect(opened.location).toBe(previewStart());
    const cookie = opened.headers.getSetCookie().find((c) => c.startsWith('hp_preview_session='))!;
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/; Path=\/portal\/vorschau(;|$)/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);

    const id = staff.cookies.get('hp_preview_session')!.split('.')[0];
    const stored = await app.em().findOneOrFail(Session, { id }, { populate: ['parentSession'] });
    expect(stored.area).toBe('preview');
    expect(stored.previewProperty!.id).toBe(rosenweg().id);
    expect(stored.parentSession!.id).toBe(staff.cookies.get('hp_staff_session')!.split('.')[0]);
    expect(stored.expiresAt.getTime()).toBeLessThanOrEqual(stored.parentSession!.expiresAt.getTime());
  });

  it('replaces an earlier preview of the same staff session', async () => {
    const staff = await staffClient();
    await staff.get(previewUrl(app.world.properties.test.id));
    const first = staff.cookies.get('hp_preview_session')!;
    await staff.get(previewUrl(rosenweg().id));
    expect(await app.em().count(Session, { id: first.split('.')[0] })).toBe(0);
    expect((await staff.get(previewStart())).status).toBe(200);
  });

  it('is 404 for a property of another Verwaltung, and for a malformed id', async () => {
    const nordhaus = await staffClient('verwalter@nordhaus-verwaltung.de');
    for (const id of [rosenweg().id, 'nope']) {
      const page = await nordhaus.get(previewUrl(id));
      expect(page.status).toBe(404);
      expect(page.text).not.toContain('Rosenweg 24');
      expect(nordhaus.cookies.has('hp_preview_session')).toBe(false);
    }
  });

  it('needs a console login', async () => {
    const page = await app.client().get(previewUrl(rosenweg().id));
    expect(page.status).toBe(303);
    expect(page.location).toMatch(/^\/verwaltung\/anmelden\?/);
  });
});

describe('the preview', () => {
  it('shows the start page of the property with the banner, its content and no personal data', async () => {
    const em = app.em();
    const org = app.world.organizations.sonnenschein;
    const author = app.world.staff.manager;
    const now = app.clock.now();
    const announcement = (title: string, target: Partial<{ allProperties: boolean; properties: string[] }>, status: 'published' | 'draft' = 'published') =>
      em.create(Announcement, {
        organization: org.id,
        title,
        body: 'Text',
        status,
        publishedAt: status === 'published' ? now : null,
        createdBy: author.id,
        allProperties: false,
        ...target,
      });
    announcement('Treppenhausreinigung im Rosenweg', { properties: [rosenweg().id] });
    announcement('Willkommen im neuen Portal', { allProperties: true });
    announcement('Nur für die Max-Planck-Straße', { properties: [app.world.properties.maxPlanck.id] });
    announcement('Entwurf für den Rosenweg', { properties: [rosenweg().id] }, 'draft');
    em.create(Appointment, {
      organization: org.id,
      title: 'Eigentümerversammlung Rosenweg',
      location: 'Gemeindesaal',
      startsAt: new Date(now.getTime() + 48 * HOUR),
      endsAt: new Date(now.getTime() + 50 * HOUR),
      status: 'published',
      publishedAt: now,
      createdBy: author.id,
      properties: [rosenweg().id],
    });
    const post = (title: string, property: string) =>
      em.create(BulletinPost, { organization: org.id, property, title, body: 'Text', status: 'published', publishedAt: now, createdBy: author.id });
    post('Fahrradkeller wird geräumt', rosenweg().id);
    post('Aushang Max-Planck-Straße', app.world.properties.maxPlanck.id);
    await em.flush();

    // Heinrich Eigner owns a flat in Rosenweg 24: his resident cookie must not colour the preview.
    const browser = await previewClient();
    await browser.loginPortal('heinrich.eigner@example.de', app.world.password);
    const page = await browser.get(previewStart());
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.$('.preview-banner').text()).toContain('Vorschau');
    expect(page.$('main h1').text()).toContain('Rosenweg 24');

    const announcements = page
      .$('#start-announcements li a')
      .map((_, el) => page.$(el).text())
      .get();
    expect(announcements).toContain('Treppenhausreinigung im Rosenweg');
    expect(announcements).toContain('Willkommen im neuen Portal');
    expect(announcements).not.toContain('Nur für die Max-Planck-Straße');
    expect(announcements).not.toContain('Entwurf für den Rosenweg');
    expect(page.$('#start-appointments li').text()).toContain('Eigentümerversammlung Rosenweg');
    expect(page.$('#start-appointments li').text()).toContain('Gemeindesaal');
    expect(page.$('#start-bulletin li').text()).toContain('Fahrradkeller wird geräumt');
    expect(page.$('#start-bulletin li').text()).not.toContain('Aushang Max-Planck-Straße');

    // Everything can be opened: the Mitteilung itself too.
    const detail = await browser.get(page.$('#start-announcements li a').first().attr('href')!);
    expect(detail.status).toBe(200);
    expect(detail.$('.preview-banner').length).toBe(1);

    const main = page.$('main').text();
    expect(main).not.toContain('Ihre Einheiten');
    expect(main).not.toContain('Ihre Rolle');
    expect(main).not.toContain('Eigner');
    expect(page.$('form[action="/portal/abmelden"]').length).toBe(0);

    // Every portal link stays inside the preview; there is no object selection.
    const links = page
      .$('.portalnav a, main a[href^="/portal"]')
      .map((_, el) => page.$(el).attr('href'))
      .get();
    expect(links.length).toBeGreaterThan(5);
    for (const href of links) expect(href).toMatch(new RegExp(`^/portal/vorschau/liegenschaften/${rosenweg().id}(/|$)`));
  });

  it('refuses every change with 403 and a German message, even with a valid CSRF token', async () => {
    const browser = await previewClient();
    const token = await browser.csrfToken();
    for (const path of ['/portal/vorschau/abmelden', previewStart(), `${previewStart()}/mitteilungen`, '/portal/vorschau/liegenschaften/nope']) {
      const page = await browser.post(path, { title: 'Hallo' });
      expect(page.status, path).toBe(403);
      expect(page.$('[role=alert]').text()).toBe(preview.errors.readOnly);
    }
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const page = await browser.request(method, previewStart(), { headers: { 'x-csrf-token': token, origin: new URL(browser.baseUrl).origin } });
      expect(page.status, method).toBe(403);
    }
    // A htmx request is refused the same way.
    const htmx = await browser.post(previewStart(), {}, { headers: { 'hx-request': 'true' } });
    expect(htmx.status).toBe(403);
    // The preview itself is untouched.
    expect((await browser.get(previewStart())).status).toBe(200);
    expect((await browser.request('HEAD', previewStart())).status).toBe(200);
  });

  it('cannot reach another property, not even of the same Verwaltung', async () => {
    const browser = await previewClient();
    for (const property of [app.world.properties.maxPlanck, app.world.properties.test, app.world.properties.hafenstrasse]) {
      const page = await browser.get(`/portal/vorschau/liegenschaften/${property.id}`);
      expect(page.status).toBe(404);
      expect(page.text).not.toContain(property.name);
    }
  });

  it('has no object selection: it goes to the previewed property', async () => {
    const browser = await previewClient();
    for (const path of ['/portal/vorschau', '/portal/vorschau/']) {
      const page = await browser.get(path);
      expect(page.status).toBe(303);
      expect(page.location).toBe(previewStart());
    }
  });

  it('switches the language and stays in the preview', async () => {
    const browser = await previewClient();
    const switched = await browser.get(`/sprache/en?zurueck=${encodeURIComponent(previewStart())}`);
    expect(switched.location).toBe(previewStart());
    const page = await browser.get(previewStart());
    expect(page.$('.preview-banner').text()).toContain('Preview');
  });

  it('answers an unknown path inside the preview with 404, not with the resident login', async () => {
    const browser = await previewClient();
    const page = await browser.get(`${previewStart()}/gibt-es-nicht`);
    expect(page.status).toBe(404);
  });
});

describe('without a valid preview session', () => {
  it('answers 404 without revealing whether the property exists', async () => {
    for (const path of [previewStart(), '/portal/vorschau', `/portal/vorschau/liegenschaften/${app.world.properties.hafenstrasse.id}`]) {
      const page = await app.client().get(path);
      expect(isPreviewEnded(page), path).toBe(true);
      expect(page.text).not.toContain('Rosenweg 24');
    }
    const post = await app.client().post(previewStart());
    expect(post.status).toBe(404);
  });

  it('ends when the staff member logs out of the console', async () => {
    const browser = await previewClient();
    const previewId = browser.cookies.get('hp_preview_session')!.split('.')[0];
    expect((await browser.get(previewStart())).status).toBe(200);
    const loggedOut = await browser.post('/verwaltung/abmelden');
    expect(loggedOut.status).toBe(303);
    expect(await app.em().count(Session, { id: previewId })).toBe(0);
    expect(isPreviewEnded(await browser.get(previewStart()))).toBe(true);
    expect(browser.cookies.has('hp_preview_session')).toBe(false);
  });

  it('follows the staff session: extended while the console is used, ended when it expires', async () => {
    const started = app.clock.now();
    try {
      const browser = await previewClient();
      app.clock.advance(11 * HOUR);
      expect((await browser.get(previewStart())).status).toBe(200);
      // Using the console slides the staff session (12 hours idle), and the preview with it.
      expect((await browser.get('/verwaltung/liegenschaften')).status).toBe(200);
      app.clock.advance(2 * HOUR);
      expect((await browser.get(previewStart())).status).toBe(200);
      // Using only the preview does not keep the console session alive.
      app.clock.advance(9 * HOUR);
      expect((await browser.get(previewStart())).status).toBe(200);
      app.clock.advance(1 * HOUR + 1000);
      expect(isPreviewEnded(await browser.get(previewStart()))).toBe(true);
      expect((await browser.get('/verwaltung/liegenschaften')).status).toBe(303);
    } finally {
      app.clock.set(started);
    }
  });

  it('ends when the staff member is disabled', async () => {
    const em = app.em();
    const browser = await previewClient('sachbearbeitung@sonnenschein-hv.de');
    const clerk = await em.findOneOrFail(
      Session,
      { id: browser.cookies.get('hp_staff_session')!.split('.')[0] },
      { populate: ['staffUser'], filters: { tenant: false } },
    );
    clerk.staffUser!.disabledAt = app.clock.now();
    await em.flush();
    try {
      expect(isPreviewEnded(await browser.get(previewStart()))).toBe(true);
    } finally {
      clerk.staffUser!.disabledAt = null;
      await em.flush();
    }
  });

  it('ignores a resident cookie under /portal/vorschau', async () => {
    const resident = app.client();
    await resident.loginPortal('heinrich.eigner@example.de', app.world.password);
    expect((await resident.get(`/portal/liegenschaften/${rosenweg().id}`)).status).toBe(200);
    expect(isPreviewEnded(await resident.get(previewStart()))).toBe(true);
    expect((await resident.post(previewStart())).status).toBe(404);
  });

  it('does not accept the preview cookie for the resident portal or the console', async () => {
    const staff = await previewClient();
    const token = staff.cookies.get('hp_preview_session')!;
    const browser = app.client();
    browser.cookies.set('hp_preview_session', token);
    // The cookie's path keeps browsers from sending it elsewhere; the server refuses it anyway.
    browser.cookies.set('hp_portal_session', token);
    browser.cookies.set('hp_staff_session', token);
    const portal = await browser.get(`/portal/liegenschaften/${rosenweg().id}`);
    expect(portal.status).toBe(303);
    expect(portal.location).toMatch(/^\/portal\/anmelden\?/);
    expect((await browser.get('/portal')).location).toMatch(/^\/portal\/anmelden\?/);
    const console = await browser.get(`/verwaltung/liegenschaften/${rosenweg().id}`);
    expect(console.status).toBe(303);
    expect(console.location).toMatch(/^\/verwaltung\/anmelden\?/);
    // A staff token in the preview cookie is no preview either.
    const forged = app.client();
    forged.cookies.set('hp_preview_session', staff.cookies.get('hp_staff_session')!);
    expect(isPreviewEnded(await forged.get(previewStart()))).toBe(true);
  });

  it('refuses a preview token with a wrong secret', async () => {
    const staff = await previewClient();
    const [id] = staff.cookies.get('hp_preview_session')!.split('.');
    const forged = app.client();
    forged.cookies.set('hp_preview_session', `${id}.${'a'.repeat(32)}`);
    expect(isPreviewEnded(await forged.get(previewStart()))).toBe(true);
    expect((await staff.get(previewStart())).status).toBe(200);
  });
});

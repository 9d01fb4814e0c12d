import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsqr from 'jsqr';
import sharp from 'sharp';
import { hashToken } from '../../src/auth/tokens.ts';
import { Announcement, AuditLog, Contact, Display, PortalUser, Property } from '../../src/entities/index.ts';
import { DEMO_DISPLAY_TOKEN } from '../../src/features/displays/demo.ts';
import type { MountedRoute } from '../../src/http/routes.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';

/**
 * Digitaler Hausaushang (src/features/displays): screens of a property in the console with a
 * secret address (shown once, regenerated, revoked, deleted, audited, "zuletzt online"), the
 * public page by its token (content, nothing personal, pages, refresh), the token granting
 * nothing else, and the option "Im Hausaushang zeigen" of Mitteilungen.
 */

// jsqr is CommonJS typed as an ES default export: in Node the import is the function itself.
const readQr = jsqr as unknown as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

let app: TestApp;
let staff: Client;
let nordAdmin: Client;
const all = { filters: { tenant: false } } as const;

beforeAll(async () => {
  app = await startTestApp();
  staff = app.client();
  await staff.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
  nordAdmin = app.client();
  await nordAdmin.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
});
afterAll(() => app?.close());

const listUrl = () => `/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/hausaushang`;
const FULL_FORM = {
  name: 'Eingang B',
  orientation: 'portrait',
  showAnnouncements: '1',
  showAppointments: '1',
  showContactPersons: '1',
  showManagement: '1',
  showQrCode: '1',
};

/** Creates a screen of Rosenweg 24 through the form; returns the answer, the stored screen and its token. */
async function createScreen(fields: Record<string, string> = FULL_FORM) {
  const page = await staff.post(listUrl(), fields);
  expect(page.status).toBe(201);
  const url = page.$('#new-display-url-value').val() as string;
  const token = url.split('/aushang/')[1];
  const display = await app.em().findOneOrFail(Display, { tokenHash: hashToken(token) }, all);
  return { page, url, token, display };
}

const screen = (token: string, headers: Record<string, string> = {}) => app.client().get(`/aushang/${token}`, headers);

/** The text of a page with whitespace collapsed. */
const textOf = (page: Page) => page.$('body').text().replace(/\s+/g, ' ');

/** Every page a screen turns through, from the first until it points back at it. */
async function allPages(token: string): Promise<Page[]> {
  const start = `/aushang/${token}`;
  const pages: Page[] = [];
  let url = start;
  do {
    const page = await app.client().get(url);
    expect(page.status).toBe(200);
    pages.push(page);
    url = page.$('#aushang').attr('data-next') ?? start;
  } while (url !== start && pages.length < 20);
  return pages;
}

/** The screen's text over all its pages. */
const screenText = async (token: string) => (await allPages(token)).map(textOf).join(' ');

describe('screens in the console', () => {
  it('creates a screen and shows its address once; only a hash is stored, and the creation is audited', async () => {
    const { page, url, token, display } = await createScreen();
    expect(url).toMatch(new RegExp(`^${app.baseUrl}/aushang/[A-Za-z0-9_-]{43}$`));
    expect(page.$('#new-display-url').text()).toContain('wird nur jetzt angezeigt');
    expect(page.$('#new-display-url-open').attr('href')).toBe(url);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(display.tokenHash).toBe(hashToken(token));
    expect(display.tokenHint).toBe(token.slice(0, 6));
    expect(display.orientation).toBe('portrait');
    expect(display.organization.id).toBe(app.world.organizations.sonnenschein.id);
    expect(await app.em().count(AuditLog, { action: 'display.created', subjectId: display.id }, all)).toBe(1);

    const list = await staff.get(listUrl());
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(token);
    const row = list.$(`#display-${display.id}`);
    expect(row.find('th').text()).toBe('Eingang B');
    expect(row.text()).toContain(`/aushang/${token.slice(0, 6)}…`);
    expect(row.find('.display-last-seen').text()).toBe('zuletzt online: noch nie');
    // The demo's screen of Rosenweg 24 is listed too, and the property page links here.
    expect(list.$('table.displays tbody tr').length).toBeGreaterThanOrEqual(2);
    const property = await staff.get(`/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}`);
    expect(property.$(`a[href="${listUrl()}"]`).text()).toBe('Hausaushang');
  });

  it('refuses a form without a name, content or a known orientation: 422, German messages at the fields, form kept, nothing written', async () => {
    const before = await app.em().count(Display, {}, all);
    const page = await staff.post(listUrl(), { name: '', orientation: 'schraeg', showQrCode: '' });
    expect(page.status).toBe(422);
    expect(page.$('#name-error').text()).toBe('Bitte geben Sie einen Namen ein.');
    expect(page.$('#orientation-error').text()).toBe('Bitte wählen Sie eine Ausrichtung.');
    expect(page.$('#sections-error').text()).toBe('Bitte wählen Sie mindestens einen Inhalt.');
    expect(page.$('#new-display-name').attr('aria-invalid')).toBe('true');

    const long = await staff.post(listUrl(), { ...FULL_FORM, name: 'x'.repeat(101) });
    expect(long.status).toBe(422);
    expect(long.$('#name-error').text()).toBe('Der Name darf höchstens 100 Zeichen lang sein.');
    expect(long.$('#new-display-name').val()).toBe('x'.repeat(101));
    expect(long.$('input[name=orientation][value=portrait]').attr('checked')).toBeDefined();
    expect(await app.em().count(Display, {}, all)).toBe(before);
  });

  it('saves the settings; the address stays', async () => {
    const { token, display } = await createScreen({ ...FULL_FORM, name: 'Keller' });
    const saved = await staff.post(`${listUrl()}/${display.id}`, { name: 'Kellereingang', orientation: 'landscape', showAppointments: '1' });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`${listUrl()}/${display.id}?erledigt=gespeichert`);
    const stored = await app.em().findOneOrFail(Display, { id: display.id }, all);
    expect(stored).toMatchObject({ name: 'Kellereingang', orientation: 'landscape', showAnnouncements: false, showAppointments: true, showQrCode: false });
    expect(stored.tokenHash).toBe(hashToken(token));
    const page = await screen(token);
    expect(page.status).toBe(200);
    expect(page.$('.card-appointments')).toHaveLength(1);
    expect(page.$('.card-announcement, .card-contacts, .screen-qr, .screen-management')).toHaveLength(0);
    expect(await app.em().count(AuditLog, { action: 'display.updated', subjectId: display.id }, all)).toBe(1);

    const bad = await staff.post(`${listUrl()}/${display.id}`, { name: 'Kellereingang', orientation: 'landscape' });
    expect(bad.status).toBe(422);
    expect(bad.$('#sections-error').text()).toBe('Bitte wählen Sie mindestens einen Inhalt.');
  });

  it('"Neue Adresse erzeugen" shows a new address once; the old one answers 404 from then on', async () => {
    const { token, display } = await createScreen({ ...FULL_FORM, name: 'Hof' });
    expect((await screen(token)).status).toBe(200);
    const page = await staff.post(`${listUrl()}/${display.id}/neue-adresse`);
    expect(page.status).toBe(200);
    const fresh = (page.$('#new-display-url-value').val() as string).split('/aushang/')[1];
    expect(fresh).not.toBe(token);
    const old = await screen(token);
    expect(old.status).toBe(404);
    expect(textOf(old)).toContain('Diesen Hausaushang gibt es nicht (mehr).');
    expect((await screen(fresh)).status).toBe(200);
    expect(await app.em().count(AuditLog, { action: 'display.token_regenerated', subjectId: display.id }, all)).toBe(1);
    // The screen's own page never shows the address again.
    const again = await staff.get(`${listUrl()}/${display.id}`);
    expect(again.text).not.toContain(fresh);
  });

  it('"Adresse widerrufen" ends the address; the screen stays listed as widerrufen and can get a new one', async () => {
    const { token, display } = await createScreen({ ...FULL_FORM, name: 'Aufzug' });
    const revoked = await staff.post(`${listUrl()}/${display.id}/widerrufen`);
    expect(revoked.status).toBe(303);
    const gone = await screen(token);
    expect(gone.status).toBe(404);
    expect(gone.$('html').attr('lang')).toBe('de');
    expect(textOf(gone)).toContain('Diesen Hausaushang gibt es nicht (mehr). Bitte wenden Sie sich an Ihre Hausverwaltung.');
    const page = await staff.get(revoked.location!);
    expect(page.$('#display-status .badge').text()).toBe('widerrufen');
    expect(page.$('form[action$="/widerrufen"]')).toHaveLength(0);
    expect(await app.em().count(AuditLog, { action: 'display.revoked', subjectId: display.id }, all)).toBe(1);
    const renewed = await staff.post(`${listUrl()}/${display.id}/neue-adresse`);
    const fresh = (renewed.$('#new-display-url-value').val() as string).split('/aushang/')[1];
    expect((await screen(fresh)).status).toBe(200);
  });

  it('deleting a screen ends its address', async () => {
    const { token, display } = await createScreen({ ...FULL_FORM, name: 'Fahrradkeller' });
    const deleted = await staff.post(`${listUrl()}/${display.id}/loeschen`);
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe(`${listUrl()}?erledigt=geloescht`);
    expect(await app.em().count(Display, { id: display.id }, all)).toBe(0);
    expect((await screen(token)).status).toBe(404);
    expect(await app.em().count(AuditLog, { action: 'display.deleted', subjectId: display.id }, all)).toBe(1);
    expect((await staff.get(`${listUrl()}/${display.id}`)).status).toBe(404);
  });

  it('shows staff when each screen last fetched its page, written at most once a minute', async () => {
    const { token, display } = await createScreen({ ...FULL_FORM, name: 'Waschküche' });
    const first = app.clock.now();
    await screen(token);
    const seen = await app.em().findOneOrFail(Display, { id: display.id }, all);
    expect(seen.lastSeenAt?.getTime()).toBe(first.getTime());
    const shown = new Intl.DateTimeFormat('de-DE', {
      timeZone: 'Europe/Berlin',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    }).format(first);
    const list = await staff.get(listUrl());
    expect(list.$(`#display-${display.id} .display-last-seen`).text()).toBe(`zuletzt online: ${shown}`);

    app.clock.advance(30_000);
    await screen(token);
    expect((await app.em().findOneOrFail(Display, { id: display.id }, all)).lastSeenAt?.getTime()).toBe(first.getTime());
    app.clock.advance(31_000);
    await screen(token);
    expect((await app.em().findOneOrFail(Display, { id: display.id }, all)).lastSeenAt?.getTime()).toBe(first.getTime() + 61_000);
  });

  it('gives the other Verwaltung a 404 for the screens of a Sonnenschein property, by any way in', async () => {
    const { token, display } = await createScreen({ ...FULL_FORM, name: 'Nur Sonnenschein' });
    const hafen = `/verwaltung/liegenschaften/${app.world.properties.hafenstrasse.id}/hausaushang`;
    const attempts: Array<Promise<Page>> = [
      nordAdmin.get(listUrl()),
      nordAdmin.get(`${listUrl()}/${display.id}`),
      nordAdmin.get(`${hafen}/${display.id}`),
      nordAdmin.post(`${hafen}/${display.id}`, FULL_FORM),
      nordAdmin.post(`${hafen}/${display.id}/neue-adresse`),
      nordAdmin.post(`${hafen}/${display.id}/widerrufen`),
      nordAdmin.post(`${hafen}/${display.id}/loeschen`),
      nordAdmin.post(listUrl(), FULL_FORM),
    ];
    for (const page of await Promise.all(attempts)) {
      expect(page.status).toBe(404);
      expect(page.text).not.toContain('Nur Sonnenschein');
    }
    const stored = await app.em().findOneOrFail(Display, { id: display.id }, all);
    expect(stored.tokenHash).toBe(hashToken(token));
    // Its own property's list shows none of Sonnenschein's screens.
    const own = await nordAdmin.get(hafen);
    expect(own.status).toBe(200);
    expect(own.text).not.toContain('Nur Sonnenschein');
    expect(own.$('table.displays')).toHaveLength(0);
  });
});

describe('the screen of Rosenweg 24 in the demo', () => {
  it('shows the current Mitteilungen marked for it, the next Termine, Ansprechpartner, Notfallnummern, the Verwaltung and a QR code, in German', async () => {
    const pages = await allPages(DEMO_DISPLAY_TOKEN);
    const page = pages[0];
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    expect(page.$('html').attr('lang')).toBe('de');
    for (const p of pages) expect(p.$('h1').text()).toBe('Rosenweg 24');
    const text = pages.map(textOf).join(' ');
    const all$ = (selector: string) =>
      pages.flatMap((p) =>
        p
          .$(selector)
          .map((_, el) => p.$(el).text())
          .get(),
      );
    // Mitteilungen: Rosenweg 24's and those for all properties, newest first; not another property's, not a draft.
    expect(all$('.card-announcement h2')).toEqual(['Treppenhausreinigung', 'Willkommen im Kundenportal']);
    expect(text).not.toContain('Wartung der Heizungsanlage');
    expect(text).not.toContain('Ablesung der Heizkostenverteiler');
    // Termine of the property and for all, soonest first; not Max-Planck-Straße's.
    const appointments = all$('.card-appointments li').join(' ');
    expect(appointments).toContain('Ordentliche Eigentümerversammlung 2026');
    expect(appointments).toContain('Sommerfest der Hausverwaltung Sonnenschein');
    expect(appointments.indexOf('Eigentümerversammlung')).toBeLessThan(appointments.indexOf('Sommerfest'));
    expect(text).not.toContain('Jährliche Heizungswartung');
    // Ansprechpartner as the portal lists them; the Notdienst among the emergency numbers.
    const contacts = all$('.card-contacts').join(' ');
    expect(contacts).toContain('Hausmeisterservice Huber');
    expect(contacts).toContain('089 555123');
    const emergency = all$('.card-contacts .emergency').join(' ');
    expect(emergency).toContain('Heizung & Sanitär Keller');
    expect(emergency).toContain('112');
    expect(contacts).not.toContain('Josef Brandl');
    // The Verwaltung's contact and the QR code on every page; the code leads to the portal's registration.
    for (const p of pages) expect(p.$('.screen-management').text()).toContain('Hausverwaltung Sonnenschein GmbH');
    const src = page.$('.screen-qr img').attr('src') ?? '';
    expect(src).toMatch(/^data:image\/png;base64,/);
    const { data, info } = await sharp(Buffer.from(src.split(',')[1], 'base64'))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(readQr(new Uint8ClampedArray(data), info.width, info.height)?.data).toBe(`${app.baseUrl}/portal/registrieren`);
    expect(page.$('.screen-qr-url').text()).toBe(`${app.baseUrl}/portal/registrieren`);
  });

  it('refreshes itself: a meta refresh without scripts, the script and its target with them', async () => {
    // One page (only the Termine): fetched again every minute.
    const { token, display } = await createScreen({ name: 'Nur Termine', orientation: 'landscape', showAppointments: '1' });
    const page = await screen(token);
    expect(page.$('.screen-page')).toHaveLength(0);
    const refresh = page.$('noscript').html() ?? '';
    expect(refresh).toBe(`<meta http-equiv="refresh" content="60; url=/aushang/${token}">`);
    expect(page.$('#aushang').attr('data-next')).toBe(`/aushang/${token}`);
    expect(page.$('#aushang').attr('data-seconds')).toBe('60');
    await app.em().nativeDelete(Display, { id: display.id }, all);
    // Several pages: each stays 20 seconds.
    const demo = await screen(DEMO_DISPLAY_TOKEN);
    expect(demo.$('#aushang').attr('data-seconds')).toBe('20');
    expect(demo.$('noscript').html()).toContain(`content="20; url=/aushang/${DEMO_DISPLAY_TOKEN}?seite=2"`);
    expect(page.$('script[src="/static/aushang.js"]')).toHaveLength(1);
    expect(page.$('link[href="/static/aushang.css"]')).toHaveLength(1);
    // What the script fetches: the screen alone, no document around it.
    const part = await screen(DEMO_DISPLAY_TOKEN, { 'hx-request': 'true' });
    expect(part.status).toBe(200);
    expect(part.headers.get('vary')).toContain('HX-Request');
    expect(part.text).not.toContain('<html');
    expect(part.$('#aushang h1').text()).toBe('Rosenweg 24');
    const script = await app.client().get('/static/aushang.js');
    expect(script.status).toBe(200);
    expect(script.text).toContain('XMLHttpRequest');
  });

  it('turns pages when the content does not fit, each page pointing at the next and the last at the first', async () => {
    const { token, display } = await createScreen({ ...FULL_FORM, name: 'Viele Mitteilungen' });
    const em = app.em();
    const manager = app.world.staff.manager;
    const now = app.clock.now();
    for (let i = 1; i <= 6; i++) {
      em.create(Announcement, {
        organization: app.world.organizations.sonnenschein.id,
        title: `Aushang Nummer ${i}`,
        body: `Absatz eins der Nummer ${i}. `.repeat(12) + '\n\n' + 'Absatz zwei. '.repeat(10),
        status: 'published',
        publishedAt: new Date(now.getTime() - i * 60_000),
        allProperties: false,
        properties: [app.world.properties.rosenweg.id],
        showOnDisplay: true,
        createdBy: manager.id,
        createdAt: now,
        updatedAt: now,
      });
    }
    await em.flush();
    const first = await screen(token);
    const pages = Number(
      first
        .$('.screen-page')
        .text()
        .match(/von (\d+)/)?.[1],
    );
    expect(pages).toBeGreaterThan(1);
    expect(first.$('#aushang').attr('data-seconds')).toBe('20');
    const seen: string[] = [];
    let url = `/aushang/${token}`;
    for (let n = 1; n <= pages; n++) {
      const page = await app.client().get(url);
      expect(page.$('.screen-page').text()).toBe(`Seite ${n} von ${pages}`);
      seen.push(
        ...page
          .$('.card-announcement h2')
          .map((_, h) => page.$(h).text())
          .get(),
      );
      url = page.$('#aushang').attr('data-next')!;
      expect(page.$('noscript').html()).toContain(`url=${url}`);
    }
    expect(url).toBe(`/aushang/${token}`);
    for (let i = 1; i <= 6; i++) expect(seen).toContain(`Aushang Nummer ${i}`);
    // A page number beyond the last (or none at all) is the first page.
    const beyond = await app.client().get(`/aushang/${token}?seite=99`);
    expect(beyond.$('.screen-page').text()).toBe(`Seite 1 von ${pages}`);
    await app.em().nativeDelete(Announcement, { title: { $like: 'Aushang Nummer %' } }, all);
    await app.em().nativeDelete(Display, { id: display.id }, all);
  });

  it('shows nothing personal: no resident, tenant or owner of the Verwaltung by name, no e-mail of theirs', async () => {
    const text = await screenText(DEMO_DISPLAY_TOKEN);
    const contacts = await app.em().find(Contact, { organization: app.world.organizations.sonnenschein.id }, all);
    const users = await app.em().find(PortalUser, { organization: app.world.organizations.sonnenschein.id }, all);
    const personal = [
      ...contacts.filter((c) => c.lastName && c.firstName).map((c) => `${c.firstName} ${c.lastName}`),
      ...contacts.map((c) => c.email).filter((e): e is string => Boolean(e)),
      ...users.map((u) => u.name),
      ...users.map((u) => u.email),
    ];
    expect(personal.length).toBeGreaterThan(5);
    const shown = personal.filter((value) => text.includes(value));
    expect(shown).toEqual([]);
    for (const name of ['Maiblume', 'Eigner', 'Hoffmann', 'Schulz', 'Demir']) expect(text).not.toContain(name);
  });

  it('answers an unknown or malformed token, and a screen of an archived property, with a German 404 page', async () => {
    for (const token of ['x'.repeat(43), 'kurz', `${DEMO_DISPLAY_TOKEN}x`, DEMO_DISPLAY_TOKEN.toUpperCase(), hashToken(DEMO_DISPLAY_TOKEN)]) {
      const page = await screen(token);
      expect(page.status).toBe(404);
      expect(textOf(page)).toContain('Diesen Hausaushang gibt es nicht (mehr).');
      expect(page.text).not.toContain('Rosenweg 24');
    }
    const test = app.world.properties.test;
    const created = await staff.post(`/verwaltung/liegenschaften/${test.id}/hausaushang`, { ...FULL_FORM, name: 'Archiv' });
    const token = (created.$('#new-display-url-value').val() as string).split('/aushang/')[1];
    expect((await screen(token)).status).toBe(200);
    await app.em().nativeUpdate(Property, { id: test.id }, { archivedAt: app.clock.now() }, all);
    try {
      const archived = await screen(token);
      expect(archived.status).toBe(404);
      expect(archived.text).not.toContain(test.name);
    } finally {
      await app.em().nativeUpdate(Property, { id: test.id }, { archivedAt: null }, all);
    }
  });
});

describe('the option "Im Hausaushang zeigen" of Mitteilungen', () => {
  it('is ticked in the form of a new Mitteilung; existing ones stay off (the column defaults to false)', async () => {
    const form = await staff.get('/verwaltung/mitteilungen/neu');
    expect(form.$('input[name=showOnDisplay]').attr('checked')).toBeDefined();
    expect(form.$('label:has(input[name=showOnDisplay])').text().trim()).toBe('Im Hausaushang zeigen');
    const rows: Array<{ column_default: string }> = await app
      .em()
      .getConnection()
      .execute(`select column_default from information_schema.columns where table_name = 'announcement' and column_name = 'show_on_display'`);
    expect(rows[0].column_default).toBe('false');
  });

  it('puts a new Mitteilung on the screen when ticked, keeps it off when not, and the edit form shows the choice', async () => {
    const rosenweg = app.world.properties.rosenweg.id;
    const on = await staff.post('/verwaltung/mitteilungen', {
      title: 'Aufzug wird gewartet',
      body: 'Am Freitag steht der Aufzug nicht zur Verfügung.',
      propertyIds: rosenweg,
      showOnDisplay: '1',
      action: 'publish',
    });
    expect(on.status).toBe(303);
    const off = await staff.post('/verwaltung/mitteilungen', {
      title: 'Nur im Portal',
      body: 'Diese Mitteilung steht nicht im Treppenhaus.',
      propertyIds: rosenweg,
      action: 'publish',
    });
    expect(off.status).toBe(303);
    const stored = await app.em().find(Announcement, { title: { $in: ['Aufzug wird gewartet', 'Nur im Portal'] } }, all);
    expect(Object.fromEntries(stored.map((a) => [a.title, a.showOnDisplay]))).toEqual({ 'Aufzug wird gewartet': true, 'Nur im Portal': false });

    const text = await screenText(DEMO_DISPLAY_TOKEN);
    expect(text).toContain('Aufzug wird gewartet');
    expect(text).not.toContain('Nur im Portal');

    const edit = await staff.get(off.location!.split('?')[0]);
    expect(edit.$('input[name=showOnDisplay]').attr('checked')).toBeUndefined();

    // Withdrawn, it leaves the screen.
    const withdrawn = stored.find((a) => a.title === 'Aufzug wird gewartet')!;
    expect((await staff.post(`/verwaltung/mitteilungen/${withdrawn.id}/zurueckziehen`)).status).toBe(303);
    expect(await screenText(DEMO_DISPLAY_TOKEN)).not.toContain('Aufzug wird gewartet');
  });

  it('shows a Mitteilung of another property on that property’s screens only', async () => {
    const posted = await staff.post('/verwaltung/mitteilungen', {
      title: 'Nur Max-Planck-Straße',
      body: 'Betrifft Rosenweg 24 nicht.',
      propertyIds: app.world.properties.maxPlanck.id,
      showOnDisplay: '1',
      action: 'publish',
    });
    expect(posted.status).toBe(303);
    expect(await screenText(DEMO_DISPLAY_TOKEN)).not.toContain('Nur Max-Planck-Straße');
  });
});

describe('the token grants nothing else', () => {
  const ZERO = '00000000-0000-4000-8000-000000000000';
  const PARAM = /[:*](\w+|"[^"]+")/g;
  const guarded = (): MountedRoute[] => app.app.registry.list().filter((r) => r.method === 'GET' && ['portal', 'preview', 'staff', 'admin'].includes(r.guard));
  /** A route's path with every parameter replaced by `value(name)`. */
  const fill = (route: MountedRoute, value: (name: string) => string) =>
    route.path.replace(PARAM, (_, name: string) => encodeURIComponent(value(name.replace(/"/g, '')))).replace(/[{}]/g, '');

  /** Nothing but a 404 or the way to a login page. */
  const refused = (page: Page) =>
    page.status === 404 || (page.status === 303 && /^\/(verwaltung|portal)\/anmelden(\?|$)/.test(page.location ?? '')) || page.status === 401;

  it('walks every portal and console URL with the token in the path, the query and every cookie: 404 or the login, never content', async () => {
    const routes = guarded();
    expect(routes.length).toBeGreaterThan(100);
    const cookie = ['hp_portal_session', 'hp_staff_session', 'hp_preview_session', 'hp_csrf', 'aushang', 'token']
      .map((name) => `${name}=${DEMO_DISPLAY_TOKEN}`)
      .join('; ');
    const problems: string[] = [];
    for (const route of routes) {
      const attempts = [
        // The token as every path parameter.
        fill(route, () => DEMO_DISPLAY_TOKEN),
        // Real ids of Rosenweg 24 with the token in the query, under the names a screen might try.
        `${fill(route, (name) => (name === 'propertyId' ? app.world.properties.rosenweg.id : name === 'token' ? DEMO_DISPLAY_TOKEN : ZERO))}?token=${DEMO_DISPLAY_TOKEN}&aushang=${DEMO_DISPLAY_TOKEN}`,
      ];
      for (const url of attempts) {
        const response = await fetch(new URL(url, app.baseUrl), { headers: { cookie, authorization: `Bearer ${DEMO_DISPLAY_TOKEN}` }, redirect: 'manual' });
        const text = await response.text();
        const page = { status: response.status, location: response.headers.get('location') } as Page;
        if (!refused(page) || text.includes('Treppenhausreinigung')) problems.push(`${route.path} as ${url}: ${response.status} ${page.location ?? ''}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('opens nothing below or beside its own address', async () => {
    for (const url of [
      `/aushang/${DEMO_DISPLAY_TOKEN}/portal`,
      `/aushang/${DEMO_DISPLAY_TOKEN}/../portal`,
      `/portal/${DEMO_DISPLAY_TOKEN}`,
      `/portal/liegenschaften/${app.world.properties.rosenweg.id}?aushang=${DEMO_DISPLAY_TOKEN}`,
      `/kalender/${DEMO_DISPLAY_TOKEN}.ics`,
      `/api/v1/status`,
    ]) {
      const response = await fetch(new URL(url, app.baseUrl), { headers: { authorization: `Bearer ${DEMO_DISPLAY_TOKEN}` }, redirect: 'manual' });
      const text = await response.text();
      expect([303, 401, 404], `${url}: ${response.status}`).toContain(response.status);
      expect(text).not.toContain('Treppenhausreinigung');
    }
  });
});

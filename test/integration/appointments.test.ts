import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { Appointment, OutboxMail, PortalUser } from '../../src/entities/index.ts';
import { portalUsersWithAccess } from '../../src/features/access/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';

/** Termine: console form, mails only with "Empfänger benachrichtigen", portal calendar, .ics and feed. */
let app: TestApp;
let manager: Client;
let kristina: Client; // tenant in Max-Planck-Straße 12 only
let eigner: Client; // owner in Max-Planck-Straße 12 and (two flats) Rosenweg 24
let frieda: Client; // resident of the other Verwaltung
beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  kristina = app.client();
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
  eigner = app.client();
  await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
  frieda = app.client();
  await frieda.loginPortal('frieda.friesen@example.de', app.world.password);
});
afterAll(() => app?.close());

const maxPlanck = () => app.world.properties.maxPlanck;
const rosenweg = () => app.world.properties.rosenweg;
const termine = (propertyId: string) => `/portal/liegenschaften/${propertyId}/termine`;
let counter = 0;

type Fields = Record<string, string | string[]>;

/** Posts the console form (repeated "propertyIds" fields like a browser). */
async function post(path: string, fields: Fields) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
  body.set('_csrf', await manager.csrfToken());
  return manager.request('POST', path, { body, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(app.baseUrl).origin } });
}

/** Creates a Termin through the form and returns it from the database. */
async function create(fields: Fields = {}): Promise<Appointment> {
  const title = `Termin ${++counter} ${String(fields.title ?? '')}`.trim();
  const answer = await post('/verwaltung/termine', { date: '2026-12-10', startTime: '10:00', endTime: '11:00', propertyIds: maxPlanck().id, ...fields, title });
  expect(answer.status, answer.$('.field-error').text()).toBe(303);
  expect(answer.location).toMatch(/^\/verwaltung\/termine\?gespeichert=\d+$/);
  return app.em().findOneOrFail(Appointment, { title }, { filters: { tenant: false }, populate: ['properties'] });
}

const outboxCount = () => app.em().count(OutboxMail, {});
const appointmentCount = () => app.em().count(Appointment, {}, { filters: { tenant: false } });

/** Delivers what is queued and returns the recipients' addresses of this round. */
async function delivered(): Promise<string[]> {
  app.smtp.clear();
  await app.deliverMail();
  return app.smtp.messages.flatMap((m) => m.to);
}

describe('"Neuer Termin" in the console', () => {
  it('shows the form with the labels of the guide', async () => {
    const page = await manager.get('/verwaltung/termine/neu');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Neuer Termin');
    const labels = page
      .$('label, legend')
      .map((_, el) => page.$(el).text().trim())
      .get();
    for (const label of [
      'Titel',
      'Beschreibung',
      'Datum',
      'Beginn',
      'Ende',
      'Ganztägig',
      'Ort',
      'Senden an',
      'Alle Liegenschaften',
      'Empfänger benachrichtigen',
    ])
      expect(labels).toContain(label);
    expect(
      page
        .$('input[name=propertyIds]')
        .map((_, el) => page.$(el).parent().text().trim())
        .get(),
    ).toContain('Rosenweg 24');
    expect(page.text).not.toContain('Hafenstraße 9');
    expect(page.$('input[name=notify]').is(':checked')).toBe(false);

    // The filter field asks the suggestions of "Neue Mitteilung", whose checkboxes carry the same name.
    const filter = page.$('#appointment-property-filter');
    expect(filter.attr('data-hx-get')).toBe('/verwaltung/mitteilungen/empfaenger');
    const suggestions = await manager.get(`/verwaltung/mitteilungen/empfaenger?q=Rosen&propertyIds=${maxPlanck().id}`, { 'hx-request': 'true' });
    const names = suggestions
      .$('input[name=propertyIds]')
      .map((_, el) => suggestions.$(el).parent().text().trim())
      .get();
    expect(names).toEqual(['Max-Planck-Straße 12', 'Rosenweg 24']);
    expect(suggestions.$(`input[value="${maxPlanck().id}"]`).is(':checked')).toBe(true);
  });

  it('without "Empfänger benachrichtigen" sends no mail at all', async () => {
    await delivered();
    const before = await outboxCount();
    const appointment = await create({ propertyIds: [maxPlanck().id, rosenweg().id] });
    expect(appointment.notifyRecipients).toBe(false);
    expect(await outboxCount()).toBe(before);
    expect(await delivered()).toEqual([]);
    const list = await manager.get('/verwaltung/termine');
    expect(list.$(`#appointment-${appointment.id} a`).text()).toBe(appointment.title);
    expect(list.$('[role=status]').length).toBe(0);
  });

  it('with "Empfänger benachrichtigen" mails every registered resident of the targets once', async () => {
    await delivered();
    const appointment = await create({
      propertyIds: [maxPlanck().id, rosenweg().id],
      notify: '1',
      location: 'Gemeinschaftsraum',
      description: 'Bitte pünktlich.',
    });
    const em = app.em();
    scopeToOrganization(em, app.world.organizations.sonnenschein.id);
    const expected = (await portalUsersWithAccess(em, [maxPlanck().id, rosenweg().id], app.clock.now())).map((u) => u.email).sort();
    expect(expected).toContain('kristina.maiblume@example.de');
    expect(expected).toContain('heinrich.eigner@example.de');
    const to = await delivered();
    expect([...to].sort()).toEqual(expected);
    expect(new Set(to).size).toBe(to.length);
    expect(to).not.toContain('frieda.friesen@example.de');

    const [mail] = app.smtp.to('kristina.maiblume@example.de');
    expect(mail.subject).toBe(`Termin: ${appointment.title}`);
    expect(mail.text).toContain('Do., 10.12.2026, 10:00–11:00');
    expect(mail.text).toContain('Ort: Gemeinschaftsraum');
    expect(mail.text).toContain(`${app.baseUrl}/portal/liegenschaften/${maxPlanck().id}/termine/${appointment.id}`);
  });

  it('for "Alle Liegenschaften" mails the registered residents of every property of this Verwaltung only', async () => {
    await delivered();
    const appointment = await create({ propertyIds: [], allProperties: '1', notify: '1' });
    expect(appointment.allProperties).toBe(true);
    expect(appointment.properties).toHaveLength(0);
    const to = await delivered();
    expect(to).toContain('kristina.maiblume@example.de');
    expect(to).toContain('heinrich.eigner@example.de');
    expect(to).not.toContain('frieda.friesen@example.de');
    expect(new Set(to).size).toBe(to.length);
  });

  it('on edit mails again only when ticked, and "absagen" removes it from the portal', async () => {
    const appointment = await create();
    await delivered();
    const form = await manager.get(`/verwaltung/termine/${appointment.id}`);
    expect(form.$('#appointment-title').val()).toBe(appointment.title);
    expect(form.$('#appointment-start').val()).toBe('10:00');
    expect(form.$('input[name=notify]').is(':checked')).toBe(false);

    const edited = await post(`/verwaltung/termine/${appointment.id}`, {
      title: appointment.title,
      date: '2026-12-11',
      startTime: '09:00',
      propertyIds: maxPlanck().id,
    });
    expect(edited.status).toBe(303);
    expect(await delivered()).toEqual([]);
    const reloaded = await app.em().findOneOrFail(Appointment, { id: appointment.id }, { filters: { tenant: false } });
    expect(reloaded.startsAt.toISOString()).toBe('2026-12-11T08:00:00.000Z');
    expect(reloaded.endsAt.toISOString()).toBe('2026-12-11T08:00:00.000Z');

    await post(`/verwaltung/termine/${appointment.id}`, {
      title: appointment.title,
      date: '2026-12-11',
      startTime: '09:00',
      propertyIds: maxPlanck().id,
      notify: '1',
    });
    expect(await delivered()).toContain('kristina.maiblume@example.de');

    expect((await kristina.get(`${termine(maxPlanck().id)}/${appointment.id}`)).status).toBe(200);
    const withdrawn = await post(`/verwaltung/termine/${appointment.id}/absagen`, {});
    expect(withdrawn.status).toBe(303);
    expect((await kristina.get(`${termine(maxPlanck().id)}/${appointment.id}`)).status).toBe(404);
    expect((await kristina.get(termine(maxPlanck().id))).text).not.toContain(appointment.title);
  });

  it('is invisible to the other Verwaltung', async () => {
    const appointment = await create();
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect((await nord.get(`/verwaltung/termine/${appointment.id}`)).status).toBe(404);
    expect((await nord.get('/verwaltung/termine')).text).not.toContain(appointment.title);
    const body = new URLSearchParams({ _csrf: await nord.csrfToken() });
    const withdraw = await nord.request('POST', `/verwaltung/termine/${appointment.id}/absagen`, {
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(app.baseUrl).origin },
    });
    expect(withdraw.status).toBe(404);
  });
});

describe('bad input', () => {
  const cases: Array<[string, Fields, string, string]> = [
    ['an empty title', { title: '   ' }, 'title', 'Bitte geben Sie einen Titel ein.'],
    ['no target', { propertyIds: [] }, 'target', 'Bitte wählen Sie mindestens eine Liegenschaft oder „Alle Liegenschaften“.'],
    ['a missing date', { date: '' }, 'date', 'Bitte geben Sie ein Datum an.'],
    ['an end before the start', { startTime: '14:00', endTime: '13:00' }, 'endTime', 'Das Ende darf nicht vor dem Beginn liegen.'],
    ['an end date before the start', { endDate: '2026-12-01' }, 'endDate', 'Das Ende darf nicht vor dem Beginn liegen.'],
    ['a missing start time', { startTime: '' }, 'startTime', 'Bitte geben Sie eine Uhrzeit für den Beginn an oder wählen Sie „Ganztägig“.'],
    ['a property of another Verwaltung', { propertyIds: '' }, 'target', 'Bitte wählen Sie mindestens eine Liegenschaft oder „Alle Liegenschaften“.'],
  ];
  for (const [name, fields, field, message] of cases) {
    it(`answers ${name} with 422, the message at the field, the form kept, nothing saved and no mail`, async () => {
      const before = { appointments: await appointmentCount(), mails: await outboxCount() };
      const values: Fields = {
        title: 'Wasserabstellung',
        description: 'Leitungsarbeiten <script>alert(1)</script>',
        location: 'Keller',
        date: '2026-12-10',
        startTime: '10:00',
        endTime: '12:00',
        propertyIds: maxPlanck().id,
        notify: '1',
        ...fields,
      };
      if (name.includes('another Verwaltung')) values.propertyIds = app.world.properties.hafenstrasse.id;
      const page = await post('/verwaltung/termine', values);
      expect(page.status).toBe(422);
      expect(page.$(`#${field}-error`).text()).toBe(message);
      expect(page.$('[role=alert]').text()).toBe('Bitte prüfen Sie die markierten Felder.');
      expect(page.$('#appointment-location').val()).toBe('Keller');
      expect(page.$('#appointment-description').text()).toBe('Leitungsarbeiten <script>alert(1)</script>');
      expect(page.$('script:contains("alert(1)")').length).toBe(0);
      expect(page.$('input[name=notify]').is(':checked')).toBe(true);
      expect(await appointmentCount()).toBe(before.appointments);
      expect(await outboxCount()).toBe(before.mails);
    });
  }

  it('keeps an unknown id in the console a 404', async () => {
    expect((await manager.get('/verwaltung/termine/not-an-id')).status).toBe(404);
    expect((await manager.get('/verwaltung/termine/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('Berlin time across daylight saving', () => {
  it('stores 10:00 on 2026-03-30 (summer time) and 2026-11-30 (winter time) as the right UTC instants', async () => {
    const spring = await create({ date: '2026-03-30', startTime: '10:00', endTime: '11:00' });
    const autumn = await create({ date: '2026-11-30', startTime: '10:00', endTime: '11:00' });
    expect(spring.startsAt.toISOString()).toBe('2026-03-30T08:00:00.000Z');
    expect(spring.endsAt.toISOString()).toBe('2026-03-30T09:00:00.000Z');
    expect(autumn.startsAt.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(autumn.endsAt.toISOString()).toBe('2026-11-30T10:00:00.000Z');

    const springIcs = await kristina.get(`${termine(maxPlanck().id)}/${spring.id}.ics`);
    expect(springIcs.text.split('\r\n')).toContain('DTSTART:20260330T080000Z');
    const autumnIcs = await kristina.get(`${termine(maxPlanck().id)}/${autumn.id}.ics`);
    expect(autumnIcs.text.split('\r\n')).toContain('DTSTART:20261130T090000Z');
    expect(autumnIcs.text.split('\r\n')).toContain('DTEND:20261130T100000Z');

    // The edit form and the portal show the Berlin wall-clock time again.
    const form = await manager.get(`/verwaltung/termine/${spring.id}`);
    expect(form.$('#appointment-start').val()).toBe('10:00');
    expect((await kristina.get(`${termine(maxPlanck().id)}/${spring.id}`)).$('.when').text()).toBe('Mo., 30.03.2026, 10:00–11:00');
  });

  it('stores an all-day, multi-day Termin from Berlin midnight to the midnight after its last day', async () => {
    const fest = await create({ date: '2026-10-24', endDate: '2026-10-25', allDay: '1', startTime: '', endTime: '' });
    expect(fest.allDay).toBe(true);
    expect(fest.startsAt.toISOString()).toBe('2026-10-23T22:00:00.000Z');
    expect(fest.endsAt.toISOString()).toBe('2026-10-25T23:00:00.000Z');
    const ics = (await kristina.get(`${termine(maxPlanck().id)}/${fest.id}.ics`)).text.split('\r\n');
    expect(ics).toContain('DTSTART;VALUE=DATE:20261024');
    expect(ics).toContain('DTEND;VALUE=DATE:20261026');
  });
});

describe('the portal', () => {
  it('lists upcoming Termine of the property and those for all properties, not those of others', async () => {
    const own = await create({ date: '2026-12-20', title: 'eigene' });
    const all = await create({ date: '2026-12-21', allProperties: '1', propertyIds: [], title: 'alle' });
    const other = await create({ date: '2026-12-22', propertyIds: rosenweg().id, title: 'fremde' });
    const page = await kristina.get(termine(maxPlanck().id));
    expect(page.status).toBe(200);
    const titles = page
      .$('.appointment-list li strong')
      .map((_, el) => page.$(el).text())
      .get();
    expect(titles).toContain(own.title);
    expect(titles).toContain(all.title);
    expect(titles).not.toContain(other.title);
    expect(titles.indexOf(own.title)).toBeLessThan(titles.indexOf(all.title));
    expect(page.$('.portalnav a[aria-current=page]').text()).toBe('Termine');

    // The Rosenweg Termin is not reachable through Max-Planck-Straße, nor by a resident of it.
    expect((await kristina.get(`${termine(maxPlanck().id)}/${other.id}`)).status).toBe(404);
    expect((await kristina.get(`${termine(maxPlanck().id)}/${other.id}.ics`)).status).toBe(404);
    expect((await kristina.get(`${termine(rosenweg().id)}/${other.id}`)).status).toBe(404);
    expect((await kristina.get(termine(rosenweg().id))).status).toBe(404);
    expect((await eigner.get(`${termine(rosenweg().id)}/${other.id}`)).status).toBe(200);
    expect((await frieda.get(`${termine(maxPlanck().id)}/${own.id}`)).status).toBe(404);
    expect((await frieda.get(termine(maxPlanck().id))).status).toBe(404);
  });

  it('shows a month view with previous/next links and past Termine', async () => {
    const november = await create({ date: '2026-11-30', title: 'im November' });
    const page = await kristina.get(`${termine(maxPlanck().id)}?monat=2026-11`);
    expect(page.status).toBe(200);
    expect(page.$('table.month-calendar caption').text()).toBe('Termine im November 2026');
    expect(page.$('table.month-calendar thead th').length).toBe(7);
    const cell = page.$(`table.month-calendar a[href$="/termine/${november.id}"]`).closest('td');
    expect(cell.find('.day-long').text()).toBe('Montag, 30. November');
    expect(page.$('a[rel=prev]').attr('href')).toBe(`${termine(maxPlanck().id)}?monat=2026-10`);
    expect(page.$('a[rel=next]').attr('href')).toBe(`${termine(maxPlanck().id)}?monat=2026-12`);

    const past = await create({ date: '2025-06-01', title: 'vergangen' });
    expect((await kristina.get(termine(maxPlanck().id))).text).not.toContain(past.title);
    const archive = await kristina.get(`${termine(maxPlanck().id)}?vergangene=1`);
    expect(
      archive
        .$('.appointment-list li strong')
        .map((_, el) => archive.$(el).text())
        .get(),
    ).toContain(past.title);
  });

  it('shows the detail with the description rendered safely and offers the .ics file', async () => {
    const appointment = await create({
      title: 'Details, mit; Sonderzeichen',
      description: 'Erster Absatz <b>fett</b>\n\nMehr unter https://example.de/info',
      location: 'Hof, hinten',
    });
    const page = await kristina.get(`${termine(maxPlanck().id)}/${appointment.id}`);
    expect(page.$('h1').text()).toBe(appointment.title);
    expect(page.$('.location').text()).toBe('Hof, hinten');
    expect(page.$('.rich-text b').length).toBe(0);
    expect(page.$('.rich-text').text()).toContain('<b>fett</b>');
    expect(page.$('.rich-text a[href="https://example.de/info"]').length).toBe(1);
    const link = page.$('a[href$=".ics"]');
    expect(link.attr('href')).toBe(`${termine(maxPlanck().id)}/${appointment.id}.ics`);

    const ics = await kristina.get(link.attr('href')!);
    expect(ics.status).toBe(200);
    expect(ics.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const lines = ics.text.split('\r\n');
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('BEGIN:VEVENT');
    expect(lines.find((l) => l.startsWith('UID:'))).toBe(`UID:${appointment.id}@127.0.0.1`);
    expect(lines.some((l) => /^DTSTAMP:\d{8}T\d{6}Z$/.test(l))).toBe(true);
    expect(lines).toContain('DTSTART:20261210T090000Z');
    expect(lines).toContain('DTEND:20261210T100000Z');
    expect(lines).toContain(`SUMMARY:${appointment.title.replace(/([,;])/g, '\\$1')}`);
    expect(lines).toContain('LOCATION:Hof\\, hinten');
    expect(ics.text).toContain('DESCRIPTION:Erster Absatz <b>fett</b>\\n\\nMehr unter https://example.de/in');
    expect(ics.text.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });
});

describe('the preview', () => {
  it('shows the Termine of the property read-only, without the subscription form', async () => {
    const appointment = await create({ title: 'in der Vorschau' });
    expect((await manager.get(`/verwaltung/liegenschaften/${maxPlanck().id}/vorschau`)).status).toBe(303);
    const page = await manager.get(`/portal/vorschau/liegenschaften/${maxPlanck().id}/termine`);
    expect(page.status).toBe(200);
    expect(page.$(`a[href="/portal/vorschau/liegenschaften/${maxPlanck().id}/termine/${appointment.id}"]`).length).toBe(1);
    expect(page.$('#calendar-subscription').length).toBe(0);
    const ics = await manager.get(`/portal/vorschau/liegenschaften/${maxPlanck().id}/termine/${appointment.id}.ics`);
    expect(ics.status).toBe(200);
    const body = new URLSearchParams({ _csrf: await manager.csrfToken(), propertyId: maxPlanck().id });
    const refused = await manager.request('POST', '/portal/vorschau/kalender-abo', {
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(app.baseUrl).origin },
    });
    expect(refused.status).toBe(403);
  });
});

describe('the subscription feed', () => {
  async function subscribe(client: Client, propertyId: string): Promise<string> {
    const page = await client.post('/portal/kalender-abo', { propertyId });
    expect(page.status).toBe(200);
    const url = String(page.$('#subscription-url').val());
    expect(url).toMatch(new RegExp(`^${app.baseUrl}/kalender/[A-Za-z0-9_-]{32}\\.ics$`));
    expect(page.$('#subscription-webcal').attr('href')).toBe(url.replace(/^http:\/\//, 'webcal://'));
    return new URL(url).pathname;
  }

  it("is offered on the Termine page and gives the user's Termine of all their properties", async () => {
    const page = await eigner.get(termine(maxPlanck().id));
    expect(page.$('#calendar-subscription form').attr('action')).toBe('/portal/kalender-abo');
    const mp = await create({ title: 'Feed Max-Planck' });
    const rw = await create({ title: 'Feed Rosenweg', propertyIds: rosenweg().id });
    const path = await subscribe(eigner, maxPlanck().id);

    const user = await app.em().findOneOrFail(PortalUser, { email: 'heinrich.eigner@example.de' }, { filters: { tenant: false } });
    const token = path.slice('/kalender/'.length, -'.ics'.length);
    expect(user.calendarTokenHash).toBe(createHash('sha256').update(token).digest('hex'));

    const feed = await app.client().get(path);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(feed.text).toContain(`UID:${mp.id}@`);
    expect(feed.text).toContain(`UID:${rw.id}@`);
    expect(feed.text).toContain('X-WR-CALNAME:Hausverwaltung Sonnenschein GmbH – Termine');

    // Kristina lives in Max-Planck-Straße only: no Rosenweg Termin in her feed.
    const kristinaFeed = await app.client().get(await subscribe(kristina, maxPlanck().id));
    expect(kristinaFeed.text).toContain(`UID:${mp.id}@`);
    expect(kristinaFeed.text).not.toContain(`UID:${rw.id}@`);
  });

  it('renewing kills the old link; unknown tokens are 404', async () => {
    const first = await subscribe(kristina, maxPlanck().id);
    expect((await app.client().get(first)).status).toBe(200);
    const page = await kristina.get(termine(maxPlanck().id));
    expect(page.$('#calendar-subscription button').text()).toBe('Neuen Abo-Link erstellen');
    const second = await subscribe(kristina, maxPlanck().id);
    expect(second).not.toBe(first);
    expect((await app.client().get(first)).status).toBe(404);
    expect((await app.client().get(second)).status).toBe(200);
    expect((await app.client().get('/kalender/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics')).status).toBe(404);
    expect((await app.client().get('/kalender/x.ics')).status).toBe(404);
  });

  it("never shows another Verwaltung's Termine", async () => {
    const all = await create({ title: 'Sonnenschein für alle', allProperties: '1', propertyIds: [] });
    const feed = await app.client().get(await subscribe(frieda, app.world.properties.hafenstrasse.id));
    expect(feed.status).toBe(200);
    expect(feed.text).toContain('BEGIN:VCALENDAR');
    expect(feed.text).not.toContain(all.id);
    expect(feed.text).not.toContain('Sonnenschein');
  });
});

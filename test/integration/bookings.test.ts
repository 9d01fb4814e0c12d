import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import { fixedClock } from '../../src/clock.ts';
import { Booking, BookingResource, NotificationSetting, Organization, PortalMembership, PortalUser, Property } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { SAMPLE_FILES } from '../support/files.ts';
import type { Client, Page } from '../support/client.ts';

// Buchungen (issue 22): the rules, the refusals with their German reasons, approval,
// cancellation, the exclusion constraint under 20 concurrent requests, DST, the household
// limit under concurrency, the switch, Dienstleister, access loss and other Verwaltungen.
// Runs on either database (TEST_DATABASE_URL=embedded for PGlite).

// Tuesday 20 October 2026, 10:00 in Berlin (summer time until Sunday 25 October, 03:00).
const NOW = new Date('2026-10-20T08:00:00Z');
const all = { filters: { tenant: false } } as const;

let app: TestApp;
let manager: Client;
let kristina: Client; // tenant, Wohnung 002, Max-Planck-Straße 12
let eigner: Client; // owner of a flat in Max-Planck-Straße 12: another household
let nina: Client; // Bewohner invited by Kristina: Kristina's household
let ninaUser: PortalUser;
let ninaMembership: PortalMembership;
let mp: string;

const consoleBase = () => `/verwaltung/liegenschaften/${mp}/ressourcen`;
const portalBase = () => `/portal/liegenschaften/${mp}/buchungen`;

async function resourceNamed(name: string) {
  return app.em().findOneOrFail(BookingResource, { name }, all);
}

async function bookingCount() {
  return app.em().count(Booking, {}, all);
}

/** Creates a resource through the console form; every weekday open unless `hours` says otherwise. */
async function createResource(fields: Record<string, string | string[]>, hours: [string, string] = ['07:00', '21:00']) {
  const days = Object.fromEntries(
    [0, 1, 2, 3, 4, 5, 6].flatMap((d) => [
      [`open${d}`, '1'],
      [`from${d}`, hours[0]],
      [`to${d}`, hours[1]],
    ]),
  );
  const page = await manager.post(consoleBase(), {
    mode: 'slots',
    slotMinutes: '120',
    checkInTime: '15:00',
    checkOutTime: '10:00',
    leadHours: '0',
    advanceDays: '60',
    maxUnits: '1',
    householdLimit: '',
    householdPeriod: 'week',
    cancelHours: '0',
    allowedRoles: ['tenant', 'owner', 'resident'],
    fee: '',
    ...days,
    ...fields,
  });
  expect(page.status, page.$('.field-error').text()).toBe(303);
  return resourceNamed(String(fields.name));
}

const bookAs = (client: Client, resource: { id: string }, fields: Record<string, string>) => client.post(`${portalBase()}/${resource.id}`, fields);

/** A 422 with the reason next to the field, and nothing written. */
async function expectRefused(attempt: () => Promise<Page>, field: string, message: string | RegExp) {
  const before = await bookingCount();
  const page = await attempt();
  expect(page.status).toBe(422);
  const error = page.$(`#${field}-error`).text();
  if (typeof message === 'string') expect(error).toBe(message);
  else expect(error).toMatch(message);
  expect(await bookingCount()).toBe(before);
  return page;
}

/** Sends what the outbox holds so far, so that the next mailsTo sees only what follows. */
async function drainMail() {
  await app.deliverMail();
  app.smtp.clear();
}

async function mailsTo(address: string) {
  app.smtp.clear();
  await app.deliverMail();
  return app.smtp.to(address);
}

beforeAll(async () => {
  app = await startTestApp({ clock: fixedClock(NOW) });
  mp = app.world.properties.maxPlanck.id;
  const em = app.em();
  const organization = em.getReference(Organization, app.world.organizations.sonnenschein.id);
  ninaUser = em.create(PortalUser, {
    organization,
    email: 'nina.nachbar@example.de',
    name: 'Nina Nachbar',
    passwordHash: await hashPassword(app.world.password),
    createdAt: NOW,
    onboardedAt: NOW,
  });
  ninaMembership = em.create(PortalMembership, {
    organization,
    portalUser: ninaUser,
    property: mp,
    role: 'resident',
    invitedBy: app.world.portalUsers.kristina.id,
    createdAt: NOW,
  });
  // Kristina turned "Buchungen" off: the confirmation of her own booking still comes.
  em.create(NotificationSetting, { portalUser: app.world.portalUsers.kristina.id, kind: 'bookings', organization, frequency: 'off', updatedAt: NOW });
  await em.flush();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  kristina = app.client();
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
  eigner = app.client();
  await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
  nina = app.client();
  await nina.loginPortal('nina.nachbar@example.de', app.world.password);
});
afterAll(() => app?.close());

describe('the demo resources and the console', () => {
  it('lists the Waschküche and the Gästewohnung of Max-Planck-Straße 12 under Ressourcen & Räume', async () => {
    const page = await manager.get(consoleBase());
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Ressourcen & Räume');
    const names = page
      .$('.booking-resources a')
      .map((_, a) => page.$(a).text())
      .get();
    expect(names).toEqual(['Gästewohnung', 'Waschküche']);
    const property = await manager.get(`/verwaltung/liegenschaften/${mp}`);
    expect(property.$(`a[href="/verwaltung/liegenschaften/${mp}/ressourcen"]`).length).toBe(1);
  });

  it('takes a photo (by content, re-encoded) that residents see, and refuses a PDF at the field', async () => {
    const wash = await resourceNamed('Waschküche');
    const pdf = await manager.postMultipart(
      `${consoleBase()}/${wash.id}/foto`,
      {},
      [{ name: 'waschkueche.jpg', type: 'image/jpeg', content: SAMPLE_FILES.pdf }],
      'foto',
    );
    expect(pdf.status).toBe(422);
    expect(pdf.$('#foto-error').text()).toBe('Dieser Dateityp ist nicht erlaubt. Erlaubt sind Fotos (JPEG, PNG, WebP).');
    const saved = await manager.postMultipart(
      `${consoleBase()}/${wash.id}/foto`,
      {},
      [
        {
          name: 'waschkueche.png',
          type: 'image/png',
          content: await sharp({ create: { width: 120, height: 80, channels: 3, background: '#36c' } })
            .png()
            .toBuffer(),
        },
      ],
      'foto',
    );
    expect(saved.status, saved.$('.field-error').text()).toBe(303);
    expect((await resourceNamed('Waschküche')).photoKey).toBeTruthy();
    const page = await kristina.get(`${portalBase()}/${wash.id}`);
    expect(page.$('img.resource-photo').attr('alt')).toBe('Foto: Waschküche');
    const photo = await fetch(new URL(`${portalBase()}/${wash.id}/foto`, app.baseUrl), { headers: kristina.browserHeaders() });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
  });

  it('refuses a resource without name, roles or valid hours with German messages, the form filled in, nothing written', async () => {
    const before = await app.em().count(BookingResource, {}, all);
    const page = await manager.post(consoleBase(), {
      name: '',
      mode: 'slots',
      slotMinutes: '7',
      open0: '1',
      from0: '9',
      to0: '08:00',
      allowedRoles: [],
      place: 'Hof',
    });
    expect(page.status).toBe(422);
    expect(page.$('#name-error').text()).toBe('Bitte geben Sie einen Namen an.');
    expect(page.$('#allowedRoles-error').text()).toBe('Bitte wählen Sie mindestens eine Gruppe.');
    expect(page.$('#hours0-error').text()).toBe('Bitte Beginn und Ende als HH:MM angeben, das Ende nach dem Beginn.');
    expect(page.$('#slotMinutes-error').text()).toContain('Viertelstunden');
    expect(page.$('#resource-place').val()).toBe('Hof');
    expect(await app.em().count(BookingResource, {}, all)).toBe(before);
  });
});

describe('booking a slot in the portal', () => {
  it('shows "Buchungen" in the menu, the resources and the week with free slots', async () => {
    const start = await kristina.get(`/portal/liegenschaften/${mp}`);
    expect(start.$(`.portalnav a[href="${portalBase()}"]`).text()).toBe('Buchungen');
    const list = await kristina.get(portalBase());
    expect(list.status).toBe(200);
    expect(
      list
        .$('h2 a')
        .map((_, a) => list.$(a).text())
        .get(),
    ).toEqual(['Gästewohnung', 'Waschküche']);
    const wash = await resourceNamed('Waschküche');
    const week = await kristina.get(`${portalBase()}/${wash.id}`);
    expect(week.$('.booking-day').length).toBe(7);
    // Tuesday 10:00: the 07:00 slot is over, the 11:00 slot free; Sunday closed.
    const tuesday = week.$('#day-2026-10-20').parent();
    expect(tuesday.find('.slot').first().text()).toContain('nicht buchbar');
    expect(tuesday.find('.slot.free').first().text()).toContain('11:00–13:00');
    expect(week.$('#day-2026-10-25').parent().text()).toContain('geschlossen');
  });

  it('books a slot, mails the confirmation with an .ics (though Kristina turned the kind off), and the neighbour sees only "belegt"', async () => {
    const wash = await resourceNamed('Waschküche');
    await drainMail();
    const answer = await bookAs(kristina, wash, { tag: '2026-10-21', von: '09:00', anzahl: '1' });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${portalBase()}/meine?gebucht=bestaetigt`);
    const booking = await app.em().findOneOrFail(Booking, { resource: wash.id, status: 'confirmed' }, all);
    expect(booking.startsAt.toISOString()).toBe('2026-10-21T07:00:00.000Z');
    expect(booking.endsAt.toISOString()).toBe('2026-10-21T09:00:00.000Z');

    const mails = await mailsTo('kristina.maiblume@example.de');
    expect(mails.map((m) => m.subject)).toEqual(['Buchung bestätigt: Waschküche']);
    expect(mails[0].text).toContain('Mi., 21.10.2026, 09:00–11:00');
    const ics = mails[0].attachments.find((a) => a.filename === 'buchung.ics')!;
    expect(ics.contentType).toMatch(/^text\/calendar/);
    expect(ics.content.toString()).toContain('DTSTART:20261021T070000Z');
    expect(ics.content.toString()).toContain('SUMMARY:Waschküche');

    const mine = await kristina.get(`${portalBase()}/meine`);
    expect(mine.$('.my-bookings li').first().text()).toContain('Waschküche');
    expect(mine.$('.my-bookings li').first().text()).toContain('bestätigt');

    const seen = await eigner.get(`${portalBase()}/${wash.id}?tag=2026-10-21`);
    const slot = seen.$('.slot').filter((_, el) => seen.$(el).text().includes('09:00–11:00'));
    expect(slot.text()).toContain('belegt');
    expect(seen.text).not.toContain('Maiblume');
    expect(seen.text).not.toContain('Kristina');
    // Days in the reader's language: German by default, English with the English portal.
    expect(seen.text).toContain('Mi., 21.10.2026');
    eigner.cookies.set('hp_lang', 'en');
    const english = await eigner.get(`${portalBase()}/${wash.id}?tag=2026-10-21`);
    expect(english.text).toContain('Wed, 21/10/2026');
    expect(english.text).not.toContain('Mi., 21.10.2026');
    eigner.cookies.delete('hp_lang');
  });

  it('refuses the second resident the same slot, writes nothing, mails nothing', async () => {
    const wash = await resourceNamed('Waschküche');
    await expectRefused(() => bookAs(eigner, wash, { tag: '2026-10-21', von: '09:00', anzahl: '1' }), 'tag', 'Dieser Zeitraum ist bereits belegt.');
    expect(await mailsTo('heinrich.eigner@example.de')).toEqual([]);
  });

  it('refuses the past, outside the opening hours, a closed day, and over the maximum, each with its reason', async () => {
    const wash = await resourceNamed('Waschküche');
    await expectRefused(() => bookAs(kristina, wash, { tag: '2026-10-19', von: '07:00' }), 'tag', 'Dieser Zeitpunkt liegt in der Vergangenheit.');
    await expectRefused(() => bookAs(kristina, wash, { tag: '2026-10-20', von: '07:00' }), 'tag', 'Dieser Zeitpunkt liegt in der Vergangenheit.');
    await expectRefused(
      () => bookAs(kristina, wash, { tag: '2026-10-22', von: '08:00' }),
      'von',
      'Außerhalb der Öffnungszeiten: bitte eines der angebotenen Zeitfenster wählen.',
    );
    await expectRefused(() => bookAs(kristina, wash, { tag: '2026-10-25', von: '09:00' }), 'tag', /keine? .*gebucht werden|außerhalb der Öffnungszeiten/);
    const page = await expectRefused(
      () => bookAs(kristina, wash, { tag: '2026-10-22', von: '09:00', anzahl: '3' }),
      'anzahl',
      'Höchstens 2 Zeitfenster je Buchung.',
    );
    // The form comes back filled in.
    expect(page.$('#booking-day').val()).toBe('2026-10-22');
    expect(page.$('#booking-count').val()).toBe('3');
    await expectRefused(() => bookAs(kristina, wash, { tag: '2026-11-20', von: '09:00' }), 'tag', 'So weit im Voraus geht es nicht: höchstens 14 Tage.');
  });

  it('refuses a blocked period with its reason and an archived resource', async () => {
    const wash = await resourceNamed('Waschküche');
    const blocked = await manager.post(`${consoleBase()}/${wash.id}/sperren`, {
      vonTag: '2026-10-23',
      vonZeit: '00:00',
      bisTag: '2026-10-23',
      bisZeit: '24:00',
      grund: 'Wartung der Maschinen',
    });
    expect(blocked.status).toBe(303);
    await expectRefused(() => bookAs(kristina, wash, { tag: '2026-10-23', von: '11:00' }), 'tag', 'In diesem Zeitraum ist die Ressource gesperrt.');
    // A block over a booking is refused: cancel it first.
    const over = await manager.post(`${consoleBase()}/${wash.id}/sperren`, {
      vonTag: '2026-10-21',
      vonZeit: '08:00',
      bisTag: '2026-10-21',
      bisZeit: '12:00',
      grund: 'Wartung',
    });
    expect(over.status).toBe(422);
    expect(over.$('#vonTag-error').text()).toBe('In diesem Zeitraum liegt 1 Buchung; bitte stornieren Sie sie zuerst.');

    const old = await createResource({ name: 'Alter Fahrradkeller' });
    expect((await manager.post(`${consoleBase()}/${old.id}/archivieren`)).status).toBe(303);
    const list = await kristina.get(portalBase());
    expect(list.text).not.toContain('Alter Fahrradkeller');
    await expectRefused(
      () => bookAs(kristina, old, { tag: '2026-10-22', von: '09:00' }),
      'tag',
      'Diese Ressource ist archiviert und kann nicht mehr gebucht werden.',
    );
  });
});

describe('the household limit', () => {
  it('holds under 10 concurrent requests of one household: exactly one is booked', async () => {
    const drying = await createResource({ name: 'Trockenraum', householdLimit: '1', householdPeriod: 'week' });
    await kristina.csrfToken();
    const slots = ['07:00', '09:00', '11:00', '13:00', '15:00'];
    const answers = await Promise.all(['2026-10-27', '2026-10-28'].flatMap((day) => slots.map((von) => bookAs(kristina, drying, { tag: day, von }))));
    expect(answers.filter((a) => a.status === 303)).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 422);
    expect(refused).toHaveLength(9);
    expect(refused[0].$('#tag-error').text()).toBe('Ihr Haushalt hat in dieser Woche schon 1 Buchung dieser Ressource; mehr sind nicht möglich.');
    expect(await app.em().count(Booking, { resource: drying.id }, all)).toBe(1);
  });

  it('counts a Bewohner invited by Kristina in her household, and another household not', async () => {
    const drying = await resourceNamed('Trockenraum');
    await expectRefused(() => bookAs(nina, drying, { tag: '2026-10-29', von: '09:00' }), 'tag', /Ihr Haushalt hat in dieser Woche schon 1 Buchung/);
    expect((await bookAs(eigner, drying, { tag: '2026-10-29', von: '09:00' })).status).toBe(303);
    // Next week is a new period.
    expect((await bookAs(nina, drying, { tag: '2026-11-03', von: '09:00' })).status).toBe(303);
  });
});

describe('no double booking, ever', () => {
  it('books the same slot from 20 concurrent requests of two households: exactly one succeeds', async () => {
    const wash = await resourceNamed('Waschküche');
    await Promise.all([kristina.csrfToken(), eigner.csrfToken()]);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => bookAs(i % 2 ? kristina : eigner, wash, { tag: '2026-10-26', von: '15:00' })));
    // Never anything but booked or refused (a deadlock between two households' inserts once answered 500 here).
    expect(answers.map((a) => a.status).filter((status) => status !== 303 && status !== 422)).toEqual([]);
    expect(answers.filter((a) => a.status === 303)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 422)).toHaveLength(19);
    for (const refused of answers.filter((a) => a.status === 422)) expect(refused.$('#tag-error').text()).toBe('Dieser Zeitraum ist bereits belegt.');
    const start = new Date('2026-10-26T14:00:00Z');
    expect(await app.em().count(Booking, { resource: wash.id, startsAt: start }, all)).toBe(1);
  });

  it('is the database that refuses: 20 concurrent inserts of overlapping spans, one row', async () => {
    const wash = await resourceNamed('Waschküche');
    const property = app.em().getReference(Property, mp);
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        app.orm.em.fork().transactional(async (tx) => {
          tx.create(Booking, {
            organization: app.world.organizations.sonnenschein.id,
            resource: wash.id,
            property,
            kind: 'block',
            status: 'confirmed',
            startsAt: new Date(Date.parse('2026-11-02T08:00:00Z') + i * 60_000),
            endsAt: new Date(Date.parse('2026-11-02T10:00:00Z') + i * 60_000),
            note: `Versuch ${i}`,
            createdAt: NOW,
            updatedAt: NOW,
          });
        }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect(await app.em().count(Booking, { resource: wash.id, kind: 'block', note: { $like: 'Versuch %' } }, all)).toBe(1);
  });
});

describe('summer time ends and begins', () => {
  it('shows the 01:00–03:00 slot of the October night as 01:00–03:00 and blocks exactly those three hours', async () => {
    const party = await createResource({ name: 'Partyraum' }, ['01:00', '23:00']);
    const page = await eigner.get(`${portalBase()}/${party.id}?tag=2026-10-25`);
    const first = page.$('.slot').first();
    expect(first.text()).toContain('01:00–03:00');
    expect((await bookAs(kristina, party, { tag: '2026-10-25', von: '01:00' })).status).toBe(303);
    const booking = await app.em().findOneOrFail(Booking, { resource: party.id }, all);
    expect(booking.startsAt.toISOString()).toBe('2026-10-24T23:00:00.000Z');
    expect(booking.endsAt.toISOString()).toBe('2026-10-25T02:00:00.000Z');
    expect(booking.endsAt.getTime() - booking.startsAt.getTime()).toBe(3 * 3600_000);
    const after = await eigner.get(`${portalBase()}/${party.id}?tag=2026-10-25`);
    expect(after.$('.slot').first().text()).toContain('belegt');
    // The next slot (03:00 winter time = 02:00Z) is free and bookable by the neighbour.
    expect((await bookAs(eigner, party, { tag: '2026-10-25', von: '03:00' })).status).toBe(303);
    const mine = await kristina.get(`${portalBase()}/meine`);
    expect(mine.text).toContain('So., 25.10.2026, 01:00–03:00');
  });

  it('counts a night across either change as one night', async () => {
    const flat = await createResource({ name: 'Gästezimmer', mode: 'nights', checkInTime: '15:00', checkOutTime: '10:00', maxUnits: '3', advanceDays: '200' }, [
      '00:00',
      '24:00',
    ]);
    expect((await bookAs(kristina, flat, { tag: '2026-10-24', anzahl: '1' })).status).toBe(303);
    expect((await bookAs(kristina, flat, { tag: '2027-03-27', anzahl: '1' })).status).toBe(303);
    const [october, march] = await app.em().find(Booking, { resource: flat.id }, { ...all, orderBy: { startsAt: 'asc' } });
    expect([october.startsAt.toISOString(), october.endsAt.toISOString()]).toEqual(['2026-10-24T13:00:00.000Z', '2026-10-25T09:00:00.000Z']);
    expect([march.startsAt.toISOString(), march.endsAt.toISOString()]).toEqual(['2027-03-27T14:00:00.000Z', '2027-03-28T08:00:00.000Z']);
    const mine = await kristina.get(`${portalBase()}/meine`);
    const items = mine.$('.my-bookings li').filter((_, el) => mine.$(el).text().includes('Gästezimmer'));
    expect(items).toHaveLength(2);
    items.each((_, el) => {
      expect(mine.$(el).text()).toContain('(1 Nacht)');
    });
    await expectRefused(() => bookAs(kristina, flat, { tag: '2026-11-10', anzahl: '4' }), 'anzahl', 'Höchstens 3 Nächte je Buchung.');
  });
});

describe('approval and cancellation', () => {
  it('a request for the Gästewohnung holds its nights until staff approve it; approval follows the notification choice', async () => {
    const flat = await resourceNamed('Gästewohnung');
    await drainMail();
    const answer = await bookAs(kristina, flat, { tag: '2026-10-30', anzahl: '2', notiz: 'Besuch meiner Eltern' });
    expect(answer.location).toBe(`${portalBase()}/meine?gebucht=angefragt`);
    const request = await app.em().findOneOrFail(Booking, { resource: flat.id }, all);
    expect(request.status).toBe('requested');
    expect((await mailsTo('kristina.maiblume@example.de')).map((m) => m.subject)).toEqual(['Buchungsanfrage eingegangen: Gästewohnung']);
    await expectRefused(() => bookAs(eigner, flat, { tag: '2026-10-31', anzahl: '1' }), 'tag', 'Dieser Zeitraum ist bereits belegt.');

    const overview = await manager.get(`${consoleBase()}?woche=2026-10-30`);
    expect(overview.$(`#anfrage-${request.id}`).text()).toContain('Kristina Maiblume');
    expect(overview.$(`#anfrage-${request.id}`).text()).toContain('Besuch meiner Eltern');
    const approved = await manager.post(`/verwaltung/liegenschaften/${mp}/buchungen/${request.id}/bestaetigen`);
    expect(approved.status).toBe(303);
    expect((await app.em().findOneOrFail(Booking, request.id, all)).status).toBe('confirmed');
    // Kristina chose "aus" for Buchungen: the approval is not mailed (only her own confirmation always is).
    expect(await mailsTo('kristina.maiblume@example.de')).toEqual([]);
  });

  it('declines a request with a reason the resident is mailed, and frees the nights', async () => {
    const em = app.em();
    em.remove(await em.findOneOrFail(NotificationSetting, { portalUser: app.world.portalUsers.kristina.id, kind: 'bookings' }, all));
    await em.flush();
    await drainMail();
    const flat = await resourceNamed('Gästewohnung');
    expect((await bookAs(eigner, flat, { tag: '2026-11-05', anzahl: '1' })).status).toBe(303);
    const request = await app.em().findOneOrFail(Booking, { resource: flat.id, status: 'requested' }, all);
    await drainMail();
    expect((await manager.post(`/verwaltung/liegenschaften/${mp}/buchungen/${request.id}/ablehnen`, { grund: 'Renovierung' })).status).toBe(303);
    const mails = await mailsTo('heinrich.eigner@example.de');
    expect(mails.map((m) => m.subject)).toEqual(['Buchungsanfrage abgelehnt: Gästewohnung']);
    expect(mails[0].text).toContain('Renovierung');
    expect((await bookAs(kristina, flat, { tag: '2026-11-05', anzahl: '1' })).status).toBe(303);
  });

  it('lets the resident cancel before the deadline and refuses after it', async () => {
    const wash = await resourceNamed('Waschküche');
    expect((await bookAs(kristina, wash, { tag: '2026-10-20', von: '13:00' })).status).toBe(303);
    const booking = await app.em().findOneOrFail(Booking, { resource: wash.id, startsAt: new Date('2026-10-20T11:00:00Z') }, all);
    // 12:30 in Berlin: the deadline (1 hour before 13:00) has passed.
    app.clock.set(new Date('2026-10-20T10:30:00Z'));
    try {
      const refused = await kristina.post(`${portalBase()}/meine/${booking.id}/stornieren`);
      expect(refused.status).toBe(422);
      expect(refused.$(`#buchung-${booking.id} .field-error`).text()).toBe('Stornieren ist nur bis 1 Stunde vor Beginn möglich.');
      expect((await app.em().findOneOrFail(Booking, booking.id, all)).status).toBe('confirmed');
    } finally {
      app.clock.set(NOW);
    }
    const done = await kristina.post(`${portalBase()}/meine/${booking.id}/stornieren`);
    expect(done.status).toBe(303);
    expect((await app.em().findOneOrFail(Booking, booking.id, all)).status).toBe('cancelled');
  });

  it('staff cancel with a reason the resident is mailed; without a reason it is refused', async () => {
    const wash = await resourceNamed('Waschküche');
    const booking = await app.em().findOneOrFail(Booking, { resource: wash.id, startsAt: new Date('2026-10-21T07:00:00Z') }, all);
    await drainMail();
    const path = `/verwaltung/liegenschaften/${mp}/buchungen/${booking.id}/stornieren`;
    const form = await manager.get(path);
    expect(form.text).toContain('Kristina Maiblume');
    const refused = await manager.post(path, { grund: '' });
    expect(refused.status).toBe(422);
    expect(refused.$('#reason-error').text()).toBe('Bitte geben Sie einen Grund an.');
    expect((await manager.post(path, { grund: 'Wasserschaden im Keller' })).status).toBe(303);
    const mails = await mailsTo('kristina.maiblume@example.de');
    expect(mails.map((m) => m.subject)).toEqual(['Buchung storniert: Waschküche']);
    expect(mails[0].text).toContain('Wasserschaden im Keller');
  });

  it('staff book for a resident, confirmed at once, and see it in the week overview with the name', async () => {
    const wash = await resourceNamed('Waschküche');
    const page = await manager.get(`${consoleBase()}/${wash.id}`);
    expect(page.$('#book-resident option').text()).toContain('Heinrich');
    const answer = await manager.post(`${consoleBase()}/${wash.id}/buchungen`, {
      bewohner: app.world.portalUsers.eigner.id,
      tag: '2026-10-22',
      von: '17:00',
      anzahl: '1',
    });
    expect(answer.status).toBe(303);
    const week = await manager.get(`${consoleBase()}?woche=2026-10-22`);
    const row = week.$('.booking-week tr').filter((_, tr) => week.$(tr).text().includes('17:00–19:00'));
    expect(row.text()).toContain('Waschküche');
    expect(row.text()).toContain('bestätigt');
    // The month view lists the month's days with bookings only, with links to the months around it.
    const month = await manager.get(`${consoleBase()}?monat=2026-10`);
    expect(month.$('#week-heading').text()).toBe('Monat vom Do., 01.10.2026 bis Sa., 31.10.2026');
    const monthRow = month.$('.booking-week tr').filter((_, tr) => month.$(tr).text().includes('17:00–19:00'));
    expect(monthRow.text()).toContain('Waschküche');
    expect(month.$('.booking-week td.muted')).toHaveLength(0);
    expect(month.$('a[rel=prev]').attr('href')).toMatch(/\?monat=2026-09$/);
    expect(month.$('a[rel=next]').attr('href')).toMatch(/\?monat=2026-11$/);
    const empty = await manager.get(`${consoleBase()}?monat=2027-05`);
    expect(empty.$('.empty').text()).toBe('In diesem Monat ist nichts gebucht.');
    // Anything else than a month is the week view.
    expect((await manager.get(`${consoleBase()}?monat=2026-13`)).$('#week-heading').text()).toMatch(/^Woche vom/);
    const refused = await manager.post(`${consoleBase()}/${wash.id}/buchungen`, { bewohner: app.world.portalUsers.eigner.id, tag: '2026-10-22', von: '17:00' });
    expect(refused.status).toBe(422);
    expect(refused.$('#tag-error').text()).toBe('Dieser Zeitraum ist bereits belegt.');
  });

  it('changing the rules keeps the existing bookings and says so to staff', async () => {
    const wash = await resourceNamed('Waschküche');
    const live = await app.em().count(Booking, { resource: wash.id, kind: 'booking', status: { $in: ['requested', 'confirmed'] } }, all);
    expect(live).toBeGreaterThan(0);
    const form = await manager.get(`${consoleBase()}/${wash.id}`);
    const fields: Record<string, string | string[]> = {};
    form.$('form.resource-form input, form.resource-form select, form.resource-form textarea').each((_, el) => {
      const e = form.$(el);
      const name = e.attr('name');
      if (!name || name === '_csrf') return;
      if ((e.attr('type') === 'checkbox' || e.attr('type') === 'radio') && e.attr('checked') === undefined) return;
      const value = el.tagName === 'select' ? (e.find('option[selected]').attr('value') ?? '') : el.tagName === 'textarea' ? e.text() : (e.attr('value') ?? '');
      fields[name] = name in fields ? [fields[name]].flat().concat(value) : value;
    });
    fields.maxUnits = '1';
    const saved = await manager.post(`${consoleBase()}/${wash.id}`, fields);
    expect(saved.status, saved.$('.field-error').text()).toBe(303);
    const page = await manager.get(saved.location!);
    expect(page.$('.notice').text()).toContain(`${live} bestehende Buchung`);
    expect(await app.em().count(Booking, { resource: wash.id, kind: 'booking', status: { $in: ['requested', 'confirmed'] } }, all)).toBe(live);
  });
});

describe('who sees Buchungen', () => {
  it('the preview shows availability read-only', async () => {
    const staff = app.client();
    await staff.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
    expect((await staff.get(`/verwaltung/liegenschaften/${mp}/vorschau`)).status).toBe(303);
    const wash = await resourceNamed('Waschküche');
    const page = await staff.get(`/portal/vorschau/liegenschaften/${mp}/buchungen/${wash.id}?tag=2026-10-22`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('belegt');
    expect(page.$('form').length).toBe(0);
    expect(page.text).not.toContain('Heinrich');
    expect((await staff.post(`/portal/vorschau/liegenschaften/${mp}/buchungen/${wash.id}`, { tag: '2026-10-22', von: '09:00' })).status).toBe(403);
  });

  it('a Dienstleister login gets a 404', async () => {
    const em = app.em();
    const organization = em.getReference(Organization, app.world.organizations.sonnenschein.id);
    const provider = em.create(PortalUser, {
      organization,
      email: 'hausmeister@dienst.example.de',
      name: 'Hausmeisterdienst',
      passwordHash: await hashPassword(app.world.password),
      createdAt: NOW,
      onboardedAt: NOW,
    });
    em.create(PortalMembership, { organization, portalUser: provider, property: mp, role: 'service_provider', createdAt: NOW });
    await em.flush();
    const client = app.client();
    await client.loginPortal('hausmeister@dienst.example.de', app.world.password);
    const wash = await resourceNamed('Waschküche');
    expect((await client.get(portalBase())).status).toBe(404);
    expect((await client.get(`${portalBase()}/${wash.id}`)).status).toBe(404);
    expect((await client.post(`${portalBase()}/${wash.id}`, { tag: '2026-10-22', von: '11:00' })).status).toBe(404);
    // The property's pages are not for a Dienstleister's login at all (issue 23, src/features/orders/access.ts).
    expect((await client.get(`/portal/liegenschaften/${mp}`)).status).toBe(404);
  });

  it('other Verwaltungen, other properties and other residents get a 404', async () => {
    const wash = await resourceNamed('Waschküche');
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect((await nord.get(consoleBase())).status).toBe(404);
    expect((await nord.get(`${consoleBase()}/${wash.id}`)).status).toBe(404);
    const someBooking = await app.em().findOneOrFail(Booking, { resource: wash.id, status: 'confirmed', kind: 'booking' }, all);
    expect((await nord.post(`/verwaltung/liegenschaften/${mp}/buchungen/${someBooking.id}/stornieren`, { grund: 'x' })).status).toBe(404);
    // The resource through another property of the same Verwaltung.
    expect((await manager.get(`/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/ressourcen/${wash.id}`)).status).toBe(404);
    const frieda = app.client();
    await frieda.loginPortal('frieda.friesen@example.de', app.world.password);
    expect((await frieda.get(portalBase())).status).toBe(404);
    expect((await frieda.get(`${portalBase()}/${wash.id}`)).status).toBe(404);
    // Kristina cannot cancel the neighbour's booking, nor download it.
    const eignerBooking = await app.em().findOneOrFail(Booking, { portalUser: app.world.portalUsers.eigner.id, status: 'confirmed' }, all);
    expect((await kristina.post(`${portalBase()}/meine/${eignerBooking.id}/stornieren`)).status).toBe(404);
    expect((await kristina.get(`${portalBase()}/meine/${eignerBooking.id}.ics`)).status).toBe(404);
    expect((await app.em().findOneOrFail(Booking, eignerBooking.id, all)).status).toBe('confirmed');
  });

  it('with the switch off for the property, Buchungen are gone and refused', async () => {
    const wash = await resourceNamed('Waschküche');
    const em = app.em();
    const property = await em.findOneOrFail(Property, mp, all);
    property.bookingsEnabled = false;
    await em.flush();
    app.forgetCaches();
    try {
      expect((await kristina.get(portalBase())).status).toBe(404);
      expect((await kristina.get(`${portalBase()}/${wash.id}`)).status).toBe(404);
      expect((await kristina.post(`${portalBase()}/${wash.id}`, { tag: '2026-10-22', von: '11:00' })).status).toBe(404);
      expect((await kristina.get(`/portal/liegenschaften/${mp}`)).$(`a[href="${portalBase()}"]`).length).toBe(0);
    } finally {
      property.bookingsEnabled = true;
      await em.flush();
      app.forgetCaches();
    }
    expect((await kristina.get(portalBase())).status).toBe(200);
  });
});

describe('losing access', () => {
  it('cancels the future bookings of a user who lost access and tells staff', async () => {
    const party = await resourceNamed('Partyraum');
    expect((await bookAs(nina, party, { tag: '2026-10-28', von: '19:00' })).status).toBe(303);
    await app.runTask('access-windows');
    const em = app.em();
    const membership = await em.findOneOrFail(PortalMembership, ninaMembership.id, all);
    membership.endedAt = NOW;
    await em.flush();
    app.smtp.clear();
    await app.runTask('access-windows');
    const booking = await app.em().findOneOrFail(Booking, { portalUser: ninaUser.id, resource: party.id }, all);
    expect(booking.status).toBe('cancelled');
    expect(booking.cancelReason).toBe('Zugang beendet');
    await app.deliverMail();
    const staffMail = app.smtp.to('verwalter@sonnenschein-hv.de').find((m) => m.subject === 'Buchungen storniert: Zugang beendet');
    expect(staffMail?.text).toContain('Partyraum');
    expect(staffMail?.text).toContain('Nina Nachbar');
  });
});

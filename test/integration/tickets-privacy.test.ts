import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import {
  Contact,
  Organization,
  OutboxMail,
  PortalMembership,
  PortalUser,
  Ticket,
  TicketAttachment,
  TicketEntry,
  ticketReference,
} from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, FileField } from '../support/client.ts';
import { readPdf } from '../support/pdf.ts';
import type { ReceivedMail } from '../support/smtp.ts';

/**
 * "Ich bin auch betroffen" without the reporter's personal data (SPEC, access rules;
 * src/features/tickets/access.ts): Kristina Maiblume reports a common-area concern with her
 * phone number in the description and a photo; Nina Nachbar (a Bewohner without contract)
 * and Jonas Becker (a tenant of Wohnung 001) join. Pages, PDFs, photo downloads and the mails
 * of the real SMTP receiver are checked for what each of them must not see.
 */

const de = (ns: string) => JSON.parse(readFileSync(new URL(`../../locales/de/${ns}.json`, import.meta.url), 'utf8'));
const tickets = de('tickets');
const portal = de('tickets-portal');
const detailTexts = de('tickets-detail');

const all = { filters: { tenant: false } } as const;
const MANAGER = 'verwalter@sonnenschein-hv.de';
const KRISTINA = 'kristina.maiblume@example.de';
const KARL = 'karl.maiblume@example.de';
const NINA = 'nina.nachbar@example.de';
const JONAS = 'jonas.becker@example.de';
const PHONE = '0151 2345678';
const DESCRIPTION = `Im Treppenhaus 2. OG ist die Deckenlampe seit Tagen aus. Rufen Sie mich gern an: ${PHONE}`;
const JOINED = /ein Anliegen, dem Sie sich angeschlossen haben/i;

let app: TestApp;
let kristina: Client;
let karl: Client; // a second login of Kristina's contact: the reporter side
let nina: Client; // Bewohnerin, invited by a neighbour, no contract
let jonas: Client; // tenant of Wohnung 001
let manager: Client;

beforeAll(async () => {
  app = await startTestApp();
  const em = app.em();
  // Kristina files her own "Licht im Treppenhaus defekt" below: issue 23's demo Vorgang of that
  // title (src/features/orders/demo.ts) would be found in its place.
  await em.execute("delete from ticket where title = 'Licht im Treppenhaus defekt'");
  const now = app.clock.now();
  const organization = em.getReference(Organization, app.world.organizations.sonnenschein.id);
  const passwordHash = await hashPassword(app.world.password);
  const becker = await em.findOneOrFail(Contact, { lastName: 'Becker' }, all);
  const login = (email: string, name: string, contacts: Contact[] = []) =>
    em.create(PortalUser, { organization, email, name, passwordHash, createdAt: now, onboardedAt: now, contacts });
  const ninaUser = login(NINA, 'Nina Nachbar');
  em.create(PortalMembership, {
    organization,
    portalUser: ninaUser,
    property: app.world.properties.maxPlanck.id,
    role: 'resident',
    invitedBy: app.world.portalUsers.eigner.id,
    createdAt: now,
  });
  login(JONAS, 'Jonas Becker', [becker]);
  login(KARL, 'Karl Maiblume', [em.getReference(Contact, app.world.contacts.kristina.id)]);
  await em.flush();
  [kristina, karl, nina, jonas] = await Promise.all(
    [KRISTINA, KARL, NINA, JONAS].map(async (email) => {
      const client = app.client();
      await client.loginPortal(email, app.world.password);
      return client;
    }),
  );
  manager = app.client();
  await manager.loginStaff(MANAGER, app.world.password);
});
afterAll(() => app?.close());

const list = () => `/portal/liegenschaften/${app.world.properties.maxPlanck.id}/vorgaenge`;
const detail = (ticket: { id: string }) => `${list()}/${ticket.id}`;
const consoleUrl = (ticket: { id: string }) => `/verwaltung/vorgaenge/${ticket.id}`;
const fileUrl = (ticket: { id: string }, file: { id: string }) => `${detail(ticket)}/anhaenge/${file.id}`;
const png = async (color: string): Promise<FileField> => ({
  name: 'lampe.png',
  type: 'image/png',
  content: await sharp({ create: { width: 64, height: 48, channels: 3, background: color } })
    .png()
    .toBuffer(),
});

/** Sends the outbox through the real job; what arrived since, per recipient. */
async function delivered(action: () => Promise<unknown>) {
  await app.deliverMail();
  app.smtp.clear();
  await action();
  await app.deliverMail();
  const messages = [...app.smtp.messages];
  return { all: messages, to: (address: string) => messages.filter((m) => m.to.includes(address)) };
}

async function pdfOf(client: Client, ticket: { id: string }) {
  const response = await fetch(new URL(`${detail(ticket)}/pdf`, app.baseUrl), { headers: client.browserHeaders() });
  expect(response.status).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  // An embedded photo is an image XObject, whose dictionary pdf-lib never compresses.
  return { text: (await readPdf(bytes)).texts.join('\n'), images: Buffer.from(bytes).toString('latin1').split('/Subtype /Image').length - 1 };
}

const status = async (client: Client, path: string) => (await fetch(new URL(path, app.baseUrl), { headers: client.browserHeaders() })).status;

async function fileReport(client: Client, fields: Record<string, string>, files: FileField[] = []) {
  const form = await client.get(`${list()}/neu`);
  const category = form.$('select[name=category] option[value!=""]').first().attr('value')!;
  return client.postMultipart(list(), { category, ...fields }, files, 'photos');
}

/** Kristina's report, as stored, and the files of its first entry. */
async function reportNamed(title: string) {
  const ticket = await app.em().findOneOrFail(Ticket, { title }, all);
  const files = await app.em().find(TicketAttachment, { ticket: ticket.id }, all);
  return { ticket, files };
}

/** What no joiner may read anywhere: Kristina's name, her phone number, her description. */
function expectNothingOfKristina(text: string, label: string) {
  for (const secret of ['Kristina', 'Maiblume', PHONE, 'Deckenlampe seit Tagen']) expect(text, `${label}: ${secret}`).not.toContain(secret);
}

function expectJoinerMail(mail: ReceivedMail | undefined, label: string) {
  expect(mail, label).toBeDefined();
  expect(mail!.subject, label).toMatch(JOINED);
  expect(mail!.text, label).toMatch(JOINED);
  expect(mail!.subject, label).not.toContain('Ihr Anliegen');
  expect(mail!.text, label).not.toContain('Ihr Anliegen');
  expectNothingOfKristina(`${mail!.subject}\n${mail!.text}\n${mail!.html}`, label);
}

describe('"Beschreibung und Fotos für Nachbarn sichtbar machen" when reporting', () => {
  it('is a checkbox on "Anliegen melden", off by default, before the photos', async () => {
    const page = await kristina.get(`${list()}/neu`);
    const form = page.$('main form[enctype="multipart/form-data"]');
    const box = form.find('input[type=checkbox][name=shareReport]');
    expect(box.length).toBe(1);
    expect(box.attr('checked')).toBeUndefined();
    expect(box.parent('label').text().trim()).toBe(portal.fields.shareReport);
    expect(form.find('input, select, textarea').last().attr('name')).toBe('photos');
  });

  it('is refused for a concern about the own unit, with the message at the box, the form kept and nothing saved', async () => {
    const before = { tickets: await app.em().count(Ticket, {}, all), mails: await app.em().count(OutboxMail, {}) };
    const page = await fileReport(kristina, {
      location: `unit:${app.world.units.wohnung002.id}`,
      title: 'Fenster klemmt',
      description: 'Das Fenster im Bad klemmt.',
      shareReport: '1',
    });
    expect(page.status).toBe(422);
    expect(page.$('#shareReport-error').text()).toBe(tickets.errors.shareOnlyCommonArea);
    expect(page.$('input[name=shareReport]').attr('checked')).toBeDefined();
    expect(page.$('input[name=title]').val()).toBe('Fenster klemmt');
    expect({ tickets: await app.em().count(Ticket, {}, all), mails: await app.em().count(OutboxMail, {}) }).toEqual(before);
  });
});

describe('a common-area concern Kristina did not share', () => {
  let ticket: Ticket;
  let photo: TicketAttachment;
  let ninaComment: TicketEntry;
  let ninaPhoto: TicketAttachment;

  it('is filed with the box off: stored as not shared', async () => {
    const answer = await fileReport(kristina, { location: 'area:staircase', title: 'Licht im Treppenhaus defekt', description: DESCRIPTION }, [
      await png('#c33'),
    ]);
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    ({
      ticket,
      files: [photo],
    } = await reportNamed('Licht im Treppenhaus defekt'));
    expect(ticket.shareReportWithJoiners).toBe(false);
    expect(photo.thumbKey).toBeTruthy();
  });

  it('lets Nina (Bewohnerin) and Jonas (tenant) join, and shows each the number, title, Thema, Ort and status, but nothing of Kristina', async () => {
    for (const joiner of [nina, jonas]) {
      expect((await joiner.get(list())).$(`#joinable-${ticket.id} form button`).text()).toBe(portal.index.affected);
      expect((await joiner.post(`${detail(ticket)}/betroffen`)).status).toBe(303);
    }
    for (const [label, joiner] of [
      ['Nina', nina],
      ['Jonas', jonas],
    ] as const) {
      const page = await joiner.get(detail(ticket));
      expect(page.status, label).toBe(200);
      expect(page.$('h1').text()).toBe('Licht im Treppenhaus defekt');
      expect(page.text).toContain(`Nr. ${ticketReference(ticket)}`);
      expect(page.$('.ticket-facts').text()).toContain('Schaden/Reparatur');
      expect(page.$('.ticket-facts').text()).toContain(tickets.areas.staircase);
      expect(page.$('.badge.ticket-status').text()).toBe(tickets.status.new);
      expect(page.$('.timeline-entry.created .timeline-head strong').text()).toBe(tickets.entryUnnamed.created);
      expect(page.$('.report-private').text()).toBe(portal.show.reportPrivate);
      expect(page.$('.comment-private').text()).toBe(portal.show.commentPrivate);
      expectNothingOfKristina(page.text, `${label}'s page`);
      expect(page.text, label).not.toContain(photo.id);
      expect(await status(joiner, fileUrl(ticket, photo)), label).toBe(404);
      expect(await status(joiner, `${fileUrl(ticket, photo)}/vorschau`), label).toBe(404);

      const pdf = await pdfOf(joiner, ticket);
      expect(pdf.text).toContain('Licht im Treppenhaus defekt');
      expect(pdf.text).toContain(tickets.entryUnnamed.created);
      expectNothingOfKristina(pdf.text, `${label}'s PDF`);
      expect(pdf.images, `${label}'s PDF`).toBe(0);
    }
    // Neither joiner learns who else joined: a count, no name.
    expect((await nina.get(detail(ticket))).text).not.toContain('Jonas Becker');
    expect((await jonas.get(detail(ticket))).text).not.toContain('Nina Nachbar');
    expect((await nina.get(detail(ticket))).$('.followers').text()).toBe('2 weitere Personen');
  });

  it('still shows Kristina and the other login of her contact the whole report with the photo', async () => {
    for (const [label, reporter] of [
      ['Kristina', kristina],
      ['Karl', karl],
    ] as const) {
      const page = await reporter.get(detail(ticket));
      expect(page.$('.ticket-description').text(), label).toContain(PHONE);
      expect(page.$('.report-private, .comment-private').length, label).toBe(0);
      expect(page.$('.timeline-entry.created').text(), label).toContain('Kristina Maiblume hat das Anliegen gemeldet');
      expect(page.$(`.timeline img[src="${fileUrl(ticket, photo)}/vorschau"]`).length, label).toBe(1);
      expect(await status(reporter, `${fileUrl(ticket, photo)}/vorschau`), label).toBe(200);
      expect(page.text, label).not.toContain('Nina Nachbar');
      expect(page.text, label).not.toContain('Jonas Becker');
    }
    const pdf = await pdfOf(kristina, ticket);
    expect(pdf.text).toContain(PHONE);
    expect(pdf.images).toBe(1);
  });

  it('keeps each joiner’s comment and photo between them and staff: not for Kristina’s side, not for the other joiner', async () => {
    const mails = await delivered(async () => {
      const answer = await nina.postMultipart(`${detail(ticket)}/kommentare`, { body: 'Bei mir im 3. OG flackert es auch.' }, [await png('#3c3')], 'photos');
      expect(answer.status).toBe(303);
      expect((await jonas.postMultipart(`${detail(ticket)}/kommentare`, { body: 'Im Keller ist es auch dunkel.' }, [], 'photos')).status).toBe(303);
    });
    ninaComment = await app.em().findOneOrFail(TicketEntry, { ticket: ticket.id, body: 'Bei mir im 3. OG flackert es auch.' }, all);
    [ninaPhoto] = await app.em().find(TicketAttachment, { entry: ninaComment.id }, all);
    // Staff are told, nobody else.
    expect(mails.all.flatMap((m) => m.to).sort()).toEqual([MANAGER, MANAGER]);

    const own = await nina.get(detail(ticket));
    expect(own.$(`#entry-${ninaComment.id}`).text()).toContain('Nina Nachbar hat kommentiert');
    expect(own.$(`#entry-${ninaComment.id}`).text()).toContain('Bei mir im 3. OG flackert es auch.');
    expect(await status(nina, `${fileUrl(ticket, ninaPhoto)}/vorschau`)).toBe(200);
    expect(own.text).not.toContain('Im Keller ist es auch dunkel.');
    expect((await pdfOf(nina, ticket)).text).toContain('Bei mir im 3. OG flackert es auch.');

    for (const [label, other] of [
      ['Kristina', kristina],
      ['Karl', karl],
      ['Jonas', jonas],
    ] as const) {
      const page = await other.get(detail(ticket));
      expect(page.text, label).not.toContain('Bei mir im 3. OG flackert es auch.');
      expect(page.text, label).not.toContain('Nina Nachbar');
      expect(page.text, label).not.toContain(ninaPhoto.id);
      expect(await status(other, fileUrl(ticket, ninaPhoto)), label).toBe(404);
      expect(await status(other, `${fileUrl(ticket, ninaPhoto)}/vorschau`), label).toBe(404);
      const pdf = await pdfOf(other, ticket);
      expect(pdf.text, label).not.toContain('flackert');
      expect(pdf.text, label).not.toContain('Nina Nachbar');
    }
    expect((await kristina.get(detail(ticket))).text).not.toContain('Im Keller ist es auch dunkel.');
    expect((await jonas.get(detail(ticket))).text).toContain('Im Keller ist es auch dunkel.');
  });

  it('mails staff’s comment to Kristina’s side as "Ihr Anliegen" and to the joiners as „ein Anliegen, dem Sie sich angeschlossen haben“, without her name or data', async () => {
    const mails = await delivered(async () => {
      const answer = await manager.postMultipart(
        `${consoleUrl(ticket)}/kommentare`,
        { body: 'Der Elektriker kommt morgen früh.', visibility: 'public' },
        [],
        'files',
      );
      expect(answer.status).toBe(303);
    });
    expect(mails.all.flatMap((m) => m.to).sort()).toEqual([JONAS, KARL, KRISTINA, NINA]);
    for (const address of [KRISTINA, KARL]) {
      const [mail] = mails.to(address);
      expect(mail.subject).toBe(`Ihr Anliegen ${ticketReference(ticket)}: Licht im Treppenhaus defekt`);
      expect(mail.text).not.toMatch(JOINED);
    }
    for (const address of [NINA, JONAS]) {
      const [mail] = mails.to(address);
      expectJoinerMail(mail, address);
      expect(mail.text).toContain('Der Elektriker kommt morgen früh.');
      expect(mail.text).toContain('Max Verwalter');
      expect(mail.text).not.toContain(address === NINA ? 'Jonas Becker' : 'Nina Nachbar');
    }
  });

  it('keeps Kristina’s own comments from the joiners, page and mail', async () => {
    const mails = await delivered(async () => {
      expect((await kristina.postMultipart(`${detail(ticket)}/kommentare`, { body: `Ich bin ab 17 Uhr zu Hause, Tel. ${PHONE}.` }, [], 'photos')).status).toBe(
        303,
      );
    });
    expect(mails.all.flatMap((m) => m.to).sort()).toEqual([KARL, MANAGER]);
    for (const joiner of [nina, jonas]) {
      const page = await joiner.get(detail(ticket));
      expect(page.text).not.toContain('ab 17 Uhr');
      expectNothingOfKristina(page.text, 'joiner after her comment');
    }
  });

  it('tells the joiners of status changes and of Kristina reopening it, naming nobody but staff', async () => {
    const version = String((await manager.get(consoleUrl(ticket))).$('form[action$="/status"] input[name=version]').val());
    const done = await delivered(async () => expect((await manager.post(`${consoleUrl(ticket)}/status`, { status: 'done', version })).status).toBe(303));
    for (const address of [NINA, JONAS]) {
      expectJoinerMail(done.to(address)[0], address);
      expect(done.to(address)[0].text).toContain(tickets.status.done);
    }
    const reopened = await delivered(async () => expect((await kristina.post(`${detail(ticket)}/erneut-oeffnen`)).status).toBe(303));
    expect(reopened.all.flatMap((m) => m.to).sort()).toEqual([JONAS, KARL, NINA, MANAGER]);
    for (const address of [NINA, JONAS]) {
      expectJoinerMail(reopened.to(address)[0], address);
      expect(reopened.to(address)[0].text).toContain('wurde erneut geöffnet');
    }
    const page = await nina.get(detail(ticket));
    expect(page.$('.timeline-entry.reopened .timeline-head strong').text()).toBe(tickets.entryUnnamed.reopened);
    expectNothingOfKristina(page.text, 'Nina after the reopening');
    // A joiner does not reopen.
    expect(page.$('form[action$="/erneut-oeffnen"]').length).toBe(0);
  });

  it('shows staff everything, unchanged: the reporter with her data, the report, both joiners’ comments and who joined', async () => {
    const page = await manager.get(consoleUrl(ticket));
    expect(page.$('.reporter-name').text()).toBe('Kristina Maiblume');
    expect(page.$('.ticket-joiners-see').text()).toBe(detailTexts.facts.joinersSee.private);
    expect(page.$('.ticket-reporter').text()).toContain(PHONE);
    expect(page.$('.ticket-report .ticket-description').text()).toContain(DESCRIPTION);
    expect(page.$(`.ticket-report img[src="${consoleUrl(ticket)}/anhaenge/${photo.id}/vorschau"]`).length).toBe(1);
    const timeline = page.$('.timeline').text().replace(/\s+/g, ' ');
    for (const part of [
      'Kristina Maiblume hat den Vorgang gemeldet',
      'Nina Nachbar ist ebenfalls betroffen',
      'Jonas Becker ist ebenfalls betroffen',
      'Bei mir im 3. OG flackert es auch.',
      'Im Keller ist es auch dunkel.',
      'ab 17 Uhr',
    ]) {
      expect(timeline).toContain(part);
    }
    expect(page.$(`#entry-${ninaComment.id} img`).attr('src')).toBe(`${consoleUrl(ticket)}/anhaenge/${ninaPhoto.id}/vorschau`);
    const response = await fetch(new URL(`${consoleUrl(ticket)}/pdf`, app.baseUrl), { headers: manager.browserHeaders() });
    const text = (await readPdf(new Uint8Array(await response.arrayBuffer()))).texts.join('\n');
    for (const part of ['Kristina Maiblume', PHONE, 'Bei mir im 3. OG flackert es auch.', 'Im Keller ist es auch dunkel.']) expect(text).toContain(part);
  });
});

describe('a common-area concern Kristina shared', () => {
  it('shows joiners the description and the photos, page and PDF, but still not her name', async () => {
    const description = 'Der Briefkasten neben der Haustür ist aufgebrochen.';
    const answer = await fileReport(kristina, { location: 'area:outdoor', title: 'Briefkasten aufgebrochen', description, shareReport: '1' }, [
      await png('#33c'),
    ]);
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    const {
      ticket,
      files: [photo],
    } = await reportNamed('Briefkasten aufgebrochen');
    expect(ticket.shareReportWithJoiners).toBe(true);
    expect((await nina.post(`${detail(ticket)}/betroffen`)).status).toBe(303);

    const page = await nina.get(detail(ticket));
    expect(page.$('.ticket-description').text()).toContain(description);
    expect(page.$('.report-private').length).toBe(0);
    expect(page.$(`.timeline img[src="${fileUrl(ticket, photo)}/vorschau"]`).length).toBe(1);
    expect(await status(nina, `${fileUrl(ticket, photo)}/vorschau`)).toBe(200);
    expect(await status(nina, fileUrl(ticket, photo))).toBe(200);
    expect(page.$('.timeline-entry.created .timeline-head strong').text()).toBe(tickets.entryUnnamed.created);
    expectNothingOfKristina(page.text, 'shared page');
    const pdf = await pdfOf(nina, ticket);
    expect(pdf.text).toContain(description);
    expect(pdf.images).toBe(1);
    expectNothingOfKristina(pdf.text, 'shared PDF');
    expect((await manager.get(consoleUrl(ticket))).$('.ticket-joiners-see').text()).toBe(detailTexts.facts.joinersSee.shared);
  });
});

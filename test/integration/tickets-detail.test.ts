import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { AuditLog, OutboxMail, Ticket, TicketAttachment, TicketEntry, TicketFollower } from '../../src/entities/index.ts';
import { ticketPdf } from '../../src/features/tickets/pdf.ts';
import { translator } from '../../src/http/i18n.ts';
import { localFileStorage } from '../../src/storage/files.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, FileField, Page } from '../support/client.ts';
import { readPdf } from '../support/pdf.ts';

/**
 * The console's page of a Vorgang (src/features/tickets/detail-routes.ts): what staff see,
 * comments and internal notes with their mails through the real SMTP receiver, status and
 * assignment with optimistic conflicts, the print view and the PDF (src/features/tickets/pdf.ts),
 * and the guards (another Verwaltung, CSRF, attachments of another Vorgang).
 */

const all = { filters: { tenant: false } } as const;
const NOTE_2 = 'Schlosserei Meier angefragt, Angebot steht aus.';

let app: TestApp;
let manager: Client;
let clerk: Client;
let nord: Client;
let ticket2: Ticket;
let ticket1: Ticket;
let ticket3: Ticket;

const url = (ticket: { id: string }, rest = '') => `/verwaltung/vorgaenge/${ticket.id}${rest}`;
const byNumber = (number: number) => app.em().findOneOrFail(Ticket, { organization: app.world.organizations.sonnenschein.id, number }, all);
const version = (page: Page, form: string) => String(page.$(`form[action$="${form}"] input[name=version]`).val());
const entryCount = (ticket: Ticket, where: Record<string, unknown> = {}) => app.em().count(TicketEntry, { ticket: ticket.id, ...where }, all);
const outboxCount = () => app.em().count(OutboxMail, {}, all);

/** Delivers the outbox and returns only the mails that arrived now. */
async function newMails(action: () => Promise<unknown>) {
  const before = (await app.deliverMail()).length;
  await action();
  return (await app.deliverMail()).slice(before);
}

const png = async (color: string): Promise<FileField> => ({
  name: 'kellertuer.png',
  type: 'image/png',
  content: await sharp({ create: { width: 640, height: 480, channels: 3, background: color } })
    .png()
    .toBuffer(),
});

function comment(client: Client, ticket: Ticket, fields: Record<string, string>, files: FileField[] = []) {
  return client.postMultipart(url(ticket, '/kommentare'), fields, files, 'files');
}

async function pdfText(bytes: Uint8Array) {
  const { pages, texts } = await readPdf(bytes);
  return { pages, text: texts.join('\n') };
}

beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  clerk = app.client();
  await clerk.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
  nord = app.client();
  await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
  [ticket1, ticket2, ticket3] = await Promise.all([byNumber(1), byNumber(2), byNumber(3)]);
});
afterAll(() => app?.close());
// Every test a minute later, so "newest first" has an order to show.
beforeEach(() => app.clock.advance(60_000));

describe('the page of a Vorgang', () => {
  it('shows the demo manager number, title, facts, the reporter with contact data, the report and the timeline with the internal note marked', async () => {
    const page = await manager.get(url(ticket2));
    expect(page.status).toBe(200);
    const { $ } = page;
    expect($('h1').text()).toBe(`Nr. ${ticket2.year}-00002 · Kellertür schließt nicht mehr`);
    expect($('.ticket-facts .badge.ticket-status').text()).toBe('In Bearbeitung');
    expect($('.ticket-facts').text()).toContain('Schaden/Reparatur');
    expect($('.ticket-facts').text()).toContain('Gemeinschaftsfläche: Keller');
    expect($(`.ticket-facts a[href="/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}"]`).text()).toBe('Max-Planck-Straße 12');
    expect($('.ticket-assignee').text()).toBe('Max Verwalter');

    const reporter = $('.ticket-reporter');
    expect(reporter.find('.reporter-name').text()).toBe('Kristina Maiblume');
    expect(reporter.find('.reporter-login').text()).toContain('kristina.maiblume@example.de');
    expect(reporter.find(`a[href="/verwaltung/kontakte/${app.world.contacts.kristina.id}"]`).length).toBe(1);
    expect(reporter.find('a[href="mailto:kristina.maiblume@example.de"]').length).toBe(2);
    expect(reporter.text()).toContain('Max-Planck-Straße 12');
    expect(reporter.text()).toContain('0151 2345678');

    expect($('.ticket-description').text()).toContain('Die Tür zum Kellerabgang fällt nicht mehr ins Schloss');
    const internal = $('.timeline-entry.internal');
    expect(internal.length).toBe(1);
    expect(internal.find('.internal-mark').text()).toBe('Interne Notiz');
    expect(internal.text()).toContain(NOTE_2);
    expect($('.timeline-entry.comment').text()).toContain('Eine Schlosserei ist beauftragt.');

    const actions = $('.page-head .ticket-actions');
    expect(actions.find(`a[href="${url(ticket2, '/drucken')}"]`).text()).toBe('Drucken');
    expect(actions.find(`a[href="${url(ticket2, '/pdf')}"]`).text()).toBe('Als PDF speichern');
    const choices = $('input[name=visibility]');
    expect(choices.map((_, el) => $(el).parent().text().trim()).get()).toEqual([
      'Öffentlicher Kommentar (Melder wird benachrichtigt)',
      'Interne Notiz (nur für Mitarbeiter)',
    ]);
    expect($('input[name=visibility]:checked').val()).toBe('public');
    expect($('#ticket-assignee option').first().text()).toBe('— niemand —');
    expect(
      $('#ticket-assignee option')
        .map((_, el) => $(el).text())
        .get(),
    ).toEqual(expect.arrayContaining(['Max Verwalter']));
    expect($('#ticket-status option').length).toBe(5);
  });

  it('answers 404 for an id that is no Vorgang or malformed', async () => {
    expect((await manager.get('/verwaltung/vorgaenge/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await manager.get('/verwaltung/vorgaenge/kaputt')).status).toBe(404);
  });
});

describe('comments and internal notes', () => {
  it('mails a public comment to the reporter and a follower, with the comment text', async () => {
    const em = app.em();
    em.create(TicketFollower, {
      ticket: ticket2.id,
      portalUser: app.world.portalUsers.eigner.id,
      organization: app.world.organizations.sonnenschein.id,
      createdAt: app.clock.now(),
    });
    await em.flush();
    const mails = await newMails(async () => {
      const page = await comment(manager, ticket2, { body: 'Die Schlosserei kommt am Montag um 9 Uhr.', visibility: 'public' });
      expect(page.status).toBe(303);
      expect(page.location).toMatch(new RegExp(`^${url(ticket2)}#entry-`));
    });
    const to = (address: string) => mails.filter((m) => m.to.includes(address));
    expect(to('kristina.maiblume@example.de')).toHaveLength(1);
    expect(to('heinrich.eigner@example.de')).toHaveLength(1);
    for (const mail of mails) {
      expect(mail.text).toContain('Die Schlosserei kommt am Montag um 9 Uhr.');
      expect(mail.text).not.toContain(NOTE_2);
    }
    const page = await manager.get(url(ticket2));
    expect(page.$('.timeline-entry.comment').last().text()).toContain('Die Schlosserei kommt am Montag um 9 Uhr.');
  });

  it('mails nobody about an internal note, which never appears in any mail', async () => {
    const note = 'Intern: Angebot Meier 480 Euro, zu teuer.';
    const outboxBefore = await outboxCount();
    const mails = await newMails(async () => {
      const page = await comment(manager, ticket2, { body: note, visibility: 'internal' });
      expect(page.status).toBe(303);
    });
    expect(mails).toHaveLength(0);
    expect(await outboxCount()).toBe(outboxBefore);
    const page = await manager.get(url(ticket2));
    expect(page.$('.timeline-entry.internal').last().text()).toContain(note);
    // Nor does any later mail carry it.
    const later = await newMails(() => comment(manager, ticket2, { body: 'Öffentlich: wir melden uns.', visibility: 'public' }));
    expect(later.length).toBeGreaterThan(0);
    for (const mail of app.smtp.messages) expect(`${mail.text}${mail.html}`).not.toContain('Angebot Meier');
  });

  it('refuses an empty comment with a message at the field, saving and mailing nothing', async () => {
    const [entries, outbox] = [await entryCount(ticket2), await outboxCount()];
    const page = await comment(manager, ticket2, { body: '   ', visibility: 'internal' });
    expect(page.status).toBe(422);
    expect(page.$('#comment-body-error').text()).toBe('Bitte geben Sie einen Text ein.');
    expect(page.$('#comment-body').attr('aria-invalid')).toBe('true');
    expect(page.$('input[name=visibility]:checked').val()).toBe('internal');
    expect(await entryCount(ticket2)).toBe(entries);
    expect(await outboxCount()).toBe(outbox);
  });

  it('refuses a file of the wrong type, keeping the typed text', async () => {
    const entries = await entryCount(ticket2);
    const page = await comment(manager, ticket2, { body: 'Siehe Anhang.', visibility: 'public' }, [
      { name: 'notiz.txt', type: 'text/plain', content: Buffer.from('nur Text') },
    ]);
    expect(page.status).toBe(422);
    expect(page.$('#comment-files-error').text().length).toBeGreaterThan(0);
    expect(page.$('#comment-body').text()).toBe('Siehe Anhang.');
    expect(await entryCount(ticket2)).toBe(entries);
  });
});

describe('status and assignment', () => {
  it('mails the reporter about a status change without a comment, with the new status in German, and logs it', async () => {
    const page = await manager.get(url(ticket2));
    const mails = await newMails(async () => {
      const answer = await manager.post(url(ticket2, '/status'), { status: 'waiting', version: version(page, '/status') });
      expect(answer.status).toBe(303);
    });
    const mail = mails.find((m) => m.to.includes('kristina.maiblume@example.de'));
    expect(mail?.text).toContain('Wartet auf Rückmeldung');
    const after = await manager.get(url(ticket2));
    expect(after.$('.ticket-facts .badge.ticket-status').text()).toBe('Wartet auf Rückmeldung');
    const audit = after.$('.audit-trail tbody tr').first();
    expect(audit.text()).toContain('Max Verwalter');
    expect(audit.text()).toContain('Status geändert: In Bearbeitung → Wartet auf Rückmeldung');
  });

  it('answers the same status again with a redirect and writes nothing', async () => {
    const page = await manager.get(url(ticket2));
    const entries = await entryCount(ticket2);
    const answer = await manager.post(url(ticket2, '/status'), { status: 'waiting', version: version(page, '/status') });
    expect(answer.status).toBe(303);
    expect(await entryCount(ticket2)).toBe(entries);
  });

  it('lets one of two members of staff changing the status from the same page win; the other gets 409 with the message', async () => {
    const [a, b] = [await manager.get(url(ticket2)), await clerk.get(url(ticket2))];
    expect(version(a, '/status')).toBe(version(b, '/status'));
    const statusEntries = await entryCount(ticket2, { kind: 'status' });
    const first = await manager.post(url(ticket2, '/status'), { status: 'in_progress', version: version(a, '/status') });
    expect(first.status).toBe(303);
    const second = await clerk.post(url(ticket2, '/status'), { status: 'done', version: version(b, '/status') });
    expect(second.status).toBe(409);
    expect(second.$('#ticket-status-error').text()).toContain('Der Vorgang wurde inzwischen von jemand anderem geändert.');
    expect(second.$('#ticket-status-error').text()).toContain('„In Bearbeitung“');
    // The page shows the state now: the winner's status, and the version to try again with.
    expect(second.$('#ticket-status option[selected]').val()).toBe('in_progress');
    expect(Number(version(second, '/status'))).toBe(Number(version(a, '/status')) + 1);
    expect(await entryCount(ticket2, { kind: 'status' })).toBe(statusEntries + 1);
    expect((await byNumber(2)).status).toBe('in_progress');
  });

  it('refuses a status that does not exist: 422 with the German message, no entry, no mail', async () => {
    const page = await manager.get(url(ticket2));
    const [entries, outbox] = [await entryCount(ticket2), await outboxCount()];
    const answer = await manager.post(url(ticket2, '/status'), { status: 'kaputt', version: version(page, '/status') });
    expect(answer.status).toBe(422);
    expect(answer.$('#ticket-status-error').text()).toBe('Diesen Status gibt es nicht. Bitte wählen Sie einen aus der Liste.');
    expect(await entryCount(ticket2)).toBe(entries);
    expect(await outboxCount()).toBe(outbox);
  });

  it('assigns the clerk with "Mir zuweisen" and shows the name', async () => {
    const page = await clerk.get(url(ticket2));
    const answer = await clerk.post(url(ticket2, '/zustaendig'), { assignee: '', self: '1', version: version(page, '/zustaendig') });
    expect(answer.status).toBe(303);
    const after = await clerk.get(url(ticket2));
    expect(after.$('.ticket-assignee').text()).toBe(app.world.staff.clerk.name);
    expect(after.$('#ticket-assignee option[selected]').val()).toBe(app.world.staff.clerk.id);
    expect(after.$('.timeline-entry.assignment').last().text()).toContain(app.world.staff.clerk.name);
    expect(after.$('.audit-trail tbody tr').first().text()).toContain(`Zuständigen Mitarbeiter eingetragen: ${app.world.staff.clerk.name}`);
  });

  it('refuses an assignee who is no member of this Verwaltung', async () => {
    const page = await manager.get(url(ticket2));
    const entries = await entryCount(ticket2);
    const answer = await manager.post(url(ticket2, '/zustaendig'), { assignee: app.world.staff.nordAdmin.id, version: version(page, '/zustaendig') });
    expect(answer.status).toBe(422);
    expect(answer.$('#ticket-assignee-error').text()).toBe('Bitte wählen Sie einen Mitarbeiter aus der Liste.');
    expect(await entryCount(ticket2)).toBe(entries);
  });

  it('reopens a done Vorgang ("Vorgang erneut öffnen") and keeps its history', async () => {
    const before = await manager.get(url(ticket1));
    expect(before.$('.reopen-form button').text()).toBe('Vorgang erneut öffnen');
    const entries = await entryCount(ticket1);
    const answer = await manager.post(url(ticket1, '/erneut-oeffnen'));
    expect(answer.status).toBe(303);
    const after = await manager.get(url(ticket1));
    expect(after.$('.ticket-facts .badge.ticket-status').text()).toBe('Wieder geöffnet');
    expect(after.$('.reopen-form').length).toBe(0);
    expect(await entryCount(ticket1)).toBe(entries + 1);
    expect(after.$('.timeline-entry.internal').text()).toContain('Dichtung getauscht, Rechnung Hausmeister folgt.');
    expect(await app.em().count(AuditLog, { subjectType: 'ticket', subjectId: ticket1.id, action: 'ticket.reopen' }, all)).toBe(1);
  });
});

describe('photos', () => {
  it('serves a photo and its thumbnail under its own Vorgang only', async () => {
    const answer = await comment(manager, ticket3, { body: 'Foto vom Ortstermin.', visibility: 'public' }, [await png('#3a7')]);
    expect(answer.status).toBe(303);
    const attachment = await app.em().findOneOrFail(TicketAttachment, { ticket: ticket3.id }, all);
    const page = await manager.get(url(ticket3));
    expect(page.$(`.timeline img[src="${url(ticket3, `/anhaenge/${attachment.id}/vorschau`)}"]`).length).toBe(1);
    const full = await fetch(new URL(url(ticket3, `/anhaenge/${attachment.id}`), app.baseUrl), { headers: manager.browserHeaders() });
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/png');
    const thumb = await fetch(new URL(url(ticket3, `/anhaenge/${attachment.id}/vorschau`), app.baseUrl), { headers: manager.browserHeaders() });
    expect(thumb.status).toBe(200);
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBeLessThanOrEqual(480);
    // The same attachment under another Vorgang's URL is not found.
    expect((await manager.get(url(ticket2, `/anhaenge/${attachment.id}`))).status).toBe(404);
    expect((await manager.get(url(ticket2, `/anhaenge/${attachment.id}/vorschau`))).status).toBe(404);
    expect((await nord.get(url(ticket3, `/anhaenge/${attachment.id}`))).status).toBe(404);
  });

  it('shows the photos of the report itself under "Meldung"', async () => {
    const em = app.em();
    const comment = await em.findOneOrFail(TicketAttachment, { ticket: ticket3.id }, all);
    const created = await em.findOneOrFail(TicketEntry, { ticket: ticket3.id, kind: 'created' }, all);
    const { id: _id, createdAt: _at, entry: _entry, ...file } = comment;
    const photo = em.create(TicketAttachment, { ...file, entry: created, fileName: 'hecke.png' });
    await em.flush();
    const page = await manager.get(url(ticket3));
    const img = page.$('.ticket-report .ticket-files img');
    expect(img.attr('src')).toBe(url(ticket3, `/anhaenge/${photo.id}/vorschau`));
    expect(img.attr('alt')).toBe('hecke.png');
    expect(img.parent('a').attr('href')).toBe(url(ticket3, `/anhaenge/${photo.id}`));
  });
});

describe('print view and PDF', () => {
  it('prints the whole communication: facts, reporter, report and every entry, the internal note marked', async () => {
    const page = await manager.get(url(ticket2, '/drucken'));
    expect(page.status).toBe(200);
    const { $ } = page;
    expect($('.ticket-print h1').text()).toBe(`Nr. ${ticket2.year}-00002 · Kellertür schließt nicht mehr`);
    expect($('.ticket-print .reporter-name').text()).toBe('Kristina Maiblume');
    expect($('.ticket-print .ticket-description').text()).toContain('Die Tür zum Kellerabgang');
    expect($('.ticket-print .timeline-entry.internal .internal-mark').first().text()).toBe('Interne Notiz');
    const text = $('.ticket-print .timeline').text();
    for (const part of [
      NOTE_2,
      'Eine Schlosserei ist beauftragt.',
      'Die Schlosserei kommt am Montag um 9 Uhr.',
      'Intern: Angebot Meier 480 Euro',
      'hat den Vorgang gemeldet',
    ])
      expect(text).toContain(part);
    expect($('.ticket-print form').length).toBe(0);
  });

  it('sends the staff PDF as a download with the internal notes headed INTERNE NOTIZ, the reporter and every entry', async () => {
    const response = await fetch(new URL(url(ticket2, '/pdf'), app.baseUrl), { headers: manager.browserHeaders() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="Vorgang-${ticket2.year}-00002.pdf"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { text } = await pdfText(new Uint8Array(await response.arrayBuffer()));
    for (const part of [
      'Hausverwaltung Sonnenschein GmbH',
      `Vorgang Nr. ${ticket2.year}-00002`,
      'Kellertür schließt nicht mehr',
      'Kristina Maiblume',
      'kristina.maiblume@example.de',
      'INTERNE NOTIZ',
      NOTE_2,
      'Eine Schlosserei ist beauftragt.',
      'Seite 1 von',
    ]) {
      expect(text).toContain(part);
    }
  });

  it('leaves internal notes and the contact data out of the reporter’s PDF', async () => {
    const em = app.em();
    scopeToOrganization(em as Em, app.world.organizations.sonnenschein.id);
    const ticket = await em.findOneOrFail(Ticket, ticket2.id);
    const bytes = await ticketPdf(em as Em, ticket, {
      viewer: { relation: 'reporter', userId: app.world.portalUsers.kristina.id },
      t: translator('de'),
      storage: localFileStorage(app.storageDir),
      pdf: app.app.pdfWorkers,
    });
    const { text } = await pdfText(bytes);
    expect(text).toContain('Kellertür schließt nicht mehr');
    expect(text).toContain('Eine Schlosserei ist beauftragt.');
    expect(text).not.toContain(NOTE_2);
    expect(text).not.toContain('Angebot Meier');
    expect(text).not.toContain('INTERNE NOTIZ');
    expect(text).not.toContain('kristina.maiblume@example.de');
  });

  it('embeds photos, survives emoji, and wraps long text over several pages with page numbers', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `Satz ${i} über die Kellertür und ihre Schließanlage.`).join(' ');
    expect(
      (await comment(manager, ticket3, { body: `Danke 👍 für die schnelle Hilfe – Grüße aus Köln ${'x'.repeat(300)}`, visibility: 'public' })).status,
    ).toBe(303);
    expect((await comment(manager, ticket3, { body: long.slice(0, 9_900), visibility: 'internal' })).status).toBe(303);
    const response = await fetch(new URL(url(ticket3, '/pdf'), app.baseUrl), { headers: manager.browserHeaders() });
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(Buffer.from(bytes).includes('/Subtype /Image')).toBe(true);
    const { pages, text } = await pdfText(bytes);
    expect(pages).toBeGreaterThan(1);
    expect(text).toContain('Danke ? für die schnelle Hilfe – Grüße aus Köln');
    expect(text).toContain(`Seite ${pages} von ${pages}`);
    expect(text).toContain('Satz 150 über die Kellertür');
  });
});

describe('guards', () => {
  it('gives staff of another Verwaltung 404 on the page, every POST, the print view and the PDF', async () => {
    const entries = await entryCount(ticket2);
    expect((await nord.get(url(ticket2))).status).toBe(404);
    expect((await nord.get(url(ticket2, '/drucken'))).status).toBe(404);
    expect((await nord.get(url(ticket2, '/pdf'))).status).toBe(404);
    expect((await nord.postMultipart(url(ticket2, '/kommentare'), { body: 'Fremd', visibility: 'public' }, [], 'files')).status).toBe(404);
    expect((await nord.post(url(ticket2, '/status'), { status: 'done', version: '1' })).status).toBe(404);
    expect((await nord.post(url(ticket2, '/zustaendig'), { self: '1', version: '1' })).status).toBe(404);
    expect((await nord.post(url(ticket1, '/erneut-oeffnen'))).status).toBe(404);
    expect(await entryCount(ticket2)).toBe(entries);
  });

  it('refuses a POST without the CSRF token', async () => {
    const entries = await entryCount(ticket2);
    const answer = await manager.post(url(ticket2, '/status'), { status: 'done', version: '1' }, { csrf: false });
    expect(answer.status).toBe(403);
    const form = new FormData();
    form.append('body', 'ohne Token');
    const multipart = await manager.request('POST', url(ticket2, '/kommentare'), { body: form, headers: { origin: app.baseUrl } });
    expect(multipart.status).toBe(403);
    expect(await entryCount(ticket2)).toBe(entries);
  });

  it('sends residents to the login instead of the console page', async () => {
    expect((await app.client().get(url(ticket2))).status).toBe(303);
  });
});

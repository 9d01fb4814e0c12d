import { copyFile, mkdir, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berlinDate } from '../../src/clock.ts';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import {
  AuditLog,
  DocumentType,
  OutboxMail,
  PortalUser,
  Property,
  ServiceProvider,
  StaffUser,
  Ticket,
  TicketCategory,
  TicketDocument,
  TicketEntry,
  TicketFollower,
  ticketReference,
  type Document,
} from '../../src/entities/index.ts';
import { propertyAccess } from '../../src/features/access/service.ts';
import { publishDocuments } from '../../src/features/documents/service.ts';
import { enqueueMail } from '../../src/features/mail/outbox.ts';
import type { MailTransport } from '../../src/features/mail/transport.ts';
import { visibleTimeline } from '../../src/features/tickets/access.ts';
import { prepareTicketFiles } from '../../src/features/tickets/photos.ts';
import { addComment, createTicket, ticketForm, validateTicketForm } from '../../src/features/tickets/service.ts';
import type { Upload } from '../../src/http/upload.ts';
import { runTask } from '../../src/scheduler/bree.ts';
import { localFileStorage } from '../../src/storage/files.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';

/**
 * The handover panel of a Vorgang in the console (src/features/tickets/handover.ts and
 * handover-routes.ts): linking documents, forwarding to a Dienstleister with the photos
 * attached (through the outbox and the real SMTP receiver), and merging a duplicate.
 */

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/documents');
const all = { filters: { tenant: false } } as const;
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

let app: TestApp;
let manager: Client;
let nord: Client;
let keller: ServiceProvider;

beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  nord = app.client();
  await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
  keller = await app.em().findOneOrFail(ServiceProvider, { name: 'Heizung & Sanitär Keller' }, all);
});
afterAll(() => app?.close());

function scoped(): Em {
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  return em;
}

const storage = () => localFileStorage(app.storageDir);
const detail = (ticket: { id: string }) => `/verwaltung/vorgaenge/${ticket.id}`;

/** A fixture file copied into the store's temp directory, as an upload would leave it. */
async function upload(name: string, mimeType: string): Promise<Upload> {
  await mkdir(storage().tempDir, { recursive: true });
  const tempPath = path.join(storage().tempDir, randomBytes(8).toString('hex'));
  await copyFile(path.join(FIXTURES, name), tempPath);
  const ext = path.extname(name).slice(1);
  return { tempPath, originalName: name, fileName: name, size: (await stat(tempPath)).size, ext, mimeType };
}

/** A real photo (a small coloured picture made with sharp) in the store's temp directory. */
async function photo(format: 'jpeg' | 'png'): Promise<Upload> {
  await mkdir(storage().tempDir, { recursive: true });
  const tempPath = path.join(storage().tempDir, randomBytes(8).toString('hex'));
  await sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 200, g: 90, b: 40 } } })
    [format]()
    .toFile(tempPath);
  const ext = format === 'jpeg' ? 'jpg' : 'png';
  return { tempPath, originalName: `foto.${ext}`, fileName: `foto.${ext}`, size: (await stat(tempPath)).size, ext, mimeType: `image/${format}` };
}

/** A concern reported through the service, in Max-Planck-Straße 12, with the given photos. */
async function report(reporterId: string, title: string, { location = 'area:basement', photos = [] as Upload[] } = {}) {
  const em = scoped();
  const reporter = await em.findOneOrFail(PortalUser, reporterId, { populate: ['organization', 'contacts'] });
  const access = (await propertyAccess(em, reporter, app.world.properties.maxPlanck.id, app.clock.now()))!;
  const categories = await em.find(TicketCategory, {});
  const form = ticketForm({ category: categories[0].id, location, title, description: `${title}: bitte ansehen, es wird schlimmer.` });
  const { valid } = validateTicketForm(form, categories, [app.world.units.wohnung002]);
  const prepared = await prepareTicketFiles(storage(), photos);
  expect(prepared.error).toBeUndefined();
  return createTicket(em, storage(), {
    reporter,
    reporterContact: reporter.contacts.getItems()[0] ?? null,
    access,
    form,
    valid: valid!,
    files: prepared.files,
    now: app.clock.now(),
    baseUrl: app.baseUrl,
  });
}

async function ticketByNumber(number: number) {
  return scoped().findOneOrFail(Ticket, { number, year: Number(berlinDate(app.clock.now()).slice(0, 4)) });
}

/** Everything a refused POST must leave untouched. */
async function footprint() {
  const em = app.em();
  return {
    entries: await em.count(TicketEntry, {}, all),
    followers: await em.count(TicketFollower, {}, all),
    links: await em.count(TicketDocument, {}, all),
    mails: await em.count(OutboxMail, {}, all),
    audit: await em.count(AuditLog, {}, all),
    tickets: (await em.find(Ticket, {}, { ...all, fields: ['status', 'version', 'mergedInto'] }))
      .map((t) => `${t.id}:${t.status}:${t.version}:${t.mergedInto?.id ?? ''}`)
      .sort(),
  };
}

async function publish(propertyId: string, title: string): Promise<Document> {
  const em = scoped();
  const staff = await em.findOneOrFail(StaffUser, app.world.staff.manager.id, { populate: ['organization'] });
  const type = await em.findOneOrFail(DocumentType, { name: 'Hausordnung' });
  const [document] = await publishDocuments(em, storage(), [
    {
      staff,
      property: await em.findOneOrFail(Property, propertyId),
      type,
      title,
      upload: await upload('hausordnung.pdf', 'application/pdf'),
      shares: [{ kind: 'property', propertyId }],
      now: app.clock.now(),
    },
  ]);
  return document;
}

describe('the outbox with attachments', () => {
  it('sends an ordinary mail raw as before, and a mail with attachments through nodemailer with the files streamed from the store', async () => {
    await app.deliverMail();
    const em = app.em();
    const plain = enqueueMail(
      em,
      { organization: null, to: 'ohne@example.de', template: 'password-reset', data: { name: 'Test', link: `${app.baseUrl}/x` } },
      app.clock.now(),
    );
    const [prepared] = (await prepareTicketFiles(storage(), [await photo('jpeg')])).files;
    const key = await storage().put(prepared.tempPath);
    const withFile = enqueueMail(
      em,
      {
        organization: null,
        to: 'mit@example.de',
        template: 'password-reset',
        data: { name: 'Test', link: `${app.baseUrl}/x` },
        attachments: [{ fileName: 'foto.jpg', mimeType: 'image/jpeg', storageKey: key }],
      },
      app.clock.now(),
    );
    await em.flush();
    expect((await app.em().findOneOrFail(OutboxMail, plain.id)).attachments).toBeNull();

    const seen: Array<Record<string, unknown>> = [];
    const recording = {
      async sendMail(message: Record<string, unknown>) {
        seen.push(message);
        // Read the files as a transport would.
        for (const file of (message.attachments ?? []) as Array<{ content: AsyncIterable<Buffer> }>) for await (const _ of file.content);
        return { envelope: {}, messageId: String(message.messageId) };
      },
    } as unknown as MailTransport;
    expect(await runTask(app.orm, 'mail-outbox', { config: app.config, clock: app.clock, transport: recording })).toBe(true);
    const sentPlain = seen.find((m) => m.to === 'ohne@example.de')!;
    expect(typeof sentPlain.raw).toBe('string');
    expect(sentPlain.attachments).toBeUndefined();
    const sentWithFile = seen.find((m) => m.to === 'mit@example.de')!;
    expect(sentWithFile.raw).toBeUndefined();
    expect((sentWithFile.attachments as Array<{ filename: string; contentType: string }>).map((a) => [a.filename, a.contentType])).toEqual([
      ['foto.jpg', 'image/jpeg'],
    ]);
    expect((await app.em().findOneOrFail(OutboxMail, withFile.id)).status).toBe('sent');
  });
});

describe('An Dienstleister weiterleiten', () => {
  it('shows the Dienstleister with an e-mail address, a message field and the contact checkbox, off by default', async () => {
    const ticket = await ticketByNumber(2);
    const page = await manager.get(detail(ticket));
    expect(page.status).toBe(200);
    const section = page.$('#handover-forward');
    expect(section.find('h2').text()).toBe('An Dienstleister weiterleiten');
    expect(section.find('label[for=handover-provider]').text()).toBe('Dienstleister');
    expect(
      section
        .find('#handover-provider option')
        .map((_, o) => page.$(o).text())
        .get()
        .join('\n'),
    ).toContain('Heizung & Sanitär Keller (Heizung) · notdienst@keller-hs.de');
    expect(section.find('input[type=checkbox][name=includeContact]').is(':checked')).toBe(false);
    expect(section.find('label.checkbox').text().trim()).toBe('Kontaktdaten des Melders mitsenden');
  });

  it('mails the description and the JPEG photo, not the internal note and its photo nor the reporter’s contact data; the entry is internal', async () => {
    const ticket = await report(app.world.portalUsers.kristina.id, 'Heizkörper im Bad wird nicht warm', {
      location: `unit:${app.world.units.wohnung002.id}`,
      photos: [await photo('jpeg')],
    });
    // An internal note with a photo: neither its text nor its photo may leave the house.
    const em = scoped();
    const staff = await em.findOneOrFail(StaffUser, app.world.staff.manager.id);
    const notePhoto = (await prepareTicketFiles(storage(), [await photo('png')])).files;
    await addComment(
      em,
      storage(),
      await em.findOneOrFail(Ticket, ticket.id),
      { staff },
      { body: 'Vermieter zahlt nur bis 300 Euro.', internal: true, files: notePhoto, now: app.clock.now(), baseUrl: app.baseUrl },
    );
    await app.deliverMail();
    app.smtp.clear();

    const response = await manager.post(`${detail(ticket)}/weiterleiten`, { provider: keller.id, message: 'Bitte bis Freitag ansehen.' });
    expect(response.status).toBe(303);
    expect(response.location).toBe(`${detail(ticket)}?uebergabe=weitergeleitet#handover`);

    const mails = (await app.deliverMail()).filter((m) => m.to.includes('notdienst@keller-hs.de'));
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail.subject).toBe(`Auftrag ${ticketReference(ticket)}: Heizkörper im Bad wird nicht warm`);
    expect(mail.text).toContain('Heizkörper im Bad wird nicht warm: bitte ansehen, es wird schlimmer.');
    expect(mail.text).toContain('Ort: Max-Planck-Straße 12, Einheit Wohnung 002');
    expect(mail.text).toContain('Bitte bis Freitag ansehen.');
    expect(mail.text).toContain('Max Verwalter (verwalter@sonnenschein-hv.de)');
    expect(mail.text.split('\n')).toContain('1 Foto im Anhang');
    expect(mail.html).toContain('Bitte bis Freitag ansehen.');
    for (const body of [mail.text, mail.html]) {
      expect(body).not.toContain('Vermieter zahlt nur');
      expect(body).not.toContain('kristina.maiblume@example.de');
      expect(body).not.toContain('0151 2345678');
    }
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].contentType).toBe('image/jpeg');
    expect(mail.attachments[0].filename).toBe('foto.jpg');
    expect([...mail.attachments[0].content.subarray(0, 3)]).toEqual(JPEG_MAGIC);
    // The resident is not told.
    expect(app.smtp.to('kristina.maiblume@example.de')).toHaveLength(0);

    const forwarded = await scoped().find(TicketEntry, { ticket: ticket.id, kind: 'forwarded' });
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0].internal).toBe(true);
    expect(forwarded[0].data).toEqual({ provider: 'Heizung & Sanitär Keller', email: 'notdienst@keller-hs.de' });
    const visible = await visibleTimeline(scoped(), await scoped().findOneOrFail(Ticket, ticket.id), {
      relation: 'reporter',
      userId: app.world.portalUsers.kristina.id,
    });
    expect(visible.map((item) => item.entry.kind)).not.toContain('forwarded');
    expect(await scoped().count(AuditLog, { action: 'ticket.forward', subjectId: ticket.id })).toBe(1);

    // Kristina's own page does not name the company.
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const portal = await kristina.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}/vorgaenge/${ticket.id}`);
    expect(portal.status).toBe(200);
    expect(portal.text).toContain('Heizkörper im Bad wird nicht warm');
    expect(portal.text).not.toContain('Keller');

    // The console shows the notice and the internal entry.
    const page = await manager.get(`${detail(ticket)}?uebergabe=weitergeleitet`);
    expect(page.$('#handover .notice').text()).toBe('Der Vorgang wurde an den Dienstleister weitergeleitet.');
    expect(page.$('.timeline-entry.forwarded.internal').text()).toContain('Heizung & Sanitär Keller');
  });

  it('never sends the internal note of demo ticket 2 and, without photos, goes out as an ordinary mail', async () => {
    const ticket = await ticketByNumber(2);
    app.smtp.clear();
    expect((await manager.post(`${detail(ticket)}/weiterleiten`, { provider: keller.id, message: '' })).status).toBe(303);
    const [mail] = (await app.deliverMail()).filter((m) => m.to.includes('notdienst@keller-hs.de'));
    expect(mail.text).toContain('Die Tür zum Kellerabgang fällt nicht mehr ins Schloss');
    expect(mail.text).toContain('Gemeinschaftsfläche: Keller');
    expect(mail.text).not.toContain('Schlosserei Meier');
    expect(mail.html).not.toContain('Schlosserei Meier');
    expect(mail.text).not.toMatch(/Fotos? im Anhang/);
    expect(mail.attachments).toHaveLength(0);
  });

  it('sends the reporter’s contact data only when "Kontaktdaten des Melders mitsenden" is ticked', async () => {
    const ticket = await ticketByNumber(2);
    app.smtp.clear();
    expect((await manager.post(`${detail(ticket)}/weiterleiten`, { provider: keller.id, includeContact: 'yes' })).status).toBe(303);
    const [mail] = (await app.deliverMail()).filter((m) => m.to.includes('notdienst@keller-hs.de'));
    expect(mail.text).toContain('Kristina Maiblume');
    expect(mail.text).toContain('Telefon: 0151 2345678');
    expect(mail.text).toContain('E-Mail: kristina.maiblume@example.de');
  });

  it('refuses an unknown or e-mail-less Dienstleister with a message at the field and keeps the message typed; nothing is sent', async () => {
    const ticket = await ticketByNumber(2);
    const before = await footprint();
    const noMail = await scoped().findOneOrFail(ServiceProvider, { name: 'Hausmeisterservice Huber' });
    await scoped().nativeUpdate(ServiceProvider, { id: noMail.id }, { email: null });
    try {
      for (const provider of ['', 'kein-uuid', '00000000-0000-4000-8000-000000000000', noMail.id]) {
        const page = await manager.post(`${detail(ticket)}/weiterleiten`, { provider, message: 'Bitte dringend.' });
        expect(page.status).toBe(422);
        expect(page.$('#handover-provider-error').text()).toBe('Bitte wählen Sie einen Dienstleister mit E-Mail-Adresse aus der Liste.');
        expect(page.$('#handover-message').val()).toBe('Bitte dringend.');
        expect(
          page
            .$('#handover-provider option')
            .map((_, o) => page.$(o).text())
            .get()
            .join('\n'),
        ).not.toContain('Huber');
      }
    } finally {
      await scoped().nativeUpdate(ServiceProvider, { id: noMail.id }, { email: 'service@hausmeister-huber.de' });
    }
    expect(await footprint()).toEqual(before);
  });
});

describe('Verknüpfte Dokumente', () => {
  it('links a published document of the property (an internal entry: its title must not reach residents it is not shared with), shows it with its link, and unlinks it', async () => {
    const ticket = await ticketByNumber(2);
    const document = await publish(app.world.properties.maxPlanck.id, 'Angebot Schlosserei Meier');
    const page = await manager.get(detail(ticket));
    const section = page.$('#handover-documents');
    expect(section.find('h2').text()).toBe('Verknüpfte Dokumente');
    expect(section.find('label[for=handover-document]').text()).toBe('Dokument der Liegenschaft');
    expect(section.find(`#handover-document option[value=${document.id}]`).text()).toContain('Angebot Schlosserei Meier');

    const linked = await manager.post(`${detail(ticket)}/dokumente`, { document: document.id });
    expect(linked.status).toBe(303);
    expect(linked.location).toBe(`${detail(ticket)}?uebergabe=dokument#handover`);
    // Twice is once.
    expect((await manager.post(`${detail(ticket)}/dokumente`, { document: document.id })).status).toBe(303);
    const entries = await scoped().find(TicketEntry, { ticket: ticket.id, kind: 'document' });
    expect(entries).toHaveLength(1);
    expect(entries[0].internal).toBe(true);
    expect(entries[0].data).toMatchObject({ title: 'Angebot Schlosserei Meier' });
    expect(await scoped().count(AuditLog, { action: 'ticket.document.link', subjectId: ticket.id })).toBe(1);

    const after = await manager.get(detail(ticket));
    const link = after.$(`#handover-documents a[href="/verwaltung/dokumente/${document.id}"]`);
    expect(link.text()).toBe('Angebot Schlosserei Meier');
    expect(after.$(`#handover-document option[value=${document.id}]`)).toHaveLength(0);

    const removed = await manager.post(`${detail(ticket)}/dokumente/${document.id}/entfernen`);
    expect(removed.status).toBe(303);
    expect(await scoped().count(TicketDocument, { ticket: ticket.id })).toBe(0);
    expect(await scoped().count(AuditLog, { action: 'ticket.document.unlink', subjectId: ticket.id })).toBe(1);
    expect((await manager.post(`${detail(ticket)}/dokumente/${document.id}/entfernen`)).status).toBe(404);
    expect((await manager.get(detail(ticket))).$('#handover-documents .empty').text()).toBe('Noch keine Dokumente verknüpft.');
  });

  it('refuses a document of another property or none at all (422, message at the field), writing nothing', async () => {
    const ticket = await ticketByNumber(2);
    const other = await publish(app.world.properties.rosenweg.id, 'Wirtschaftsplan Rosenweg');
    const before = await footprint();
    for (const value of [other.id, '', '00000000-0000-4000-8000-000000000000']) {
      const page = await manager.post(`${detail(ticket)}/dokumente`, { document: value });
      expect(page.status).toBe(422);
      expect(page.$('#handover-document-error').text()).toBe('Bitte wählen Sie ein veröffentlichtes Dokument dieser Liegenschaft.');
    }
    expect(await footprint()).toEqual(before);
  });
});

describe('Duplikat zusammenführen', () => {
  it('merges Kristina’s duplicate into 2026-00002: closed, pointing there, entries on both, she is told, and stays only its reporter', async () => {
    const target = await ticketByNumber(2);
    const duplicate = await report(app.world.portalUsers.kristina.id, 'Kellertür offen');
    await app.deliverMail();
    app.smtp.clear();
    const page = await manager.get(detail(duplicate));
    expect(page.$('#handover-merge h2').text()).toBe('Duplikat zusammenführen');
    expect(page.$('label[for=handover-target]').text()).toBe('Nummer des Vorgangs, in den dieser zusammengeführt wird');

    const response = await manager.post(`${detail(duplicate)}/zusammenfuehren`, { target: '2' });
    expect(response.status).toBe(303);
    expect(response.location).toBe(`${detail(duplicate)}?uebergabe=zusammengefuehrt#handover`);

    const merged = await scoped().findOneOrFail(Ticket, duplicate.id);
    expect(merged.status).toBe('done');
    expect(merged.closedAt).toEqual(app.clock.now());
    expect(merged.mergedInto?.id).toBe(target.id);
    expect(merged.version).toBe(duplicate.version + 1);
    const [into] = await scoped().find(TicketEntry, { ticket: duplicate.id, kind: 'merged' });
    expect(into.internal).toBe(false);
    expect(into.data).toMatchObject({ other: ticketReference(target), direction: 'into' });
    const [from] = await scoped().find(TicketEntry, { ticket: target.id, kind: 'merged' });
    expect(from.internal).toBe(false);
    expect(from.data).toMatchObject({ other: ticketReference(duplicate), direction: 'from' });
    // Kristina reported the target herself: no follower row for her.
    expect(await scoped().count(TicketFollower, { ticket: target.id, portalUser: app.world.portalUsers.kristina.id })).toBe(0);
    expect(await scoped().count(AuditLog, { action: 'ticket.merge', subjectId: duplicate.id })).toBe(1);

    const [mail] = (await app.deliverMail()).filter((m) => m.to.includes('kristina.maiblume@example.de'));
    expect(mail.text).toContain(`Ihr Anliegen ${ticketReference(duplicate)} wurde mit einem gleichartigen Anliegen zusammengeführt`);

    const after = await manager.get(detail(duplicate));
    expect(after.$('#handover-merge .merged-into a').attr('href')).toBe(detail(target));
    expect(after.$('#handover-merge form')).toHaveLength(0);
    const targetPage = await manager.get(detail(target));
    expect(targetPage.$('#handover-merge .merged-from a').text()).toBe(ticketReference(duplicate));

    // A merged duplicate stays closed: neither its reporter nor staff reopen it, no status form.
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const portalDetail = `/portal/liegenschaften/${app.world.properties.maxPlanck.id}/vorgaenge/${duplicate.id}`;
    expect((await kristina.get(portalDetail)).$(`form[action="${portalDetail}/erneut-oeffnen"]`)).toHaveLength(0);
    await kristina.post(`${portalDetail}/erneut-oeffnen`);
    await manager.post(`${detail(duplicate)}/erneut-oeffnen`);
    expect((await manager.post(`${detail(duplicate)}/status`, { status: 'in_progress', version: String(merged.version) })).status).toBe(303);
    expect((await scoped().findOneOrFail(Ticket, duplicate.id)).status).toBe('done');
    expect(await scoped().count(TicketEntry, { ticket: duplicate.id, kind: { $in: ['reopened', 'status'] } })).toBe(0);
    expect(after.$(`form[action="${detail(duplicate)}/status"]`)).toHaveLength(0);
  });

  it('refuses to merge into a ticket about a unit unless the duplicate is about the same unit: its photos and timeline are private', async () => {
    const unitTicket = await report(app.world.portalUsers.kristina.id, 'Fenster klemmt', { location: `unit:${app.world.units.wohnung002.id}` });
    const commonArea = await report(app.world.portalUsers.eigner.id, 'Fenster im Treppenhaus klemmt');
    const before = await footprint();
    const page = await manager.post(`${detail(commonArea)}/zusammenfuehren`, { target: ticketReference(unitTicket) });
    expect(page.status).toBe(422);
    expect(page.$('#handover-target-error').text()).toContain('nur ein Duplikat derselben Einheit');
    expect(await footprint()).toEqual(before);
    const sameUnit = await report(app.world.portalUsers.kristina.id, 'Fenster klemmt immer noch', { location: `unit:${app.world.units.wohnung002.id}` });
    expect((await manager.post(`${detail(sameUnit)}/zusammenfuehren`, { target: ticketReference(unitTicket) })).status).toBe(303);
  });

  it('makes the reporter of another duplicate a follower of the target, who then gets its next public comment', async () => {
    const target = await ticketByNumber(2);
    const duplicate = await report(app.world.portalUsers.eigner.id, 'Tür zum Keller steht offen');
    expect((await manager.post(`${detail(duplicate)}/zusammenfuehren`, { target: ticketReference(target) })).status).toBe(303);
    expect(await scoped().count(TicketFollower, { ticket: target.id, portalUser: app.world.portalUsers.eigner.id })).toBe(1);
    await app.deliverMail();
    app.smtp.clear();

    const em = scoped();
    const staff = await em.findOneOrFail(StaffUser, app.world.staff.manager.id);
    await addComment(
      em,
      storage(),
      await em.findOneOrFail(Ticket, target.id),
      { staff },
      { body: 'Die Schlosserei kommt am Montag.', internal: false, files: [], now: app.clock.now(), baseUrl: app.baseUrl },
    );
    await app.deliverMail();
    const [mail] = app.smtp.to('heinrich.eigner@example.de');
    expect(mail.subject).toContain(ticketReference(target));
    expect(mail.text).toContain('Die Schlosserei kommt am Montag.');
  });

  it('refuses itself, another property, a closed ticket, an unknown number and another Verwaltung’s number, writing nothing', async () => {
    const duplicate = await report(app.world.portalUsers.kristina.id, 'Noch einmal die Kellertür');
    // A Vorgang of Nordhaus in a year of its own: its number exists only there.
    const nordEm = app.em();
    const nordCategory = await nordEm.findOneOrFail(TicketCategory, { organization: app.world.organizations.nordhaus.id }, all);
    const frieda = await nordEm.findOneOrFail(PortalUser, app.world.portalUsers.frieda.id, all);
    nordEm.create(Ticket, {
      organization: app.world.organizations.nordhaus.id,
      year: 2031,
      number: 1,
      property: app.world.properties.hafenstrasse.id,
      commonArea: 'basement',
      category: nordCategory,
      title: 'Nordhaus',
      description: 'Nordhaus',
      reporter: frieda,
      reporterName: 'Frieda Friesen',
      lastActivityAt: app.clock.now(),
      createdAt: app.clock.now(),
    });
    await nordEm.flush();

    const before = await footprint();
    const cases: Array<[string, string]> = [
      [ticketReference(duplicate), 'Ein Vorgang kann nicht mit sich selbst zusammengeführt werden.'],
      ['3', 'Dieser Vorgang gehört zu einer anderen Liegenschaft. Zusammenführen geht nur innerhalb einer Liegenschaft.'],
      ['1', 'Dieser Vorgang ist bereits erledigt. Bitte wählen Sie einen offenen Vorgang.'],
      ['99999', 'Einen Vorgang mit dieser Nummer gibt es nicht.'],
      ['2031-00001', 'Einen Vorgang mit dieser Nummer gibt es nicht.'],
      ['Kellertür', 'Einen Vorgang mit dieser Nummer gibt es nicht.'],
      ['', 'Bitte geben Sie die Nummer des Vorgangs ein, in den dieser zusammengeführt werden soll.'],
    ];
    for (const [target, message] of cases) {
      const page = await manager.post(`${detail(duplicate)}/zusammenfuehren`, { target });
      expect(page.status, target).toBe(422);
      expect(page.$('#handover-target-error').text()).toBe(message);
      expect(page.$('#handover-target').val()).toBe(target);
    }
    expect(await footprint()).toEqual(before);
  });
});

describe('guards', () => {
  it('answers 404 to staff of another Verwaltung on every POST, and 403 without the CSRF token', async () => {
    const ticket = await ticketByNumber(2);
    const document = await publish(app.world.properties.maxPlanck.id, 'Hausordnung 2026');
    const before = await footprint();
    const posts: Array<[string, Record<string, string>]> = [
      [`${detail(ticket)}/dokumente`, { document: document.id }],
      [`${detail(ticket)}/dokumente/${document.id}/entfernen`, {}],
      [`${detail(ticket)}/weiterleiten`, { provider: keller.id }],
      [`${detail(ticket)}/zusammenfuehren`, { target: '3' }],
    ];
    for (const [url, fields] of posts) {
      expect((await nord.post(url, fields)).status, url).toBe(404);
      expect((await manager.post(url, fields, { csrf: false })).status, url).toBe(403);
    }
    expect(await footprint()).toEqual(before);
  });
});

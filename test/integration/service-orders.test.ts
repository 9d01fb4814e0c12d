import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Announcement,
  Document,
  DocumentType,
  PortalUser,
  Property,
  ServiceOrder,
  ServiceOrderEntry,
  ServiceOrderFile,
  ServiceProvider,
  ServiceProviderMember,
  Ticket,
  TicketEntry,
} from '../../src/entities/index.ts';
import { DEMO_API_KEY } from '../../src/features/demo/seed.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';
import { linkIn } from '../support/smtp.ts';

// Aufträge an Dienstleister (issue 23): assignment to properties (console, API, CSV), the
// invitation of a Dienstleister's people, what a provider login sees (src/features/orders/access.ts),
// the status flow with its mails, the signed link of the forwarding mail and the uploads.

const all = { filters: { tenant: false } } as const;
const PASSWORD = 'ein-sicheres-passwort-123';
const photo = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#c93' } })
    .jpeg()
    .toBuffer();

let app: TestApp;
let manager: Client;
let nord: Client;
let huber: ServiceProvider;
let keller: ServiceProvider;
let huberLogin: Client;

beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  nord = app.client();
  await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
  huber = await app.em().findOneOrFail(ServiceProvider, { name: 'Hausmeisterservice Huber' }, all);
  keller = await app.em().findOneOrFail(ServiceProvider, { name: 'Heizung & Sanitär Keller' }, all);
  huberLogin = app.client();
  await huberLogin.loginPortal('huber@hausmeister-huber.de', app.world.password);
});
afterAll(() => app?.close());

const served = async (provider: ServiceProvider) =>
  (await app.em().findOneOrFail(ServiceProvider, provider.id, { ...all, populate: ['properties'] })).properties
    .getItems()
    .map((p) => p.name)
    .sort();

describe('which Dienstleister serves which property', () => {
  it('is set on the Dienstleister page and on the property page; another Verwaltung finds neither', async () => {
    const rosenweg = app.world.properties.rosenweg;
    expect(await served(keller)).toEqual([]);
    const assigned = await manager.post(`/verwaltung/dienstleister/${keller.id}/liegenschaften`, { property: rosenweg.id });
    expect(assigned.status).toBe(303);
    expect(await served(keller)).toEqual(['Rosenweg 24']);
    const page = await manager.get(`/verwaltung/dienstleister/${keller.id}`);
    expect(page.$('#liegenschaften .served-properties').text()).toContain('Rosenweg 24');
    const tab = await manager.get(`/verwaltung/liegenschaften/${rosenweg.id}/kontakte`);
    expect(tab.$('#dienstleister').text()).toContain('Heizung & Sanitär Keller');

    // Nothing to choose: 422 with the message at the field; another Verwaltung's property is unknown.
    const empty = await manager.post(`/verwaltung/dienstleister/${keller.id}/liegenschaften`, { property: '' });
    expect(empty.status).toBe(422);
    expect(empty.$('#assign-property-error').text()).toBe('Bitte wählen Sie eine Liegenschaft.');
    const foreign = await manager.post(`/verwaltung/dienstleister/${keller.id}/liegenschaften`, { property: app.world.properties.hafenstrasse.id });
    expect(foreign.status).toBe(422);
    expect((await nord.post(`/verwaltung/dienstleister/${keller.id}/liegenschaften`, { property: app.world.properties.hafenstrasse.id })).status).toBe(404);
    expect((await nord.post(`/verwaltung/liegenschaften/${rosenweg.id}/dienstleister/${keller.id}/entfernen`)).status).toBe(404);

    const removed = await manager.post(`/verwaltung/liegenschaften/${rosenweg.id}/dienstleister/${keller.id}/entfernen`);
    expect(removed.status).toBe(303);
    expect(await served(keller)).toEqual([]);
    const again = await manager.post(`/verwaltung/liegenschaften/${rosenweg.id}/dienstleister`, { provider: keller.id });
    expect(again.status).toBe(303);
    expect(await served(keller)).toEqual(['Rosenweg 24']);
  });

  it('comes through the sync API and the CSV import like other relations', async () => {
    const maxPlanck = await app.em().findOneOrFail(Property, app.world.properties.maxPlanck.id, all);
    const rosenweg = await app.em().findOneOrFail(Property, app.world.properties.rosenweg.id, all);
    const response = await fetch(`${app.baseUrl}/api/v1/service-providers`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ externalId: 'API-D-1', name: 'Elektro Funke', propertyExternalIds: [maxPlanck.externalId, rosenweg.externalId] }] }),
    });
    expect(response.status).toBe(200);
    const funke = await app.em().findOneOrFail(ServiceProvider, { externalId: 'API-D-1' }, all);
    expect(await served(funke)).toEqual(['Max-Planck-Straße 12', 'Rosenweg 24']);
    // The ERP owns the assignment now: the console does not change it.
    const locked = await manager.post(`/verwaltung/dienstleister/${funke.id}/liegenschaften/${maxPlanck.id}/entfernen`);
    expect(locked.status).toBe(422);
    expect(await served(funke)).toEqual(['Max-Planck-Straße 12', 'Rosenweg 24']);
    // An unknown property is refused, nothing written.
    const bad = await fetch(`${app.baseUrl}/api/v1/service-providers`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ externalId: 'API-D-1', name: 'Elektro Funke', propertyExternalIds: ['GIBT-ES-NICHT'] }] }),
    });
    expect((await bad.json()).items?.[0]?.outcome ?? 'refused').not.toBe('updated');
    expect(await served(funke)).toEqual(['Max-Planck-Straße 12', 'Rosenweg 24']);

    const csv = `Externe ID;Name;Liegenschaften (Externe IDs)\nCSV-D-9;Glaserei Klar;${rosenweg.externalId}\n`;
    const sent = await manager.postMultipart(
      '/verwaltung/stammdaten/import',
      { art: 'service-providers' },
      [{ name: 'dl.csv', type: 'text/csv', content: Buffer.from(csv) }],
      'datei',
    );
    expect(sent.status).toBe(303);
    expect((await manager.post(`${sent.location}/bestaetigen`)).status).toBe(303);
    const klar = await app.em().findOneOrFail(ServiceProvider, { externalId: 'CSV-D-9' }, all);
    expect(await served(klar)).toEqual(['Rosenweg 24']);
  });
});

describe("a Dienstleister's people", () => {
  it('are invited from its page, register like residents and land on their Aufträge', async () => {
    const bad = await manager.post(`/verwaltung/dienstleister/${keller.id}/einladungen`, { name: 'Kai Keller', email: 'kein-mail' });
    expect(bad.status).toBe(422);
    expect(bad.$('#invite-email-error').text()).toBe('Bitte geben Sie eine gültige E-Mail-Adresse an.');
    expect(bad.$('#invite-name').val()).toBe('Kai Keller');

    app.smtp.clear();
    const sent = await manager.post(`/verwaltung/dienstleister/${keller.id}/einladungen`, { name: 'Kai Keller', email: 'kai@keller-hs.de' });
    expect(sent.status).toBe(303);
    await app.deliverMail();
    const [mail] = app.smtp.to('kai@keller-hs.de');
    expect(mail.subject).toBe('Ihr Zugang zum Kundenportal für Heizung & Sanitär Keller');
    const url = new URL(linkIn(mail, '/portal/registrieren?code='));
    const kai = app.client();
    const form = await kai.get(url.pathname + url.search);
    const code = String(form.$('input[name=code]').val());
    const done = await kai.post('/portal/registrieren', { code, email: 'kai@keller-hs.de', name: 'Kai Keller', password: PASSWORD, passwordRepeat: PASSWORD });
    expect(done.status).toBe(303);
    const user = await app.em().findOneOrFail(PortalUser, { email: 'kai@keller-hs.de' }, all);
    expect(await app.em().count(ServiceProviderMember, { portalUser: user.id, provider: keller.id, endedAt: null }, all)).toBe(1);
    const start = await kai.get('/portal');
    expect(start.status).toBe(303);
    expect(start.location).toBe('/portal/auftraege');
    const orders = await kai.get('/portal/auftraege');
    expect(orders.status).toBe(200);
    expect(orders.$('main').text()).toContain('Rosenweg 24');
    // The code is used.
    expect(
      (await app.client().post('/portal/registrieren', { code, email: 'x@keller-hs.de', name: 'X', password: PASSWORD, passwordRepeat: PASSWORD })).status,
    ).toBe(422);
  });
});

describe('what a provider login sees', () => {
  it('only documents shared with Dienstleister and the Ansprechpartner; general content is a 404', async () => {
    const maxPlanck = app.world.properties.maxPlanck;
    const announcement = await app.em().findOne(Announcement, { properties: maxPlanck.id }, all);
    for (const path of [
      `/portal/liegenschaften/${maxPlanck.id}`,
      `/portal/liegenschaften/${maxPlanck.id}/mitteilungen`,
      `/portal/liegenschaften/${maxPlanck.id}/termine`,
      `/portal/liegenschaften/${maxPlanck.id}/schwarzes-brett`,
      `/portal/liegenschaften/${maxPlanck.id}/vorgaenge`,
      `/portal/liegenschaften/${maxPlanck.id}/dokumente`,
      ...(announcement ? [`/portal/liegenschaften/${maxPlanck.id}/mitteilungen/${announcement.id}`] : []),
    ]) {
      expect((await huberLogin.get(path)).status, path).toBe(404);
    }
    const page = await huberLogin.get(`/portal/auftraege/liegenschaften/${maxPlanck.id}`);
    expect(page.status).toBe(200);
    expect(page.$('.contact-persons').text()).toContain('Josef Brandl');
    // Not the residents' menu of the property: every link of it would be a 404 here.
    expect(page.$('a[href^="/portal/liegenschaften/"]').length).toBe(0);
    // A property its Dienstleister does not serve, and one of another Verwaltung: 404.
    expect((await huberLogin.get(`/portal/auftraege/liegenschaften/${app.world.properties.rosenweg.id}`)).status).toBe(404);
    expect((await huberLogin.get(`/portal/auftraege/liegenschaften/${app.world.properties.hafenstrasse.id}`)).status).toBe(404);
    // A resident is no Dienstleister.
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    expect((await kristina.get('/portal/auftraege')).status).toBe(404);
  });

  it('sees a document shared with the group Dienstleister, not one shared with the whole property', async () => {
    const maxPlanck = app.world.properties.maxPlanck;
    const type = await app.em().findOneOrFail(DocumentType, { organization: app.world.organizations.sonnenschein, name: 'Hausordnung' }, all);
    const upload = async (title: string, share: string) => {
      const pdf = await PDFDocument.create();
      pdf.addPage();
      const answer = await manager.postMultipart(
        `/verwaltung/liegenschaften/${maxPlanck.id}/dokumente`,
        { title, type: type.id, share },
        [{ name: `${title}.pdf`, type: 'application/pdf', content: Buffer.from(await pdf.save()) }],
        'files',
      );
      expect(answer.status).toBe(303);
      return app.em().findOneOrFail(Document, { title }, all);
    };
    const forProviders = await upload('Schließplan Technikraum', 'group:service_provider');
    const forAll = await upload('Hausordnung für alle', 'property');
    const page = await huberLogin.get(`/portal/auftraege/liegenschaften/${maxPlanck.id}`);
    expect(page.$('.provider-documents').text()).toContain(forProviders.title);
    expect(page.$('.provider-documents').text()).not.toContain(forAll.title);
    expect((await huberLogin.get(`/portal/auftraege/liegenschaften/${maxPlanck.id}/dokumente/${forProviders.id}`)).status).toBe(200);
    expect((await huberLogin.get(`/portal/auftraege/liegenschaften/${maxPlanck.id}/dokumente/${forAll.id}`)).status).toBe(404);
    // The mails about a shared document link to the residents' download: it leads a provider
    // login to its own, which applies its own rule; nothing else of the property opens.
    for (const [document, status] of [
      [forProviders, 200],
      [forAll, 404],
    ] as const) {
      const link = await huberLogin.request('GET', `/portal/liegenschaften/${maxPlanck.id}/dokumente/${document.id}/datei`);
      expect(link.status).toBe(303);
      expect(link.headers.get('location')).toBe(`/portal/auftraege/liegenschaften/${maxPlanck.id}/dokumente/${document.id}`);
      expect((await huberLogin.get(link.headers.get('location')!)).status).toBe(status);
    }
    expect((await huberLogin.post(`/portal/liegenschaften/${maxPlanck.id}/dokumente/${forProviders.id}/datei`, {})).status).toBe(404);
  });
});

async function demoTicket(): Promise<Ticket> {
  return app.em().findOneOrFail(Ticket, { title: 'Licht im Treppenhaus defekt' }, all);
}

describe('an Auftrag', () => {
  let ticket: Ticket;
  let order: ServiceOrder;

  it('is made by forwarding; the provider sees no reporter data and no internal note', async () => {
    ticket = await demoTicket();
    expect(
      (await manager.post(`/verwaltung/vorgaenge/${ticket.id}/kommentare`, { body: 'Intern: Rechnung an Eigentümer weiterbelasten', visibility: 'internal' }))
        .status,
    ).toBe(303);
    app.smtp.clear();
    expect((await manager.post(`/verwaltung/vorgaenge/${ticket.id}/weiterleiten`, { provider: huber.id, message: 'Bitte bald ansehen.' })).status).toBe(303);
    order = await app.em().findOneOrFail(ServiceOrder, { ticket: ticket.id, provider: huber.id }, all);
    expect(order.status).toBe('new');
    await app.deliverMail();
    const [mail] = app.smtp.to('service@hausmeister-huber.de');
    expect(mail.text).toContain('/auftrag/');

    const page = await huberLogin.get(`/portal/auftraege/${order.id}`);
    expect(page.status).toBe(200);
    const text = page.$('main').text();
    expect(text).toContain('Licht im Treppenhaus defekt');
    expect(text).toContain('Bitte bald ansehen.');
    expect(text).not.toContain('Rechnung an Eigentümer');
    expect(text).not.toContain('Maiblume');
    expect(page.$('.order-reporter').length).toBe(0);
    // Another Dienstleister's login and another Verwaltung see nothing of it.
    const kai = app.client();
    await kai.loginPortal('kai@keller-hs.de', PASSWORD);
    expect((await kai.get(`/portal/auftraege/${order.id}`)).status).toBe(404);
    expect((await kai.get('/portal/auftraege')).$('main').text()).not.toContain('Licht im Treppenhaus');
    const frieda = app.client();
    await frieda.loginPortal('frieda.friesen@example.de', app.world.password);
    expect((await frieda.get(`/portal/auftraege/${order.id}`)).status).toBe(404);
    expect((await nord.get(`/verwaltung/vorgaenge/${ticket.id}`)).status).toBe(404);
  });

  it('shows the reporter only when staff chose "Kontaktdaten des Melders mitsenden"', async () => {
    expect((await manager.post(`/verwaltung/vorgaenge/${ticket.id}/weiterleiten`, { provider: huber.id, includeContact: 'yes' })).status).toBe(303);
    const page = await huberLogin.get(`/portal/auftraege/${order.id}`);
    expect(page.$('.order-reporter').text()).toContain('Maiblume');
  });

  it('goes through its statuses with a mail to staff at each step; staff see each step', async () => {
    app.smtp.clear();
    const missing = await huberLogin.post(`/portal/auftraege/${order.id}/status`, { status: 'scheduled', date: '', time: '' });
    expect(missing.status).toBe(422);
    expect(missing.$('#date-error').text()).toBe('Bitte geben Sie das Datum des Termins an.');
    const noReason = await huberLogin.post(`/portal/auftraege/${order.id}/status`, { status: 'declined' });
    expect(noReason.status).toBe(422);
    expect((await app.em().findOneOrFail(ServiceOrder, order.id, all)).status).toBe('new');

    expect((await huberLogin.post(`/portal/auftraege/${order.id}/status`, { status: 'accepted' })).status).toBe(303);
    expect(
      (await huberLogin.post(`/portal/auftraege/${order.id}/status`, { status: 'scheduled', date: '2026-12-14', time: '09:30', comment: 'Komme mit Leiter.' }))
        .status,
    ).toBe(303);
    const stored = await app.em().findOneOrFail(ServiceOrder, order.id, all);
    expect(stored.status).toBe('scheduled');
    expect(stored.appointmentAt?.toISOString()).toBe('2026-12-14T08:30:00.000Z');
    await app.deliverMail();
    const mails = app.smtp.to('verwalter@sonnenschein-hv.de');
    expect(mails.length).toBe(2);
    expect(mails[1].text).toContain('Termin vereinbart');
    expect(mails[1].text).toContain('Komme mit Leiter.');

    const staffPage = await manager.get(`/verwaltung/vorgaenge/${ticket.id}`);
    expect(staffPage.$(`#order-${order.id}`).text()).toContain('Termin vereinbart');
    expect(staffPage.$(`#order-${order.id}`).text()).toContain('Komme mit Leiter.');
    const list = await manager.get(`/verwaltung/dienstleister/${huber.id}`);
    expect(list.$('.open-orders').text()).toContain('Licht im Treppenhaus defekt');
  });

  it('shows the appointment to residents only when staff share it; comments stay between staff and provider', async () => {
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const url = `/portal/liegenschaften/${app.world.properties.maxPlanck.id}/vorgaenge/${ticket.id}`;
    expect((await kristina.get(url)).$('.provider-appointment').length).toBe(0);
    expect((await kristina.get(url)).$('main').text()).not.toContain('Komme mit Leiter.');
    expect((await manager.post(`/verwaltung/vorgaenge/${ticket.id}/auftraege/${order.id}/termin-teilen`, { share: '1' })).status).toBe(303);
    expect((await kristina.get(url)).$('.provider-appointment').text()).toContain('Termin mit Handwerker am');

    app.smtp.clear();
    const empty = await manager.post(`/verwaltung/vorgaenge/${ticket.id}/auftraege/${order.id}/kommentare`, { body: '' });
    expect(empty.status).toBe(422);
    expect((await manager.post(`/verwaltung/vorgaenge/${ticket.id}/auftraege/${order.id}/kommentare`, { body: 'Schlüssel liegt beim Nachbarn.' })).status).toBe(
      303,
    );
    await app.deliverMail();
    expect(app.smtp.to('huber@hausmeister-huber.de').at(-1)?.text).toContain('Schlüssel liegt beim Nachbarn.');
    expect((await kristina.get(url)).$('main').text()).not.toContain('Schlüssel liegt beim Nachbarn.');
    // Copied by staff, it becomes a public comment of the Vorgang.
    const entry = await app.em().findOneOrFail(ServiceOrderEntry, { order: order.id, body: 'Komme mit Leiter.' }, all);
    expect((await manager.post(`/verwaltung/vorgaenge/${ticket.id}/auftraege/${order.id}/eintraege/${entry.id}/uebernehmen`)).status).toBe(303);
    expect((await kristina.get(url)).$('main').text()).toContain('Komme mit Leiter.');
    expect(await app.em().count(TicketEntry, { ticket: ticket.id, kind: 'comment', body: 'Komme mit Leiter.' }, all)).toBe(1);
  });

  it('takes photos and PDFs from the provider, sniffed like ticket uploads', async () => {
    const fake = await huberLogin.postMultipart(
      `/portal/auftraege/${order.id}/dateien`,
      {},
      [{ name: 'foto.jpg', type: 'image/jpeg', content: Buffer.from('kein Bild, nur Text') }],
      'files',
    );
    expect(fake.status).toBe(422);
    expect(fake.$('#files-error').text().length).toBeGreaterThan(0);
    const sent = await huberLogin.postMultipart(
      `/portal/auftraege/${order.id}/dateien`,
      {},
      [{ name: 'foto.jpg', type: 'image/jpeg', content: await photo() }],
      'files',
    );
    expect(sent.status, sent.$('#files-error').text()).toBe(303);
    const [file] = await app.em().find(ServiceOrderFile, { order: order.id }, all);
    expect(file.mimeType).toBe('image/jpeg');
    expect((await huberLogin.get(`/portal/auftraege/${order.id}/dateien/${file.id}`)).status).toBe(200);
    expect((await manager.get(`/verwaltung/vorgaenge/${ticket.id}/auftraege/${order.id}/dateien/${file.id}`)).status).toBe(200);
    expect((await nord.get(`/verwaltung/vorgaenge/${ticket.id}/auftraege/${order.id}/dateien/${file.id}`)).status).toBe(404);
  });

  it('ends with "erledigt"; nothing more is taken', async () => {
    expect((await huberLogin.post(`/portal/auftraege/${order.id}/status`, { status: 'done' })).status).toBe(303);
    expect((await app.em().findOneOrFail(ServiceOrder, order.id, all)).closedAt).not.toBeNull();
    const again = await huberLogin.post(`/portal/auftraege/${order.id}/status`, { status: 'accepted' });
    expect(again.status).toBe(422);
    // Nor a comment or a file from the provider; staff may still note something.
    const entries = await app.em().count(ServiceOrderEntry, { order: order.id }, all);
    const comment = await huberLogin.post(`/portal/auftraege/${order.id}/kommentare`, { body: 'Noch etwas.' });
    expect(comment.status).toBe(422);
    expect(comment.$('main').text()).toContain('Dieser Auftrag ist abgeschlossen.');
    const upload = await huberLogin.postMultipart(
      `/portal/auftraege/${order.id}/dateien`,
      {},
      [{ name: 'foto.jpg', type: 'image/jpeg', content: await photo() }],
      'files',
    );
    expect(upload.status).toBe(422);
    expect(await app.em().count(ServiceOrderEntry, { order: order.id }, all)).toBe(entries);
    expect(await app.em().count(ServiceOrderFile, { order: order.id }, all)).toBe(1);
  });
});

describe('the signed link of the forwarding mail', () => {
  it('works without a login until the order is closed or forwarded again; tampered is a 404', async () => {
    const ticket = await app.em().findOneOrFail(Ticket, { title: 'Kellertür schließt nicht mehr' }, all);
    app.smtp.clear();
    expect((await manager.post(`/verwaltung/vorgaenge/${ticket.id}/weiterleiten`, { provider: keller.id })).status).toBe(303);
    await app.deliverMail();
    const [mail] = app.smtp.to('notdienst@keller-hs.de');
    const link = new URL(linkIn(mail, '/auftrag/'));
    const visitor = app.client();
    const page = await visitor.get(link.pathname);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toContain('Kellertür schließt nicht mehr');
    expect(page.$('main').text()).not.toContain('Maiblume');
    // A page for one provider: kept by no cache, listed by no search engine.
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-robots-tag')).toBe('noindex');

    const tampered = `${link.pathname.slice(0, -2)}xx`;
    expect((await visitor.get(tampered)).status).toBe(404);
    expect((await visitor.post(`${tampered}/status`, { status: 'accepted' })).status).toBe(404);

    expect((await visitor.post(`${link.pathname}/status`, { status: 'scheduled', date: 'morgen', time: '9' })).status).toBe(422);
    expect((await visitor.post(`${link.pathname}/status`, { status: 'accepted', comment: 'Wir kommen.' })).status).toBe(303);
    const order = await app.em().findOneOrFail(ServiceOrder, { ticket: ticket.id, provider: keller.id }, all);
    expect(order.status).toBe('accepted');

    // Forwarded again: the old link is gone, nothing changes through it.
    expect((await manager.post(`/verwaltung/vorgaenge/${ticket.id}/weiterleiten`, { provider: keller.id })).status).toBe(303);
    const gone = await visitor.get(link.pathname);
    expect(gone.status).toBe(410);
    expect(gone.$('main').text()).toContain('nicht mehr gültig');
    expect((await visitor.post(`${link.pathname}/status`, { status: 'done' })).status).toBe(410);
    expect((await app.em().findOneOrFail(ServiceOrder, order.id, { ...all, refresh: true })).status).toBe('new');

    await app.deliverMail();
    const newLink = new URL(linkIn(app.smtp.to('notdienst@keller-hs.de').at(-1)!, '/auftrag/'));
    const done = await visitor.post(`${newLink.pathname}/status`, { status: 'declined', reason: 'Kein Schlosser.' });
    expect(done.status).toBe(200);
    expect((await visitor.get(newLink.pathname)).status).toBe(410);
    expect((await visitor.post(`${newLink.pathname}/kommentare`, { body: 'Noch etwas.' })).status).toBe(410);
  });

  it('ends with its Vorgang: a closed Vorgang’s link is a 410 and changes nothing', async () => {
    const ticket = await app.em().findOneOrFail(Ticket, { title: 'Kellertür schließt nicht mehr' }, all);
    app.smtp.clear();
    expect((await manager.post(`/verwaltung/vorgaenge/${ticket.id}/weiterleiten`, { provider: keller.id })).status).toBe(303);
    await app.deliverMail();
    const link = new URL(linkIn(app.smtp.to('notdienst@keller-hs.de').at(-1)!, '/auftrag/'));
    const visitor = app.client();
    expect((await visitor.get(link.pathname)).status).toBe(200);
    const { version } = await app.em().findOneOrFail(Ticket, ticket.id, { ...all, refresh: true });
    expect((await manager.post(`/verwaltung/vorgaenge/${ticket.id}/status`, { status: 'done', version: String(version) })).status).toBe(303);
    expect((await visitor.get(link.pathname)).status).toBe(410);
    expect((await visitor.post(`${link.pathname}/status`, { status: 'accepted' })).status).toBe(410);
    const order = await app.em().findOneOrFail(ServiceOrder, { ticket: ticket.id, provider: keller.id }, { ...all, refresh: true });
    expect(order.status).toBe('new');
  });
});

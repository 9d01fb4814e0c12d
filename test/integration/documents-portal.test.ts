import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import { addDays, berlinDate, startOfBerlinDay } from '../../src/clock.ts';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import {
  AuditLog,
  Contact,
  Contract,
  NotificationDigest,
  DocumentDownload,
  DocumentType,
  OutboxMail,
  PortalMembership,
  PortalUser,
  Unit,
  Document,
  Property,
} from '../../src/entities/index.ts';
import { publishDocuments, type ShareTarget } from '../../src/features/documents/service.ts';
import { detectType } from '../../src/http/upload.ts';
import { localFileStorage } from '../../src/storage/files.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';
import { SAMPLE_FILES } from '../support/files.ts';
import { linkIn } from '../support/smtp.ts';

/**
 * Portal "Dokumente" (src/features/documents/portal-routes.ts), downloads and the next-day
 * digest (src/features/documents/digest.ts), over HTTP against the real app, with real files
 * in the app's storage and the real SMTP receiver. Who sees what is the visibility rule's
 * business (test/unit/document-visibility.test.ts); here: that every route asks it.
 */

let app: TestApp;
const HOUR = 3600 * 1000;

// A real (tiny) .docx from the upload fixtures (test/fixtures/documents/generate.ts).
const FILES = { pdf: SAMPLE_FILES.pdf, png: SAMPLE_FILES.png, docx: readFileSync(new URL('../fixtures/documents/bedienungsanleitung.docx', import.meta.url)) };

function scoped(): Em {
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  return em;
}

let passwordHash: string;
let counter = 0;

/** A portal user of Sonnenschein: with a new contact and contracts, or a membership, or given contacts. */
async function resident(spec: {
  email: string;
  contracts?: Array<{ kind: 'rental' | 'ownership'; property: Property; unit: string; startsOn: string; endsOn?: string }>;
  contacts?: Contact[];
  membership?: Property;
  registered?: boolean;
  disabled?: boolean;
}) {
  const em = scoped();
  const organization = app.world.organizations.sonnenschein;
  const now = app.clock.now();
  const contacts = [...(spec.contacts ?? [])];
  if (spec.contracts) {
    const contact = em.create(Contact, {
      organization,
      firstName: 'Test',
      lastName: `Dokumente ${++counter}`,
      email: spec.email,
      createdAt: now,
      updatedAt: now,
    });
    for (const c of spec.contracts) {
      const unit = await em.findOneOrFail(Unit, { property: c.property, number: c.unit });
      em.create(Contract, { organization, kind: c.kind, unit, contacts: [contact], startsOn: c.startsOn, endsOn: c.endsOn ?? null, createdAt: now });
    }
    contacts.push(contact);
  }
  const user = em.create(PortalUser, {
    organization,
    email: spec.email,
    name: spec.email.split('@')[0],
    passwordHash: spec.registered === false ? null : passwordHash,
    disabledAt: spec.disabled ? now : null,
    createdAt: now,
    onboardedAt: now,
    contacts: contacts.map((c) => em.getReference(Contact, c.id)),
  });
  if (spec.membership) em.create(PortalMembership, { organization, portalUser: user, property: spec.membership, role: 'resident', createdAt: now });
  await em.flush();
  return user;
}

/** Publishes one document with a real file in the app's storage, as "Dokument hochladen" does. */
async function publish(spec: { title: string; type: string; file: keyof typeof FILES; property: Property | null; shares: ShareTarget[]; at?: Date }) {
  const em = scoped();
  const storage = localFileStorage(app.storageDir);
  await mkdir(storage.tempDir, { recursive: true });
  const tempPath = path.join(storage.tempDir, randomBytes(16).toString('hex'));
  await writeFile(tempPath, FILES[spec.file]);
  const detected = (await detectType(tempPath)) as { ext: string; mimeType: string };
  expect(detected.ext).toBe(spec.file);
  const type = await em.findOneOrFail(DocumentType, { name: spec.type });
  const [document] = await publishDocuments(em, storage, [
    {
      staff: app.world.staff.manager,
      property: spec.property,
      type,
      title: spec.title,
      upload: { tempPath, originalName: `${spec.title}.${spec.file}`, fileName: `${spec.title}.${spec.file}`, size: FILES[spec.file].length, ...detected },
      shares: spec.shares,
      now: spec.at ?? app.clock.now(),
    },
  ]);
  return document;
}

async function portalClient(email: string): Promise<Client> {
  const client = app.client();
  await client.loginPortal(email, app.world.password);
  return client;
}

const docs = {} as Record<'owners' | 'property' | 'image' | 'tenants' | 'tenantsOld' | 'former' | 'maxPlanckAll' | 'demir' | 'withdrawn', Document>;
const users = {} as Record<'wagner' | 'bewohner' | 'demir' | 'former' | 'unregistered' | 'disabled' | 'logistics', PortalUser>;
const clients = {} as Record<'anonymous' | 'eigner' | 'kristina' | 'frieda' | 'wagner' | 'bewohner' | 'demir' | 'former', Client>;
const today = () => berlinDate(app.clock.now());

beforeAll(async () => {
  app = await startTestApp();
  passwordHash = await hashPassword(app.world.password);
  const { rosenweg, maxPlanck } = app.world.properties;
  const em = scoped();
  const sommer = await em.findOneOrFail(Contact, { lastName: 'Sommer' });
  const krause = await em.findOneOrFail(Contact, { lastName: 'Krause' });
  const logistics = await em.findOneOrFail(Contact, { companyName: 'Hafenlogistik Süd GmbH' });

  // A tenant of Wohnung 004 in Rosenweg 24; Dr. Eigner owns 001 and 002 there. (Elena Wagner,
  // tenant of 002 in the demo data, is invited but not registered and disabled: no mail.)
  users.wagner = await resident({
    email: 'mieterin.rosenweg@example.de',
    contracts: [{ kind: 'rental', property: rosenweg, unit: 'Wohnung 004', startsOn: addDays(today(), -100) }],
  });
  users.bewohner = await resident({ email: 'bewohner.rosenweg@example.de', membership: rosenweg });
  // Aylin Demir's tenancy in Max-Planck-Straße 12 ended 45 days ago: inside the 60-day window only.
  users.demir = await resident({ email: 'aylin.demir@example.de', contacts: [app.world.contacts.demir] });
  users.former = await resident({
    email: 'frueher.mieter@example.de',
    contracts: [{ kind: 'rental', property: rosenweg, unit: 'Wohnung 003', startsOn: addDays(today(), -900), endsOn: addDays(today(), -200) }],
  });
  users.unregistered = await resident({ email: 'ingrid.sommer@example.de', contacts: [sommer], registered: false });
  users.disabled = await resident({ email: 'walter.krause@example.de', contacts: [krause], disabled: true });
  users.logistics = await resident({ email: 'verwaltung@hafenlogistik.de', contacts: [logistics] });
  const formerContact = (await scoped().findOneOrFail(PortalUser, { id: users.former.id }, { populate: ['contacts'] })).contacts.getItems()[0];

  const earlier = new Date(app.clock.now().getTime() - 60_000);
  docs.owners = await publish({
    title: 'Protokoll Eigentümerversammlung',
    type: 'Eigentümerversammlung',
    file: 'pdf',
    property: rosenweg,
    shares: [{ kind: 'group', propertyId: rosenweg.id, group: 'owner' }],
  });
  docs.property = await publish({
    title: 'Energieausweis Rosenweg',
    type: 'Energieausweis',
    file: 'docx',
    property: rosenweg,
    shares: [{ kind: 'property', propertyId: rosenweg.id }],
  });
  docs.image = await publish({
    title: 'Grundriss Erdgeschoss',
    type: 'Grundrisse',
    file: 'png',
    property: rosenweg,
    shares: [{ kind: 'property', propertyId: rosenweg.id }],
  });
  docs.tenantsOld = await publish({
    title: 'Hausordnung 2025',
    type: 'Hausordnung',
    file: 'pdf',
    property: rosenweg,
    shares: [{ kind: 'group', propertyId: rosenweg.id, group: 'tenant' }],
    at: earlier,
  });
  docs.tenants = await publish({
    title: 'Hausordnung 2026',
    type: 'Hausordnung',
    file: 'pdf',
    property: rosenweg,
    shares: [{ kind: 'group', propertyId: rosenweg.id, group: 'tenant' }],
  });
  docs.former = await publish({
    title: 'Kautionsabrechnung',
    type: 'Verträge',
    file: 'pdf',
    property: rosenweg,
    shares: [{ kind: 'contact', contactId: formerContact.id }],
  });
  docs.maxPlanckAll = await publish({
    title: 'Wartung Aufzug',
    type: 'Sonstiges',
    file: 'pdf',
    property: maxPlanck,
    shares: [{ kind: 'property', propertyId: maxPlanck.id }],
  });
  docs.demir = await publish({
    title: 'Nebenkostenabrechnung Demir',
    type: 'Betriebskostenabrechnung',
    file: 'pdf',
    property: maxPlanck,
    shares: [{ kind: 'contact', contactId: app.world.contacts.demir.id }],
  });
  docs.withdrawn = await publish({
    title: 'Zurückgezogen',
    type: 'Sonstiges',
    file: 'pdf',
    property: rosenweg,
    shares: [{ kind: 'property', propertyId: rosenweg.id }],
  });
  const withdrawnEm = scoped();
  (await withdrawnEm.findOneOrFail(Document, { id: docs.withdrawn.id })).status = 'withdrawn';
  await withdrawnEm.flush();

  clients.anonymous = app.client();
  clients.eigner = await portalClient('heinrich.eigner@example.de');
  clients.kristina = await portalClient('kristina.maiblume@example.de');
  clients.frieda = await portalClient('frieda.friesen@example.de');
  clients.wagner = await portalClient('mieterin.rosenweg@example.de');
  clients.bewohner = await portalClient('bewohner.rosenweg@example.de');
  clients.demir = await portalClient('aylin.demir@example.de');
  clients.former = await portalClient('frueher.mieter@example.de');
});
afterAll(() => app?.close());

const list = (propertyId: string, query = '') => `/portal/liegenschaften/${propertyId}/dokumente${query}`;
const fileUrl = (document: Document, propertyId = document.property!.id) => `/portal/liegenschaften/${propertyId}/dokumente/${document.id}/datei`;

async function download(client: Client, url: string) {
  const response = await fetch(new URL(url, app.baseUrl), { headers: client.browserHeaders(), redirect: 'manual' });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()), location: response.headers.get('location') };
}

const titles = (page: Awaited<ReturnType<Client['get']>>) =>
  page
    .$('.document-entry .document-title')
    .map((_, el) => page.$(el).text())
    .get();

describe('downloads: only the right recipients', () => {
  type Who = keyof typeof clients;
  const cases: Array<{ doc: keyof typeof docs; allowed: Who[]; refused: Who[] }> = [
    { doc: 'owners', allowed: ['eigner'], refused: ['anonymous', 'frieda', 'kristina', 'wagner', 'bewohner', 'former', 'demir'] },
    { doc: 'property', allowed: ['eigner', 'wagner', 'bewohner'], refused: ['anonymous', 'frieda', 'kristina', 'former', 'demir'] },
    { doc: 'tenants', allowed: ['wagner'], refused: ['anonymous', 'frieda', 'kristina', 'eigner', 'bewohner', 'former'] },
    { doc: 'former', allowed: [], refused: ['anonymous', 'frieda', 'kristina', 'eigner', 'wagner', 'bewohner', 'former'] },
    { doc: 'maxPlanckAll', allowed: ['kristina', 'eigner'], refused: ['anonymous', 'frieda', 'demir', 'wagner', 'bewohner'] },
    { doc: 'demir', allowed: ['demir'], refused: ['anonymous', 'frieda', 'kristina', 'eigner'] },
    { doc: 'withdrawn', allowed: [], refused: ['anonymous', 'eigner', 'wagner', 'bewohner'] },
  ];

  for (const { doc, allowed, refused } of cases) {
    it(`${doc}: 200 with the same bytes for ${allowed.join(', ') || 'nobody'}; refused for ${refused.join(', ')}`, async () => {
      const url = fileUrl(docs[doc]);
      for (const who of allowed) {
        const response = await download(clients[who], url);
        expect(response.status, who).toBe(200);
        const file = FILES[(docs[doc].mimeType === 'application/pdf' ? 'pdf' : docs[doc].mimeType === 'image/png' ? 'png' : 'docx') as keyof typeof FILES];
        expect(response.body.equals(file), who).toBe(true);
      }
      for (const who of refused) {
        const response = await download(clients[who], url);
        if (who === 'anonymous') {
          expect(response.status).toBe(303);
          expect(response.location).toMatch(/^\/portal\/anmelden/);
        } else {
          expect(response.status, who).toBe(404);
          expect(response.body.toString()).not.toContain('%PDF');
        }
      }
    });
  }

  it('is 404 for a document asked for under another property of the user, and for a malformed or unknown id', async () => {
    // Dr. Eigner sees both properties; the Rosenweg document is not in Max-Planck-Straße 12.
    expect((await download(clients.eigner, fileUrl(docs.owners, app.world.properties.maxPlanck.id))).status).toBe(404);
    expect((await download(clients.eigner, `${list(app.world.properties.rosenweg.id)}/nope/datei`)).status).toBe(404);
    expect((await download(clients.eigner, `${list(app.world.properties.rosenweg.id)}/00000000-0000-4000-8000-000000000000/datei`)).status).toBe(404);
  });

  it('sends PDFs and images inline, Word as an attachment, always with nosniff and no caching', async () => {
    const pdf = await download(clients.wagner, fileUrl(docs.tenants));
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/^inline; filename="Hausordnung 2026.pdf"/);
    expect(pdf.headers.get('x-content-type-options')).toBe('nosniff');
    expect(pdf.headers.get('cache-control')).toBe('private, no-store');

    const word = await download(clients.wagner, fileUrl(docs.property));
    expect(word.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(word.headers.get('content-disposition')).toMatch(/^attachment; filename="Energieausweis Rosenweg.docx"/);
    expect(word.headers.get('x-content-type-options')).toBe('nosniff');

    const image = await download(clients.wagner, fileUrl(docs.image));
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('counting downloads', () => {
  const rows = () => scoped().find(DocumentDownload, { document: docs.image.id, portalUser: users.bewohner.id }, { orderBy: { day: 'asc' } });

  it('counts one download per user, document and Berlin day', async () => {
    const start = app.clock.now();
    try {
      expect(await rows()).toEqual([]);
      expect((await download(clients.bewohner, fileUrl(docs.image))).status).toBe(200);
      expect((await download(clients.bewohner, fileUrl(docs.image))).status).toBe(200);
      expect((await rows()).map((r) => r.day)).toEqual([today()]);

      app.clock.advance(24 * HOUR);
      expect((await download(clients.bewohner, fileUrl(docs.image))).status).toBe(200);
      const counted = await rows();
      expect(counted.map((r) => r.day)).toEqual([addDays(berlinDate(start), 0), berlinDate(app.clock.now())]);
      expect(counted[0].firstAt).toEqual(start);
    } finally {
      app.clock.set(start);
    }
  });

  it('does not count a refused download', async () => {
    await download(clients.bewohner, fileUrl(docs.owners));
    expect(await scoped().count(DocumentDownload, { document: docs.owners.id, portalUser: users.bewohner.id })).toBe(0);
  });
});

describe('the Dokumente page', () => {
  const rosenweg = () => app.world.properties.rosenweg.id;

  it('is in the portal navigation', async () => {
    const page = await clients.wagner.get(`/portal/liegenschaften/${rosenweg()}`);
    const link = page.$('.portalnav a').filter((_, el) => page.$(el).text() === 'Dokumente');
    expect(link.attr('href')).toBe(list(rosenweg()));
  });

  it('shows the folders by type as a tree with counts, only where something is visible, newest first inside a folder', async () => {
    const page = await clients.wagner.get(list(rosenweg()));
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Dokumente');
    expect(page.$('.portalnav a[aria-current=page]').text()).toBe('Dokumente');
    const tree = page.$('.document-folders');
    const top = tree
      .find('> ul.folder-tree:last-of-type > li')
      .map((_, el) => page.$(el).children('a').text())
      .get();
    expect(top).toEqual(['Objektunterlagen']);
    const sub = tree
      .find('> ul.folder-tree:last-of-type > li > ul > li > a')
      .map((_, el) => page.$(el).text())
      .get();
    expect(sub).toEqual(['Hausordnung', 'Energieausweis', 'Grundrisse']);
    expect(tree.find('li').first().find('.count').text()).toBe('4 Dokumente');
    expect(tree.find('> ul.folder-tree:last-of-type > li > .count').text()).toBe('4 Dokumente');
    // Hausordnung first (position 0), newest first inside it; nothing for owners only.
    expect(titles(page)).toEqual(['Hausordnung 2026', 'Hausordnung 2025', 'Energieausweis Rosenweg', 'Grundriss Erdgeschoss']);
    expect(
      page
        .$('.document-group h3')
        .map((_, el) => page.$(el).text())
        .get(),
    ).toEqual(['Objektunterlagen › Hausordnung', 'Objektunterlagen › Energieausweis', 'Objektunterlagen › Grundrisse']);

    const entry = page.$(`#document-${docs.property.id}`);
    expect(entry.find('a.document-title').attr('href')).toBe(fileUrl(docs.property));
    const meta = Object.fromEntries(
      entry
        .find('dl > div')
        .map((_, el) => [[page.$(el).find('dt').text(), page.$(el).find('dd').text().trim()]])
        .get(),
    );
    expect(meta).toEqual({ Dateiart: 'Word', Dokumententyp: 'Energieausweis', Datum: expect.stringMatching(/^\d\d\.\d\d\.\d{4}$/), Größe: '1 KB' });
    expect(page.$(`#document-${docs.image.id} .file-kind`).text()).toBe('Bild');
    expect(page.$(`#document-${docs.tenants.id} .file-kind`).text()).toBe('PDF');
  });

  it("shows an owner the owners' folder and not the tenants'", async () => {
    const page = await clients.eigner.get(list(rosenweg()));
    expect(titles(page)).toEqual(['Energieausweis Rosenweg', 'Grundriss Erdgeschoss', 'Protokoll Eigentümerversammlung']);
    expect(
      page
        .$('.document-folders a')
        .map((_, el) => page.$(el).text())
        .get(),
    ).toEqual(['Alle Dokumente', 'Objektunterlagen', 'Energieausweis', 'Grundrisse', 'Protokolle', 'Eigentümerversammlung']);
  });

  it('narrows to a folder and its subfolders (?ordner=)', async () => {
    const em = scoped();
    const objektunterlagen = await em.findOneOrFail(DocumentType, { name: 'Objektunterlagen' });
    const hausordnung = await em.findOneOrFail(DocumentType, { name: 'Hausordnung' });
    const folder = await clients.wagner.get(list(rosenweg(), `?ordner=${objektunterlagen.id}`));
    expect(titles(folder)).toEqual(['Hausordnung 2026', 'Hausordnung 2025', 'Energieausweis Rosenweg', 'Grundriss Erdgeschoss']);
    expect(folder.$('#document-results h2').text()).toBe('Objektunterlagen');
    const sub = await clients.wagner.get(list(rosenweg(), `?ordner=${hausordnung.id}`));
    expect(titles(sub)).toEqual(['Hausordnung 2026', 'Hausordnung 2025']);
    expect(sub.$('#document-results h2').text()).toBe('Objektunterlagen › Hausordnung');
    expect(sub.$('.document-folders a[aria-current=page]').text()).toBe('Hausordnung');
    // The search keeps the folder.
    expect(sub.$('form[role=search] input[name=ordner]').val()).toBe(hausordnung.id);
  });

  it('searches by title with a plain GET form, and answers htmx with the result list only', async () => {
    const page = await clients.wagner.get(list(rosenweg(), '?q=hausORD'));
    expect(titles(page)).toEqual(['Hausordnung 2026', 'Hausordnung 2025']);
    const form = page.$('form[role=search]');
    expect(form.attr('method')).toBe('get');
    expect(form.find('label[for=document-search]').text()).toBe('Dokumente nach Titel durchsuchen');
    expect(form.find('#document-search').val()).toBe('hausORD');

    const none = await clients.wagner.get(list(rosenweg(), '?q=Kaution'));
    expect(titles(none)).toEqual([]);
    expect(none.$('#document-results .empty').text()).toBe('Kein Dokument passt zu Ihrer Suche.');

    const fragment = await clients.wagner.get(list(rosenweg(), '?q=grund'), { 'hx-request': 'true', 'hx-target': 'document-results' });
    expect(fragment.status).toBe(200);
    expect(fragment.$('html > body nav').length + fragment.$('h1').length).toBe(0);
    expect(titles(fragment)).toEqual(['Grundriss Erdgeschoss']);
  });

  it('shows a user inside an access window only what was shared with them personally', async () => {
    const page = await clients.demir.get(list(app.world.properties.maxPlanck.id));
    expect(page.status).toBe(200);
    expect(titles(page)).toEqual(['Nebenkostenabrechnung Demir']);
    const kristina = await clients.kristina.get(list(app.world.properties.maxPlanck.id));
    expect(titles(kristina)).toEqual(['Wartung Aufzug']);
  });

  it('shows a Bewohner only what was shared with the whole property', async () => {
    expect(titles(await clients.bewohner.get(list(rosenweg())))).toEqual(['Energieausweis Rosenweg', 'Grundriss Erdgeschoss']);
  });

  it('is 404 for residents of other properties, the other Verwaltung and a former tenant outside the window', async () => {
    for (const who of ['kristina', 'frieda', 'former'] as const) {
      const page = await clients[who].get(list(rosenweg()));
      expect(page.status, who).toBe(404);
      expect(page.text).not.toContain('Hausordnung');
    }
    expect((await clients.anonymous.get(list(rosenweg()))).location).toMatch(/^\/portal\/anmelden/);
  });

  it('says so when nothing is there', async () => {
    const page = await clients.eigner.get(list(app.world.properties.test.id));
    // Dr. Eigner has no access to TESTLIEGENSCHAFT: 404; the logistics company has access to its Gewerbehof without documents.
    expect(page.status).toBe(404);
    const logistics = await portalClient('verwaltung@hafenlogistik.de');
    const hafen = await app.em().findOneOrFail(Property, { name: 'Gewerbehof Am Hafen 3' }, { filters: { tenant: false } });
    const empty = await logistics.get(list(hafen.id));
    expect(empty.status).toBe(200);
    expect(empty.$('.empty').text()).toBe('Für Sie liegen hier derzeit keine Dokumente vor.');
  });
});

describe('the preview', () => {
  async function previewClient() {
    const client = app.client();
    await client.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    expect((await client.get(`/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/vorschau`)).status).toBe(303);
    return client;
  }

  it('shows documents shared with the property, its addresses or groups, never individual ones, and never counts', async () => {
    const staff = await previewClient();
    const base = `/portal/vorschau/liegenschaften/${app.world.properties.rosenweg.id}/dokumente`;
    const page = await staff.get(base);
    expect(page.status).toBe(200);
    expect(titles(page).sort()).toEqual([
      'Energieausweis Rosenweg',
      'Grundriss Erdgeschoss',
      'Hausordnung 2025',
      'Hausordnung 2026',
      'Protokoll Eigentümerversammlung',
    ]);
    expect(page.$(`#document-${docs.tenants.id} a.document-title`).attr('href')).toBe(`${base}/${docs.tenants.id}/datei`);

    const before = await scoped().count(DocumentDownload, {});
    const file = await download(staff, `${base}/${docs.tenants.id}/datei`);
    expect(file.status).toBe(200);
    expect(file.body.equals(FILES.pdf)).toBe(true);
    expect((await download(staff, `${base}/${docs.former.id}/datei`)).status).toBe(404);
    expect(await scoped().count(DocumentDownload, {})).toBe(before);
  });
});

describe('the next-day digest', () => {
  const tomorrowAt = (time: string) => {
    const [h, m] = time.split(':').map(Number);
    return new Date(startOfBerlinDay(addDays(today(), 1)).getTime() + (h * 60 + m) * 60_000);
  };
  const digestMails = () =>
    app.em().find(OutboxMail, { subject: { $in: ['Ihre tägliche Zusammenfassung aus dem Kundenportal', 'Your daily summary from the customer portal'] } });

  it('remembers the language a resident switches to, for their mails', async () => {
    const switched = await clients.wagner.get('/sprache/en?zurueck=/portal');
    expect(switched.status).toBe(303);
    expect(switched.location).toBe('/portal/sprache/en?zurueck=%2Fportal');
    const back = await clients.wagner.get(switched.location!);
    expect(back.location).toBe('/portal');
    expect((await app.em().findOneOrFail(PortalUser, { id: users.wagner.id }, { filters: { tenant: false } })).locale).toBe('en');
  });

  it('sends nothing before 07:00 Berlin time', async () => {
    const start = app.clock.now();
    try {
      app.clock.set(tomorrowAt('06:59'));
      expect(await app.runTask('notification-digest')).toBe(true);
      expect(await digestMails()).toEqual([]);
      expect(await scoped().count(NotificationDigest, {})).toBe(0);
    } finally {
      app.clock.set(start);
    }
  });

  it('at 07:00 mails each recipient once, listing what was shared with them yesterday; resumes after a crash; a second run sends nothing', async () => {
    const start = app.clock.now();
    try {
      // A run that died after its first batch: the Bewohner's digest was already written.
      const em = app.em();
      em.create(NotificationDigest, {
        portalUser: users.bewohner.id,
        period: `d:${today()}`,
        organization: app.world.organizations.sonnenschein.id,
        itemCount: 2,
        createdAt: start,
      });
      await em.flush();

      app.smtp.clear();
      app.clock.set(tomorrowAt('07:00'));
      expect(await app.runTask('notification-digest')).toBe(true);
      const messages = await app.deliverMail();
      const recipients = messages.map((m) => m.to[0]).sort();
      expect(recipients).toEqual(['aylin.demir@example.de', 'heinrich.eigner@example.de', 'kristina.maiblume@example.de', 'mieterin.rosenweg@example.de']);

      const eigner = app.smtp.to('heinrich.eigner@example.de')[0];
      expect(eigner.subject).toBe('Ihre tägliche Zusammenfassung aus dem Kundenportal');
      expect(eigner.text).toContain('Hallo Dr. Heinrich Eigner,');
      for (const title of ['Protokoll Eigentümerversammlung', 'Energieausweis Rosenweg', 'Grundriss Erdgeschoss', 'Wartung Aufzug'])
        expect(eigner.text).toContain(title);
      for (const title of ['Hausordnung', 'Kautionsabrechnung', 'Zurückgezogen', 'Nebenkostenabrechnung']) expect(eigner.text).not.toContain(title);
      // Grouped by property, each document with its type.
      expect(eigner.text).toMatch(/Rosenweg 24[\s\S]*Dokumente[\s\S]*Protokoll Eigentümerversammlung[\s\S]*Eigentümerversammlung/);
      // The digest's one-click unsubscribe (RFC 8058) and the settings link.
      expect(eigner.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(eigner.text).toContain('/portal/profil/benachrichtigungen');
      expect(eigner.html).toContain('Protokoll Eigentümerversammlung');

      const wagner = app.smtp.to('mieterin.rosenweg@example.de')[0];
      expect(wagner.subject).toBe('Your daily summary from the customer portal');
      expect(wagner.text).toContain('here is what');
      expect(wagner.text).toContain('Hausordnung 2026');
      expect(wagner.text).not.toContain('Protokoll');

      const demir = app.smtp.to('aylin.demir@example.de')[0];
      expect(demir.text).toContain('Nebenkostenabrechnung');
      expect(demir.text).toContain('Nebenkostenabrechnung Demir');
      expect(demir.text).not.toContain('Wartung Aufzug');
      // The link in the mail is the download, and it works for her.
      const link = linkIn(demir, '/datei');
      const file = await download(clients.demir, new URL(link).pathname);
      expect(file.status).toBe(200);

      const rows = await scoped().find(NotificationDigest, {}, { populate: ['portalUser'] });
      expect(rows.map((r) => r.portalUser.email).sort()).toEqual([...recipients, 'bewohner.rosenweg@example.de'].sort());
      expect(rows.find((r) => r.portalUser.id === users.wagner.id)!.itemCount).toBe(4);

      // Later runs of the day, and a second instance, find everyone done.
      app.clock.set(tomorrowAt('07:15'));
      expect(await app.runTask('notification-digest')).toBe(true);
      expect((await app.deliverMail()).length).toBe(4);
      expect((await digestMails()).length).toBe(4);
      // The finished run left its marker: later runs stop before asking about every user
      // again (shown here by a lost digest row that would otherwise mean "still to do").
      // (The weekly period of the last whole week is looked at too; nobody chose it, so it sent nothing.)
      const marker = await scoped().find(AuditLog, { action: 'notification_digest.completed' });
      expect(marker.map((m) => m.data).filter((data) => String(data?.period).startsWith('d:'))).toEqual([{ period: rows[0].period, mails: 4 }]);
      await scoped().nativeDelete(NotificationDigest, { portalUser: users.wagner.id });
      app.clock.set(tomorrowAt('07:30'));
      expect(await app.runTask('notification-digest')).toBe(true);
      expect((await digestMails()).length).toBe(4);
    } finally {
      app.clock.set(start);
    }
  });
});

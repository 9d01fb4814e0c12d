import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/features/api-keys/service.ts';
import { addDays, berlinDate, startOfBerlinDay } from '../../src/clock.ts';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import {
  ApiKey,
  AuditLog,
  Contact,
  Contract,
  Document,
  DocumentShare,
  DocumentType,
  DocumentVersion,
  PortalUser,
  Property,
  Unit,
} from '../../src/entities/index.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { DEMO_API_KEY } from '../../src/features/demo/seed.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';
import { filesUnder, SAMPLE_FILES } from '../support/files.ts';

/**
 * POST /api/v1/documents (src/features/documents/api.ts, push.ts): documents pushed by the
 * ERP over real HTTP, seen (or not) by residents in the portal, replaced as new versions,
 * withdrawn; files checked by content; another Verwaltung's external ids unknown.
 */

let app: TestApp;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/documents/${name}`, import.meta.url));
const HAUSORDNUNG = fixture('hausordnung.pdf');
// A Windows program named rechnung.pdf (test/fixtures/documents/generate.ts).
const EXE_AS_PDF = fixture('rechnung.pdf');

// biome-ignore lint/suspicious/noExplicitAny: the API answers JSON of many shapes
type ApiAnswer = { status: number; body: Record<string, any> };

/** Sends a push as an ERP does: multipart with the file and the JSON metadata. */
async function push(metadata: unknown, file: { name: string; content: Buffer; type?: string } | null, key = DEMO_API_KEY): Promise<ApiAnswer> {
  const form = new FormData();
  form.append('metadata', typeof metadata === 'string' ? metadata : JSON.stringify(metadata));
  if (file) form.append('file', new Blob([new Uint8Array(file.content)], { type: file.type ?? 'application/pdf' }), file.name);
  const response = await fetch(`${app.baseUrl}/api/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
  // biome-ignore lint/suspicious/noExplicitAny: the API answers JSON of many shapes
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function call(method: string, externalId: string, key = DEMO_API_KEY): Promise<ApiAnswer> {
  const response = await fetch(`${app.baseUrl}/api/v1/documents/${encodeURIComponent(externalId)}`, { method, headers: { authorization: `Bearer ${key}` } });
  // biome-ignore lint/suspicious/noExplicitAny: the API answers JSON of many shapes
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

function scoped(): Em {
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  return em;
}

async function portalClient(email: string): Promise<Client> {
  const client = app.client();
  await client.loginPortal(email, app.world.password);
  return client;
}

const listUrl = (propertyId: string) => `/portal/liegenschaften/${propertyId}/dokumente`;
const titles = async (client: Client, propertyId: string) => {
  const page = await client.get(listUrl(propertyId));
  expect(page.status).toBe(200);
  return page
    .$('.document-entry .document-title')
    .map((_, el) => page.$(el).text().trim())
    .get();
};
const tempFiles = () => filesUnder(path.join(app.storageDir, 'tmp'));

let maxPlanckId: string;
let maxPlanckExt: string;
let rosenwegExt: string;
let nordKey: string;
const clients = {} as Record<'kristina' | 'eigner' | 'rosenwegTenant' | 'frieda', Client>;

beforeAll(async () => {
  app = await startTestApp();
  const { maxPlanck, rosenweg } = app.world.properties;
  maxPlanckId = maxPlanck.id;
  maxPlanckExt = maxPlanck.externalId!;
  rosenwegExt = rosenweg.externalId!;
  expect(maxPlanckExt).toBeTruthy();

  // A tenant of Rosenweg 24 (another property of Sonnenschein) with a portal login.
  const em = scoped();
  const now = app.clock.now();
  const organization = app.world.organizations.sonnenschein;
  const contact = em.create(Contact, {
    organization,
    firstName: 'Rosa',
    lastName: 'Rosenweg',
    email: 'rosa.rosenweg@example.de',
    createdAt: now,
    updatedAt: now,
  });
  const unit = await em.findOneOrFail(Unit, { property: rosenweg, number: 'Wohnung 004' });
  em.create(Contract, { organization, kind: 'rental', unit, contacts: [contact], startsOn: addDays(berlinDate(now), -100), createdAt: now });
  em.create(PortalUser, {
    organization,
    email: 'rosa.rosenweg@example.de',
    name: 'Rosa Rosenweg',
    passwordHash: await hashPassword(app.world.password),
    createdAt: now,
    onboardedAt: now,
    contacts: [contact],
  });
  await em.flush();

  // An API key of Nordhaus, the other Verwaltung.
  nordKey = 'hp_live_nordhaus-test-key-0123456789abcdefghijklmno';
  const nordEm = app.em();
  nordEm.create(ApiKey, {
    organization: app.world.organizations.nordhaus,
    name: 'Nordhaus-ERP',
    prefix: nordKey.slice(0, 12),
    keyHash: hashApiKey(nordKey),
    createdAt: now,
  });
  await nordEm.flush();

  clients.kristina = await portalClient('kristina.maiblume@example.de');
  clients.eigner = await portalClient('heinrich.eigner@example.de');
  clients.rosenwegTenant = await portalClient('rosa.rosenweg@example.de');
  clients.frieda = await portalClient('frieda.friesen@example.de');
});
afterAll(() => app?.close());

const forTenants = (extra: Record<string, unknown> = {}) => ({
  externalId: 'DMS-HO-2026',
  title: 'Hausordnung 2026 (ERP)',
  type: 'Objektunterlagen/Hausordnung',
  propertyExternalId: maxPlanckExt,
  shareWith: { groups: ['tenant'] },
  ...extra,
});

describe('pushing a document', () => {
  it('publishes a real PDF shared with the tenants of a property: its tenant sees it, an owner and residents of other properties do not', async () => {
    const answer = await push(forTenants(), { name: 'hausordnung.pdf', content: HAUSORDNUNG });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ externalId: 'DMS-HO-2026', status: 'created', version: 1 });

    const document = await scoped().findOneOrFail(Document, { id: answer.body.id }, { populate: ['type', 'createdByApiKey'] });
    expect(document.createdBy).toBeNull();
    expect(document.createdByApiKey?.name).toBe('Demo-ERP');
    expect(document.property?.id).toBe(maxPlanckId);
    expect(document.type.name).toBe('Hausordnung');
    expect(document.fileName).toBe('hausordnung.pdf');
    expect(await scoped().find(DocumentShare, { document }, { fields: ['kind', 'group'] })).toMatchObject([{ kind: 'group', group: 'tenant' }]);
    const audit = await scoped().findOneOrFail(AuditLog, { action: 'document.published', subjectId: document.id });
    expect(audit.actorType).toBe('api');

    expect(await titles(clients.kristina, maxPlanckId)).toContain('Hausordnung 2026 (ERP)');
    const file = await fetch(new URL(`${listUrl(maxPlanckId)}/${document.id}/datei`, app.baseUrl), { headers: clients.kristina.browserHeaders() });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(HAUSORDNUNG)).toBe(true);

    // Dr. Eigner owns units in Max-Planck-Straße 12: an owner, not a tenant.
    expect(await titles(clients.eigner, maxPlanckId)).not.toContain('Hausordnung 2026 (ERP)');
    const rosenweg = app.world.properties.rosenweg.id;
    expect(await titles(clients.rosenwegTenant, rosenweg)).not.toContain('Hausordnung 2026 (ERP)');
    expect((await clients.rosenwegTenant.get(`${listUrl(maxPlanckId)}/${document.id}/datei`)).status).toBe(404);
    expect((await clients.frieda.get(listUrl(maxPlanckId))).status).toBe(404);

    // The console names the ERP's key as publisher.
    const staff = app.client();
    await staff.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    const page = await staff.get(`/verwaltung/dokumente/${document.id}`);
    expect(page.status).toBe(200);
    expect(page.$('.document-facts').text()).toContain('von ERP (API-Schlüssel „Demo-ERP“)');
  });

  it('the same external id again replaces the file as version 2 and updates title and sharing', async () => {
    const answer = await push(forTenants({ title: 'Hausordnung 2026, neu', shareWith: { property: true } }), {
      name: 'hausordnung-neu.pdf',
      content: SAMPLE_FILES.pdf,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ externalId: 'DMS-HO-2026', status: 'updated', version: 2 });
    const em = scoped();
    const document = await em.findOneOrFail(Document, { externalId: 'DMS-HO-2026' });
    expect(document.id).toBe(answer.body.id);
    expect(document.title).toBe('Hausordnung 2026, neu');
    expect(await em.find(DocumentVersion, { document }, { fields: ['version', 'fileName'] })).toMatchObject([{ version: 1, fileName: 'hausordnung.pdf' }]);
    expect(await em.find(DocumentShare, { document }, { fields: ['kind'] })).toMatchObject([{ kind: 'property' }]);
    expect(await em.count(Document, { externalId: 'DMS-HO-2026' })).toBe(1);

    // Now the whole property sees it, with the new file.
    expect(await titles(clients.eigner, maxPlanckId)).toContain('Hausordnung 2026, neu');
    const file = await fetch(new URL(`${listUrl(maxPlanckId)}/${document.id}/datei`, app.baseUrl), { headers: clients.kristina.browserHeaders() });
    expect(Buffer.from(await file.arrayBuffer()).equals(SAMPLE_FILES.pdf)).toBe(true);

    const got = await call('GET', 'DMS-HO-2026');
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id: document.id,
      externalId: 'DMS-HO-2026',
      title: 'Hausordnung 2026, neu',
      type: { path: 'Objektunterlagen/Hausordnung' },
      propertyExternalId: maxPlanckExt,
      status: 'published',
      version: 2,
    });
  });

  it('finds the type by its id too, and shares with one contact alone without property', async () => {
    const type = await scoped().findOneOrFail(DocumentType, { name: 'Verträge' });
    const answer = await push(
      { externalId: 'DMS-VERTRAG-1', title: 'Mietvertrag Maiblume', type: type.id, contactExternalId: app.world.contacts.kristina.externalId },
      { name: 'vertrag.pdf', content: SAMPLE_FILES.pdf },
    );
    expect(answer.status).toBe(201);
    const document = await scoped().findOneOrFail(Document, { id: answer.body.id });
    expect(document.property).toBeNull();
    expect(await scoped().find(DocumentShare, { document }, { fields: ['kind', 'contact'] })).toMatchObject([
      { kind: 'contact', contact: { id: app.world.contacts.kristina.id } },
    ]);
  });

  it('DELETE withdraws it: residents lose it at once; a second DELETE changes nothing; a new push publishes it again', async () => {
    const withdrawn = await call('DELETE', 'DMS-HO-2026');
    expect(withdrawn).toMatchObject({ status: 200, body: { externalId: 'DMS-HO-2026', status: 'withdrawn' } });
    expect((await scoped().findOneOrFail(Document, { externalId: 'DMS-HO-2026' })).status).toBe('withdrawn');
    expect(await titles(clients.kristina, maxPlanckId)).not.toContain('Hausordnung 2026, neu');
    expect((await call('DELETE', 'DMS-HO-2026')).body.status).toBe('unchanged');
    expect((await call('DELETE', 'GIBT-ES-NICHT')).status).toBe(404);

    const again = await push(forTenants(), { name: 'hausordnung.pdf', content: HAUSORDNUNG });
    expect(again.body).toMatchObject({ status: 'updated', version: 3 });
    expect(await titles(clients.kristina, maxPlanckId)).toContain('Hausordnung 2026 (ERP)');
  });
});

describe('refused pushes leave nothing behind', () => {
  const refused = async (answer: ApiAnswer, status: number, code: string, externalId: string) => {
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(typeof answer.body.error.message).toBe('string');
    expect(await scoped().count(Document, { externalId })).toBe(0);
    expect(await tempFiles()).toEqual([]);
  };

  it('refuses by content: a program or a text file named .pdf (415 unsupported_type)', async () => {
    await refused(await push(forTenants({ externalId: 'DMS-EXE' }), { name: 'rechnung.pdf', content: EXE_AS_PDF }), 415, 'unsupported_type', 'DMS-EXE');
    await refused(
      await push(forTenants({ externalId: 'DMS-TXT' }), { name: 'rechnung.pdf', content: Buffer.from('Das ist kein PDF, nur Text.\n') }),
      415,
      'unsupported_type',
      'DMS-TXT',
    );
  });

  it('refuses an unknown property, unit or type (422 with the field) and bad metadata (400 invalid_metadata)', async () => {
    const file = { name: 'h.pdf', content: SAMPLE_FILES.pdf };
    const unknownProperty = await push(forTenants({ externalId: 'DMS-X1', propertyExternalId: 'LG-GIBT-ES-NICHT' }), file);
    await refused(unknownProperty, 422, 'unknown_reference', 'DMS-X1');
    expect(unknownProperty.body.error.field).toBe('propertyExternalId');
    const unknownUnit = await push(forTenants({ externalId: 'DMS-X2', shareWith: { unitExternalIds: ['EH-GIBT-ES-NICHT'] } }), file);
    await refused(unknownUnit, 422, 'unknown_reference', 'DMS-X2');
    expect(unknownUnit.body.error.field).toBe('shareWith.unitExternalIds');
    const unknownType = await push(forTenants({ externalId: 'DMS-X3', type: 'Objektunterlagen/Gibt es nicht' }), file);
    await refused(unknownType, 422, 'unknown_type', 'DMS-X3');

    // A unit of Rosenweg 24 is no part of Max-Planck-Straße 12.
    const rosenwegUnit = await scoped().findOneOrFail(Unit, { property: app.world.properties.rosenweg, number: 'Wohnung 004' });
    await refused(
      await push(forTenants({ externalId: 'DMS-X4', shareWith: { unitExternalIds: [rosenwegUnit.externalId] } }), file),
      422,
      'invalid_share',
      'DMS-X4',
    );

    await refused(await push('{"externalId": ', file), 400, 'invalid_metadata', '');
    await refused(await push(forTenants({ externalId: 'DMS-X5', shareWith: { groups: ['nachbarn'] } }), file), 400, 'invalid_metadata', 'DMS-X5');
    await refused(await push(forTenants({ externalId: 'DMS-X6', shareWith: {} }), file), 400, 'invalid_metadata', 'DMS-X6');
    await refused(await push(forTenants({ externalId: 'DMS-X7', contactExternalId: 'KT-1' }), file), 400, 'invalid_metadata', 'DMS-X7');
    await refused(await push(forTenants({ externalId: 'DMS-X8', unbekannt: 1 }), file), 400, 'invalid_metadata', 'DMS-X8');
    await refused(await push(forTenants({ externalId: 'DMS-X9' }), null), 400, 'missing_file', 'DMS-X9');
  });

  it('refuses an archived unit or property as archived_reference (422 with the field), as the sync does', async () => {
    const file = { name: 'h.pdf', content: SAMPLE_FILES.pdf };
    const em = scoped();
    const now = app.clock.now();
    const archivedProperty = em.create(Property, {
      organization: app.world.organizations.sonnenschein,
      name: 'Abgerissen 1',
      externalId: 'LG-ARCHIV',
      archivedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    em.create(Unit, {
      organization: app.world.organizations.sonnenschein,
      property: app.world.properties.maxPlanck.id,
      number: 'Wohnung Archiv',
      externalId: 'EH-ARCHIV',
      archivedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    const archivedUnit = await push(forTenants({ externalId: 'DMS-A1', shareWith: { unitExternalIds: ['EH-ARCHIV'] } }), file);
    await refused(archivedUnit, 422, 'archived_reference', 'DMS-A1');
    expect(archivedUnit.body.error).toMatchObject({ field: 'shareWith.unitExternalIds', message: 'shareWith.unitExternalIds "EH-ARCHIV" is archived.' });
    const onArchived = await push(forTenants({ externalId: 'DMS-A2', propertyExternalId: archivedProperty.externalId }), file);
    await refused(onArchived, 422, 'archived_reference', 'DMS-A2');
    expect(onArchived.body.error.field).toBe('propertyExternalId');
  });

  it('refuses a file over 50 MB (413 too_large)', async () => {
    const big = Buffer.concat([SAMPLE_FILES.pdf, Buffer.alloc(50 * 1024 * 1024)]);
    await refused(await push(forTenants({ externalId: 'DMS-BIG' }), { name: 'gross.pdf', content: big }), 413, 'too_large', 'DMS-BIG');
  });
});

describe('keys and Verwaltungen', () => {
  it("another Verwaltung's key cannot push to Sonnenschein's property external ids, nor see or withdraw its documents", async () => {
    const file = { name: 'h.pdf', content: SAMPLE_FILES.pdf };
    for (const propertyExternalId of [maxPlanckExt, rosenwegExt]) {
      const answer = await push(forTenants({ externalId: 'NORD-1', propertyExternalId }), file, nordKey);
      expect(answer.status).toBe(422);
      expect(answer.body.error).toMatchObject({ code: 'unknown_reference', field: 'propertyExternalId' });
    }
    expect(await app.em().count(Document, { externalId: 'NORD-1' }, { filters: { tenant: false } })).toBe(0);
    expect((await call('GET', 'DMS-HO-2026', nordKey)).status).toBe(404);
    expect((await call('DELETE', 'DMS-HO-2026', nordKey)).status).toBe(404);
    expect((await scoped().findOneOrFail(Document, { externalId: 'DMS-HO-2026' })).status).toBe('published');
  });

  it('a revoked key is refused (401) and pushes nothing', async () => {
    const key = 'hp_live_revoked-test-key-0123456789abcdefghijklmnop';
    const em = app.em();
    em.create(ApiKey, {
      organization: app.world.organizations.sonnenschein,
      name: 'Widerrufen',
      prefix: key.slice(0, 12),
      keyHash: hashApiKey(key),
      createdAt: app.clock.now(),
      revokedAt: app.clock.now(),
    });
    await em.flush();
    const answer = await push(forTenants({ externalId: 'DMS-REVOKED' }), { name: 'h.pdf', content: SAMPLE_FILES.pdf }, key);
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('unauthorized');
    expect(await scoped().count(Document, { externalId: 'DMS-REVOKED' })).toBe(0);
  });

  it('the OpenAPI description names the documents paths', async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(document.paths['/documents'])).toEqual(['post']);
    expect(Object.keys(document.paths['/documents/{externalId}'])).toEqual(expect.arrayContaining(['get', 'delete']));
    expect(document.components.schemas.DocumentMetadata).toMatchObject({ required: expect.arrayContaining(['externalId', 'type']) });
  });
});

describe('residents are told as for a console upload', () => {
  it("the next morning's digest mails the tenant the pushed document", async () => {
    const start = app.clock.now();
    try {
      app.smtp.clear();
      app.clock.set(new Date(startOfBerlinDay(addDays(berlinDate(start), 1)).getTime() + 7 * 3600_000));
      expect(await app.runTask('notification-digest')).toBe(true);
      await app.deliverMail();
      const [mail] = app.smtp.to('kristina.maiblume@example.de');
      expect(mail.text).toContain('Hausordnung 2026 (ERP)');
      expect(
        app.smtp
          .to('rosa.rosenweg@example.de')
          .map((m) => m.text)
          .join(''),
      ).not.toContain('Hausordnung 2026');
    } finally {
      app.clock.set(start);
    }
  });
});

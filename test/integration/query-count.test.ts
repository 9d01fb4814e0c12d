import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
  Address,
  Contact,
  Contract,
  Document,
  DocumentType,
  OutboxMail,
  Property,
  ServiceProvider,
  Ticket,
  TicketCategory,
  Unit,
} from '../../src/entities/index.ts';
import { addShares } from '../../src/features/documents/service.ts';
import type { Client } from '../support/client.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

/**
 * No N+1 on the list pages: the number of SQL statements a page costs must not depend on
 * how many rows it shows. Each page is counted on the demo world, then again after 30 more
 * properties, units, contacts and contracts, and the counts must be the same.
 */
const MORE = 30;

let app: TestApp;
let statements: string[] = [];
let staff: Client;
let resident: Client;

beforeAll(async () => {
  app = await startTestApp({ onQuery: (sql) => statements.push(sql) });
  staff = app.client();
  await staff.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  // Dr. Eigner owns flats in two properties, so his portal has real work to do.
  resident = app.client();
  await resident.loginPortal('heinrich.eigner@example.de', app.world.password);
  // One document before the first count, so that both counts include the per-document queries.
  const em = app.em();
  await addDocument(em, 0, app.world.units.wohnung002.id);
  await em.flush();
});
afterAll(() => app?.close());

/** The page, and the SQL statements serving it issued. */
async function served(client: Client, path: string) {
  // Evictions reach the caches through NOTIFY, maybe late: hear them all first (TestApp.cachesCaughtUp).
  await app.cachesCaughtUp();
  statements = [];
  const page = await client.get(path);
  expect(page.status, path).toBe(200);
  return { page, statements: [...statements] };
}

/** Rows the page shows, so the test can prove the second count saw more data. */
const rows = (page: Awaited<ReturnType<Client['get']>>) => page.$('main tbody tr, main ul.plain li, main ul.cards li').length;

function pages() {
  const { maxPlanck } = app.world.properties;
  return {
    'Liegenschaften list': { client: staff, path: '/verwaltung/liegenschaften' },
    'Einheiten tab': { client: staff, path: `/verwaltung/liegenschaften/${maxPlanck.id}/einheiten` },
    'Kontakte tab': { client: staff, path: `/verwaltung/liegenschaften/${maxPlanck.id}/kontakte` },
    'Kontakte list': { client: staff, path: '/verwaltung/kontakte' },
    // Verträge (src/features/contracts): the Mietverträge, so the 30 new ones fit on the page; Dienstleister (src/features/service-providers).
    'Verträge list': { client: staff, path: '/verwaltung/vertraege?art=miete' },
    'Dienstleister list': { client: staff, path: '/verwaltung/dienstleister' },
    // Stammdaten lists (src/features/units, src/features/addresses): one property's units, so all 30 new ones fit on the page.
    'Einheiten list': { client: staff, path: `/verwaltung/einheiten?liegenschaft=${maxPlanck.id}` },
    'Adressen list': { client: staff, path: '/verwaltung/adressen' },
    'portal start page': { client: resident, path: `/portal/liegenschaften/${maxPlanck.id}` },
    'Dokumente tab': { client: staff, path: `/verwaltung/liegenschaften/${maxPlanck.id}/dokumente` },
    'portal Dokumente': { client: resident, path: `/portal/liegenschaften/${maxPlanck.id}/dokumente` },
    'Vorgänge list': { client: staff, path: '/verwaltung/vorgaenge' },
    'portal Meine Vorgänge': { client: resident, path: `/portal/liegenschaften/${maxPlanck.id}/vorgaenge` },
  };
}

/** A document of Max-Planck-Straße 12 for the owners and one unit, in one of the folders (the list names both shares). */
async function addDocument(em: ReturnType<TestApp['em']>, i: number, unitId: string) {
  const organization = app.world.organizations.sonnenschein.id;
  const types = await em.find(DocumentType, { organization }, { filters: { tenant: false }, orderBy: { name: 'asc' } });
  const now = new Date();
  const document = em.create(Document, {
    organization,
    property: app.world.properties.maxPlanck.id,
    type: types[i % types.length],
    title: `Protokoll ${i}`,
    fileName: `protokoll-${i}.pdf`,
    mimeType: 'application/pdf',
    size: 1000 + i,
    storageKey: `00/${'0'.repeat(40)}`,
    publishedAt: now,
    createdBy: app.world.staff.manager.id,
  });
  addShares(
    em,
    document,
    [
      { kind: 'group', propertyId: app.world.properties.maxPlanck.id, group: 'owner' },
      { kind: 'unit', unitId },
    ],
    now,
  );
}

/** Adds MORE properties with an address each, and MORE let flats in Max-Planck-Straße 12 owned by Dr. Eigner. */
async function addRows() {
  const em = app.em();
  const organization = app.world.organizations.sonnenschein.id;
  const now = new Date();
  for (let i = 1; i <= MORE; i++) {
    const property = em.create(Property, { organization, name: `Neubau ${String(i).padStart(2, '0')}`, kind: 'rental', createdAt: now, updatedAt: now });
    em.create(Address, { organization, property, street: 'Neubauweg', houseNumber: String(i), postalCode: '80333', city: 'München', createdAt: now });

    const unit = em.create(Unit, {
      organization,
      property: app.world.properties.maxPlanck.id,
      number: `Wohnung N${String(i).padStart(2, '0')}`,
      kind: 'apartment',
      areaSqm: 50 + i,
      createdAt: now,
    });
    const tenant = em.create(Contact, {
      organization,
      type: 'person',
      salutation: 'frau',
      firstName: 'Mia',
      lastName: `Neumieterin ${i}`,
      createdAt: now,
      updatedAt: now,
    });
    em.create(ServiceProvider, { organization, name: `Dienstleister ${String(i).padStart(2, '0')}`, trade: 'Reinigung', createdAt: now, updatedAt: now });
    em.create(Contract, { organization, kind: 'rental', unit, contacts: [tenant], startsOn: '2024-01-01', createdAt: now });
    em.create(Contract, { organization, kind: 'ownership', unit, contacts: [app.world.contacts.eigner.id], startsOn: '2020-01-01', createdAt: now });

    await addDocument(em, i, unit.id);
    // An open Vorgang in Max-Planck-Straße 12 for each new row, assigned to one of two staff or nobody, in varied
    // Themen: about Dr. Eigner's new flat (his own) or about a common area (Kristina's, one he may join).
    const categories = await em.find(TicketCategory, { organization }, { filters: { tenant: false }, orderBy: { position: 'asc' } });
    const assignees = [app.world.staff.manager.id, app.world.staff.clerk.id, null];
    em.create(Ticket, {
      organization,
      year: 2001,
      number: i,
      property: app.world.properties.maxPlanck.id,
      unit: i % 2 ? unit : null,
      commonArea: i % 2 ? null : 'staircase',
      category: categories[i % categories.length],
      title: `Vorgang ${i}`,
      description: 'Bitte prüfen.',
      reporter: i % 2 ? app.world.portalUsers.eigner.id : app.world.portalUsers.kristina.id,
      reporterName: i % 2 ? 'Dr. Heinrich Eigner' : 'Kristina Maiblume',
      assignee: assignees[i % 3],
      lastActivityAt: now,
      createdAt: now,
    });
  }
  await em.flush();
}

describe('query count of list pages', () => {
  it('does not grow with the number of rows shown', async () => {
    const before: Record<string, { statements: string[]; rows: number }> = {};
    for (const [name, { client, path }] of Object.entries(pages())) {
      // Counted warm: the first request of a session reads it from the database, the next ones
      // from the process's session cache (src/auth/session.ts).
      await served(client, path);
      const { page, statements: sql } = await served(client, path);
      before[name] = { statements: sql, rows: rows(page) };
    }

    await addRows();

    for (const [name, { client, path }] of Object.entries(pages())) {
      const { page, statements: sql } = await served(client, path);
      expect(rows(page), `${name} shows the added rows`).toBeGreaterThanOrEqual(before[name].rows + MORE);
      expect(sql.length, `${name}: ${before[name].statements.length} statements before, ${sql.length} after:\n${sql.join('\n')}`).toBe(
        before[name].statements.length,
      );
      // A handful, whatever the rows: session, the page's own queries, their populates.
      expect(sql.length, name).toBeLessThanOrEqual(8);
    }
  });
});

describe('query count of the console Übersicht (src/features/console/overview.ts)', () => {
  it('is one statement per section, however many Vorgänge and failed mails there are', async () => {
    const count = (page: Awaited<ReturnType<Client['get']>>, id: string) => page.$(`#${id} .overview-count`).text().trim();
    const before = await served(staff, '/verwaltung');

    const em = app.em();
    const organization = app.world.organizations.sonnenschein.id;
    const category = await em.findOneOrFail(TicketCategory, { organization }, { filters: { tenant: false }, orderBy: { position: 'asc' } });
    const now = new Date();
    for (let i = 1; i <= MORE; i++) {
      em.create(Ticket, {
        organization,
        year: 2002,
        number: i,
        property: app.world.properties.maxPlanck.id,
        commonArea: 'staircase',
        category,
        title: `Übersicht ${i}`,
        description: 'Bitte prüfen.',
        reporter: app.world.portalUsers.kristina.id,
        reporterName: 'Kristina Maiblume',
        lastActivityAt: now,
        createdAt: now,
      });
      em.create(OutboxMail, {
        organization,
        messageId: `<${randomUUID()}@test>`,
        to: 'x@example.invalid',
        subject: `Mail ${i}`,
        text: 'x',
        html: 'x',
        status: 'failed',
        nextAttemptAt: now,
        createdAt: now,
      });
    }
    await em.flush();

    const after = await served(staff, '/verwaltung');
    expect(count(after.page, 'neue-vorgaenge')).not.toBe(count(before.page, 'neue-vorgaenge'));
    expect(count(after.page, 'e-mails')).toBe(`${MORE} E-Mails`);
    expect(after.statements.length, after.statements.join('\n')).toBe(before.statements.length);
    // The session and five sections.
    expect(after.statements.length).toBeLessThanOrEqual(8);
  });
});

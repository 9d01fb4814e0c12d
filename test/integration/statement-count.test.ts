import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { searchContacts } from '../../src/features/contacts/service.ts';
import { searchUnits, UNIT_SORT_DEFAULT } from '../../src/features/units/service.ts';
import type { Client } from '../support/client.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

/**
 * SQL statements per request of the pages `npm run bench` drives (test/bench/run.ts), read
 * from the same counter the bench prints: SQL_STATEMENT_COUNT=on makes the server name them
 * in `X-SQL-Statements` (src/db/statement-count.ts). One more statement on one of these
 * pages is a regression: raise a number here only with the reason in the commit.
 * Also: the estimate of long lists (src/http/paging.ts listTotal) and the "Liegenschaft"
 * search field of the Einheiten and Vorgänge lists.
 */
let app: TestApp;
let staff: Client;
let resident: Client;

beforeAll(async () => {
  app = await startTestApp({ env: { SQL_STATEMENT_COUNT: 'on' } });
  staff = app.client();
  await staff.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  resident = app.client();
  await resident.loginPortal('heinrich.eigner@example.de', app.world.password);
});
afterAll(() => app?.close());

/** The statements of a warm request, as the bench counts them: the first request of a page fills the session and access caches (src/db/process-cache.ts). */
async function statementsOf(client: Client, path: string, headers: Record<string, string> = {}) {
  // Evictions (the login's, a first request's) reach this process through NOTIFY: one that
  // arrived after the first request would empty what it cached. Hear them all before each request.
  await app.cachesCaughtUp();
  await client.request('GET', path, { headers });
  await app.cachesCaughtUp();
  const page = await client.request('GET', path, { headers });
  expect(page.status, path).toBe(200);
  const header = page.headers.get('x-sql-statements');
  expect(header, `${path} names its statements`).toMatch(/^\d+$/);
  return Number(header);
}

describe('SQL statements per request of the bench pages', () => {
  it('stay what they are', async () => {
    const { maxPlanck } = app.world.properties;
    const staffPages: Record<string, [string, Record<string, string>?]> = {
      // Nothing at all once the session is cached: the "empty authenticated page" of the bench.
      'Kontakt anlegen (empty authenticated page)': ['/verwaltung/kontakte/neu'],
      Liegenschaften: ['/verwaltung/liegenschaften'],
      'Liegenschaften ?q': ['/verwaltung/liegenschaften?q=Rosen'],
      'Liegenschaften ?q (htmx)': ['/verwaltung/liegenschaften?q=Rosen', { 'hx-request': 'true', 'hx-target': 'property-results' }],
      'Einheiten tab': [`/verwaltung/liegenschaften/${maxPlanck.id}/einheiten`],
      'Kontakte ?q': ['/verwaltung/kontakte?q=Mai'],
      Kontakte: ['/verwaltung/kontakte'],
      'Kontakte sorted by Ort': ['/verwaltung/kontakte?sortierung=ort'],
      'Einheiten (all)': ['/verwaltung/einheiten'],
      'Einheiten ?q': ['/verwaltung/einheiten?q=Wohnung'],
      'Verträge (all)': ['/verwaltung/vertraege'],
      'Verträge ?q': ['/verwaltung/vertraege?q=Mai'],
      'Adressen (all)': ['/verwaltung/adressen'],
      'Vorgänge ?liegenschaft': ['/verwaltung/vorgaenge?liegenschaft=Max'],
    };
    const portalPages: Record<string, [string, Record<string, string>?]> = {
      'Portal start page': [`/portal/liegenschaften/${maxPlanck.id}`],
      'Portal Mitteilungen': [`/portal/liegenschaften/${maxPlanck.id}/mitteilungen`],
      'Portal Dokumente': [`/portal/liegenschaften/${maxPlanck.id}/dokumente`],
      'Portal Dokumente ?q (htmx)': [`/portal/liegenschaften/${maxPlanck.id}/dokumente?q=Haus`, { 'hx-request': 'true', 'hx-target': 'document-results' }],
      'Portal Vorgänge': [`/portal/liegenschaften/${maxPlanck.id}/vorgaenge`],
      // The community (issue 21): the demo lists Heinrich and Kristina and has them talk (src/features/community/demo.ts).
      'Portal Schwarzes Brett': [`/portal/liegenschaften/${maxPlanck.id}/schwarzes-brett`],
      'Portal Eigentümer / Nachbarn': [`/portal/liegenschaften/${maxPlanck.id}/nachbarn`],
      'Portal Nachrichten': [`/portal/liegenschaften/${maxPlanck.id}/nachrichten`],
      'Portal conversation': [`/portal/liegenschaften/${maxPlanck.id}/nachrichten/${await demoConversation()}`],
      'Portal conversation, older messages': [
        `/portal/liegenschaften/${maxPlanck.id}/nachrichten/${await demoConversation()}?vor=${await oldestOfDemoConversation()}`,
      ],
    };
    const counts: Record<string, number> = {};
    for (const [name, [path, headers]] of Object.entries(staffPages)) counts[name] = await statementsOf(staff, path, headers);
    for (const [name, [path, headers]] of Object.entries(portalPages)) counts[name] = await statementsOf(resident, path, headers);
    expect(counts).toEqual(EXPECTED);
  });
});

const EXPECTED = {
  // Warm requests: the session and the portal access come from the process's caches.
  // Nothing at all.
  'Kontakt anlegen (empty authenticated page)': 0,
  // Rows (with the total as a window count: at most 1,000 properties).
  Liegenschaften: 1,
  'Liegenschaften ?q': 1,
  'Liegenschaften ?q (htmx)': 1,
  // Property (scope), the units.
  'Einheiten tab': 2,
  // Rows, the limited count (+1 EXPLAIN where more than 1,000 rows match, as in the bench).
  Kontakte: 2,
  'Kontakte ?q': 2,
  'Kontakte sorted by Ort': 2,
  'Einheiten (all)': 2,
  'Adressen (all)': 2,
  // A search that finds its matches once: the rows and the limited count in one statement.
  'Einheiten ?q': 1,
  // Rows, the limited count, the contacts of the page's contracts.
  'Verträge (all)': 3,
  // A search: the rows and the limited count in one statement (the matches found once), the contacts.
  'Verträge ?q': 2,
  // Rows, counts per status, Themen, staff.
  'Vorgänge ?liegenschaft': 4,
  // The page in one statement.
  'Portal start page': 1,
  // The Mitteilungen with their attachments and total in one statement.
  'Portal Mitteilungen': 1,
  // The Dokumententypen with the visible documents in one statement.
  'Portal Dokumente': 1,
  'Portal Dokumente ?q (htmx)': 1,
  // Session, portal access (scope), Meine Vorgänge with the concerns to join in one statement.
  'Portal Vorgänge': 1,
  // Rows (posts of staff and residents in one), whether the page's authors still live there, a bar.
  'Portal Schwarzes Brett': 3,
  // The listed neighbours with the access rule in one statement (paged: 50, at 2,000 as well; npm run bench).
  'Portal Eigentümer / Nachbarn': 1,
  // A page of conversations with their unread counts, the names of the page's neighbours.
  'Portal Nachrichten': 2,
  // The conversation (its rule), the other's entry, the block, the latest page of messages, the read mark.
  'Portal conversation': 5,
  // Older messages: the same without the read mark.
  'Portal conversation, older messages': 4,
};

/** The demo's conversation of Heinrich and Kristina in Max-Planck-Straße 12. */
async function demoConversation(): Promise<string> {
  const { rows } = await sql<{ id: string }>`select id from conversation where property_id = ${app.world.properties.maxPlanck.id} limit 1`.execute(
    app.em().getKysely(),
  );
  return rows[0]!.id;
}

/** `?vor=` of the newest message of the demo's conversation: the page of those before it. */
async function oldestOfDemoConversation(): Promise<string> {
  const { rows } = await sql<{ id: string; created_at: Date }>`select m.id, m.created_at from direct_message m
    where m.conversation_id = ${await demoConversation()} order by m.created_at desc limit 1`.execute(app.em().getKysely());
  return encodeURIComponent(`${new Date(rows[0]!.created_at).toISOString()}_${rows[0]!.id}`);
}

describe('the total of a long list (listTotal)', () => {
  const em = () => {
    const e = app.em();
    scopeToOrganization(e, app.world.organizations.sonnenschein.id);
    return e;
  };

  it('is exact for a small result and an estimate past the limit, with a next page and no last page', async () => {
    const now = app.clock.now();
    // Past one page of contacts, so that a limit lowered below it is passed.
    await addContacts(60, 'Seitenweise');
    const exact = await searchContacts(em(), '', 1, now);
    const [{ n }] = (
      await sql<{
        n: number;
      }>`select count(*)::int as n from contact where organization_id = ${app.world.organizations.sonnenschein.id} and archived_at is null`.execute(
        app.em().getKysely(),
      )
    ).rows;
    expect(exact).toMatchObject({ exact: true, total: n, pages: Math.ceil(n / 50), hasNext: true });

    // The limit lowered to 2 instead of inserting 100,000 contacts: the count stops at the end
    // of the page asked for (51 rows), and the planner's estimate stands in.
    const rough = await searchContacts(em(), '', 1, now, { exactUpTo: 2 });
    expect(rough.exact).toBe(false);
    expect(rough.pages).toBeNull();
    expect(rough.hasNext).toBe(true);
    expect(rough.total).toBeGreaterThanOrEqual(2);
    // The rows of the page are the same either way.
    expect(rough.contacts.map((c) => c.id)).toEqual(exact.contacts.map((c) => c.id));

    // A search with few matches stays exact even with the lowered limit.
    const one = await searchUnits(em(), { q: 'Stellplatz 1', page: 1, sort: UNIT_SORT_DEFAULT, exactUpTo: 2 });
    expect(one).toMatchObject({ exact: true, total: 1, pages: 1, hasNext: false });
    // A search counts its matches in its page's statement: a page past the end has no rows, and the total still.
    const units = await searchUnits(em(), { q: 'Wohnung', page: 1, sort: UNIT_SORT_DEFAULT });
    expect(units.rows.length).toBeGreaterThan(1);
    const beyond = await searchUnits(em(), { q: 'Wohnung', page: 9, sort: UNIT_SORT_DEFAULT });
    expect(beyond).toMatchObject({ rows: [], exact: true, total: units.total, pages: units.pages, hasNext: false });
  });

  it('counts a search past the limit in its page statement, then estimates, with the same rows', async () => {
    await sql`insert into unit (id, organization_id, property_id, number, kind, created_at, updated_at)
      select gen_random_uuid(), ${app.world.organizations.sonnenschein.id}, ${app.world.properties.rosenweg.id}, 'Massenstellplatz ' || i, 'parking', now(), now()
      from generate_series(1, 60) i`.execute(app.em().getKysely());
    const exact = await searchUnits(em(), { q: 'Massenstellplatz', page: 1, sort: UNIT_SORT_DEFAULT });
    expect(exact).toMatchObject({ exact: true, total: 60, pages: 2, hasNext: true });
    // Lowered to 2: the count stops at the end of the page (51), and the planner's estimate stands in.
    const rough = await searchUnits(em(), { q: 'Massenstellplatz', page: 1, sort: UNIT_SORT_DEFAULT, exactUpTo: 2 });
    expect(rough).toMatchObject({ exact: false, pages: null, hasNext: true });
    expect(rough.total).toBeGreaterThanOrEqual(50);
    expect(rough.rows.map((u) => u.id)).toEqual(exact.rows.map((u) => u.id));
    expect(exact.rows).toHaveLength(50);
  });

  it('shows an exact total as "Seite 1 von 1 · N Einträge"', async () => {
    const page = await staff.get('/verwaltung/adressen');
    expect(page.$('#address-results').text()).toMatch(/Seite 1 von 1 · \d+ Einträge/);
  });

  it('shows more than 1,000 contacts as "ca. …" or "mehr als 1.000", with a next page and no last page', async () => {
    await addContacts(1001, 'Massenkontakt');
    const first = await staff.get('/verwaltung/kontakte');
    const status = first.$('#contact-results nav.pagination span').text();
    expect(status).toMatch(/^Seite 1 · (ca\. [\d.]+|mehr als 1\.000) Einträge$/);
    expect(first.$('#contact-results a[rel=next]').attr('href')).toBe('/verwaltung/kontakte?seite=2');
    // A search with few matches is counted exactly as before.
    const few = await staff.get('/verwaltung/kontakte?q=Maiblume');
    expect(few.$('#contact-results').text()).toMatch(/Seite 1 von 1 · 1 Eintrag/);
    // The last page of the long list knows it is the last: counted to its end.
    const last = await staff.get('/verwaltung/kontakte?seite=22');
    expect(last.$('#contact-results nav.pagination span').text()).toMatch(/^Seite 22 von 22 · \d+ Einträge$/);
    expect(last.$('#contact-results a[rel=next]')).toHaveLength(0);
  });
});

/** `n` Sonnenschein contacts named `name 1` … `name n`, in one statement. */
async function addContacts(n: number, name: string) {
  await sql`insert into contact (id, organization_id, type, salutation, first_name, last_name, country, contact_preference, created_at, updated_at)
    select gen_random_uuid(), ${app.world.organizations.sonnenschein.id}, 'person', 'none', 'Test', ${name} || ' ' || i, 'DE', 'online', now(), now()
    from generate_series(1, ${n}) i`.execute(app.em().getKysely());
}

describe('the Liegenschaft search field of the Einheiten and Vorgänge lists', () => {
  const rows = (page: Awaited<ReturnType<Client['get']>>, selector: string) => page.$(selector).length;

  it('is a text field, not a select of every property, and works without JavaScript', async () => {
    const units = await staff.get('/verwaltung/einheiten');
    expect(units.$('input#unit-property[type=search][name=liegenschaft]')).toHaveLength(1);
    expect(units.$('select[name=liegenschaft]')).toHaveLength(0);
    const tickets = await staff.get('/verwaltung/vorgaenge');
    expect(tickets.$('input#filter-property[type=search][name=liegenschaft]')).toHaveLength(1);
    expect(tickets.$('select[name=liegenschaft]')).toHaveLength(0);
  });

  it('filters the Einheiten by property name or address', async () => {
    const byName = await staff.get('/verwaltung/einheiten?liegenschaft=Rosenweg');
    expect(byName.$('#unit-property').val()).toBe('Rosenweg');
    const places = byName
      .$('#unit-results tbody td:nth-child(2)')
      .map((_i, el) => byName.$(el).text().trim())
      .get();
    expect(places.length).toBeGreaterThan(0);
    expect(new Set(places)).toEqual(new Set(['Rosenweg 24']));
    // The Einheiten of Max-Planck-Straße 12 by its postcode or street as well.
    expect(rows(await staff.get('/verwaltung/einheiten?liegenschaft=Max-Planck-Stra'), '#unit-results tbody tr')).toBeGreaterThan(0);
  });

  it("finds nothing for a term no property has, nor for the other Verwaltung's property", async () => {
    expect(rows(await staff.get('/verwaltung/einheiten?liegenschaft=Gibtsnichtweg'), '#unit-results tbody tr')).toBe(0);
    // Hafenstraße 9 is Nordhaus's: never Sonnenschein's result, by name or by id.
    expect(rows(await staff.get('/verwaltung/einheiten?liegenschaft=Hafenstra%C3%9Fe'), '#unit-results tbody tr')).toBe(0);
    expect(rows(await staff.get(`/verwaltung/einheiten?liegenschaft=${app.world.properties.hafenstrasse.id}`), '#unit-results tbody tr')).toBe(0);
    expect(rows(await staff.get('/verwaltung/vorgaenge?status=alle&liegenschaft=Hafenstra%C3%9Fe'), '#ticket-results tbody tr')).toBe(0);
    expect(rows(await staff.get('/verwaltung/vorgaenge?status=alle&liegenschaft=Gibtsnichtweg'), '#ticket-results tbody tr')).toBe(0);
  });

  it('filters the Vorgänge by property name, and keeps the term in the paging links', async () => {
    const all = await staff.get('/verwaltung/vorgaenge?status=alle');
    const maxPlanck = await staff.get('/verwaltung/vorgaenge?status=alle&liegenschaft=Max-Planck');
    expect(maxPlanck.$('#filter-property').val()).toBe('Max-Planck');
    const n = rows(maxPlanck, '#ticket-results tbody tr');
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(rows(all, '#ticket-results tbody tr'));
    // By id (links from the property page) the field shows the property's name.
    const byId = await staff.get(`/verwaltung/vorgaenge?status=alle&liegenschaft=${app.world.properties.maxPlanck.id}`);
    expect(byId.$('#filter-property').val()).toBe('Max-Planck-Straße 12');
    expect(rows(byId, '#ticket-results tbody tr')).toBe(n);
  });
});

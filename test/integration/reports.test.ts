import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import { AdvisoryBoardMember, Contact, FiscalYear, LedgerEntry, Organization, PortalUser, Property, TargetCharge } from '../../src/entities/index.ts';
import { DEMO_API_KEY } from '../../src/features/demo/seed.ts';
import { germanDay } from '../../src/features/reports/present.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';

/**
 * The Berichte (issue 18, seed 004) on a data set written by hand: a WEG of 6 units and a
 * rental property of 8 units over 2026, pushed through the sync API, every figure checked
 * to the cent against the sums worked out below; then who may see what, and bad input.
 *
 * WEG "Ahornweg 3" (W1..W6, 50/60/70/80/90/100 m²), Hausgeld 3,00 €/m² from 1.1.2026:
 * - W1: 150,00 until 30.6., 165,00 from 1.7. (the Sollstellung change in July) → Soll 1.890,00
 * - W2 pays March late (20.4.) → balance 180,00 at the end of March, 0 at the end
 * - W4: Hausgeld from 1.12.2025 → opening 240,00, paid back on 10.1. → closing 0
 * - W6 misses December → closing 300,00
 * Income 4000 = 16.230,00; expenses 5000 Hausmeister 12 × 400,00 + 5100 Versicherung 1.234,56
 * = 6.034,56; reserve 1800 = 2.000,00; surplus 10.195,44. One booking archived: counts nowhere.
 *
 * Rental "Birkenhof 8" (R1..R8, 40..75 m²), Miete 10 €/m² + NK 2 €/m², Hausbesitzer Birkner:
 * - R2: tenant change on 1.7. (540,00 → 590,00)
 * - R3: tenant until 31.3., vacant 1.4.–30.6. (91 days, 3 × 600,00 = 1.800,00 lost), new from 1.7. (620,00)
 * - R5 pays May on 15.6. (late); R8 never let (365 days, no Soll lost known)
 * Income 54.060,00; expenses 1.200,00 + 2.500,00 = 3.700,00; surplus 50.360,00.
 */

const de = (ns: string) => JSON.parse(readFileSync(new URL(`../../locales/de/${ns}.json`, import.meta.url), 'utf8'));
const texts = de('reports');
const problems = de('masterdata').problems;
const all = { filters: { tenant: false } } as const;

let app: TestApp;
let manager: Client;
let owner1: Client; // Eigentümer W1
let board3: Client; // Eigentümer W3, Verwaltungsbeirat
let tenant1: Client; // Mieter R1
let landlord: Client; // Hausbesitzer Birkenhof
let nordAdmin: Client; // another Verwaltung
let weg: Property;
let rental: Property;
const ids: Record<string, string> = {};

type Answer = { results: Array<{ index: number; status: string; id?: string; errors?: Array<{ code: string; field: string | null }> }> };

async function put(kind: string, items: unknown[]): Promise<Answer> {
  const response = await fetch(`${app.baseUrl}/api/v1/${kind}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ items }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Answer;
}

async function putAll(kind: string, items: Array<Record<string, unknown>>) {
  const answer = await put(kind, items);
  const refused = answer.results.filter((r) => r.status !== 'created');
  expect(refused).toEqual([]);
  answer.results.forEach((result, i) => {
    ids[String(items[i].externalId)] = result.id!;
  });
}

const months = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));
const money = (cents: number) => (cents / 100).toFixed(2);

async function seedData() {
  await putAll('properties', [
    { externalId: 'T-W', name: 'Ahornweg 3', kind: 'weg' },
    { externalId: 'T-R', name: 'Birkenhof 8', kind: 'rental' },
  ]);
  const wArea = [50, 60, 70, 80, 90, 100];
  const rArea = [40, 45, 50, 55, 60, 65, 70, 75];
  await putAll('units', [
    ...wArea.map((area, i) => ({ externalId: `T-W${i + 1}`, propertyExternalId: 'T-W', number: `W${i + 1}`, areaSqm: area })),
    ...rArea.map((area, i) => ({ externalId: `T-R${i + 1}`, propertyExternalId: 'T-R', number: `R${i + 1}`, areaSqm: area })),
  ]);
  const people = [
    ...wArea.map((_, i) => [`T-O${i + 1}`, `Ahorn${i + 1}`]),
    ...[1, 2, 3, 4, 5, 6, 7].map((n) => [`T-M${n}`, `Mieter${n}`]),
    ['T-M2b', 'Neumieter2'],
    ['T-M3b', 'Neumieter3'],
    ['T-HB', 'Birkner'],
  ];
  await putAll(
    'contacts',
    people.map(([externalId, lastName]) => ({ externalId, lastName, firstName: 'Test' })),
  );
  const contracts = [
    ...wArea.map((_, i) => ({
      externalId: `T-OC${i + 1}`,
      unitExternalId: `T-W${i + 1}`,
      contactExternalIds: [`T-O${i + 1}`],
      kind: 'ownership',
      startsOn: '2020-01-01',
    })),
    ...[1, 4, 5, 6, 7].map((n) => ({
      externalId: `T-MC${n}`,
      unitExternalId: `T-R${n}`,
      contactExternalIds: [`T-M${n}`],
      kind: 'rental',
      startsOn: '2025-01-01',
    })),
    { externalId: 'T-MC2', unitExternalId: 'T-R2', contactExternalIds: ['T-M2'], kind: 'rental', startsOn: '2025-01-01', endsOn: '2026-06-30' },
    { externalId: 'T-MC2b', unitExternalId: 'T-R2', contactExternalIds: ['T-M2b'], kind: 'rental', startsOn: '2026-07-01' },
    { externalId: 'T-MC3', unitExternalId: 'T-R3', contactExternalIds: ['T-M3'], kind: 'rental', startsOn: '2025-01-01', endsOn: '2026-03-31' },
    { externalId: 'T-MC3b', unitExternalId: 'T-R3', contactExternalIds: ['T-M3b'], kind: 'rental', startsOn: '2026-07-01' },
  ];
  await putAll('contracts', contracts);
  await putAll('property-owners', [{ externalId: 'T-HB-R', propertyExternalId: 'T-R', contactExternalId: 'T-HB' }]);
  await putAll('fiscal-years', [
    { externalId: 'T-WJ-W-2026', propertyExternalId: 'T-W', startsOn: '2026-01-01', endsOn: '2026-12-31' },
    { externalId: 'T-WJ-R-2026', propertyExternalId: 'T-R', startsOn: '2026-01-01', endsOn: '2026-12-31' },
  ]);
  await putAll('ledger-accounts', [
    { externalId: 'T-W-4000', propertyExternalId: 'T-W', number: '4000', name: 'Hausgeld', kind: 'income' },
    { externalId: 'T-W-5000', propertyExternalId: 'T-W', number: '5000', name: 'Hausmeister', kind: 'expense', apportionable: true },
    { externalId: 'T-W-5100', propertyExternalId: 'T-W', number: '5100', name: 'Versicherung', kind: 'expense', apportionable: true },
    { externalId: 'T-W-1800', propertyExternalId: 'T-W', number: '1800', name: 'Erhaltungsrücklage', kind: 'reserve' },
    { externalId: 'T-R-4000', propertyExternalId: 'T-R', number: '4000', name: 'Mieteinnahmen', kind: 'income' },
    { externalId: 'T-R-5200', propertyExternalId: 'T-R', number: '5200', name: 'Grundsteuer', kind: 'expense' },
    { externalId: 'T-R-5300', propertyExternalId: 'T-R', number: '5300', name: 'Reparaturen', kind: 'expense' },
  ]);
  await putAll(
    'personal-accounts',
    contracts.map((contract) => ({ externalId: contract.externalId.replace('C', 'K'), contractExternalId: contract.externalId })),
  );
  const charges: Array<Record<string, unknown>> = [
    {
      externalId: 'T-S-W1a',
      personalAccountExternalId: 'T-OK1',
      kind: 'house_money',
      monthlyAmount: '150.00',
      validFrom: '2026-01-01',
      validUntil: '2026-06-30',
    },
    { externalId: 'T-S-W1b', personalAccountExternalId: 'T-OK1', kind: 'house_money', monthlyAmount: '165.00', validFrom: '2026-07-01' },
    { externalId: 'T-S-W2', personalAccountExternalId: 'T-OK2', kind: 'house_money', monthlyAmount: '180.00', validFrom: '2026-01-01' },
    { externalId: 'T-S-W3', personalAccountExternalId: 'T-OK3', kind: 'house_money', monthlyAmount: '210.00', validFrom: '2026-01-01' },
    { externalId: 'T-S-W4', personalAccountExternalId: 'T-OK4', kind: 'house_money', monthlyAmount: '240.00', validFrom: '2025-12-01' },
    { externalId: 'T-S-W5', personalAccountExternalId: 'T-OK5', kind: 'house_money', monthlyAmount: '270.00', validFrom: '2026-01-01' },
    { externalId: 'T-S-W6', personalAccountExternalId: 'T-OK6', kind: 'house_money', monthlyAmount: '300.00', validFrom: '2026-01-01' },
  ];
  const rent: Array<[string, number, number, string, string | null]> = [
    ['T-MK1', 40000, 8000, '2026-01-01', null],
    ['T-MK2', 45000, 9000, '2026-01-01', null],
    ['T-MK2b', 50000, 9000, '2026-07-01', null],
    ['T-MK3', 50000, 10000, '2026-01-01', null],
    ['T-MK3b', 52000, 10000, '2026-07-01', null],
    ['T-MK4', 55000, 11000, '2026-01-01', null],
    ['T-MK5', 60000, 12000, '2026-01-01', null],
    ['T-MK6', 65000, 13000, '2026-01-01', null],
    ['T-MK7', 70000, 14000, '2026-01-01', null],
  ];
  const until: Record<string, string> = { 'T-MK2': '2026-06-30', 'T-MK3': '2026-03-31' };
  for (const [account, miete, nk, from] of rent) {
    charges.push({
      externalId: `T-S-${account}-m`,
      personalAccountExternalId: account,
      kind: 'rent',
      monthlyAmount: money(miete),
      validFrom: from,
      validUntil: until[account] ?? null,
    });
    charges.push({
      externalId: `T-S-${account}-n`,
      personalAccountExternalId: account,
      kind: 'operating_costs',
      monthlyAmount: money(nk),
      validFrom: from,
      validUntil: until[account] ?? null,
    });
  }
  await putAll('target-charges', charges);

  const entries: Array<Record<string, unknown>> = [];
  let n = 0;
  const book = (account: string, day: string, cents: number, text: string, personal?: string) =>
    entries.push({
      externalId: `T-B-${++n}`,
      bookedOn: day,
      amount: money(cents),
      text,
      documentNumber: `BN-${n}`,
      ledgerAccountExternalId: account,
      ...(personal && { personalAccountExternalId: personal }),
    });
  const hausgeld = [15000, 18000, 21000, 24000, 27000, 30000];
  months.forEach((m, i) => {
    hausgeld.forEach((cents, u) => {
      const amount = u === 0 && i >= 6 ? 16500 : cents;
      if (u === 5 && m === '12') return; // W6 misses December
      const day = u === 1 && m === '03' ? '2026-04-20' : `2026-${m}-03`; // W2 pays March late
      book('T-W-4000', day, amount, `Hausgeld ${m}/2026`, `T-OK${u + 1}`);
    });
    book('T-W-5000', `2026-${m}-15`, 40000, `Hausmeister ${m}/2026`);
  });
  book('T-W-4000', '2026-01-10', 24000, 'Hausgeld 12/2025', 'T-OK4');
  book('T-W-5100', '2026-02-01', 123456, '=HYPERLINK("http://x")');
  book('T-W-1800', '2026-06-30', 200000, 'Zuführung Rücklage');
  book('T-W-5000', '2026-05-05', 99999, 'Fehlbuchung');
  const archivedEntry = `T-B-${n}`;
  const tenants: Array<[string, number, string[]]> = [
    ['T-MK1', 48000, months],
    ['T-MK2', 54000, months.slice(0, 6)],
    ['T-MK2b', 59000, months.slice(6)],
    ['T-MK3', 60000, months.slice(0, 3)],
    ['T-MK3b', 62000, months.slice(6)],
    ['T-MK4', 66000, months],
    ['T-MK5', 72000, months],
    ['T-MK6', 78000, months],
    ['T-MK7', 84000, months],
  ];
  for (const [account, cents, paid] of tenants)
    for (const m of paid) book('T-R-4000', account === 'T-MK5' && m === '05' ? '2026-06-15' : `2026-${m}-01`, cents, `Miete ${m}/2026`, account);
  for (const m of ['02', '05', '08', '11']) book('T-R-5200', `2026-${m}-15`, 30000, 'Grundsteuer');
  book('T-R-5300', '2026-09-10', 250000, 'Dachrinne');
  await putAll('ledger-entries', entries);
  const deleted = await fetch(`${app.baseUrl}/api/v1/ledger-entries/${archivedEntry}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${DEMO_API_KEY}` },
  });
  expect(deleted.status).toBe(200);
}

async function portalLogin(lastName: string, email: string): Promise<Client> {
  const em = app.em();
  const contact = await em.findOneOrFail(Contact, { lastName }, all);
  const now = app.clock.now();
  em.create(PortalUser, {
    organization: em.getReference(Organization, app.world.organizations.sonnenschein.id),
    email,
    name: `Test ${lastName}`,
    passwordHash: await hashPassword(app.world.password),
    createdAt: now,
    onboardedAt: now,
    contacts: [contact],
  });
  await em.flush();
  const client = app.client();
  await client.loginPortal(email, app.world.password);
  return client;
}

beforeAll(async () => {
  app = await startTestApp();
  await seedData();
  const em = app.em();
  weg = await em.findOneOrFail(Property, { externalId: 'T-W' }, all);
  rental = await em.findOneOrFail(Property, { externalId: 'T-R' }, all);
  em.create(AdvisoryBoardMember, {
    organization: em.getReference(Organization, app.world.organizations.sonnenschein.id),
    property: weg,
    contact: await em.findOneOrFail(Contact, { lastName: 'Ahorn3' }, all),
    createdAt: app.clock.now(),
  });
  await em.flush();
  owner1 = await portalLogin('Ahorn1', 'ahorn1@example.de');
  board3 = await portalLogin('Ahorn3', 'ahorn3@example.de');
  tenant1 = await portalLogin('Mieter1', 'mieter1@example.de');
  landlord = await portalLogin('Birkner', 'birkner@example.de');
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  nordAdmin = app.client();
  await nordAdmin.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
}, 120_000);
afterAll(() => app?.close());

const portal = (property: Property) => `/portal/liegenschaften/${property.id}/berichte`;
const console_ = (property: Property) => `/verwaltung/liegenschaften/${property.id}/berichte`;

/** The cells of the row whose first cell is `label`, in the table with `caption`. */
function row(page: Page, caption: string, label: string): string[] {
  const table = page.$('table.report-table').filter((_, el) => page.$(el).find('caption').text().trim() === caption);
  expect(table.length, `table ${caption}`).toBe(1);
  const tr = table.find('tbody tr').filter((_, el) => page.$(el).children().first().text().trim() === label);
  expect(tr.length, `row ${label} in ${caption}`).toBeGreaterThan(0);
  return tr
    .first()
    .children()
    .map((_, cell) => page.$(cell).text().trim())
    .get();
}

function facts(page: Page): Record<string, string> {
  return Object.fromEntries(
    page
      .$('.report-facts div')
      .map((_, el) => [[page.$(el).find('dt').text().trim(), page.$(el).find('dd').text().trim()]])
      .get(),
  );
}

async function publish(property: Property, codes: string[]) {
  const page = await manager.post(`${console_(property)}/einstellungen`, { published: codes, publishedFrom: '' });
  expect(page.status).toBe(303);
}

describe('publication and access', () => {
  it('shows owners nothing until staff publish, then only what was published', async () => {
    const index = await owner1.get(portal(weg));
    expect(index.status).toBe(200);
    expect(index.text).toContain(texts.nonePublished);
    expect((await owner1.get(`${portal(weg)}/hausabrechnung`)).status).toBe(404);
    await publish(weg, ['sqm', 'surplus', 'statement']);
    await publish(rental, ['sqm', 'surplus', 'statement', 'vacancy']);
    const after = await owner1.get(portal(weg));
    expect(
      after
        .$('.report-list a')
        .map((_, a) => owner1 && after.$(a).text())
        .get(),
    ).toEqual([texts.titles.sqm, texts.titles.surplus, texts.titles.statement]);
    // The navigation offers Berichte to the owner, not to a tenant.
    expect(after.$(`.portalnav a[href="${portal(weg)}"]`).length).toBe(1);
    const tenantStart = await tenant1.get(`/portal/liegenschaften/${rental.id}`);
    expect(tenantStart.$(`.portalnav a[href="${portal(rental)}"]`).length).toBe(0);
  });

  it('gives tenants, other Verwaltungen and the wrong property a 404', async () => {
    expect((await tenant1.get(portal(rental))).status).toBe(404);
    expect((await tenant1.get(`${portal(rental)}/hausabrechnung`)).status).toBe(404);
    expect((await owner1.get(portal(rental))).status).toBe(404);
    expect((await nordAdmin.get(console_(weg))).status).toBe(404);
    expect((await nordAdmin.get(`${console_(weg)}/hausabrechnung`)).status).toBe(404);
    // No Leerstandsliste for a WEG, not even in the console.
    expect((await manager.get(`${console_(weg)}/leerstandsliste`)).status).toBe(404);
    expect((await owner1.get(`${portal(weg)}/leerstandsliste`)).status).toBe(404);
  });

  it('lets an owner open their own Kontoauszug only, and names other owners by their Einheit', async () => {
    const statement = await owner1.get(`${portal(weg)}/hausabrechnung`);
    expect(statement.status).toBe(200);
    const accounts = statement.$('table.report-table').last().find('tbody tr');
    expect(accounts.length).toBe(1);
    expect(accounts.text()).toContain('Ahorn1');
    expect((await owner1.get(`${portal(weg)}/hausabrechnung/personenkonten/${ids['T-OK1']}`)).status).toBe(200);
    expect((await owner1.get(`${portal(weg)}/hausabrechnung/personenkonten/${ids['T-OK2']}`)).status).toBe(404);
    expect((await owner1.get(`${portal(weg)}/hausabrechnung/personenkonten/${ids['T-OK2']}/csv`)).status).toBe(404);
    expect((await owner1.get(`${portal(weg)}/hausabrechnung/personenkonten/${ids['T-MK1']}`)).status).toBe(404);
    const ledger = await owner1.get(`${portal(weg)}/hausabrechnung/sachkonten/${ids['T-W-4000']}`);
    expect(ledger.status).toBe(200);
    expect(ledger.text).not.toContain('Ahorn2');
    expect(ledger.$('tbody tr td').filter((_, td) => ledger.$(td).text().trim() === 'W2').length).toBe(12);
    // A Sachkonto of another property is not found here.
    expect((await owner1.get(`${portal(weg)}/hausabrechnung/sachkonten/${ids['T-R-4000']}`)).status).toBe(404);
  });

  it('lets the Beirat see names but not open other owners’ accounts', async () => {
    const ledger = await board3.get(`${portal(weg)}/hausabrechnung/sachkonten/${ids['T-W-4000']}`);
    expect(ledger.text).toContain('Ahorn2');
    expect((await board3.get(`${portal(weg)}/hausabrechnung/personenkonten/${ids['T-OK3']}`)).status).toBe(200);
    expect((await board3.get(`${portal(weg)}/hausabrechnung/personenkonten/${ids['T-OK2']}`)).status).toBe(404);
  });

  it('lets the Hausbesitzer see every report and every tenant’s Kontoauszug', async () => {
    const index = await landlord.get(portal(rental));
    expect(index.$('.report-list a').length).toBe(4);
    expect((await landlord.get(`${portal(rental)}/leerstandsliste`)).status).toBe(200);
    const account = await landlord.get(`${portal(rental)}/hausabrechnung/personenkonten/${ids['T-MK5']}`);
    expect(account.status).toBe(200);
    expect(account.text).toContain('Mieter5');
    expect((await landlord.get(portal(weg))).status).toBe(404);
  });
});

describe('figures of the WEG, to the cent', () => {
  it('Betrag m² aus Sollwerten', async () => {
    const page = await owner1.get(`${portal(weg)}/betrag-m2?stichtag=2026-12-31`);
    const caption = texts.sqm.caption;
    expect(row(page, caption, 'W1')).toEqual(['W1', '50,00', '165,00', '165,00', '3,30']);
    expect(row(page, caption, 'W6')).toEqual(['W6', '100,00', '300,00', '300,00', '3,00']);
    expect(row(page, caption, texts.columns.sum)).toEqual([texts.columns.sum, '450,00', '1.365,00', '1.365,00', '3,03']);
    const june = await owner1.get(`${portal(weg)}/betrag-m2?stichtag=2026-06-30`);
    expect(row(june, caption, 'W1')).toEqual(['W1', '50,00', '150,00', '150,00', '3,00']);
  });

  it('Einnahme/Überschuss with its chart', async () => {
    const page = await owner1.get(`${portal(weg)}/einnahme-ueberschuss`);
    const income = row(page, texts.surplus.income, '4000 Hausgeld');
    expect(income.slice(1)).toEqual([
      '1.590,00',
      '1.350,00',
      '1.170,00',
      '1.530,00',
      '1.350,00',
      '1.350,00',
      '1.365,00',
      '1.365,00',
      '1.365,00',
      '1.365,00',
      '1.365,00',
      '1.065,00',
      '16.230,00',
    ]);
    // The archived Fehlbuchung (999,99 in May) counts nowhere.
    expect(row(page, texts.surplus.expense, '5000 Hausmeister')[5]).toBe('400,00');
    expect(row(page, texts.surplus.expense, texts.surplus.expenseSum).slice(1, 3)).toEqual(['400,00', '1.634,56']);
    expect(row(page, texts.surplus.expense, texts.surplus.expenseSum).at(-1)).toBe('6.034,56');
    expect(row(page, texts.surplus.surplus, texts.surplus.surplus).at(-1)).toBe('10.195,44');
    expect(facts(page)[texts.surplus.surplus]).toBe('10.195,44 €');
    const svg = page.$('svg.report-chart');
    expect(svg.attr('role')).toBe('img');
    expect(svg.find('title#chart-title').text()).toBe(texts.surplus.chartTitle);
    expect(svg.find('rect.chart-income').length).toBe(13);
  });

  it('Hausabrechnung reconciles with the Sachkonto statements and the personal accounts', async () => {
    const page = await manager.get(`${console_(weg)}/hausabrechnung`);
    const caption = texts.statement.caption;
    expect(row(page, caption, '4000 Hausgeld')[1]).toBe('16.230,00');
    expect(row(page, caption, '5000 Hausmeister')[1]).toBe('4.800,00');
    expect(row(page, caption, '5100 Versicherung')[1]).toBe('1.234,56');
    expect(row(page, caption, '1800 Erhaltungsrücklage')[1]).toBe('2.000,00');
    expect(row(page, caption, texts.accountKinds.expense)[1]).toBe('6.034,56');
    expect(row(page, caption, texts.columns.sum)[1]).toBe('24.264,56');
    // Every Sachkonto's statement ends on the total the Hausabrechnung shows.
    let sum = 0;
    for (const [key, expected] of [
      ['T-W-4000', '16.230,00'],
      ['T-W-5000', '4.800,00'],
      ['T-W-5100', '1.234,56'],
      ['T-W-1800', '2.000,00'],
    ]) {
      const ledger = await manager.get(`${console_(weg)}/hausabrechnung/sachkonten/${ids[key]}`);
      const total = row(ledger, texts.ledger.caption, '');
      expect(facts(ledger)[texts.facts.total]).toBe(`${expected} €`);
      expect(total).toContain(expected);
      sum += Number(expected.replace(/\./g, '').replace(',', ''));
    }
    expect(sum).toBe(2426456);
    const personal = texts.statement.personalCaption;
    expect(row(page, personal, 'W1 · Test Ahorn1').slice(1)).toEqual(['0,00', '1.890,00', '1.890,00', '0,00']);
    expect(row(page, personal, 'W4 · Test Ahorn4').slice(1)).toEqual(['240,00', '2.880,00', '3.120,00', '0,00']);
    expect(row(page, personal, 'W6 · Test Ahorn6').slice(1)).toEqual(['0,00', '3.600,00', '3.300,00', '300,00']);
  });

  it('Kontoauszug with the late payment and the running balance', async () => {
    const page = await manager.get(`${console_(weg)}/hausabrechnung/personenkonten/${ids['T-OK2']}`);
    const rows = page
      .$('table.report-table tbody tr')
      .map((_, tr) =>
        [
          page
            .$(tr)
            .children()
            .map((__, c) => page.$(c).text().trim())
            .get(),
        ].map((cells) => cells.join('|')),
      )
      .get();
    expect(rows[0]).toBe(`|${texts.columns.opening}||||0,00`);
    // 1.3.: Soll 180,00 with no payment on the 3rd; balance 180,00 until the payment of 20.4.
    expect(rows).toContain(`01.03.2026|${texts.chargeKinds.house_money}||180,00||180,00`);
    expect(rows).toContain(`01.04.2026|${texts.chargeKinds.house_money}||180,00||360,00`);
    expect(rows).toContain('03.04.2026|Hausgeld 04/2026|BN-23||180,00|180,00');
    expect(rows).toContain('20.04.2026|Hausgeld 03/2026|BN-16||180,00|0,00');
    expect(rows.at(-1)).toBe(`|${texts.columns.closing}||2.160,00|2.160,00|0,00`);
  });
});

describe('figures of the rental property, to the cent', () => {
  it('Einnahme/Überschuss and Hausabrechnung', async () => {
    const page = await landlord.get(`${portal(rental)}/einnahme-ueberschuss`);
    const income = row(page, texts.surplus.income, '4000 Mieteinnahmen');
    expect([income[1], income[5], income[6], income.at(-1)]).toEqual(['4.620,00', '3.300,00', '4.740,00', '54.060,00']);
    expect(facts(page)[texts.surplus.expense]).toBe('3.700,00 €');
    expect(facts(page)[texts.surplus.surplus]).toBe('50.360,00 €');
    const statement = await landlord.get(`${portal(rental)}/hausabrechnung`);
    const personal = texts.statement.personalCaption;
    expect(row(statement, personal, 'R3 · Test Mieter3').slice(1)).toEqual(['0,00', '1.800,00', '1.800,00', '0,00']);
    expect(row(statement, personal, 'R2 · Test Neumieter2').slice(1)).toEqual(['0,00', '3.540,00', '3.540,00', '0,00']);
    expect(row(statement, personal, 'R5 · Test Mieter5').slice(1)).toEqual(['0,00', '8.640,00', '8.640,00', '0,00']);
  });

  it('Betrag m² aus Sollwerten after the tenant change', async () => {
    const page = await landlord.get(`${portal(rental)}/betrag-m2?stichtag=2026-12-31`);
    const caption = texts.sqm.caption;
    expect(row(page, caption, 'R2')).toEqual(['R2', '45,00', '500,00', '90,00', '590,00', '13,11']);
    expect(row(page, caption, 'R8')).toEqual(['R8', '75,00', '0,00', '0,00', '0,00', '0,00']);
    expect(row(page, caption, texts.columns.sum)).toEqual([texts.columns.sum, '460,00', '3.920,00', '770,00', '4.690,00', '10,20']);
  });

  it('Leerstandsliste', async () => {
    const page = await landlord.get(`${portal(rental)}/leerstandsliste`);
    const caption = texts.vacancy.caption;
    expect(row(page, caption, 'R3')).toEqual(['R3', '50,00', '01.04.2026 – 30.06.2026', '91', '1.800,00']);
    expect(row(page, caption, 'R8')).toEqual(['R8', '75,00', '01.01.2026 – 31.12.2026', '365', '—']);
    expect(row(page, caption, texts.columns.sum)).toEqual([texts.columns.sum, '125,00', '', '456', '1.800,00']);
    expect(page.$('table.report-table tbody tr').length).toBe(3);
  });

  it('Leerstandsliste on a chosen date: the units vacant that day, days and Soll lost up to it', async () => {
    const sum = texts.columns.sum;
    const onDay = (day: string) => texts.vacancy.captionOnDay.replace('{{day}}', day);
    // 15.5.: R3 vacant since 1.4. (30 + 15 days; 600,00 for April + 600,00 × 15/31 = 290,32), R8 since 1.1. (135 days).
    const may = await landlord.get(`${portal(rental)}/leerstandsliste?stichtag=2026-05-15`);
    expect(may.status).toBe(200);
    expect(may.$('form.report-day input[name=stichtag]').val()).toBe('2026-05-15');
    expect(facts(may)[texts.facts.day]).toBe('15.05.2026');
    expect(row(may, onDay('15.05.2026'), 'R3')).toEqual(['R3', '50,00', '01.04.2026 – 15.05.2026', '45', '890,32']);
    expect(row(may, onDay('15.05.2026'), 'R8')).toEqual(['R8', '75,00', '01.01.2026 – 15.05.2026', '135', '—']);
    expect(row(may, onDay('15.05.2026'), sum)).toEqual([sum, '125,00', '', '180', '890,32']);
    expect(may.$('table.report-table tbody tr').length).toBe(3);
    // The downloads keep the Stichtag.
    const csvLink = may.$('a[href*="/leerstandsliste/csv"]').attr('href')!;
    expect(csvLink).toContain('stichtag=2026-05-15');
    const csv = await fetch(new URL(csvLink, app.baseUrl), { headers: landlord.browserHeaders() });
    expect(await csv.text()).toContain('R3;50,00;01.04.2026 – 15.05.2026;45;890,32');

    // 1.8.: R3 is let again (from 1.7.); only R8, vacant 213 days. Typed German, the first day of R3's vacancy: 1 day, 600,00 × 1/30.
    const august = await landlord.get(`${portal(rental)}/leerstandsliste?stichtag=2026-08-01`);
    expect(row(august, onDay('01.08.2026'), 'R8')).toEqual(['R8', '75,00', '01.01.2026 – 01.08.2026', '213', '—']);
    expect(august.$('table.report-table tbody tr').length).toBe(2);
    const april = await landlord.get(`${portal(rental)}/leerstandsliste?stichtag=01.04.2026`);
    expect(row(april, onDay('01.04.2026'), 'R3')).toEqual(['R3', '50,00', '01.04.2026 – 01.04.2026', '1', '20,00']);
    expect(row(april, onDay('01.04.2026'), 'R8')[3]).toBe('91');

    // A day outside the Wirtschaftsjahr or no day at all: the message at the date field, the whole year shown.
    for (const bad of ['2025-12-31', '31.02.2026', 'morgen']) {
      const page = await landlord.get(`${portal(rental)}/leerstandsliste?stichtag=${encodeURIComponent(bad)}`);
      expect(page.status, bad).toBe(422);
      expect(page.$('#report-day-error').text()).toBe(texts.vacancy.badDay);
      expect(page.$('#report-day').attr('aria-invalid')).toBe('true');
      expect(row(page, texts.vacancy.caption, sum)).toEqual([sum, '125,00', '', '456', '1.800,00']);
    }
  });

  it('Kontoauszug of the late payer', async () => {
    const page = await landlord.get(`${portal(rental)}/hausabrechnung/personenkonten/${ids['T-MK5']}`);
    const text = page.$('table.report-table').text();
    expect(text).toContain('15.06.2026');
    // May unpaid: 720,00 owed when June's Soll (600,00 + 120,00) comes on 1.6.; the late payment of 15.6. settles it.
    expect(text).toContain('1.440,00');
    expect(row(page, texts.personal.caption, '15.06.2026').slice(-3)).toEqual(['', '720,00', '0,00']);
  });
});

describe('downloads', () => {
  it('CSV: BOM, semicolons, German numbers, formula-safe text', async () => {
    const response = await fetch(new URL(`${console_(weg)}/hausabrechnung/sachkonten/${ids['T-W-5100']}/csv`, app.baseUrl), {
      headers: manager.browserHeaders(),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain(`01.02.2026;BN-`);
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(text).toContain(';1.234,56;1.234,56');
  });

  it('Kontoauszug Sachkonto in pages of 200 rows with the running total carried; the CSV keeps every row', async () => {
    // A property of its own: 450 bookings of 0,01 € … 4,50 € (booking k is k cents, the running total after k is k(k+1)/2 cents).
    await putAll('properties', [{ externalId: 'T-P', name: 'Pappelallee 1', kind: 'rental' }]);
    await putAll('fiscal-years', [{ externalId: 'T-WJ-P-2026', propertyExternalId: 'T-P', startsOn: '2026-01-01', endsOn: '2026-12-31' }]);
    await putAll('ledger-accounts', [{ externalId: 'T-P-5000', propertyExternalId: 'T-P', number: '5000', name: 'Hausmeister', kind: 'expense' }]);
    const day = (k: number) => new Date(Date.UTC(2026, 0, 1 + Math.floor((k - 1) / 2))).toISOString().slice(0, 10);
    await putAll(
      'ledger-entries',
      Array.from({ length: 450 }, (_, i) => ({
        externalId: `T-P-B${i + 1}`,
        bookedOn: day(i + 1),
        amount: money(i + 1),
        text: `Buchung ${i + 1}`,
        documentNumber: `P-${String(i + 1).padStart(4, '0')}`,
        ledgerAccountExternalId: 'T-P-5000',
      })),
    );
    const pappel = await app.em().findOneOrFail(Property, { externalId: 'T-P' }, all);
    const url = `${console_(pappel)}/hausabrechnung/sachkonten/${ids['T-P-5000']}`;
    const cells = (page: Page) =>
      page
        .$('table.report-table tbody tr')
        .map((_, tr) => [
          page
            .$(tr)
            .children()
            .map((__, td) => page.$(td).text().trim())
            .get(),
        ])
        .get() as string[][];

    const first = await manager.get(url);
    let rows = cells(first);
    expect(rows).toHaveLength(201);
    expect(rows[0]).toEqual([germanDay('2026-01-01'), 'P-0001', 'Buchung 1', '', '0,01', '0,01']);
    expect(rows[199].slice(1, 2).concat(rows[199].slice(5))).toEqual(['P-0200', '201,00']);
    expect(rows[200]).toEqual(['', '', texts.ledger.carried, '', '', '201,00']);
    const next = first.$('nav.pagination a[rel=next]').attr('href')!;
    expect(next).toContain('seite=2');
    expect(next).toMatch(/jahr=/);

    const second = await manager.get(next);
    rows = cells(second);
    expect(rows).toHaveLength(202);
    expect(rows[0]).toEqual(['', '', texts.ledger.carried, '', '', '201,00']);
    expect(rows[1].slice(1, 2).concat(rows[1].slice(4))).toEqual(['P-0201', '2,01', '203,01']);
    expect(rows[201]).toEqual(['', '', texts.ledger.carried, '', '', '802,00']);

    // The last page (a page past the end shows it too) ends with the sum of every booking.
    for (const last of [await manager.get(`${url}?seite=3`), await manager.get(`${url}?seite=99`)]) {
      rows = cells(last);
      expect(rows).toHaveLength(52);
      expect(rows[0]).toEqual(['', '', texts.ledger.carried, '', '', '802,00']);
      expect(rows[50].slice(1, 2).concat(rows[50].slice(4))).toEqual(['P-0450', '4,50', '1.014,75']);
      expect(rows[51]).toEqual(['', '', texts.columns.sum, '', '1.014,75', '']);
      expect(last.$('nav.pagination a[rel=next]').length).toBe(0);
    }

    const csv = await fetch(new URL(`${url}/csv`, app.baseUrl), { headers: manager.browserHeaders() });
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines.filter((line) => /;P-\d{4};/.test(line))).toHaveLength(450);
    expect(lines.join('\n')).not.toContain(texts.ledger.carried);
    expect(lines.at(-1)).toContain('1.014,75');
  });

  it('PDF through the worker pool', async () => {
    const response = await fetch(new URL(`${portal(weg)}/einnahme-ueberschuss/pdf`, app.baseUrl), { headers: owner1.browserHeaders() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await response.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });
});

describe('a year without data and bad input', () => {
  it('says plainly that a year has no data', async () => {
    await putAll('properties', [{ externalId: 'T-E', name: 'Eschenweg 1', kind: 'weg' }]);
    await putAll('fiscal-years', [{ externalId: 'T-WJ-E-2026', propertyExternalId: 'T-E', startsOn: '2026-01-01', endsOn: '2026-12-31' }]);
    const empty = await app.em().findOneOrFail(Property, { externalId: 'T-E' }, all);
    const page = await manager.get(`${console_(empty)}/hausabrechnung`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(texts.noData);
    expect(page.$('table.report-table').length).toBe(0);
  });

  it('refuses three decimals, an unknown Sachkonto, an end before the start and an overlapping year, writing nothing', async () => {
    const before = await Promise.all([app.em().count(LedgerEntry, {}, all), app.em().count(TargetCharge, {}, all), app.em().count(FiscalYear, {}, all)]);
    const entries = await put('ledger-entries', [
      { externalId: 'T-BAD-1', bookedOn: '2026-03-01', amount: '12.345', ledgerAccountExternalId: 'T-W-4000' },
      { externalId: 'T-BAD-2', bookedOn: '2026-03-01', amount: '12.34', ledgerAccountExternalId: 'T-W-9999' },
      { externalId: 'T-BAD-3', bookedOn: '2025-03-01', amount: '12.34', ledgerAccountExternalId: 'T-W-4000' },
      { externalId: 'T-BAD-4', bookedOn: '2026-03-01', amount: '12.34', ledgerAccountExternalId: 'T-W-4000', personalAccountExternalId: 'T-MK1' },
    ]);
    expect(entries.results.map((r) => [r.status, r.errors?.map((e) => e.code)])).toEqual([
      ['refused', ['too_many_decimals']],
      ['refused', ['unknown_reference']],
      ['refused', ['outside_fiscal_year']],
      ['refused', ['personal_account_of_other_property']],
    ]);
    const charge = await put('target-charges', [
      {
        externalId: 'T-BAD-5',
        personalAccountExternalId: 'T-OK1',
        kind: 'house_money',
        monthlyAmount: '10.00',
        validFrom: '2026-07-01',
        validUntil: '2026-06-30',
      },
    ]);
    expect(charge.results[0].errors?.map((e) => e.code)).toEqual(['ends_before_start']);
    const year = await put('fiscal-years', [{ externalId: 'T-BAD-6', propertyExternalId: 'T-W', startsOn: '2026-07-01', endsOn: '2027-06-30' }]);
    expect(year.results[0].errors?.map((e) => e.code)).toEqual(['fiscal_year_overlap']);
    // Within one batch too.
    const twice = await put('fiscal-years', [
      { externalId: 'T-BAD-7', propertyExternalId: 'T-R', startsOn: '2028-01-01', endsOn: '2028-12-31' },
      { externalId: 'T-BAD-8', propertyExternalId: 'T-R', startsOn: '2028-06-01', endsOn: '2029-05-31' },
    ]);
    expect(twice.results.map((r) => r.status)).toEqual(['created', 'refused']);
    const after = await Promise.all([app.em().count(LedgerEntry, {}, all), app.em().count(TargetCharge, {}, all), app.em().count(FiscalYear, {}, all)]);
    expect(after).toEqual([before[0], before[1], before[2] + 1]);
    // The reasons in German, as the CSV import and the console show them.
    for (const code of ['too_many_decimals', 'outside_fiscal_year', 'fiscal_year_overlap', 'ends_before_start', 'unknown_reference'])
      expect(problems[code]).toMatch(/[a-zäöü]/);
    expect(problems.too_many_decimals).toContain('Nachkommastellen');
  });

  it('answers money as a decimal string', async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/ledger-entries/T-B-1`, { headers: { authorization: `Bearer ${DEMO_API_KEY}` } });
    expect(((await response.json()) as { amount: string }).amount).toBe('150.00');
  });
});

describe('the demo data', () => {
  it('shows Dr. Eigner the published reports of Rosenweg 24 and only his own Kontoauszüge, Karin Hausmann all four of her Gewerbehof', async () => {
    const eigner = app.client();
    await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
    const rosenweg = app.world.properties.rosenweg;
    const index = await eigner.get(portal(rosenweg));
    expect(index.$('.report-list a').length).toBe(3);
    const statement = await eigner.get(`${portal(rosenweg)}/hausabrechnung`);
    expect(statement.status).toBe(200);
    const own = statement.$('table.report-table').last().find('tbody tr');
    expect(own.length).toBe(2);
    expect(own.find('a').length).toBe(2);
    const surplus = await eigner.get(`${portal(rosenweg)}/einnahme-ueberschuss`);
    expect(surplus.$('svg.report-chart').length).toBe(1);
    expect(surplus.text).not.toContain(texts.noData);
    const hausmann = app.client();
    await hausmann.loginPortal('karin.hausmann@example.de', app.world.password);
    const hafen = await app.em().findOneOrFail(Property, { name: 'Gewerbehof Am Hafen 3' }, all);
    const hafenIndex = await hausmann.get(portal(hafen));
    expect(hafenIndex.$('.report-list a').length).toBe(4);
    const vacancy = await hausmann.get(`${portal(hafen)}/leerstandsliste`);
    expect(vacancy.$('table.report-table tbody tr').length).toBeGreaterThan(1);
  });
});

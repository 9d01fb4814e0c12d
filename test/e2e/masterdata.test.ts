import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

/**
 * Stammdaten from the ERP (seed 000/004: nothing is kept twice) and by CSV for everyone else,
 * in the browser: Max Verwalter creates an API key, the "ERP" (this test) pushes a
 * Liegenschaft with its address, units, contact and contract, the console shows them
 * read-only where the ERP owns them, and a Windows-1252 CSV of Dienstleister goes through
 * the preview into the list. A Sachbearbeiterin (no admin) gets no import.
 */
let t: BrowserTest;
const MANAGER = 'verwalter@sonnenschein-hv.de';
const CLERK = 'sachbearbeitung@sonnenschein-hv.de';

const text = (page: Page, selector = 'main') =>
  page
    .locator(selector)
    .innerText()
    .then((s) => s.replace(/\s+/g, ' '));

/** The ERP's batch: one Liegenschaft, its entrance, two units, Dr. Helga Ahorn and her lease. */
const batch = (phone = '030 5550101') => ({
  properties: [{ externalId: 'PH-L5', name: 'Lindenallee 5', kind: 'rental' }],
  addresses: [{ externalId: 'PH-L5-A1', propertyExternalId: 'PH-L5', street: 'Lindenallee', houseNumber: '5', postalCode: '10119', city: 'Berlin' }],
  units: [
    {
      externalId: 'PH-L5-W01',
      propertyExternalId: 'PH-L5',
      addressExternalId: 'PH-L5-A1',
      number: 'Wohnung 01',
      kind: 'apartment',
      areaSqm: 71.5,
      floor: 'EG links',
    },
    {
      externalId: 'PH-L5-W02',
      propertyExternalId: 'PH-L5',
      addressExternalId: 'PH-L5-A1',
      number: 'Wohnung 02',
      kind: 'apartment',
      areaSqm: 54,
      floor: 'EG rechts',
    },
  ],
  contacts: [
    { externalId: 'PH-K100', type: 'person', salutation: 'frau', title: 'Dr.', firstName: 'Helga', lastName: 'Ahorn', email: 'helga.ahorn@example.org', phone },
  ],
  contracts: [
    { externalId: 'PH-V100', unitExternalId: 'PH-L5-W01', contactExternalIds: ['PH-K100'], kind: 'rental', contractNumber: 'MV-L5-01', startsOn: '2024-04-01' },
  ],
});
const KIND_ORDER = ['properties', 'addresses', 'units', 'contacts', 'contracts'] as const;

type BatchAnswer = {
  results: { index: number; externalId: string; status: string; changes?: string[]; errors?: unknown[] }[];
  summary: Record<string, number>;
};

describeInBrowser('Stammdaten: ERP sync and CSV import in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
  });
  afterAll(() => t?.close());

  let apiKey = '';
  const put = async (kind: string, items: unknown[]): Promise<BatchAnswer> => {
    const response = await fetch(`${t.app.baseUrl}/api/v1/${kind}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ items }),
    });
    const body = (await response.json()) as BatchAnswer;
    expect(response.status, `PUT ${kind}: ${JSON.stringify(body)}`).toBe(200);
    return body;
  };
  const pushAll = async (data: ReturnType<typeof batch>) => {
    const answers: Record<string, BatchAnswer> = {};
    for (const kind of KIND_ORDER) answers[kind] = await put(kind, data[kind]);
    return answers;
  };
  /** The Stammdaten overview's numbers per kind: [active, archived, from the ERP]. */
  const overviewCounts = async (page: Page) => {
    await page.goto('/verwaltung/stammdaten');
    const counts: Record<string, number[]> = {};
    for (const row of await page.locator('table.masterdata-overview tbody tr').all()) {
      const kind = (await row.getAttribute('id'))!;
      counts[kind] = (await row.locator('td').allInnerTexts()).slice(0, 3).map(Number);
    }
    return counts;
  };

  it('takes master data from the ERP through an API key, shows it read-only, and imports Dienstleister from a Windows-1252 CSV', async () => {
    const page = await t.newPage({ width: 1280 });
    await t.loginStaff(page, MANAGER);

    // 1. Administration › API-Schlüssel: the key is shown once.
    await page.goto('/verwaltung/administration/api-schluessel');
    await page.getByLabel('Name', { exact: true }).fill('PowerHaus');
    const [created] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/verwaltung/administration/api-schluessel')),
      page.getByRole('button', { name: 'API-Schlüssel erstellen' }).click(),
    ]);
    expect(created.status()).toBe(201);
    expect(created.headers()['cache-control']).toBe('no-store');
    await page.waitForLoadState('load');
    await expect(page.locator('#new-key-title').innerText()).resolves.toBe('API-Schlüssel „PowerHaus“ erstellt');
    apiKey = await page.getByLabel('Ihr neuer API-Schlüssel').inputValue();
    expect(apiKey.length).toBeGreaterThan(30);
    expect(await horizontalOverflow(page)).toBe(0);
    await t.screenshot(page, 'masterdata-api-key');
    await page.goto('/verwaltung/administration/api-schluessel');
    const listHtml = await page.content();
    expect(listHtml).not.toContain(apiKey);
    const row = page.locator('table.api-keys tbody tr', { hasText: 'PowerHaus' });
    const prefix = (await row.locator('code.key-prefix').innerText()).replace(/…$/, '');
    expect(prefix.length).toBeGreaterThan(4);
    expect(apiKey.startsWith(prefix)).toBe(true);
    await expect(page.locator('#new-key-value').count()).resolves.toBe(0);

    const before = await overviewCounts(page);

    // 2. The ERP pushes, kind by kind (references point at what is already there).
    const first = await pushAll(batch());
    expect(first.properties.summary).toEqual({ created: 1, updated: 0, unchanged: 0, refused: 0 });
    expect(first.addresses.summary).toEqual({ created: 1, updated: 0, unchanged: 0, refused: 0 });
    expect(first.units.summary).toEqual({ created: 2, updated: 0, unchanged: 0, refused: 0 });
    expect(first.contacts.summary).toEqual({ created: 1, updated: 0, unchanged: 0, refused: 0 });
    expect(first.contracts.summary).toEqual({ created: 1, updated: 0, unchanged: 0, refused: 0 });
    expect(first.units.results.map((r) => [r.externalId, r.status])).toEqual([
      ['PH-L5-W01', 'created'],
      ['PH-L5-W02', 'created'],
    ]);

    // 3. The console: overview counts, list search, ERP note, locked fields, units, contract, contact.
    const after = await overviewCounts(page);
    const grown = (kind: string) => after[`kind-${kind}`].map((n, i) => n - before[`kind-${kind}`][i]);
    expect(grown('properties')).toEqual([1, 0, 1]);
    expect(grown('addresses')).toEqual([1, 0, 1]);
    expect(grown('units')).toEqual([2, 0, 2]);
    expect(grown('contacts')).toEqual([1, 0, 1]);
    expect(grown('contracts')).toEqual([1, 0, 1]);
    expect(await horizontalOverflow(page)).toBe(0);

    await page.goto('/verwaltung/liegenschaften');
    const results = page.locator('#property-results tbody a');
    await expect(results.allInnerTexts()).resolves.toContain('Rosenweg 24');
    const fragment = page.waitForResponse((r) => r.url().includes('q=Linden') && r.request().headers()['hx-request'] === 'true');
    await page.getByRole('searchbox', { name: 'Liegenschaften durchsuchen' }).pressSequentially('Linden', { delay: 20 });
    expect((await fragment).status()).toBe(200);
    await page.waitForURL(/\/verwaltung\/liegenschaften\?q=Linden$/);
    // The world has a "Lindenallee 5–7" of its own; the ERP's is the other one.
    await expect.poll(() => results.allInnerTexts()).toEqual(['Lindenallee 5', 'Lindenallee 5–7']);

    await Promise.all([
      page.waitForURL(/\/verwaltung\/liegenschaften\/[0-9a-f-]{36}$/),
      page.locator('#property-results').getByRole('link', { name: 'Lindenallee 5', exact: true }).click(),
    ]);
    const propertyUrl = new URL(page.url()).pathname;
    await expect(page.locator('main h1').innerText()).resolves.toBe('Lindenallee 5');
    await expect(page.locator('.erp-note').innerText()).resolves.toContain('Vom ERP gepflegt.');
    expect(await text(page, '.detail-side')).toContain('PH-L5');

    await Promise.all([
      page.waitForURL(`${propertyUrl}/bearbeiten`),
      page.locator('.record-actions').getByRole('link', { name: 'Bearbeiten', exact: true }).click(),
    ]);
    const name = page.locator('#properties-name');
    await expect(name.inputValue()).resolves.toBe('Lindenallee 5');
    await expect(name.isDisabled()).resolves.toBe(true);
    await expect(page.locator('label[for="properties-name"] abbr.erp-badge').innerText()).resolves.toBe('ERP');
    await expect(page.locator('.erp-note').count()).resolves.toBe(1);
    expect(await horizontalOverflow(page)).toBe(0);
    await t.screenshot(page, 'masterdata-erp-form');

    await page.goto(`${propertyUrl}/einheiten`);
    const unitRows = page.locator('.tab-panel tbody tr');
    await expect(unitRows.locator('th[scope=row]').allInnerTexts()).resolves.toEqual(['Wohnung 01', 'Wohnung 02']);
    const areaOf01 = await unitRows.filter({ hasText: 'Wohnung 01' }).locator('td.num').innerText();
    expect(areaOf01).toMatch(/^71,5\s?m²$/);
    expect(await unitRows.filter({ hasText: 'Wohnung 02' }).locator('td.num').innerText()).toMatch(/^54(,0)?\s?m²$/);

    await Promise.all([page.waitForURL(/\/einheiten\/[0-9a-f-]{36}$/), page.getByRole('link', { name: 'Wohnung 01' }).click()]);
    await expect(page.locator('main h1').innerText()).resolves.toBe('Wohnung 01');
    expect(await text(page, '.unit-facts')).toMatch(/71,5\s?m²/);
    const contractRow = page.locator('.unit-contracts tbody tr', { hasText: 'MV-L5-01' });
    await expect(contractRow.locator('th').innerText()).resolves.toBe('Mieter');
    await expect(page.locator('#contracts-running + table').innerText()).resolves.toContain('MV-L5-01');
    const helga = contractRow.getByRole('link', { name: 'Dr. Helga Ahorn' });
    await Promise.all([page.waitForURL(/\/verwaltung\/kontakte\/[0-9a-f-]{36}$/), helga.click()]);
    const contactUrl = new URL(page.url()).pathname;
    await expect(page.locator('main h1').innerText()).resolves.toBe('Dr. Helga Ahorn');
    await expect(page.locator('.erp-note').innerText()).resolves.toContain('Vom ERP gepflegt.');
    expect(await text(page, '.contact-facts')).toContain('030 5550101');
    expect(await text(page)).toContain('Lindenallee 5');
    await page.goto(`${contactUrl}/bearbeiten`);
    for (const field of ['contact-lastName', 'contact-phone', 'contact-email']) {
      await expect(page.locator(`#${field}`).isDisabled(), field).resolves.toBe(true);
      await expect(page.locator(`label[for="${field}"] abbr.erp-badge`).innerText()).resolves.toBe('ERP');
    }

    // 4. The same batch again changes nothing; a new phone number is one change.
    const again = await pushAll(batch());
    for (const kind of KIND_ORDER) {
      expect(again[kind].summary.created + again[kind].summary.updated + again[kind].summary.refused, kind).toBe(0);
      expect(
        again[kind].results.every((r) => r.status === 'unchanged'),
        kind,
      ).toBe(true);
    }
    const phoneChange = await put('contacts', batch('030 5550199').contacts);
    expect(phoneChange.summary).toEqual({ created: 0, updated: 1, unchanged: 0, refused: 0 });
    expect(phoneChange.results[0]).toMatchObject({ externalId: 'PH-K100', status: 'updated', changes: ['phone'] });
    await page.goto(contactUrl);
    await page.reload();
    const facts = await text(page, '.contact-facts');
    expect(facts).toContain('030 5550199');
    expect(facts).not.toContain('030 5550101');

    // 5. CSV import of Dienstleister: the template, a Windows-1252 file, the preview, the confirmation.
    await page.goto('/verwaltung/stammdaten/import');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Vorlage herunterladen: Dienstleister' }).click()]);
    expect(download.suggestedFilename()).toBe('vorlage-service-providers.csv');
    const template = (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '');
    expect(template.startsWith('Externe ID;Name;')).toBe(true);
    const header = template.split(/\r?\n/)[0];
    expect(header).toBe('Externe ID;Name;Gewerk;E-Mail;Telefon;Straße und Hausnummer;PLZ;Ort;Liegenschaften (Externe IDs)');

    const csv = [
      header,
      'DL-1;Sanitär Müller GmbH;Heizung und Sanitär;service@sanitaer-mueller.example;030 111222;Große Straße 3;10115;Berlin;',
      'DL-2;Gärtnerei Grünfeld;Gartenpflege;kontakt@gruenfeld.example;030 333444;Köpenicker Weg 9;12555;Berlin;',
      'DL-3;Schlüsseldienst Weiß;Schließanlagen;kein-at-zeichen;030 555666;Fürstenstraße 1;10117;Berlin;',
    ].join('\r\n');
    const bytes = Buffer.from(`${csv}\r\n`, 'latin1');
    expect(bytes.includes(Buffer.from([0xe4]))).toBe(true); // "ä" as one byte: Windows-1252, not UTF-8
    expect(bytes.includes(Buffer.from([0xc3, 0xa4]))).toBe(false);

    await page.getByLabel('Art').selectOption({ label: 'Dienstleister' });
    await page.getByLabel('Datei').setInputFiles({ name: 'dienstleister-1252.csv', mimeType: 'text/csv', buffer: bytes });
    await Promise.all([page.waitForURL(/\/verwaltung\/stammdaten\/import\/[0-9a-f-]{36}/), page.getByRole('button', { name: 'Vorschau anzeigen' }).click()]);
    const previewUrl = new URL(page.url()).pathname;
    await expect(page.locator('main h1').innerText()).resolves.toBe('Import-Vorschau: dienstleister-1252.csv');
    const tabs = page.getByRole('navigation', { name: 'Ergebnis der Vorschau' }).getByRole('link');
    expect((await tabs.allInnerTexts()).map((s) => s.trim())).toEqual(['Neu (2)', 'Geändert (0)', 'Unverändert (0)', 'Abgelehnt (1)']);
    // The refused row comes first, with the reason in German naming the field.
    const refused = page.locator('table.import-rows tbody tr');
    await expect(refused.count()).resolves.toBe(1);
    const refusedCells = await refused.first().locator('th, td').allInnerTexts();
    expect(refusedCells.slice(0, 4)).toEqual(['4', 'DL-3', 'Schlüsseldienst Weiß', 'Abgelehnt']);
    expect(refusedCells[4]).toContain('E-Mail: keine gültige E-Mail-Adresse.');
    expect(await text(page, '.import-confirm')).toContain('Beim Bestätigen werden 2 Zeilen geschrieben (2 neu, 0 geändert).');
    expect(await horizontalOverflow(page)).toBe(0);
    await t.screenshot(page, 'masterdata-import-preview');
    // "Neu" (htmx swaps the rows): both with their umlauts read from 1252.
    await tabs.filter({ hasText: 'Neu' }).click();
    await page.waitForURL(/ergebnis=created/);
    await expect.poll(() => page.locator('table.import-rows tbody tr td:nth-child(3)').allInnerTexts()).toEqual(['Sanitär Müller GmbH', 'Gärtnerei Grünfeld']);
    expect(await page.locator('table.import-rows tbody tr td:nth-child(4)').allInnerTexts()).toEqual(['Neu', 'Neu']);

    // Nothing is written before the confirmation.
    await page.goto('/verwaltung/dienstleister?q=Sanit%C3%A4r');
    await expect(page.locator('#provider-results').innerText()).resolves.not.toContain('Sanitär Müller GmbH');
    await page.goto('/verwaltung/dienstleister?q=Gr%C3%BCnfeld');
    await expect(page.locator('#provider-results').innerText()).resolves.not.toContain('Grünfeld');

    await page.goto(previewUrl);
    await Promise.all([page.waitForURL(/hinweis=importiert/), page.getByRole('button', { name: 'Import bestätigen' }).click()]);
    await expect(page.getByRole('status').first().innerText()).resolves.toBe('Importiert: 2 neu, 0 geändert.');

    await page.goto('/verwaltung/dienstleister');
    const providers = await page.locator('#provider-results tbody th[scope=row] a').allInnerTexts();
    expect(providers).toContain('Sanitär Müller GmbH');
    expect(providers).toContain('Gärtnerei Grünfeld');
    expect(providers.some((n) => n.includes('Schlüsseldienst'))).toBe(false);
    const mueller = page.locator('#provider-results tbody tr', { hasText: 'Sanitär Müller GmbH' });
    expect(await mueller.locator('td').allInnerTexts()).toEqual(['Heizung und Sanitär', 'service@sanitaer-mueller.example', '030 111222', 'Berlin']);
    expect(await horizontalOverflow(page)).toBe(0);
    await t.screenshot(page, 'masterdata-providers');

    expect(t.problemsOf(page)).toEqual([]);
  });

  it('creates a Vertrag without a reload: the units of the chosen Liegenschaft and the contact search come through htmx', async () => {
    const page = await t.newPage({ width: 1280 });
    await t.loginStaff(page, MANAGER);
    await page.goto('/verwaltung/vertraege/neu');
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same document'));
    await page.getByLabel('1. Liegenschaft').selectOption({ label: 'Rosenweg 24' });
    await page.locator('#contract-unit option', { hasText: 'Stellplatz 3' }).waitFor({ state: 'attached' });
    await page.getByLabel('2. Einheit').selectOption({ label: 'Stellplatz 3' });
    await page.getByLabel('Kontakt suchen').fill('Becker');
    await page.getByRole('checkbox', { name: /Jonas Becker/ }).check();
    await page.getByLabel('Beginn', { exact: true }).fill('2027-01-01');
    await expect(page.evaluate(() => (window as unknown as { marker?: string }).marker)).resolves.toBe('same document');
    await t.screenshot(page, 'contract-form-1280');
    await Promise.all([
      page.waitForURL(/\/verwaltung\/vertraege\/[0-9a-f-]{36}\?erledigt=angelegt$/),
      page.getByRole('button', { name: 'Vertrag anlegen' }).click(),
    ]);
    await expect(text(page)).resolves.toContain('Jonas Becker');
    expect(t.problemsOf(page)).toEqual([]);
  });

  it('gives a Sachbearbeiterin (no admin) no CSV import: no link, and 403 on the page', async () => {
    const page = await t.newPage({ width: 1280 });
    await t.loginStaff(page, CLERK);
    await page.goto('/verwaltung/liegenschaften');
    const subnav = page.getByRole('navigation', { name: 'Stammdaten' });
    expect((await subnav.getByRole('link').allInnerTexts()).map((s) => s.trim())).toEqual([
      'Liegenschaften',
      'Adressen',
      'Einheiten',
      'Kontakte',
      'Verträge',
      'Dienstleister',
    ]);
    await page.goto('/verwaltung/stammdaten');
    await expect(page.locator('main h1').innerText()).resolves.toBe('Stammdaten');
    await expect(page.getByRole('link', { name: 'CSV-Import' }).count()).resolves.toBe(0);
    await expect(page.locator('a[href^="/verwaltung/stammdaten/import"]').count()).resolves.toBe(0);
    expect(t.problemsOf(page)).toEqual([]);

    const response = await page.goto('/verwaltung/stammdaten/import');
    expect(response!.status()).toBe(403);
    expect((await page.request.get('/verwaltung/stammdaten/import/vorlage/service-providers')).status()).toBe(403);
    // Chromium reports the refused page itself as a failed load; nothing else went wrong.
    expect(t.problemsOf(page).filter((p) => !/status of 403/.test(p))).toEqual([]);
  });
});

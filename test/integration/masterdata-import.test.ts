import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { AuditLog, Contact, Contract, MasterDataImport, Property, ServiceProvider, Unit } from '../../src/entities/index.ts';
import { KINDS, kindNamed } from '../../src/features/masterdata/kinds/index.ts';
import { MAX_UPLOAD_BYTES } from '../../src/http/upload.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';

/**
 * Stammdaten › CSV-Import over HTTP with the real files of test/fixtures/import: the preview
 * row by row, nothing written before "Import bestätigen", then everything in one transaction.
 */

const FIXTURES = new URL('../fixtures/import/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));
const IMPORT = '/verwaltung/stammdaten/import';

let app: TestApp;
let admin: Client;
beforeAll(async () => {
  app = await startTestApp();
  admin = await login('verwalter@sonnenschein-hv.de');
});
afterAll(() => app?.close());

async function login(email: string) {
  const client = app.client();
  await client.loginStaff(email, app.world.password);
  return client;
}

function scoped(organizationId = app.world.organizations.sonnenschein.id): Em {
  const em = app.em();
  scopeToOrganization(em, organizationId);
  return em;
}

function upload(kind: string, name: string, content: Buffer | string, client = admin) {
  return client.postMultipart(IMPORT, { art: kind }, [{ name, type: 'text/csv', content: Buffer.from(content) }], 'datei');
}

type Row = { row: number; externalId: string; label: string; outcome: string; details: string };

/** The preview's counts (from the filter links) and the rows of the shown outcome. */
function previewOf(page: Page) {
  const count = (outcome: string) => Number(/\((\d+)\)/.exec(page.$(`nav.tabs a[data-outcome=${outcome}]`).text())?.[1]);
  const rows: Row[] = page
    .$('table.import-rows tbody tr')
    .toArray()
    .map((tr) => {
      const cells = page
        .$(tr)
        .children()
        .toArray()
        .map((cell) => page.$(cell).text().trim());
      return { row: Number(cells[0]), externalId: cells[1], label: cells[2], outcome: cells[3], details: cells[4] };
    });
  return {
    counts: { created: count('created'), updated: count('updated'), unchanged: count('unchanged'), refused: count('refused') },
    rows,
    shown: page.$('nav.tabs a[aria-current]').attr('data-outcome'),
  };
}

/** Uploads a file, expects the redirect to its preview and returns the preview's URL and page. */
async function preview(kind: string, name: string, content: Buffer | string) {
  const sent = await upload(kind, name, content);
  expect(sent.status, sent.$('.field-error').text()).toBe(303);
  const url = sent.location!;
  expect(url).toMatch(/^\/verwaltung\/stammdaten\/import\/[0-9a-f-]{36}$/);
  const page = await admin.get(url);
  expect(page.status).toBe(200);
  return { url, page, ...previewOf(page), importId: url.split('/').pop()! };
}

async function confirm(url: string) {
  const done = await admin.post(`${url}/bestaetigen`);
  expect(done.status).toBe(303);
  return admin.get(done.location!);
}

const externalIds = (prefix: string) => ({ externalId: { $like: `${prefix}%` } });

describe('previews of the fixture files, then the import', () => {
  it('properties (UTF-8, ";"): refused rows with their reasons, nothing written before the confirmation', async () => {
    const { url, counts, rows, shown, importId } = await preview('properties', 'liegenschaften.csv', fixture('properties.csv'));
    expect(counts).toEqual({ created: 3, updated: 0, unchanged: 0, refused: 2 });
    expect(shown).toBe('refused');
    expect(rows).toEqual([
      { row: 5, externalId: 'CSV-L-4', label: 'CSV-L-4', outcome: 'Abgelehnt', details: 'Name: Pflichtangabe fehlt.' },
      { row: 6, externalId: 'CSV-L-5', label: 'Parkstraße 8', outcome: 'Abgelehnt', details: 'Art: unbekannter Wert. Möglich: WEG, Miete, Gemischt.' },
    ]);
    const created = previewOf(await admin.get(`${url}?ergebnis=created`));
    expect(created.rows.map((r) => [r.row, r.label, r.outcome])).toEqual([
      [2, 'Lindenhof 3', 'Neu'],
      [3, 'Ahornweg 12–14', 'Neu'],
      [4, 'Gärtnerplatz 1', 'Neu'],
    ]);
    expect(await scoped().count(Property, externalIds('CSV-L-'))).toBe(0);

    const stored = await scoped().findOneOrFail(MasterDataImport, importId);
    expect([stored.status, stored.encoding, stored.delimiter]).toEqual(['previewed', 'utf-8', ';']);
    expect(existsSync(path.join(app.storageDir, 'files', stored.storageKey))).toBe(true);

    const page = await confirm(url);
    expect(page.$('.notice').text()).toBe('Importiert: 3 neu, 0 geändert.');
    const properties = await scoped().find(Property, externalIds('CSV-L-'), { orderBy: { externalId: 'asc' } });
    expect(properties.map((p) => [p.externalId, p.name, p.kind, p.erpSyncedAt])).toEqual([
      ['CSV-L-1', 'Lindenhof 3', 'weg', null],
      ['CSV-L-2', 'Ahornweg 12–14', 'rental', null],
      ['CSV-L-3', 'Gärtnerplatz 1', 'mixed', null],
    ]);
    const done = await scoped().findOneOrFail(MasterDataImport, importId);
    expect([done.status, done.importedAt]).toEqual(['imported', app.clock.now()]);
    expect(existsSync(path.join(app.storageDir, 'files', stored.storageKey))).toBe(false);
    expect(await scoped().count(AuditLog, { action: 'masterdata.imported', subjectId: importId })).toBe(1);

    // A second click changes nothing.
    const again = await admin.post(`${url}/bestaetigen`);
    expect(again.status).toBe(409);
    expect(again.$('[role=alert]').text()).toContain('bereits abgeschlossen');
    expect(await scoped().count(Property, externalIds('CSV-L-'))).toBe(3);
  });

  it('units (Windows-1252, ",", German numbers): a unit of an unknown property is refused naming its external id', async () => {
    const { url, counts, rows, importId } = await preview('units', 'einheiten.csv', fixture('units-windows-1252.csv'));
    expect(counts).toEqual({ created: 3, updated: 0, unchanged: 0, refused: 2 });
    expect(rows.map((r) => [r.row, r.externalId, r.details])).toEqual([
      [5, 'CSV-E-4', 'Liegenschaft (Externe ID) „CSV-L-99“ ist nicht bekannt.'],
      [6, 'CSV-E-5', 'Fläche (m²): keine gültige Zahl (z. B. 65,5).'],
    ]);
    expect((await scoped().findOneOrFail(MasterDataImport, importId)).encoding).toBe('windows-1252');
    expect(await scoped().count(Unit, externalIds('CSV-E-'))).toBe(0);

    await confirm(url);
    const units = await scoped().find(Unit, externalIds('CSV-E-'), { orderBy: { externalId: 'asc' }, populate: ['property'] });
    expect(units.map((u) => [u.externalId, u.number, u.kind, u.areaSqm == null ? null : Number(u.areaSqm), u.floor, u.property.externalId])).toEqual([
      ['CSV-E-1', 'Wohnung Süd', 'apartment', 65.5, 'EG', 'CSV-L-1'],
      ['CSV-E-2', 'Gewerbe Nord', 'commercial', 1234.5, '1. OG', 'CSV-L-1'],
      ['CSV-E-3', 'Stellplatz 7', 'parking', null, 'Tiefgarage', 'CSV-L-2'],
    ]);
  });

  it('contacts (UTF-8 with BOM): invalid e-mail and a doubled external id are refused', async () => {
    const { url, counts, rows } = await preview('contacts', 'kontakte.csv', fixture('contacts-bom.csv'));
    expect(counts).toEqual({ created: 2, updated: 0, unchanged: 0, refused: 2 });
    expect(rows.map((r) => [r.row, r.details])).toEqual([
      [4, 'E-Mail: keine gültige E-Mail-Adresse.'],
      [5, 'Externe ID kommt in dieser Datei schon vor (Zeile 2).'],
    ]);
    await confirm(url);
    const contacts = await scoped().find(Contact, externalIds('CSV-K-'), { orderBy: { externalId: 'asc' } });
    expect(contacts.map((c) => [c.externalId, c.firstName, c.lastName, c.companyName, c.city])).toEqual([
      ['CSV-K-1', 'Jördis', 'Müller', null, 'München'],
      ['CSV-K-2', null, null, 'Weiß & Söhne GmbH', null],
    ]);
  });

  it('contracts (German dates): "Zeile 4" is refused for its date, the end before the start too', async () => {
    const { url, counts, rows } = await preview('contracts', 'vertraege.csv', fixture('contracts.csv'));
    expect(counts).toEqual({ created: 2, updated: 0, unchanged: 0, refused: 2 });
    expect(rows.map((r) => [r.row, r.details])).toEqual([
      [4, 'Beginn: kein gültiges Datum (TT.MM.JJJJ, z. B. 31.12.2026).'],
      [5, 'Das Ende liegt vor dem Beginn.'],
    ]);
    await confirm(url);
    const contract = await scoped().findOneOrFail(Contract, { externalId: 'CSV-V-2' }, { populate: ['contacts', 'unit'] });
    expect([
      contract.kind,
      contract.startsOn,
      contract.endsOn,
      contract.unit.externalId,
      contract.contacts
        .getItems()
        .map((c) => c.externalId)
        .sort(),
    ]).toEqual(['ownership', '2020-01-01', '2025-12-31', 'CSV-E-2', ['CSV-K-1', 'CSV-K-2']]);
  });

  it('service providers (tab separated): all rows land', async () => {
    const { url, counts } = await preview('service-providers', 'dienstleister.csv', fixture('service-providers-tab.csv'));
    expect(counts).toEqual({ created: 2, updated: 0, unchanged: 0, refused: 0 });
    expect((await scoped().findOneOrFail(MasterDataImport, url.split('/').pop()!)).delimiter).toBe('\t');
    await confirm(url);
    expect((await scoped().find(ServiceProvider, externalIds('CSV-D-'), { orderBy: { externalId: 'asc' } })).map((s) => s.name)).toEqual([
      'Glaserei Klar',
      'Dachdecker Höhe GmbH',
    ]);
  });

  it('a second file shows the changed columns; an empty cell clears, an absent column keeps', async () => {
    const file = 'Externe ID;Name\nCSV-L-1;Lindenhof 3a\nCSV-L-2;Ahornweg 12–14\n';
    const { url, counts, rows, shown } = await preview('properties', 'aenderung.csv', file);
    expect(counts).toEqual({ created: 0, updated: 1, unchanged: 1, refused: 0 });
    expect(shown).toBe('updated');
    expect(rows).toEqual([{ row: 2, externalId: 'CSV-L-1', label: 'Lindenhof 3a', outcome: 'Geändert', details: 'Name' }]);
    await confirm(url);
    const changed = await scoped().findOneOrFail(Property, { externalId: 'CSV-L-1' });
    expect([changed.name, changed.kind]).toEqual(['Lindenhof 3a', 'weg']);

    const cleared = await preview('units', 'flaeche.csv', 'Externe ID;Liegenschaft (Externe ID);Nummer;Fläche (m²)\nCSV-E-1;CSV-L-1;Wohnung Süd;\n');
    expect(cleared.rows.map((r) => r.details)).toEqual(['Fläche (m²)']);
    await confirm(cleared.url);
    const unit = await scoped().findOneOrFail(Unit, { externalId: 'CSV-E-1' });
    expect([unit.areaSqm, unit.floor]).toEqual([null, 'EG']);

    // A field a record cannot be without (Art): an empty cell keeps it, or gives the default.
    const kept = await preview('properties', 'ohne-art.csv', 'Externe ID;Name;Art\nCSV-L-1;Lindenhof 3a;\nCSV-L-6;Kastanienweg 6;\n');
    expect(kept.counts).toEqual({ created: 1, updated: 0, unchanged: 1, refused: 0 });
    await confirm(kept.url);
    expect((await scoped().find(Property, { externalId: { $in: ['CSV-L-1', 'CSV-L-6'] } }, { orderBy: { externalId: 'asc' } })).map((p) => p.kind)).toEqual([
      'weg',
      'rental',
    ]);
  });

  it('refuses to change a record the ERP keeps (erp_owned), leaves it as it is', async () => {
    const em = scoped();
    const owned = await em.findOneOrFail(Property, { externalId: 'CSV-L-2' });
    owned.erpSyncedAt = app.clock.now();
    await em.flush();
    const { url, counts, rows } = await preview(
      'properties',
      'erp.csv',
      'Externe ID;Name;Art\nCSV-L-2;Ahornweg 12–14 (neu);Miete\nCSV-L-3;Gärtnerplatz 1;Gemischt\n',
    );
    expect(counts).toEqual({ created: 0, updated: 0, unchanged: 1, refused: 1 });
    expect(rows.map((r) => [r.row, r.externalId, r.details])).toEqual([
      [2, 'CSV-L-2', 'Der Datensatz wird vom ERP gepflegt und kann nicht per CSV geändert werden.'],
    ]);
    await confirm(url);
    expect((await scoped().findOneOrFail(Property, { externalId: 'CSV-L-2' })).name).toBe('Ahornweg 12–14');
  });
});

describe('broken files', () => {
  it('refuses the rows of a file with mixed encodings, and reads its Windows-1252 rows', async () => {
    const { url, counts, rows } = await preview('properties', 'gemischt.csv', fixture('broken-encoding.csv'));
    expect(counts).toEqual({ created: 2, updated: 0, unchanged: 0, refused: 2 });
    expect(rows.map((r) => [r.row, r.externalId])).toEqual([
      [3, 'CSV-B-2'],
      [5, 'CSV-B-4'],
    ]);
    for (const row of rows) expect(row.details).toMatch(/^Die Zeile enthält falsch kodierte Zeichen \(z\. B\. „Ã¤“ statt „ä“\)/);
    const created = previewOf(await admin.get(`${url}?ergebnis=created`));
    expect(created.rows.map((r) => r.label)).toEqual(['Lärchenweg 1', 'Buchenweg 3']);
  });

  it('names a problem of the external id by its column, and refuses a Land that is no two-letter code', async () => {
    const file = `Externe ID;Nachname;Land\n${'X'.repeat(101)};Langid;DE\nCSV-K-L1;Landlos;Deutschland\nCSV-K-L2;Klein;at\n`;
    const { counts, rows } = await preview('contacts', 'laender.csv', file);
    expect(counts).toEqual({ created: 1, updated: 0, unchanged: 0, refused: 2 });
    expect(rows.map((r) => [r.row, r.details])).toEqual([
      [2, 'Externe ID: höchstens 100 Zeichen.'],
      [3, 'Land: kein Ländercode aus zwei Buchstaben (ISO 3166-1, z. B. DE, AT).'],
    ]);
  });

  it('refuses a row with too many cells by its number and reads the others', async () => {
    const { counts, rows } = await preview('properties', 'zellen.csv', fixture('too-many-cells.csv'));
    expect(counts).toEqual({ created: 2, updated: 0, unchanged: 0, refused: 1 });
    expect(rows).toEqual([{ row: 3, externalId: 'CSV-Z-2', label: 'CSV-Z-2', outcome: 'Abgelehnt', details: 'Die Zeile hat 4 statt 3 Zellen.' }]);
  });

  it('refuses a file with an unknown column as a whole, naming it and the known ones', async () => {
    const before = await scoped().count(MasterDataImport, {});
    const page = await upload('contacts', 'falsche-spalte.csv', fixture('wrong-column.csv'));
    expect(page.status).toBe(422);
    expect(page.$('#datei-error').text()).toBe(
      'Unbekannte Spalte: „Postleitzahll“. Bekannte Spalten: Externe ID, Typ, Anrede, Titel, Vorname, Nachname, Firma, E-Mail, Telefon, Straße und Hausnummer, PLZ, Ort, Land.',
    );
    expect(page.$('#import-kind option[selected]').attr('value')).toBe('contacts');
    expect(await scoped().count(MasterDataImport, {})).toBe(before);
    expect(await scoped().count(Contact, { externalId: 'CSV-W-1' })).toBe(0);
  });

  it('refuses a file without a required column', async () => {
    const page = await upload('units', 'ohne-nummer.csv', 'Externe ID;Liegenschaft (Externe ID)\nX-1;CSV-L-1\n');
    expect(page.status).toBe(422);
    expect(page.$('#datei-error').text()).toMatch(/^Es fehlt die Pflichtspalte „Nummer“\./);
  });

  it('refuses a row of an unclosed quote that would swallow the rest of the file', async () => {
    const tail = Array.from({ length: 3000 }, (_, i) => `CSV-Q-${i};Zeile ${i} ohne Ende`).join('\n');
    const { counts, rows } = await preview('properties', 'anfuehrung.csv', `Externe ID;Name\nCSV-Q-A;Quittenweg 1\nCSV-Q-B;"Quittenweg 2\n${tail}\n`);
    // Read up to 64 KB, then refused as broken CSV where the reading stopped; nothing of it lands.
    expect(counts).toEqual({ created: 1, updated: 0, unchanged: 0, refused: 1 });
    expect(rows[0].details).toBe('Die Zeile ist kein gültiges CSV (Anführungszeichen prüfen).');
  });

  it('refuses what is no CSV file, an empty file and one with a header only', async () => {
    const notCsv = 'Das ist keine CSV-Datei. Bitte speichern Sie die Tabelle in Excel als „CSV (Trennzeichen-getrennt)“.';
    for (const name of ['excel-saved-as-xlsx.csv', 'scan.pdf.csv']) {
      const page = await upload('properties', name, fixture(name));
      expect([page.status, page.$('#datei-error').text()]).toEqual([422, notCsv]);
    }
    const nul = await upload('properties', 'nul.csv', Buffer.concat([Buffer.from('Externe ID;Name\nA;B'), Buffer.alloc(70_000), Buffer.from('\n')]));
    expect([nul.status, nul.$('#datei-error').text()]).toEqual([422, notCsv]);
    const empty = await upload('properties', 'empty.csv', fixture('empty.csv'));
    expect([empty.status, empty.$('#datei-error').text()]).toEqual([422, 'Die Datei ist leer. Bitte wählen Sie eine Datei mit Inhalt.']);
    const headerOnly = await upload('properties', 'header-only.csv', fixture('header-only.csv'));
    expect([headerOnly.status, headerOnly.$('#datei-error').text()]).toEqual([422, 'Die Datei enthält nur die Kopfzeile und keine Daten.']);
    expect(await scoped().count(Property, { name: { $in: ['B'] } })).toBe(0);
  });

  it('refuses a file over 50 MB with the form kept', async () => {
    const page = await upload('contacts', 'riesig.csv', Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x41));
    expect(page.status).toBe(422);
    expect(page.$('#datei-error').text()).toBe('Die Datei ist größer als 50 MB.');
    expect(page.$('#import-kind option[selected]').attr('value')).toBe('contacts');
  });

  it('asks for the kind and a file', async () => {
    const page = await admin.postMultipart(IMPORT, { art: 'nonsense' }, [], 'datei');
    expect(page.status).toBe(422);
    expect(page.$('#art-error').text()).toBe('Bitte wählen Sie, was die Datei enthält.');
    expect(page.$('#datei-error').text()).toBe('Bitte wählen Sie eine CSV-Datei.');
  });
});

describe('confirming and discarding', () => {
  it('shows the updated preview when the data changed after the preview, and writes nothing', async () => {
    const { url, counts } = await preview('properties', 'neu.csv', 'Externe ID;Name;Art\nCSV-L-10;Ulmenweg 10;WEG\nCSV-L-11;Ulmenweg 11;WEG\n');
    expect(counts).toEqual({ created: 2, updated: 0, unchanged: 0, refused: 0 });
    // Meanwhile someone enters CSV-L-10 in the console.
    const em = scoped();
    em.create(Property, {
      organization: app.world.organizations.sonnenschein.id,
      name: 'Ulmenweg 10 (Konsole)',
      kind: 'rental',
      externalId: 'CSV-L-10',
      createdAt: app.clock.now(),
      updatedAt: app.clock.now(),
    } as never);
    await em.flush();

    const answer = await admin.post(`${url}/bestaetigen`);
    expect([answer.status, answer.location]).toEqual([303, `${url}?hinweis=geaendert`]);
    const page = await admin.get(answer.location!);
    expect(page.$('[role=alert]').text()).toBe('Die Daten haben sich seit der Vorschau geändert. Bitte prüfen Sie die aktualisierte Vorschau.');
    expect(previewOf(page).counts).toEqual({ created: 1, updated: 1, unchanged: 0, refused: 0 });
    expect((await scoped().findOneOrFail(Property, { externalId: 'CSV-L-10' })).name).toBe('Ulmenweg 10 (Konsole)');
    expect(await scoped().count(Property, { externalId: 'CSV-L-11' })).toBe(0);
    expect((await scoped().findOneOrFail(MasterDataImport, url.split('/').pop()!)).status).toBe('previewed');

    // The updated preview can be confirmed.
    const done = await confirm(url);
    expect(done.$('.notice').text()).toBe('Importiert: 1 neu, 1 geändert.');
    expect((await scoped().findOneOrFail(Property, { externalId: 'CSV-L-10' })).name).toBe('Ulmenweg 10');
  });

  it('shows the updated preview when rows changed their outcome though the totals stayed the same', async () => {
    const em = scoped();
    em.create(Property, {
      organization: app.world.organizations.sonnenschein.id,
      name: 'Tannenweg 1',
      kind: 'rental',
      externalId: 'CSV-T-1',
      createdAt: app.clock.now(),
      updatedAt: app.clock.now(),
    } as never);
    em.create(Property, {
      organization: app.world.organizations.sonnenschein.id,
      name: 'Tannenweg 2 alt',
      kind: 'rental',
      externalId: 'CSV-T-2',
      createdAt: app.clock.now(),
      updatedAt: app.clock.now(),
    } as never);
    await em.flush();
    // Row 2 would change nothing, row 3 would rename.
    const { url, counts } = await preview('properties', 'tausch.csv', 'Externe ID;Name\nCSV-T-1;Tannenweg 1\nCSV-T-2;Tannenweg 2\n');
    expect(counts).toEqual({ created: 0, updated: 1, unchanged: 1, refused: 0 });
    // Meanwhile the console renames both the other way round: still one update and one unchanged.
    const changed = scoped();
    (await changed.findOneOrFail(Property, { externalId: 'CSV-T-1' })).name = 'Tannenweg 1 alt';
    (await changed.findOneOrFail(Property, { externalId: 'CSV-T-2' })).name = 'Tannenweg 2';
    await changed.flush();

    const answer = await admin.post(`${url}/bestaetigen`);
    expect([answer.status, answer.location]).toEqual([303, `${url}?hinweis=geaendert`]);
    expect((await scoped().findOneOrFail(Property, { externalId: 'CSV-T-1' })).name).toBe('Tannenweg 1 alt');
  });

  it('discards: the file is deleted, nothing is written, a later confirmation does nothing', async () => {
    const { url, importId } = await preview('properties', 'verwerfen.csv', 'Externe ID;Name\nCSV-L-20;Eibenweg 20\n');
    const key = (await scoped().findOneOrFail(MasterDataImport, importId)).storageKey;
    const discarded = await admin.post(`${url}/verwerfen`);
    expect([discarded.status, discarded.location]).toEqual([303, `${url}?hinweis=verworfen`]);
    const page = await admin.get(discarded.location!);
    expect(page.$('.notice').text()).toBe('Dieser Import wurde verworfen; die Datei ist gelöscht.');
    expect(page.$('button').text()).not.toContain('Import bestätigen');
    expect(existsSync(path.join(app.storageDir, 'files', key))).toBe(false);
    expect((await scoped().findOneOrFail(MasterDataImport, importId)).status).toBe('discarded');

    const late = await admin.post(`${url}/bestaetigen`);
    expect(late.status).toBe(409);
    expect(await scoped().count(Property, { externalId: 'CSV-L-20' })).toBe(0);
  });

  it('lists the imports in the history of the upload page', async () => {
    const page = await admin.get(IMPORT);
    const row = page.$('table.import-history tbody tr').filter((_, tr) => page.$(tr).text().includes('verwerfen.csv'));
    const cells = row
      .children()
      .toArray()
      .map((c) => page.$(c).text().trim());
    expect(cells.slice(1)).toEqual(['Liegenschaften', 'verwerfen.csv', 'Max Verwalter', '1 / 0 / 0 / 0', 'Verworfen']);
    expect(page.$('table.import-history tbody tr').length).toBeGreaterThan(5);
  });
});

describe('the template', () => {
  it('is a UTF-8 CSV with BOM, all columns and an example row, which imports without problems', async () => {
    const response = await fetch(new URL(`${IMPORT}/vorlage/properties`, app.baseUrl), { headers: admin.browserHeaders() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="vorlage-properties.csv"');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe('Externe ID;Name;Art\r\nL-1001;Rosenweg 24;WEG\r\n');
    const { counts } = await preview('properties', 'vorlage-properties.csv', bytes);
    expect(counts).toEqual({ created: 1, updated: 0, unchanged: 0, refused: 0 });

    const contacts = await (await fetch(new URL(`${IMPORT}/vorlage/contacts`, app.baseUrl), { headers: admin.browserHeaders() })).text();
    expect(contacts.split('\r\n')[0]).toBe('Externe ID;Typ;Anrede;Titel;Vorname;Nachname;Firma;E-Mail;Telefon;Straße und Hausnummer;PLZ;Ort;Land');
    expect((await admin.get(`${IMPORT}/vorlage/nonsense`)).status).toBe(404);
  });

  it("fits together across kinds: every reference example starts with the referenced kind's example id", () => {
    for (const kind of KINDS) {
      for (const field of kind.fields.filter((f) => f.ref))
        expect(field.example.split('|')[0], `${kind.name}.${field.name}`).toBe(kindNamed(field.ref!)!.exampleExternalId);
    }
  });
});

describe('who may', () => {
  it('staff without admin rights see the overview, not the import (403)', async () => {
    const clerk = await login('sachbearbeitung@sonnenschein-hv.de');
    const overview = await clerk.get('/verwaltung/stammdaten');
    expect(overview.status).toBe(200);
    expect(overview.$('a[href="/verwaltung/stammdaten/import"]').length).toBe(0);
    expect((await clerk.get(IMPORT)).status).toBe(403);
    expect((await upload('properties', 'x.csv', 'Externe ID;Name\nCSV-L-30;X\n', clerk)).status).toBe(403);
    expect(await scoped().count(Property, { externalId: 'CSV-L-30' })).toBe(0);
  });

  it('another Verwaltung gets 404 on an import of Sonnenschein, and cannot confirm it', async () => {
    const { url } = await preview('properties', 'fremd.csv', 'Externe ID;Name\nCSV-L-40;Fremdweg 40\n');
    const nordhaus = await login('verwalter@nordhaus-verwaltung.de');
    expect((await nordhaus.get(url)).status).toBe(404);
    expect((await nordhaus.post(`${url}/bestaetigen`)).status).toBe(404);
    expect((await nordhaus.post(`${url}/verwerfen`)).status).toBe(404);
    expect(await scoped().count(Property, { externalId: 'CSV-L-40' })).toBe(0);
    expect((await scoped().findOneOrFail(MasterDataImport, url.split('/').pop()!)).status).toBe('previewed');
  });

  it('an upload or a confirmation without the CSRF token is refused (403)', async () => {
    const form = new FormData();
    form.append('art', 'properties');
    form.append('datei', new Blob([new Uint8Array(Buffer.from('Externe ID;Name\nCSV-L-50;Y\n'))], { type: 'text/csv' }), 'y.csv');
    const page = await admin.request('POST', IMPORT, { body: form, headers: { origin: new URL(app.baseUrl).origin } });
    expect(page.status).toBe(403);
    const { url } = await preview('properties', 'csrf.csv', 'Externe ID;Name\nCSV-L-51;Z\n');
    expect((await admin.post(`${url}/bestaetigen`, {}, { csrf: false })).status).toBe(403);
    expect(await scoped().count(Property, { externalId: { $in: ['CSV-L-50', 'CSV-L-51'] } })).toBe(0);
  });
});

describe('the Stammdaten overview', () => {
  it('counts active, archived and ERP-owned records per kind, with links for admins', async () => {
    const em = scoped();
    const archived = await em.findOneOrFail(Property, { externalId: 'CSV-L-3' });
    archived.archivedAt = app.clock.now();
    await em.flush();
    const active = await scoped().count(Property, { archivedAt: null });
    const archivedCount = await scoped().count(Property, { archivedAt: { $ne: null } });
    const erp = await scoped().count(Property, { archivedAt: null, erpSyncedAt: { $ne: null } });
    const page = await admin.get('/verwaltung/stammdaten');
    expect(page.status).toBe(200);
    const cells = page
      .$('#kind-properties')
      .children()
      .toArray()
      .map((c) => page.$(c).text().trim());
    expect(cells.slice(0, 4)).toEqual(['Liegenschaften', String(active), String(archivedCount), String(erp)]);
    expect(erp).toBeGreaterThan(0);
    expect(cells[4]).not.toBe('noch nie');
    expect(page.$('#kind-service-providers td').last().text()).toBe('noch nie');
    expect(page.$('a[href="/verwaltung/stammdaten/import"]').length).toBeGreaterThan(0);
    expect(page.$('a[href="/verwaltung/administration/api-schluessel"]').length).toBe(1);
    expect(page.$('.mainnav a[aria-current]').text()).toBe('Stammdaten');
  });
});

/** A contacts file of `rows` data rows; row `badRow` (a line number, header = 1) has an invalid e-mail. */
async function bigContactsFile(dir: string, rows: number, badRow: number): Promise<string> {
  const file = path.join(dir, 'kontakte-gross.csv');
  const lines = ['Externe ID;Typ;Vorname;Nachname;E-Mail;Ort'];
  for (let i = 1; i <= rows; i++) {
    const id = String(i).padStart(6, '0');
    lines.push(`BIG-${id};Person;Vorname${id};Nachname ${id};${i + 1 === badRow ? 'kaputt@' : `person${id}@example.org`};München`);
  }
  await writeFile(file, lines.join('\r\n') + '\r\n');
  return file;
}

describe('a file with 50,000 rows', () => {
  it('previews, reports the one bad row by its number, and writes the other 49,999 in one go', { timeout: 300_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hausportal-import-'));
    try {
      const file = await bigContactsFile(dir, 50_000, 31_337);
      const { url, counts, rows, importId } = await preview('contacts', 'kontakte-gross.csv', await readFile(file));
      expect(counts).toEqual({ created: 49_999, updated: 0, unchanged: 0, refused: 1 });
      expect(rows.map((r) => [r.row, r.externalId, r.details])).toEqual([[31_337, 'BIG-031336', 'E-Mail: keine gültige E-Mail-Adresse.']]);
      expect(await scoped().count(Contact, externalIds('BIG-'))).toBe(0);

      // Paging of the created rows, also as the htmx fragment.
      const second = await admin.get(`${url}?ergebnis=created&seite=2`, { 'hx-request': 'true', 'hx-target': 'import-rows' });
      expect(second.text).not.toContain('<html');
      expect(
        previewOf(second)
          .rows.map((r) => r.row)
          .slice(0, 2),
      ).toEqual([52, 53]);
      expect(second.$('.pagination').text()).toContain('1000');

      const done = await confirm(url);
      expect(done.$('.notice').text()).toBe('Importiert: 49999 neu, 0 geändert.');
      expect(await scoped().count(Contact, externalIds('BIG-'))).toBe(49_999);
      expect((await scoped().findOneOrFail(MasterDataImport, importId)).status).toBe('imported');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// Last: it moves the clock on by a week (sessions of the other tests would expire).
describe('clean-up', () => {
  it('discards previews left unconfirmed for a week (the session-cleanup job), with their files', async () => {
    const { importId } = await preview('properties', 'liegen-gelassen.csv', 'Externe ID;Name\nCSV-C-1;Lärchenweg 40\n');
    const key = (await scoped().findOneOrFail(MasterDataImport, importId)).storageKey;
    app.clock.advance(6 * 24 * 60 * 60 * 1000);
    await app.runTask('session-cleanup');
    expect((await scoped().findOneOrFail(MasterDataImport, importId)).status).toBe('previewed');
    app.clock.advance(2 * 24 * 60 * 60 * 1000);
    await app.runTask('session-cleanup');
    expect((await scoped().findOneOrFail(MasterDataImport, importId)).status).toBe('discarded');
    expect(existsSync(path.join(app.storageDir, 'files', key))).toBe(false);
  });
});

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Contact, Document, DocumentShare, SerialLetter, SerialLetterPart } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, FileField, Page } from '../support/client.ts';
import { filesUnder, SAMPLE_FILES } from '../support/files.ts';
import { readPdf } from '../support/pdf.ts';

// SmartPost (seed 001 "Nach Kontaktpräferenz", issue 5): a serial-letter PDF made here with
// pdf-lib, split, matched by its address blocks, corrected, published.

let app: TestApp;
let manager: Client;
beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});
afterAll(() => app?.close());

const BASE = '/verwaltung/smartpost';
const all = { filters: { tenant: false } } as const;
const SENDER = 'Hausverwaltung Sonnenschein GmbH · Sonnenallee 1 · 80331 München';

type Letter = { to: string[]; pages?: number; marker: string };

/** A serial letter as a word processor prints it: the address block at the top of each letter's first page. */
async function serialLetterPdf(letters: Letter[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const letter of letters) {
    const pages = letter.pages ?? 2;
    for (let n = 1; n <= pages; n++) {
      const page = pdf.addPage([595.28, 841.89]);
      const lines =
        n === 1 ? [SENDER, ...letter.to, '', `Sehr geehrte Damen und Herren, ${letter.marker}`] : [`Seite ${n} von ${pages}`, `${letter.marker} Fortsetzung`];
      lines.forEach((line, i) => {
        page.drawText(line, { x: 70, y: 720 - i * 14, size: 10, font });
      });
      page.drawText(`${letter.marker} Seite ${n}`, { x: 70, y: 400, size: 10, font });
    }
  }
  return Buffer.from(await pdf.save());
}

const LETTERS: Letter[] = [
  { to: ['Frau', 'Kristina Maiblume', 'Max-Planck-Str. 12', '80638 München'], marker: 'BRIEF-MAIBLUME' },
  { to: ['Herrn', 'Dr. Heinrich Eigner', 'Isarring 8', '81925 München'], pages: 3, marker: 'BRIEF-EIGNER' },
  { to: ['Frau', 'Marta Nowak', 'Rosenweg 24', '81675 München'], marker: 'BRIEF-NOWAK' },
  { to: ['Herrn', 'Walter Krause', 'Hauptstrasse 3', '85354 Freising'], marker: 'BRIEF-KRAUSE' },
  // Jonas Becker has no address of his own: his flat's address in Max-Planck-Straße 12 counts.
  { to: ['Herrn', 'Jonas Becker', 'Max-Planck-Straße 12', '80638 München'], marker: 'BRIEF-BECKER' },
  { to: ['Frau', 'Elena Wagner', 'Rosenweg 24', '81675 München'], marker: 'BRIEF-WAGNER' },
  // Nobody the Verwaltung knows; and a known name at an unknown address: never guessed.
  { to: ['Frau', 'Erika Mustermann', 'Unbekannte Gasse 5', '12345 Nirgendwo'], marker: 'BRIEF-MUSTERMANN' },
  { to: ['Frau', 'Kristina Maiblume', 'Goethestraße 1', '10115 Berlin'], marker: 'BRIEF-BERLIN' },
];

const pdfFile = (content: Buffer, name = 'Rundschreiben_Heizung-2026.pdf'): FileField => ({ name, type: 'application/pdf', content });

async function typeId(name = 'Serienbriefe') {
  const page = await manager.get(`${BASE}/neu`);
  return page
    .$(`#serial-letter-type option`)
    .filter((_, o) => page.$(o).text().trim() === name)
    .attr('value')!;
}

async function upload(fields: Record<string, string>, files: FileField[]) {
  return manager.postMultipart(BASE, { typeId: await typeId(), split: 'address', dispatch: 'preference', ...fields }, files, 'file');
}

async function state() {
  const em = app.em();
  return {
    serialLetters: await em.count(SerialLetter, {}, all),
    parts: await em.count(SerialLetterPart, {}, all),
    documents: await em.count(Document, {}, all),
    files: (await filesUnder(app.storageDir)).length,
  };
}

const partsOf = (id: string) =>
  app.em().find(SerialLetterPart, { serialLetter: id }, { ...all, populate: ['contact', 'document'], orderBy: { position: 'asc' } });
const serialLetterOf = (page: Page) => page.location!.replace(`${BASE}/`, '').replace(/\?.*$/, '');
const contact = (lastName: string) => app.em().findOneOrFail(Contact, { lastName }, all);

describe('the SmartPost pages', () => {
  it('are reached from "Neuer Inhalt" and offer "Neuer Serienbrief"', async () => {
    const content = await manager.get('/verwaltung/neuer-inhalt');
    expect(content.$(`a[href="${BASE}"]`).text()).toBe('SmartPost');
    const list = await manager.get(BASE);
    expect(list.status).toBe(200);
    expect(list.$(`a[href="${BASE}/neu"]`).text()).toBe('Neuer Serienbrief');
  });

  it('the upload form: multipart with the token in the URL, "Serienbriefe" preselected, both split modes and dispatches, the file last', async () => {
    const page = await manager.get(`${BASE}/neu`);
    const form = page.$('form[enctype="multipart/form-data"]');
    expect(form.attr('action')).toMatch(/^\/verwaltung\/smartpost\?_csrf=/);
    expect(form.find('#serial-letter-type option:selected').text().trim()).toBe('Serienbriefe');
    expect(
      form
        .find('label')
        .map((_, l) => page.$(l).text().trim())
        .get(),
    ).toEqual(
      expect.arrayContaining([
        'Titel',
        'Dokumententyp',
        'Liegenschaft',
        'Nach Adressblock',
        'Feste Seitenzahl je Brief',
        'An alle (nur Portal)',
        'Nach Kontaktpräferenz',
      ]),
    );
    expect(form.find('input, select, textarea').last().attr('type')).toBe('file');
  });
});

describe('a serial letter split by address block, corrected, published by contact preference', () => {
  let id: string;

  it('stores a draft: one letter per address block, matched where exactly one contact fits, the others not guessed', async () => {
    const before = await state();
    const answer = await upload({ title: '' }, [pdfFile(await serialLetterPdf(LETTERS))]);
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    id = serialLetterOf(answer);
    const serialLetter = await app.em().findOneOrFail(SerialLetter, { id }, all);
    expect(serialLetter).toMatchObject({ status: 'draft', title: 'Rundschreiben Heizung 2026', pageCount: 17, split: 'address', dispatch: 'preference' });

    const parts = await partsOf(id);
    expect(parts.map((p) => [p.firstPage, p.lastPage])).toEqual([
      [1, 2],
      [3, 5],
      [6, 7],
      [8, 9],
      [10, 11],
      [12, 13],
      [14, 15],
      [16, 17],
    ]);
    expect(parts.map((p) => p.contact?.lastName ?? null)).toEqual(['Maiblume', 'Eigner', 'Nowak', 'Krause', 'Becker', 'Wagner', null, null]);
    expect(parts[6].excerpt).toContain('Erika Mustermann');
    expect(await state()).toMatchObject({
      serialLetters: before.serialLetters + 1,
      parts: before.parts + 8,
      documents: before.documents,
      files: before.files + 1,
    });
  });

  it('shows the mapping: letters, pages, address lines, a contact choice per letter, the channel, the unmatched letters listed', async () => {
    const page = await manager.get(`${BASE}/${id}`);
    expect(page.status).toBe(200);
    expect(page.$('#serial-letter-status').text()).toBe('Entwurf');
    const rows = page.$('table.letters tbody tr');
    expect(rows).toHaveLength(8);
    const row = (n: number) => rows.eq(n - 1);
    expect(row(2).find('td').eq(0).text()).toBe('S. 3–5');
    expect(row(1).find('.excerpt').text()).toContain('Kristina Maiblume');
    expect(row(1).find('input[type=radio]:checked').parent().text()).toContain('Kristina Maiblume');
    // Two choices per letter (its contact, "nicht versenden") and a search: never a list of every contact.
    expect(row(1).find('input[type=radio]')).toHaveLength(2);
    expect(page.$('table.letters select')).toHaveLength(0);
    expect(row(1).find('td').last().text()).toBe('Online');
    expect(row(3).find('td').last().text()).toBe('Online + Post');
    expect(row(7).hasClass('unmatched')).toBe(true);
    expect(row(7).find('input[type=radio]:checked').val()).toBe('');
    expect(row(7).find('input[type=radio]')).toHaveLength(1);
    expect(row(7).text()).toContain('nicht zugeordnet');
    expect(page.$('#unmatched h2').text()).toBe('2 Briefe sind keinem Kontakt zugeordnet');
    expect(page.$('#unmatched li').text()).toContain('Erika Mustermann');
    // Before publishing, the planned post dispatch: the three contacts preferring Post.
    expect(
      page
        .$('.post-recipients tbody th')
        .map((_, th) => page.$(th).text())
        .get(),
    ).toEqual(['Dr. Heinrich Eigner', 'Marta Nowak', 'Walter Krause']);
    expect(page.$('form.mapping-form button[formaction$="/veroeffentlichen"]').text()).toBe('Veröffentlichen');
  });

  it('lets staff correct the mapping: assign an unmatched letter, keep one back; a contact of another Verwaltung is refused', async () => {
    const parts = await partsOf(id);
    const hoffmann = await contact('Hoffmann');
    const refused = await manager.post(`${BASE}/${id}`, { [`contact-${parts[6].id}`]: app.world.contacts.friesen.id });
    expect(refused.status).toBe(422);
    expect(refused.$(`#contact-${parts[6].id}-error`).text()).toBe('Dieser Kontakt kann hier nicht gewählt werden.');

    const saved = await manager.post(`${BASE}/${id}`, { [`contact-${parts[6].id}`]: hoffmann.id, [`contact-${parts[5].id}`]: '' });
    expect(saved.status).toBe(303);
    expect((await partsOf(id)).map((p) => p.contact?.lastName ?? null)).toEqual(['Maiblume', 'Eigner', 'Nowak', 'Krause', 'Becker', null, 'Hoffmann', null]);
  });

  it('finds the contact for a letter by search, with htmx as one types and without JavaScript by "Suchen", saving nothing', async () => {
    const parts = await partsOf(id);
    const letter = parts[7];
    const page = await manager.get(`${BASE}/${id}`);
    const search = page.$(`#search-${letter.id}`);
    expect(search.attr('name')).toBe(`suche-${letter.id}`);
    expect(search.attr('data-hx-get')).toBe(`${BASE}/${id}/kontakte?brief=${letter.id}`);
    expect(search.attr('data-hx-target')).toBe(`#contact-results-${letter.id}`);

    // htmx: the matches as radio buttons of this letter; another Verwaltung's contact is never among them.
    const found = await manager.get(`${BASE}/${id}/kontakte?brief=${letter.id}&suche-${letter.id}=Hoffm`, { 'HX-Request': 'true' });
    expect(found.status).toBe(200);
    expect(found.text).not.toMatch(/<html/);
    const radio = found.$(`input[type=radio][name="contact-${letter.id}"]`);
    expect(radio).toHaveLength(1);
    expect(radio.parent().text()).toContain('Lukas Hoffmann');
    const nordhaus = await manager.get(`${BASE}/${id}/kontakte?brief=${letter.id}&suche-${letter.id}=Friesen`, { 'HX-Request': 'true' });
    expect(nordhaus.$('input[type=radio]')).toHaveLength(0);
    expect(nordhaus.text).toContain('Kein Kontakt zu „Friesen“ gefunden.');
    // A letter of another serial letter, or none, is not found.
    expect(
      (await manager.get(`${BASE}/${id}/kontakte?brief=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}&suche-x=a`, { 'HX-Request': 'true' })).status,
    ).toBe(404);

    // Without JavaScript: "Suchen" posts the form; the page comes back with the matches, the choices kept, nothing saved.
    const before = (await partsOf(id)).map((p) => p.contact?.id ?? null);
    const searched = await manager.post(`${BASE}/${id}`, { [`contact-${parts[0].id}`]: '', [`suche-${letter.id}`]: 'Hoffm', suchen: letter.id });
    expect(searched.status).toBe(200);
    expect(searched.$(`#contact-results-${letter.id} input[type=radio]`).parent().text()).toContain('Lukas Hoffmann');
    expect(searched.$(`#search-${letter.id}`).val()).toBe('Hoffm');
    expect(searched.$(`input[name="contact-${parts[0].id}"]:checked`).val()).toBe('');
    expect((await partsOf(id)).map((p) => p.contact?.id ?? null)).toEqual(before);
    // The form's first submit button is that search, so Enter in a search field never saves or publishes.
    const first = searched.$('form.mapping-form button[type=submit]').first();
    expect(first.attr('name')).toBe('suchen');
    expect(first.attr('hidden')).toBeDefined();
  });

  it('publishes one personal document per assigned contact with one individual share, and the print PDF of the Post letters', async () => {
    const before = await state();
    const published = await manager.post(`${BASE}/${id}/veroeffentlichen`);
    expect(published.status).toBe(303);
    const serialLetter = await app.em().findOneOrFail(SerialLetter, { id }, all);
    expect(serialLetter).toMatchObject({ status: 'published', postLetterCount: 3 });
    expect(serialLetter.postStorageKey).toBeTruthy();

    const documents = await app.em().find(Document, { serialLetter: id }, { ...all, populate: ['shares', 'type'], orderBy: { title: 'asc' } });
    expect(documents.map((d) => d.title)).toEqual(
      ['Dr. Heinrich Eigner', 'Jonas Becker', 'Kristina Maiblume', 'Lukas Hoffmann', 'Marta Nowak', 'Walter Krause'].map(
        (n) => `Rundschreiben Heizung 2026 – ${n}`,
      ),
    );
    for (const document of documents) {
      expect(document.type.name).toBe('Serienbriefe');
      expect(document.property).toBeNull();
      expect(document.shares.getItems().map((s) => s.kind)).toEqual(['contact']);
    }
    const parts = await partsOf(id);
    expect(parts.filter((p) => p.document).length).toBe(6);
    expect(await state()).toMatchObject({ documents: before.documents + 6, files: before.files + 7 });

    const page = await manager.get(`${BASE}/${id}`);
    expect(page.$('#serial-letter-status').text()).toBe('veröffentlicht');
    expect(
      page
        .$('.post-recipients tbody tr')
        .map((_, tr) => page.$(tr).text().replace(/\s+/g, ' ').trim())
        .get(),
    ).toEqual(['2 Dr. Heinrich Eigner Isarring 8, 81925 München', '3 Marta Nowak Rosenweg 24, 81675 München', '4 Walter Krause Hauptstraße 3, 85354 Freising']);
    const list = await manager.get(BASE);
    const row = list.$(`#serial-letter-${id}`);
    expect(
      row
        .find('td')
        .map((_, td) => list.$(td).text().trim())
        .get()
        .slice(1),
    ).toEqual(['veröffentlicht', '8', '6', '3']);
  });

  it('the print PDF holds exactly the Post letters, each starting on an odd page', async () => {
    const response = await fetch(new URL(`${BASE}/${id}/postversand.pdf`, app.baseUrl), { headers: manager.browserHeaders() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const { pages, texts } = await readPdf(new Uint8Array(await response.arrayBuffer()));
    // Eigner 3 pages + 1 blank, Nowak 2, Krause 2.
    expect(pages).toBe(8);
    expect(texts[0]).toContain('Dr. Heinrich Eigner');
    expect(texts[2]).toContain('BRIEF-EIGNER Seite 3');
    expect(texts[3].trim()).toBe('');
    expect(texts[4]).toContain('Marta Nowak');
    expect(texts[6]).toContain('Walter Krause');
    const all = texts.join('\n');
    for (const other of ['MAIBLUME', 'BECKER', 'WAGNER', 'MUSTERMANN', 'BERLIN']) expect(all).not.toContain(`BRIEF-${other}`);
  });

  it('Kristina sees her own letter in the portal, and only hers; its file is her two pages', async () => {
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const list = await kristina.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}/dokumente`);
    expect(list.status).toBe(200);
    expect(list.text).toContain('Rundschreiben Heizung 2026 – Kristina Maiblume');
    expect(list.text).not.toContain('Rundschreiben Heizung 2026 – Jonas Becker');
    expect(list.text).not.toContain('Rundschreiben Heizung 2026 – Dr. Heinrich Eigner');

    const document = await app.em().findOneOrFail(Document, { serialLetter: id, title: { $like: '%Maiblume' } }, all);
    const file = await fetch(new URL(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}/dokumente/${document.id}/datei`, app.baseUrl), {
      headers: kristina.browserHeaders(),
    });
    expect(file.status).toBe(200);
    const { pages, texts } = await readPdf(new Uint8Array(await file.arrayBuffer()));
    expect(pages).toBe(2);
    expect(texts.join('\n')).toContain('BRIEF-MAIBLUME Seite 2');

    const eigner = app.client();
    await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
    const other = await fetch(new URL(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}/dokumente/${document.id}/datei`, app.baseUrl), {
      headers: eigner.browserHeaders(),
    });
    expect(other.status).toBe(404);
  });

  it('a second publish changes nothing', async () => {
    const before = await state();
    const again = await manager.post(`${BASE}/${id}/veroeffentlichen`);
    expect(again.status).toBe(303);
    expect(await state()).toEqual(before);
  });

  it('a published serial letter can neither be deleted nor have its mapping changed', async () => {
    const before = await state();
    const mapping = (await partsOf(id)).map((p) => [p.id, p.contact?.id ?? null, p.document?.id ?? null]);
    expect((await manager.post(`${BASE}/${id}/loeschen`)).status).toBe(303);
    const firstPart = (await partsOf(id))[0];
    expect((await manager.post(`${BASE}/${id}`, { [`contact-${firstPart.id}`]: '' })).status).toBe(303);
    expect(await state()).toEqual(before);
    expect((await partsOf(id)).map((p) => [p.id, p.contact?.id ?? null, p.document?.id ?? null])).toEqual(mapping);
    expect((await app.em().findOneOrFail(SerialLetter, { id }, all)).status).toBe('published');
  });

  it('the other Verwaltung gets 404 for every SmartPost URL of this serial letter, and does not list it', async () => {
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    for (const url of [`${BASE}/${id}`, `${BASE}/${id}/postversand.pdf`, `${BASE}/${id}/original.pdf`]) expect((await nord.get(url)).status, url).toBe(404);
    for (const url of [`${BASE}/${id}`, `${BASE}/${id}/veroeffentlichen`, `${BASE}/${id}/loeschen`]) expect((await nord.post(url)).status, url).toBe(404);
    expect((await nord.get(BASE)).text).not.toContain('Rundschreiben Heizung 2026');
  });
});

describe('a serial letter split by a fixed number of pages', () => {
  it('cuts every N pages, prefills contacts the address block names, and leaves the rest to staff', async () => {
    const pdf = await serialLetterPdf(LETTERS.slice(0, 1).concat(LETTERS.slice(2, 4), LETTERS.slice(6, 7)));
    const answer = await upload({ title: 'Einladung Eigentümerversammlung', split: 'pages', pagesPerLetter: '2', dispatch: 'portal' }, [pdfFile(pdf)]);
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    const parts = await partsOf(serialLetterOf(answer));
    expect(parts.map((p) => [p.firstPage, p.lastPage, p.contact?.lastName ?? null])).toEqual([
      [1, 2, 'Maiblume'],
      [3, 4, 'Nowak'],
      [5, 6, 'Krause'],
      [7, 8, null],
    ]);
    const page = await manager.get(answer.location!);
    expect(page.$('.post-dispatch')).toHaveLength(0);
    expect(page.$('table.letters tbody tr').eq(2).find('td').last().text()).toBe('Online');
  });

  it('refuses a page count that does not divide, with the form and its options back, leaving nothing behind', async () => {
    const pdf = await PDFDocument.create();
    for (let i = 0; i < 121; i++) pdf.addPage();
    const before = await state();
    const rosenweg = app.world.properties.rosenweg.id;
    const answer = await upload({ title: 'Hausgeld', split: 'pages', pagesPerLetter: '2', dispatch: 'preference', propertyId: rosenweg }, [
      pdfFile(Buffer.from(await pdf.save())),
    ]);
    expect(answer.status).toBe(422);
    expect(answer.$('#pagesPerLetter-error').text()).toBe('Das PDF hat 121 Seiten; das lässt sich nicht in Briefe zu je 2 Seiten teilen.');
    expect(answer.$('input[name=split][value=pages]').attr('checked')).toBeDefined();
    expect(answer.$('input[name=dispatch][value=preference]').attr('checked')).toBeDefined();
    expect(answer.$('#serial-letter-pages').val()).toBe('2');
    expect(answer.$('#serial-letter-title').val()).toBe('Hausgeld');
    expect(answer.$('#serial-letter-property option:selected').val()).toBe(rosenweg);
    expect(answer.$('#serial-letter-type option:selected').text().trim()).toBe('Serienbriefe');
    expect(await state()).toEqual(before);
  });

  it('refuses to publish when no letter has a contact', async () => {
    const pdf = await serialLetterPdf([LETTERS[6], { to: ['Herrn', 'Max Muster', 'Irgendwo 1', '99999 Nirgends'], marker: 'X' }]);
    const answer = await upload({ title: 'Niemand', split: 'pages', pagesPerLetter: '2' }, [pdfFile(pdf)]);
    expect(answer.status).toBe(303);
    const id = serialLetterOf(answer);
    const before = await state();
    const refused = await manager.post(`${BASE}/${id}/veroeffentlichen`);
    expect(refused.status).toBe(422);
    expect(refused.$('[role=alert]').text()).toBe('Keiner der Briefe ist einem Kontakt zugeordnet.');
    expect(await state()).toEqual(before);
    expect((await app.em().findOneOrFail(SerialLetter, { id }, all)).status).toBe('draft');

    // Deleting the draft removes its rows and its file.
    expect((await manager.post(`${BASE}/${id}/loeschen`)).status).toBe(303);
    expect(await state()).toMatchObject({ serialLetters: before.serialLetters - 1, parts: before.parts - 2, files: before.files - 1 });
  });

  it('a publish that fails half-way leaves no document, no file and the draft as it was', async () => {
    const answer = await upload({ title: 'Kaputt', split: 'pages', pagesPerLetter: '2' }, [pdfFile(await serialLetterPdf([LETTERS[0]]))]);
    const id = serialLetterOf(answer);
    const serialLetter = await app.em().findOneOrFail(SerialLetter, { id }, all);
    // The stored original is gone (a broken disk): publishing cannot cut the letters.
    await rm(path.join(app.storageDir, 'files', serialLetter.storageKey));
    const before = await state();
    const failed = await manager.post(`${BASE}/${id}/veroeffentlichen`);
    expect(failed.status).toBe(500);
    expect(await state()).toEqual(before);
    expect((await app.em().findOneOrFail(SerialLetter, { id }, all)).status).toBe('draft');
    expect(await app.em().count(DocumentShare, { document: { serialLetter: id } }, all)).toBe(0);
  });
});

describe('bad input', () => {
  const cases: Array<[string, Record<string, string>, FileField[], string, string]> = [
    ['no file', {}, [], 'file', 'Bitte wählen Sie eine PDF-Datei aus.'],
    ['a PNG', {}, [{ name: 'brief.png', type: 'image/png', content: SAMPLE_FILES.png }], 'file', 'Serienbriefe können nur als PDF hochgeladen werden.'],
    [
      'an .exe named .pdf',
      {},
      [pdfFile(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(4096, 1)]), 'brief.pdf')],
      'file',
      'Serienbriefe können nur als PDF hochgeladen werden.',
    ],
    ['an empty file', {}, [pdfFile(Buffer.alloc(0), 'leer.pdf')], 'file', 'Die Datei ist leer.'],
    ['a PDF without pages', {}, [pdfFile(SAMPLE_FILES.pdf, 'kaputt.pdf')], 'file', ''],
    ['no Dokumententyp', { typeId: '' }, [], 'typeId', 'Bitte wählen Sie einen Dokumententyp.'],
    [
      'no pages per letter',
      { split: 'pages', pagesPerLetter: '0' },
      [],
      'pagesPerLetter',
      'Bitte geben Sie an, wie viele Seiten ein Brief hat (mindestens 1).',
    ],
  ];

  for (const [what, fields, files, field, message] of cases) {
    it(`${what}: 422 with the message at the field, nothing stored`, async () => {
      const before = await state();
      const answer = await upload({ title: 'Test', ...fields }, files);
      expect(answer.status).toBe(422);
      const shown = answer.$(`#${field}-error`).text();
      if (message) expect(shown).toBe(message);
      else expect(shown).toMatch(/leer|lesen/);
      expect(answer.$('input[name=dispatch][value=preference]').attr('checked')).toBeDefined();
      expect(await state()).toEqual(before);
    });
  }

  it('letters that match no contact (by address block): refused at the split, nothing stored', async () => {
    const before = await state();
    const answer = await upload({ title: 'Fremd' }, [pdfFile(await serialLetterPdf([LETTERS[6], LETTERS[7]]))]);
    expect(answer.status).toBe(422);
    expect(answer.$('#split-error').text()).toContain('Keiner der Briefe nennt im Adressfeld einen Ihrer Kontakte.');
    expect(await state()).toEqual(before);
  });

  it('with a property chosen, only its contacts are matched', async () => {
    const answer = await upload({ title: 'Rosenweg', propertyId: app.world.properties.rosenweg.id }, [pdfFile(await serialLetterPdf(LETTERS.slice(0, 4)))]);
    expect(answer.status).toBe(303);
    // Kristina has no contract in Rosenweg 24; Dr. Eigner and Marta Nowak do; Walter Krause owns there too.
    expect((await partsOf(serialLetterOf(answer))).map((p) => p.contact?.lastName ?? null)).toEqual([null, 'Eigner', 'Nowak', 'Krause']);
  });

  it('a file over 50 MB: refused while streaming, nothing left', async () => {
    const before = await state();
    const big = Buffer.alloc(50 * 1024 * 1024 + 1, 0x20);
    big.write('%PDF-1.4\n');
    const answer = await upload({ title: 'Groß' }, [pdfFile(big, 'gross.pdf')]);
    expect(answer.status).toBe(422);
    expect(answer.$('#file-error').text()).toBe('Die Datei ist größer als 50 MB.');
    expect(await state()).toEqual(before);
  });

  it('without the CSRF token: 403, nothing stored', async () => {
    const before = await state();
    const form = new FormData();
    form.append('typeId', await typeId());
    form.append('file', new Blob([new Uint8Array(await serialLetterPdf(LETTERS.slice(0, 1)))], { type: 'application/pdf' }), 'x.pdf');
    const answer = await manager.request('POST', BASE, { body: form, headers: { origin: new URL(app.baseUrl).origin } });
    expect(answer.status).toBe(403);
    expect(await state()).toEqual(before);
    const draft = await upload({}, [{ name: 'csrf.pdf', type: 'application/pdf', content: await serialLetterPdf(LETTERS.slice(0, 1)) }]);
    const draftId = serialLetterOf(draft);
    const withDraft = await state();
    expect((await manager.post(`${BASE}/${draftId}/veroeffentlichen`, {}, { csrf: false })).status).toBe(403);
    expect((await manager.post(`${BASE}/${draftId}/loeschen`, {}, { csrf: false })).status).toBe(403);
    expect(await state()).toEqual(withDraft);
  });
});

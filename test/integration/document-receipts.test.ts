import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { AuditLog, Contact, Document, DocumentType, PostalDelivery } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';
import { readPdf } from '../support/pdf.ts';

/**
 * Issue 19 for documents: the Lesebestätigung per addressed contact on the document page,
 * "Nicht erreicht" after N days and the letters (with the document's own pages after each),
 * recorded per contact as sent by post. Max-Planck-Straße 12 has four running tenancies:
 * Kristina (with a login), Becker, Hoffmann and the Bäckerei (without); Schulz moves in next
 * month, Demir has moved out. The clock starts on Wednesday 2026-12-09 in Berlin.
 */
const all = { filters: { tenant: false } } as const;
const WEDNESDAY = new Date('2026-12-09T09:00:00Z');
const DAY = 24 * 3600_000;

let app: TestApp;
let manager: Client;
let kristina: Client;
let nord: Client;
let documentId: string;

/** A PDF of two pages with text, made here: each letter is then 1 + 2 pages, padded to 4. */
async function twoPagePdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const n of [1, 2]) pdf.addPage([595, 842]).drawText(`Nebenkostenabrechnung Seite ${n}`, { x: 50, y: 780, size: 14, font });
  return Buffer.from(await pdf.save());
}

async function login() {
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
}

beforeAll(async () => {
  app = await startTestApp({ clock: fixedClock(WEDNESDAY) });
  manager = app.client();
  kristina = app.client();
  nord = app.client();
  await login();
});
afterAll(() => app?.close());

async function uploadShared(title: string, share: string, file: { name: string; type: string; content: Buffer }): Promise<string> {
  const type = await app.em().findOneOrFail(DocumentType, { organization: app.world.organizations.sonnenschein, name: 'Hausordnung' }, all);
  const answer = await manager.postMultipart(
    `/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/dokumente`,
    { title, type: type.id, share },
    [file],
    'files',
  );
  expect(answer.status).toBe(303);
  return (await app.em().findOneOrFail(Document, { title }, all)).id;
}

/** "Briefe drucken" as a browser posts it; the PDF's bytes when there is one. */
async function printLetters(id: string, tage: string) {
  const answer = await fetch(`${app.baseUrl}/verwaltung/dokumente/${id}/briefe`, {
    method: 'POST',
    headers: { ...manager.browserHeaders(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: await manager.csrfToken(), tage }),
    redirect: 'manual',
  });
  const bytes = new Uint8Array(await answer.arrayBuffer());
  return { status: answer.status, type: answer.headers.get('content-type'), location: answer.headers.get('location'), bytes };
}

const rows = (page: Page) =>
  page
    .$('#contact-receipts tbody tr')
    .map((_, tr) => page.$(tr).attr('id')!.replace('contact-receipt-', ''))
    .get();

describe('Lesebestätigung and "Nicht erreicht" of a document', () => {
  it('lists every tenant contact of the Mieter share, with or without a login; Kristina’s download counts as opened', async () => {
    documentId = await uploadShared('Nebenkostenabrechnung 2025', 'group:tenant', {
      name: 'nebenkosten.pdf',
      type: 'application/pdf',
      content: await twoPagePdf(),
    });
    const w = app.world.contacts;
    const page = await manager.get(`/verwaltung/dokumente/${documentId}`);
    expect(page.status).toBe(200);
    const addressed = rows(page);
    expect(addressed).toHaveLength(4);
    expect(addressed).toEqual(expect.arrayContaining([w.kristina.id, w.hoffmann.id]));
    // Owners are not Mieter; Schulz moves in next month, Demir has moved out.
    for (const other of [w.eigner.id, w.schulz.id, w.demir.id]) expect(addressed).not.toContain(other);
    expect(page.$(`#contact-receipt-${w.hoffmann.id} .has-login`).text()).toBe('ohne Portalzugang');
    expect(page.$(`#contact-receipt-${w.kristina.id} .has-login`).text()).toBe('ja');
    expect(page.$('.contact-receipt-summary').text()).toBe('4 Kontakte adressiert, 0 geöffnet');
    expect(page.$('#contact-receipts .hint').text()).toContain('Bewohner, Gewerbemitarbeiter und Dienstleister');

    const download = await kristina.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}/dokumente/${documentId}/datei`);
    expect(download.status).toBe(200);
    const after = await manager.get(`/verwaltung/dokumente/${documentId}`);
    expect(after.$(`#contact-receipt-${w.kristina.id} .opened-at`).text()).toMatch(/^\d{2}\.\d{2}\.\d{4}/);
    expect(after.$(`#contact-receipt-${w.hoffmann.id} .opened-at`).text()).toBe('nicht geöffnet');
    expect(after.$('.contact-receipt-summary').text()).toBe('4 Kontakte adressiert, 1 geöffnet');
    // Not yet three days out: nothing to print.
    expect((await manager.get(`/verwaltung/dokumente/${documentId}?tage=3`)).$('#nicht-erreicht').text()).toContain('noch keine 3 Tage');
    expect((await printLetters(documentId, '3')).status).toBe(422);
    expect((await manager.get(`/verwaltung/dokumente/${documentId}?tage=abc`)).status).toBe(422);
  });

  it('after the days, "Nicht erreicht" lists the others, and one click prints a letter each with the document’s pages, recorded by post', async () => {
    app.clock.advance(4 * DAY);
    await login();
    const page = await manager.get(`/verwaltung/dokumente/${documentId}?tage=3`);
    const listed = page
      .$('.not-reached li')
      .map((_, li) => page.$(li).attr('id')!.replace('not-reached-', ''))
      .get();
    expect(listed).toHaveLength(3);
    expect(listed).not.toContain(app.world.contacts.kristina.id);

    const printed = await printLetters(documentId, '3');
    expect(printed.status).toBe(200);
    expect(printed.type).toBe('application/pdf');
    const pdf = await readPdf(printed.bytes);
    const covers = pdf.texts.filter((text) => text.includes('in unserem Kundenportal das Dokument „Nebenkostenabrechnung') && text.includes('bereitgestellt'));
    expect(covers).toHaveLength(3);
    expect(covers[0]).toContain('Hausverwaltung Sonnenschein GmbH');
    expect(covers[0]).toContain('nebenkosten.pdf');
    // The document's two pages follow each letter; a blank page keeps the next letter on an odd page.
    expect(pdf.texts.filter((text) => text.includes('Nebenkostenabrechnung Seite 1'))).toHaveLength(3);
    expect(pdf.texts.filter((text) => text.includes('Nebenkostenabrechnung Seite 2'))).toHaveLength(3);
    expect(pdf.pages).toBe(3 * 4 - 1);
    expect(pdf.texts[4]).toContain('bereitgestellt');

    const posted = await app.em().find(PostalDelivery, { subjectId: documentId }, { ...all, populate: ['contact'] });
    expect(posted.map((p) => p.contact.id).sort()).toEqual([...listed].sort());
    expect(posted.every((p) => p.subjectType === 'document')).toBe(true);
    expect(await app.em().count(AuditLog, { subjectId: documentId, action: 'document.letters_printed' }, all)).toBe(1);

    const again = await printLetters(documentId, '3');
    expect(again.status).toBe(303);
    expect(again.location).toContain('gedruckt=0');
    expect(await app.em().count(PostalDelivery, { subjectId: documentId }, all)).toBe(3);
    const shown = await manager.get(`/verwaltung/dokumente/${documentId}?tage=3`);
    expect(shown.$(`#contact-receipt-${posted[0].contact.id} .posted-at`).text()).toMatch(/\d{2}\.\d{2}\.\d{4}/);
  });

  it('a contact preferring Post gets a letter even though they opened it', async () => {
    const em = app.em();
    const contact = await em.findOneOrFail(Contact, app.world.contacts.kristina.id, all);
    contact.contactPreference = 'post';
    await em.flush();
    try {
      const page = await manager.get(`/verwaltung/dokumente/${documentId}?tage=3`);
      expect(page.$(`#not-reached-${contact.id}`).text()).toContain('bevorzugt Post');
      const printed = await printLetters(documentId, '3');
      expect(printed.status).toBe(200);
      const pdf = await readPdf(printed.bytes);
      expect(pdf.texts.filter((text) => text.includes('bereitgestellt'))).toHaveLength(1);
      expect(pdf.texts[0]).toContain('Maiblume');
      expect(await app.em().count(PostalDelivery, { subjectId: documentId, contact: contact.id }, all)).toBe(1);
    } finally {
      contact.contactPreference = 'online';
      await em.flush();
    }
  });

  it('two staff members printing at once get the letters once: one PDF, the other finds nothing left', async () => {
    await app.em().nativeDelete(PostalDelivery, { subjectId: documentId }, all);
    const [first, second] = await Promise.all([printLetters(documentId, '3'), printLetters(documentId, '3')]);
    const pdfs = [first, second].filter((answer) => answer.status === 200);
    expect(pdfs).toHaveLength(1);
    expect([first, second].find((answer) => answer.status !== 200)?.location).toContain('gedruckt=0');
    expect((await readPdf(pdfs[0].bytes)).texts.filter((text) => text.includes('bereitgestellt'))).toHaveLength(3);
    expect(await app.em().count(PostalDelivery, { subjectId: documentId }, all)).toBe(3);
  });

  it('a document that is not a PDF: each letter names it as available in the portal, no pages appended', async () => {
    const id = await uploadShared('Grundriss Keller', 'group:tenant', {
      name: 'grundriss.png',
      type: 'image/png',
      content: readFileSync(path.resolve(import.meta.dirname, '../fixtures/documents/grundriss.png')),
    });
    app.clock.advance(4 * DAY);
    await login();
    const printed = await printLetters(id, '3');
    expect(printed.status).toBe(200);
    const pdf = await readPdf(printed.bytes);
    // Four Mieter contacts, none opened it: one page per letter, nothing of the image.
    expect(pdf.texts.filter((text) => text.includes('Grundriss Keller') && text.includes('Anlage (im Kundenportal abrufbar):'))).toHaveLength(4);
    // One page per letter and a blank one between them (each letter starts on an odd page for duplex printing).
    expect(pdf.pages).toBe(4 * 2 - 1);
    expect(pdf.texts.filter((text) => text.includes('– grundriss.png'))).toHaveLength(4);
    expect(await app.em().count(PostalDelivery, { subjectId: id }, all)).toBe(4);
  });

  it('a share with the group Bewohner addresses no contact', async () => {
    const id = await uploadShared('Fahrradkeller', 'group:resident', {
      name: 'fahrradkeller.pdf',
      type: 'application/pdf',
      content: await twoPagePdf(),
    });
    const page = await manager.get(`/verwaltung/dokumente/${id}`);
    expect(rows(page)).toEqual([]);
    expect(page.$('#contact-receipts').text()).toContain('Dieses Dokument erreicht keine Kontakte.');
  });

  it('a withdrawn document prints no letters', async () => {
    await app.em().nativeDelete(PostalDelivery, { subjectId: documentId }, all);
    expect((await manager.post(`/verwaltung/dokumente/${documentId}/zurueckziehen`)).status).toBe(303);
    const refused = await printLetters(documentId, '3');
    expect(refused.status).toBe(422);
    expect(await app.em().count(PostalDelivery, { subjectId: documentId }, all)).toBe(0);
  });

  it('is a 404 for another Verwaltung: the page and the letters', async () => {
    expect((await nord.get(`/verwaltung/dokumente/${documentId}?tage=3`)).status).toBe(404);
    expect((await nord.post(`/verwaltung/dokumente/${documentId}/briefe`, { tage: '3' })).status).toBe(404);
  });
});

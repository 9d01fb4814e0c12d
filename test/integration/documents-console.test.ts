import { openAsBlob, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Address,
  AdvisoryBoardMember,
  AuditLog,
  Document,
  DocumentDownload,
  DocumentShare,
  DocumentType,
  DocumentVersion,
  MAX_DOCUMENT_TYPE_DEPTH,
} from '../../src/entities/index.ts';
import { berlinDate } from '../../src/clock.ts';
import { MAX_UPLOAD_BYTES } from '../../src/http/upload.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { pageFrom, type Client, type FileField, type Page } from '../support/client.ts';
import { filesUnder } from '../support/files.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/documents');
const fixture = (name: string, type = 'application/octet-stream'): FileField => ({ name, type, content: readFileSync(path.join(FIXTURES, name)) });
const all = { filters: { tenant: false } } as const;

let app: TestApp;
let manager: Client;
let clerk: Client;
let nord: Client;
let types: Map<string, DocumentType>;
let bigDir: string;

beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  clerk = app.client();
  await clerk.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
  nord = app.client();
  await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
  const list = await app.em().find(DocumentType, { organization: app.world.organizations.sonnenschein }, all);
  types = new Map(list.map((t) => [t.name, t]));
  bigDir = await mkdtemp(path.join(tmpdir(), 'hausportal-big-'));
});
afterAll(async () => {
  await rm(bigDir, { recursive: true, force: true });
  await app?.close();
});

const propertyDocs = (propertyId: string) => `/verwaltung/liegenschaften/${propertyId}/dokumente`;

async function counts() {
  const em = app.em();
  return { documents: await em.count(Document, {}, all), shares: await em.count(DocumentShare, {}, all), versions: await em.count(DocumentVersion, {}, all) };
}

async function upload(fields: Record<string, string | string[]>, files: FileField[], at = propertyDocs(app.world.properties.rosenweg.id)) {
  return manager.postMultipart(at, fields, files, 'files');
}

const hausordnung = () => types.get('Hausordnung')!.id;
const checked = (page: Page) =>
  page
    .$('input[name=share]:checked')
    .map((_, el) => page.$(el).val())
    .get();

describe('the Dokumente tab of a property', () => {
  it('shows the drop zone, Titel, Dokumententyp as an indented tree, Geteilt mit, and the blue button', async () => {
    const page = await manager.get(propertyDocs(app.world.properties.rosenweg.id));
    expect(page.status).toBe(200);
    const form = page.$('form[enctype="multipart/form-data"]');
    expect(form.attr('action')).toMatch(/^\/verwaltung\/liegenschaften\/[^/]+\/dokumente\?_csrf=/);
    expect(form.find('.dropzone label').text()).toBe('Dateien auswählen');
    expect(form.find('input[type=file][name=files]').attr('multiple')).toBeDefined();
    expect(form.find('input, select, textarea').last().attr('type')).toBe('file');
    expect(form.find('label[for=document-title]').text()).toBe('Titel');
    expect(form.find('label[for=document-type]').text()).toBe('Dokumententyp');
    expect(
      form
        .find('option')
        .map((_, o) => page.$(o).text())
        .get(),
    ).toContain('\u00a0\u00a0\u00a0Hausordnung');
    expect(form.find('fieldset#shares legend').first().text()).toBe('Geteilt mit');
    const labels = form
      .find('label.checkbox')
      .map((_, l) => page.$(l).text().trim())
      .get();
    expect(labels).toEqual(
      expect.arrayContaining([
        'Gesamte Liegenschaft',
        'Mieter',
        'Eigentümer',
        'Bewohner',
        'Dienstleister',
        'Gewerbemitarbeiter',
        'Beirat',
        'Wohnung 001',
        'Stellplatz 1',
      ]),
    );
    expect(form.find('button[type=submit].primary').text()).toBe('Dokument hochladen');
    expect(page.$('script[src="/static/documents.js"]').attr('defer')).toBeDefined();
  });

  it('publishes the Hausordnung shared with Mieter (seed 003 case 1) and lists it with type path, sharing, size and downloads', async () => {
    const answer = await upload({ title: '', type: hausordnung(), share: 'group:tenant' }, [fixture('hausordnung.pdf', 'application/pdf')]);
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    expect(answer.location).toBe(`${propertyDocs(app.world.properties.rosenweg.id)}?hochgeladen=1`);
    const document = await app.em().findOneOrFail(Document, { title: 'hausordnung' }, { ...all, populate: ['shares'] });
    expect(document.mimeType).toBe('application/pdf');
    expect(document.property?.id).toBe(app.world.properties.rosenweg.id);
    expect(document.shares.getItems().map((s) => [s.kind, s.group])).toEqual([['group', 'tenant']]);

    const page = await manager.get(answer.location!);
    expect(page.$('[role=status]').text()).toBe('1 Dokument veröffentlicht.');
    const row = page.$(`#document-${document.id}`);
    expect(row.find('th a').text()).toBe('hausordnung');
    expect(row.find('.type-path').text()).toBe('Objektunterlagen › Hausordnung');
    expect(row.find('.shared-with').text()).toBe('Mieter');
    expect(row.find('.downloads').text()).toBe('0');
    expect(row.find('td.num').first().text()).toBe('1 KB');
  });

  it.each([
    ['hausordnung.pdf', 'application/pdf'],
    ['bedienungsanleitung.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['protokoll.doc', 'application/msword'],
    ['foto.jpg', 'image/jpeg'],
    ['grundriss.png', 'image/png'],
  ])('accepts %s as %s, decided by its content', async (name, mimeType) => {
    const title = `Typ ${name}`;
    const answer = await upload({ title, type: hausordnung(), share: 'property' }, [{ ...fixture(name), type: 'application/octet-stream' }]);
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    const document = await app.em().findOneOrFail(Document, { title }, all);
    expect(document.mimeType).toBe(mimeType);
    expect(document.fileName).toBe(name);
  });

  it('stores a PNG named .docx as image/png, never as Word', async () => {
    const answer = await upload({ title: 'Bild als Word', type: hausordnung(), share: 'property' }, [
      fixture('bild.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
    ]);
    expect(answer.status).toBe(303);
    const document = await app.em().findOneOrFail(Document, { title: 'Bild als Word' }, all);
    expect(document.mimeType).toBe('image/png');
    expect(document.fileName).toBe('bild.png');
    const file = await manager.request('GET', `/verwaltung/dokumente/${document.id}/datei`);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('content-disposition')).toBe(`inline; filename="bild.png"; filename*=UTF-8''bild.png`);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses a program named .pdf with 422, the options kept, no row and no file', async () => {
    const before = await counts();
    const filesBefore = await filesUnder(app.storageDir);
    const page = await upload({ title: 'Rechnung', type: hausordnung(), share: ['group:owner', 'group:advisory_board'] }, [
      fixture('rechnung.pdf', 'application/pdf'),
    ]);
    expect(page.status).toBe(422);
    expect(page.$('#files-error').text()).toBe('Dieser Dateityp ist nicht erlaubt. Erlaubt sind PDF, Word, JPEG und PNG.');
    expect(page.$('#document-title').val()).toBe('Rechnung');
    expect(page.$('#document-type').val()).toBe(hausordnung());
    expect(checked(page)).toEqual(['group:owner', 'group:advisory_board']);
    expect(await counts()).toEqual(before);
    expect(await filesUnder(app.storageDir)).toEqual(filesBefore);
  });

  it.each([
    { problem: 'no type', fields: { title: 'Ohne Typ', type: '', share: 'property' }, field: 'type', message: 'Bitte wählen Sie einen Dokumententyp.' },
    {
      problem: 'nobody to share with',
      fields: { title: 'Für niemanden', type: 'hausordnung' },
      field: 'shares',
      message: 'Bitte wählen Sie aus, mit wem das Dokument geteilt wird.',
    },
    {
      problem: 'a title that is too long',
      fields: { title: 'x'.repeat(201), type: 'hausordnung', share: 'property' },
      field: 'title',
      message: 'Der Titel darf höchstens 200 Zeichen lang sein.',
    },
    {
      problem: 'a unit of another property',
      fields: { title: 'Fremde Einheit', type: 'hausordnung', share: 'unit:wohnung002' },
      field: 'shares',
      message: 'Diese Auswahl ist nicht möglich. Bitte wählen Sie erneut.',
    },
    {
      problem: 'a contact without contract there',
      fields: { title: 'Fremder Kontakt', type: 'hausordnung', share: 'contact:kristina' },
      field: 'shares',
      message: 'Diese Auswahl ist nicht möglich. Bitte wählen Sie erneut.',
    },
    {
      problem: 'a type of another Verwaltung',
      fields: { title: 'Fremder Typ', type: 'nordtype', share: 'property' },
      field: 'type',
      message: 'Diesen Dokumententyp gibt es nicht.',
    },
  ])('answers $problem with 422 and the message at the field, nothing left behind', async ({ fields, field, message }) => {
    const nordType = await app.em().findOneOrFail(DocumentType, { organization: app.world.organizations.nordhaus, name: 'Hausordnung' }, all);
    const values: Record<string, string> = {
      hausordnung: hausordnung(),
      nordtype: nordType.id,
      'unit:wohnung002': `unit:${app.world.units.wohnung002.id}`,
      'contact:kristina': `contact:${app.world.contacts.kristina.id}`,
    };
    const sent = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, values[v] ?? v]));
    const before = await counts();
    const filesBefore = await filesUnder(app.storageDir);
    const page = await upload(sent, [fixture('hausordnung.pdf', 'application/pdf')]);
    expect(page.status).toBe(422);
    expect(page.$('[role=alert]').text()).toBe('Bitte prüfen Sie die markierten Felder.');
    expect(page.$(`#${field}-error`).text()).toBe(message);
    expect(page.$('#document-title').val()).toBe(fields.title);
    expect(await counts()).toEqual(before);
    expect(await filesUnder(app.storageDir)).toEqual(filesBefore);
  });

  it('answers no file and an empty file with their own messages', async () => {
    const before = await counts();
    const none = await upload({ title: 'Nichts', type: hausordnung(), share: 'property' }, []);
    expect(none.status).toBe(422);
    expect(none.$('#files-error').text()).toBe('Bitte wählen Sie eine Datei aus.');
    const empty = await upload({ title: 'Leer', type: hausordnung(), share: 'property' }, [
      { name: 'leer.pdf', type: 'application/pdf', content: Buffer.alloc(0) },
    ]);
    expect(empty.status).toBe(422);
    expect(empty.$('#files-error').text()).toBe('Die Datei ist leer. Bitte wählen Sie eine Datei mit Inhalt.');
    expect(checked(empty)).toEqual(['property']);
    expect(await counts()).toEqual(before);
    expect(await filesUnder(path.join(app.storageDir, 'tmp'))).toEqual([]);
  });

  it('keeps a name with ../ and unicode harmless, with a readable title', async () => {
    const answer = await upload({ title: '', type: hausordnung(), share: 'property' }, [
      { ...fixture('hausordnung.pdf'), name: '../Übergabe–Protokoll ä.pdf' },
    ]);
    expect(answer.status).toBe(303);
    const document = await app.em().findOneOrFail(Document, { title: 'Übergabe–Protokoll ä' }, all);
    expect(document.fileName).toBe('Übergabe–Protokoll ä.pdf');
    expect(document.storageKey).toMatch(/^[a-f0-9]{2}\/[a-f0-9]{40}$/);
    const file = await manager.request('GET', `/verwaltung/dokumente/${document.id}/datei`);
    expect(file.headers.get('content-disposition')).toBe(
      `inline; filename="_bergabe_Protokoll _.pdf"; filename*=UTF-8''${encodeURIComponent('Übergabe–Protokoll ä.pdf')}`,
    );
  });

  it('gives each of several files its own title from its file name', async () => {
    const answer = await upload({ title: 'wird ignoriert', type: hausordnung(), share: 'group:owner' }, [
      { ...fixture('grundriss.png'), name: 'Grundriss_EG.png' },
      { ...fixture('foto.jpg'), name: 'Foto-Fassade.jpg' },
    ]);
    expect(answer.status).toBe(303);
    expect(answer.location).toMatch(/\?hochgeladen=2$/);
    expect(await app.em().count(Document, { title: { $in: ['Grundriss EG', 'Foto Fassade'] } }, all)).toBe(2);
    expect((await manager.get(answer.location!)).$('[role=status]').text()).toBe('2 Dokumente veröffentlicht.');
  });
});

describe('size limits, streamed', () => {
  async function bigPdf(name: string, size: number): Promise<string> {
    const file = path.join(bigDir, name);
    await writeFile(file, '%PDF-1.4\n');
    const handle = await open(file, 'r+');
    await handle.truncate(size);
    await handle.close();
    return file;
  }

  async function postBig(file: string, title: string) {
    const form = new FormData();
    form.append('title', title);
    form.append('type', hausordnung());
    form.append('share', 'property');
    form.append('files', await openAsBlob(file, { type: 'application/pdf' }), `${title}.pdf`);
    const response = await fetch(
      new URL(`${propertyDocs(app.world.properties.rosenweg.id)}?_csrf=${encodeURIComponent(await manager.csrfToken())}`, app.baseUrl),
      {
        method: 'POST',
        body: form,
        headers: manager.browserHeaders(),
        redirect: 'manual',
      },
    );
    return pageFrom(response);
  }

  it('accepts exactly 50 MB', async () => {
    const answer = await postBig(await bigPdf('exact.pdf', MAX_UPLOAD_BYTES), 'Genau 50 MB');
    expect(answer.status).toBe(303);
    expect((await app.em().findOneOrFail(Document, { title: 'Genau 50 MB' }, all)).size).toBe(MAX_UPLOAD_BYTES);
  });

  it('refuses 50 MB + 1 byte: 422, no temp file, no row', async () => {
    const before = await counts();
    const page = await postBig(await bigPdf('over.pdf', MAX_UPLOAD_BYTES + 1), 'Zu groß');
    expect(page.status).toBe(422);
    expect(page.$('#files-error').text()).toBe('Die Datei ist größer als 50 MB.');
    expect(page.$('#document-title').val()).toBe('Zu groß');
    expect(await counts()).toEqual(before);
    expect(await filesUnder(path.join(app.storageDir, 'tmp'))).toEqual([]);
  });
});

describe('the unit page (seed 003 case 2)', () => {
  const unitPath = () => `/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/einheiten/${app.world.units.wohnung002.id}`;

  it('is linked from the Einheiten tab and shows the unit with its people and Dokumente', async () => {
    const tab = await manager.get(`/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/einheiten`);
    expect(tab.$(`a[href="${unitPath()}"]`).text()).toBe('Wohnung 002');
    const page = await manager.get(unitPath());
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Wohnung 002');
    expect(page.$('.unit-facts').text()).toContain('Kristina Maiblume');
    expect(page.$('nav.tabs a[aria-current]').text()).toBe('Dokumente');
    // On the unit page the contacts are those of the unit.
    const contacts = page
      .$('#upload-contacts label')
      .map((_, l) => page.$(l).text().trim())
      .get();
    expect(contacts).toEqual(['Dr. Heinrich Eigner', 'Kristina Maiblume']);
  });

  it('shares the Bedienungsanleitung with Kristina Maiblume only, and lists it on the unit and contact pages', async () => {
    const answer = await upload(
      { title: 'Bedienungsanleitung Heizung', type: types.get('Bedienungsanleitungen')!.id, share: `contact:${app.world.contacts.kristina.id}` },
      [fixture('bedienungsanleitung.docx')],
      `${unitPath()}/dokumente`,
    );
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    expect(answer.location).toBe(`${unitPath()}?hochgeladen=1`);
    const document = await app.em().findOneOrFail(Document, { title: 'Bedienungsanleitung Heizung' }, { ...all, populate: ['shares'] });
    expect(document.unit?.id).toBe(app.world.units.wohnung002.id);
    expect(document.shares.getItems().map((s) => [s.kind, s.contact?.id])).toEqual([['contact', app.world.contacts.kristina.id]]);

    const unitPage = await manager.get(unitPath());
    expect(unitPage.$(`#document-${document.id} .shared-with`).text()).toBe('Kristina Maiblume');
    const contactPage = await manager.get(`/verwaltung/kontakte/${app.world.contacts.kristina.id}`);
    expect(contactPage.$(`#document-${document.id} .type-path`).text()).toBe('Bedienungsanleitungen');
    // Another contact's page does not list it.
    expect((await manager.get(`/verwaltung/kontakte/${app.world.contacts.eigner.id}`)).$(`#document-${document.id}`).length).toBe(0);
  });

  it('is a 404 through another property, and for the other Verwaltung', async () => {
    const wrong = `/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/einheiten/${app.world.units.wohnung002.id}`;
    expect((await manager.get(wrong)).status).toBe(404);
    expect((await upload({ title: 'x', type: hausordnung(), share: 'property' }, [fixture('hausordnung.pdf')], `${wrong}/dokumente`)).status).toBe(404);
    expect((await nord.get(unitPath())).status).toBe(404);
  });
});

describe('the contact page', () => {
  it('uploads for the contact only, without property unless one of theirs is chosen', async () => {
    const kristina = app.world.contacts.kristina;
    const page = await manager.get(`/verwaltung/kontakte/${kristina.id}`);
    expect(checked(page)).toEqual([`contact:${kristina.id}`]);
    expect(
      page
        .$('#document-property option')
        .map((_, o) => page.$(o).text())
        .get(),
    ).toEqual(['Keine (nur für diesen Kontakt)', 'Max-Planck-Straße 12']);

    const answer = await upload(
      { title: 'Persönlich', type: types.get('Verträge')!.id, share: `contact:${kristina.id}` },
      [fixture('hausordnung.pdf')],
      `/verwaltung/kontakte/${kristina.id}/dokumente`,
    );
    expect(answer.status).toBe(303);
    const document = await app.em().findOneOrFail(Document, { title: 'Persönlich' }, all);
    expect(document.property).toBeNull();

    const withProperty = await upload(
      { title: 'Mit Liegenschaft', type: types.get('Verträge')!.id, property: app.world.properties.maxPlanck.id, share: `contact:${kristina.id}` },
      [fixture('hausordnung.pdf')],
      `/verwaltung/kontakte/${kristina.id}/dokumente`,
    );
    expect(withProperty.status).toBe(303);
    expect((await app.em().findOneOrFail(Document, { title: 'Mit Liegenschaft' }, all)).property?.id).toBe(app.world.properties.maxPlanck.id);

    // Property-level options are refused on a contact page; so is a property she has no contract in.
    const group = await upload(
      { title: 'Gruppe', type: types.get('Verträge')!.id, share: 'group:tenant' },
      [fixture('hausordnung.pdf')],
      `/verwaltung/kontakte/${kristina.id}/dokumente`,
    );
    expect(group.status).toBe(422);
    expect(group.$('#shares-error').text()).toBe('Diese Auswahl ist nicht möglich. Bitte wählen Sie erneut.');
    const foreign = await upload(
      { title: 'Fremd', type: types.get('Verträge')!.id, property: app.world.properties.rosenweg.id, share: `contact:${kristina.id}` },
      [fixture('hausordnung.pdf')],
      `/verwaltung/kontakte/${kristina.id}/dokumente`,
    );
    expect(foreign.status).toBe(422);
    expect(foreign.$('#property-error').text()).toBe('Bitte wählen Sie eine Liegenschaft des Kontakts.');
  });
});

describe('the document page', () => {
  let document: Document;
  beforeAll(async () => {
    const answer = await upload(
      { title: 'Energieausweis', type: types.get('Energieausweis')!.id, share: ['group:tenant', 'group:owner'] },
      [fixture('hausordnung.pdf')],
      propertyDocs(app.world.properties.maxPlanck.id),
    );
    expect(answer.status).toBe(303);
    document = await app.em().findOneOrFail(Document, { title: 'Energieausweis' }, all);
  });

  it('shows read receipts: recipients, who opened it when, downloads', async () => {
    const day = berlinDate(app.clock.now());
    await app.em().insert(DocumentDownload, {
      document: document.id,
      portalUser: app.world.portalUsers.kristina.id,
      day,
      organization: app.world.organizations.sonnenschein.id,
      firstAt: app.clock.now(),
    });
    const page = await manager.get(`/verwaltung/dokumente/${document.id}`);
    expect(page.status).toBe(200);
    // Kristina (tenant) and Dr. Eigner (owner) are registered in Max-Planck-Straße 12.
    expect(page.$('.receipt-summary').text()).toBe('2 Empfänger, 1 geöffnet, 1 Download');
    expect(page.$(`#receipt-${app.world.portalUsers.kristina.id} .opened-at`).text()).toMatch(/^\d{2}\.\d{2}\.\d{4}/);
    expect(page.$(`#receipt-${app.world.portalUsers.eigner.id} .opened-at`).text()).toBe('noch nicht geöffnet');
    const list = await manager.get(propertyDocs(app.world.properties.maxPlanck.id));
    expect(list.$(`#document-${document.id} .downloads`).text()).toBe('1');
  });

  it('edits title, type and sharing; a share that stays keeps its createdAt', async () => {
    const before = await app.em().findOneOrFail(DocumentShare, { document: document.id, group: 'tenant' }, all);
    app.clock.advance(60_000);
    const answer = await manager.post(`/verwaltung/dokumente/${document.id}`, {
      title: 'Energieausweis 2026',
      type: types.get('Objektunterlagen')!.id,
      share: 'group:tenant',
    });
    expect(answer.status).toBe(303);
    const shares = await app.em().find(DocumentShare, { document: document.id }, all);
    expect(shares.map((s) => [s.group, s.createdAt.getTime()])).toEqual([['tenant', before.createdAt.getTime()]]);
    const updated = await app.em().findOneOrFail(Document, document.id, all);
    expect([updated.title, updated.type.id]).toEqual(['Energieausweis 2026', types.get('Objektunterlagen')!.id]);

    const both = await manager.post(`/verwaltung/dokumente/${document.id}`, {
      title: 'Energieausweis 2026',
      type: types.get('Objektunterlagen')!.id,
      share: ['group:tenant', 'property'],
    });
    expect(both.status).toBe(303);
    const combined = await app.em().find(DocumentShare, { document: document.id }, { ...all, orderBy: { kind: 'asc' } });
    expect(combined.map((s) => [s.kind, s.group])).toEqual([
      ['group', 'tenant'],
      ['property', null],
    ]);
    // An address of another property: only this property's addresses may be chosen.
    const foreignAddress = await app.em().findOneOrFail(Address, { property: app.world.properties.rosenweg.id }, all);
    const bad = await manager.post(`/verwaltung/dokumente/${document.id}`, { title: '', type: '', share: `address:${foreignAddress.id}` });
    expect(bad.status).toBe(422);
    expect(bad.$('#title-error').text()).toBe('Bitte geben Sie einen Titel ein.');
    expect(bad.$('#shares-error').text()).toBe('Diese Auswahl ist nicht möglich. Bitte wählen Sie erneut.');
    expect(await app.em().count(AuditLog, { subjectId: document.id, action: 'document.updated' }, all)).toBe(2);
  });

  it('replaces the file: the old one becomes version 1, downloadable by staff', async () => {
    const answer = await manager.postMultipart(`/verwaltung/dokumente/${document.id}/datei`, {}, [fixture('bedienungsanleitung.docx')], 'files');
    expect(answer.status).toBe(303);
    const updated = await app.em().findOneOrFail(Document, document.id, all);
    expect(updated.version).toBe(2);
    expect(updated.mimeType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const [old] = await app.em().find(DocumentVersion, { document: document.id }, all);
    expect([old.version, old.mimeType]).toEqual([1, 'application/pdf']);
    const current = await manager.request('GET', `/verwaltung/dokumente/${document.id}/datei`);
    expect(current.headers.get('content-disposition')).toMatch(/^attachment;/);
    const previous = await manager.request('GET', `/verwaltung/dokumente/${document.id}/versionen/${old.id}`);
    expect(previous.status).toBe(200);
    expect(previous.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(Buffer.from(previous.text, 'latin1').subarray(0, 5).toString()).toBe('%PDF-');
    const page = await manager.get(`/verwaltung/dokumente/${document.id}`);
    expect(page.$(`#version-${old.id} a`).attr('href')).toBe(`/verwaltung/dokumente/${document.id}/versionen/${old.id}`);
  });

  it('withdraws the document', async () => {
    const answer = await manager.post(`/verwaltung/dokumente/${document.id}/zurueckziehen`);
    expect(answer.status).toBe(303);
    expect((await app.em().findOneOrFail(Document, document.id, all)).status).toBe('withdrawn');
    const page = await manager.get(`/verwaltung/dokumente/${document.id}`);
    expect(page.$('.receipt-summary').text()).toMatch(/^0 Empfänger/);
    expect(await app.em().count(AuditLog, { subjectId: document.id, action: { $in: ['document.replaced', 'document.withdrawn'] } }, all)).toBe(2);
  });

  it('is a 404 for the other Verwaltung on every document route, and a POST without CSRF token is a 403', async () => {
    for (const url of [`/verwaltung/dokumente/${document.id}`, `/verwaltung/dokumente/${document.id}/datei`]) expect((await nord.get(url)).status).toBe(404);
    expect((await nord.post(`/verwaltung/dokumente/${document.id}/zurueckziehen`)).status).toBe(404);
    expect(
      (
        await nord.postMultipart(
          propertyDocs(app.world.properties.rosenweg.id),
          { type: hausordnung(), share: 'property' },
          [fixture('hausordnung.pdf')],
          'files',
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await nord.postMultipart(
          `/verwaltung/kontakte/${app.world.contacts.kristina.id}/dokumente`,
          { share: 'property' },
          [fixture('hausordnung.pdf')],
          'files',
        )
      ).status,
    ).toBe(404);
    const form = new FormData();
    form.append('files', new Blob([readFileSync(path.join(FIXTURES, 'hausordnung.pdf'))]), 'x.pdf');
    const noToken = await fetch(new URL(propertyDocs(app.world.properties.rosenweg.id), app.baseUrl), {
      method: 'POST',
      body: form,
      headers: manager.browserHeaders(),
      redirect: 'manual',
    });
    expect(noToken.status).toBe(403);
  });
});

describe('Beirat', () => {
  it('lets staff put an owner on the Beirat of a property and take them off again', async () => {
    const rosenweg = app.world.properties.rosenweg;
    const eigner = app.world.contacts.eigner;
    const tab = await manager.get(`/verwaltung/liegenschaften/${rosenweg.id}/kontakte`);
    expect(tab.$(`#contact-${eigner.id} form.board-toggle button`).text()).toBe('In den Beirat');
    expect((await manager.post(`/verwaltung/liegenschaften/${rosenweg.id}/beirat/${eigner.id}`, { member: '1' })).status).toBe(303);
    expect(await app.em().count(AdvisoryBoardMember, { property: rosenweg.id, contact: eigner.id }, all)).toBe(1);
    const after = await manager.get(`/verwaltung/liegenschaften/${rosenweg.id}/kontakte`);
    expect(after.$(`#contact-${eigner.id} form.board-toggle button`).text()).toBe('Aus dem Beirat');
    expect((await manager.post(`/verwaltung/liegenschaften/${rosenweg.id}/beirat/${eigner.id}`, { member: '0' })).status).toBe(303);
    expect(await app.em().count(AdvisoryBoardMember, { property: rosenweg.id }, all)).toBe(0);
    // A tenant (no ownership there) cannot be put on the Beirat; neither by the other Verwaltung.
    expect(
      (await manager.post(`/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/beirat/${app.world.contacts.kristina.id}`, { member: '1' })).status,
    ).toBe(404);
    expect((await nord.post(`/verwaltung/liegenschaften/${rosenweg.id}/beirat/${eigner.id}`, { member: '1' })).status).toBe(404);
  });
});

describe('Administration > Dokumententypen', () => {
  const BASE = '/verwaltung/administration/dokumententypen';
  const typeId = async (name: string) => (await app.em().findOneOrFail(DocumentType, { organization: app.world.organizations.sonnenschein, name }, all)).id;

  it('is for admins only and linked from the administration', async () => {
    expect((await clerk.get(BASE)).status).toBe(403);
    const page = await manager.get(BASE);
    expect(page.status).toBe(200);
    expect(page.$(`.admin-nav a[href="${BASE}"]`).attr('aria-current')).toBe('page');
    expect(
      page
        .$('.type-tree tbody th')
        .map((_, th) => page.$(th).find('a').text())
        .get()
        .slice(0, 4),
    ).toEqual(['Objektunterlagen', 'Hausordnung', 'Energieausweis', 'Grundrisse']);
  });

  it('adds types down to five levels and no deeper', async () => {
    let parent = '';
    for (let level = 1; level <= MAX_DOCUMENT_TYPE_DEPTH; level++) {
      expect((await manager.post(BASE, { name: `Ebene ${level}`, parent })).status).toBe(303);
      parent = await typeId(`Ebene ${level}`);
    }
    const deeper = await manager.post(BASE, { name: 'Ebene 6', parent });
    expect(deeper.status).toBe(422);
    expect(deeper.$('#name-error').text()).toBe('Dokumententypen können höchstens fünf Ebenen tief sein.');
    expect((await manager.post(BASE, { name: '  ', parent: '' })).$('#name-error').text()).toBe('Bitte geben Sie einen Namen ein.');
  });

  it('moves, refusing cycles and depth over five; renames; reorders', async () => {
    const level1 = await typeId('Ebene 1');
    const level3 = await typeId('Ebene 3');
    const cycle = await manager.post(`${BASE}/${level1}/verschieben`, { parent: level3 });
    expect(cycle.status).toBe(422);
    expect(cycle.$('#move-error').text()).toBe('Ein Typ kann nicht unter sich selbst oder einen seiner Untertypen verschoben werden.');
    // Ebene 1 has four levels below it: under Objektunterlagen it would be six deep.
    const deep = await manager.post(`${BASE}/${level1}/verschieben`, { parent: await typeId('Objektunterlagen') });
    expect(deep.status).toBe(422);
    expect(deep.$('#move-error').text()).toBe('Dokumententypen können höchstens fünf Ebenen tief sein.');
    const level5 = await typeId('Ebene 5');
    expect((await manager.post(`${BASE}/${level5}/verschieben`, { parent: await typeId('Objektunterlagen') })).status).toBe(303);
    expect((await manager.post(`${BASE}/${level5}/umbenennen`, { name: 'Schlüsselpläne' })).status).toBe(303);
    const tree = await manager.get(BASE);
    expect(tree.$(`#type-${level5} th a`).text()).toBe('Schlüsselpläne');
    expect(tree.$(`#type-${level5}`).attr('data-depth')).toBe('2');

    const energie = await typeId('Energieausweis');
    expect((await manager.post(`${BASE}/${energie}/hoch`)).status).toBe(303);
    const reordered = await manager.get(BASE);
    const names = reordered
      .$('.type-tree tbody th > a')
      .map((_, a) => reordered.$(a).text())
      .get();
    expect(names.indexOf('Energieausweis')).toBeLessThan(names.indexOf('Hausordnung'));
  });

  it('refuses to delete a type with documents, merges it instead; deletes an unused one', async () => {
    const hausordnungId = hausordnung();
    const refused = await manager.post(`${BASE}/${hausordnungId}/loeschen`);
    expect(refused.status).toBe(422);
    expect(refused.$('#delete-error').text()).toBe('Dieser Typ wird noch verwendet. Führen Sie ihn stattdessen mit einem anderen zusammen.');
    const withChildren = await manager.post(`${BASE}/${await typeId('Ebene 3')}/loeschen`);
    expect(withChildren.status).toBe(422);

    const used = await app.em().count(Document, { type: hausordnungId }, all);
    expect(used).toBeGreaterThan(0);
    const target = await typeId('Grundrisse');
    const intoOwnChild = await manager.post(`${BASE}/${await typeId('Ebene 1')}/zusammenfuehren`, { target: await typeId('Ebene 2') });
    expect(intoOwnChild.status).toBe(422);
    expect((await manager.post(`${BASE}/${hausordnungId}/zusammenfuehren`, { target })).status).toBe(303);
    expect(await app.em().count(Document, { type: target }, all)).toBe(used);
    expect(await app.em().count(DocumentType, { id: hausordnungId }, all)).toBe(0);

    const unused = await typeId('Ebene 4');
    expect((await manager.post(`${BASE}/${unused}/zusammenfuehren`, { target: await typeId('Ebene 3') })).status).toBe(303);
    expect((await manager.post(`${BASE}/${await typeId('Sonstiges')}/loeschen`)).status).toBe(303);
    expect(await app.em().count(DocumentType, { organization: app.world.organizations.sonnenschein, name: 'Sonstiges' }, all)).toBe(0);
  });

  it("is a 404 for the other Verwaltung's types", async () => {
    const nordType = await app.em().findOneOrFail(DocumentType, { organization: app.world.organizations.nordhaus, name: 'Verträge' }, all);
    expect((await manager.get(`${BASE}/${nordType.id}`)).status).toBe(404);
    expect((await manager.post(`${BASE}/${nordType.id}/loeschen`)).status).toBe(404);
  });
});

describe('a long document list', () => {
  it('shows the newest 500 and says how many there are', async () => {
    const em = app.em();
    const type = em.create(DocumentType, { organization: app.world.organizations.sonnenschein.id, parent: null, name: 'Belege', position: 99 });
    const base = new Date('2026-01-01T08:00:00Z').getTime();
    for (let i = 0; i < 501; i++) {
      em.create(Document, {
        organization: app.world.organizations.sonnenschein.id,
        property: app.world.properties.test.id,
        type,
        title: `Beleg ${String(i).padStart(3, '0')}`,
        fileName: `beleg-${i}.pdf`,
        mimeType: 'application/pdf',
        size: 1000,
        storageKey: `00/${'0'.repeat(40)}`,
        publishedAt: new Date(base + i * 60_000),
        createdBy: app.world.staff.manager.id,
      });
    }
    await em.flush();
    const page = await manager.get(propertyDocs(app.world.properties.test.id));
    expect(page.$('table.document-list tbody tr')).toHaveLength(500);
    expect(page.$('table.document-list tbody tr th a').first().text()).toBe('Beleg 500');
    expect(
      page
        .$('#documents p.muted')
        .filter((_, p) => page.$(p).text().startsWith('Die neuesten'))
        .text(),
    ).toBe('Die neuesten 500 von 501 Dokumenten.');
  });
});

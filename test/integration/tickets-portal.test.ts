import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { OutboxMail, StaffUser, Ticket, TicketAttachment, TicketEntry, TicketFollower, ticketReference } from '../../src/entities/index.ts';
import { prepareTicketFiles } from '../../src/features/tickets/photos.ts';
import { addComment } from '../../src/features/tickets/service.ts';
import { localFileStorage } from '../../src/storage/files.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, FileField, Page } from '../support/client.ts';
import { filesUnder } from '../support/files.ts';
import { readPdf } from '../support/pdf.ts';
import { MAX_UPLOAD_BYTES } from '../../src/http/upload.ts';

/**
 * The resident side of Vorgänge (src/features/tickets/portal-routes.ts): "Anliegen melden",
 * "Meine Vorgänge", comments, reopening, "Ich bin auch betroffen" — over HTTP, with the
 * real SMTP receiver. Who sees which ticket is the rule of src/features/tickets/access.ts.
 */

const de = (ns: string) => JSON.parse(readFileSync(new URL(`../../locales/de/${ns}.json`, import.meta.url), 'utf8'));
const common = de('common');
const tickets = de('tickets');
const portal = de('tickets-portal');
const readOnly = de('preview').errors.readOnly;

const MANAGER = 'verwalter@sonnenschein-hv.de';
const CLERK = 'sachbearbeitung@sonnenschein-hv.de';
const KRISTINA = 'kristina.maiblume@example.de';
const EIGNER = 'heinrich.eigner@example.de';
const all = { filters: { tenant: false } } as const;

let app: TestApp;
let kristina: Client; // tenant of Wohnung 002, Max-Planck-Straße 12
let eigner: Client; // owner of Wohnung 002 (another contact), and of flats in Rosenweg 24
let frieda: Client; // a resident of the other Verwaltung (Nordhaus)
beforeAll(async () => {
  app = await startTestApp();
  [kristina, eigner, frieda] = await Promise.all(
    [KRISTINA, EIGNER, 'frieda.friesen@example.de'].map(async (email) => {
      const client = app.client();
      await client.loginPortal(email, app.world.password);
      return client;
    }),
  );
});
afterAll(() => app?.close());

const maxPlanck = () => app.world.properties.maxPlanck.id;
const list = (propertyId = maxPlanck()) => `/portal/liegenschaften/${propertyId}/vorgaenge`;
const detail = (ticket: { id: string }) => `${list()}/${ticket.id}`;
const demoTicket = (title: string) => app.em().findOneOrFail(Ticket, { title }, all);

/** Sends the outbox through the real job and returns what arrived since. */
async function delivered() {
  app.smtp.clear();
  await app.deliverMail();
  return [...app.smtp.messages];
}

/** What a refused form must not leave behind. */
async function counts() {
  const em = app.em();
  return {
    tickets: await em.count(Ticket, {}, all),
    entries: await em.count(TicketEntry, {}, all),
    attachments: await em.count(TicketAttachment, {}, all),
    mails: await em.count(OutboxMail, {}),
    temp: (await filesUnder(path.join(app.storageDir, 'tmp'))).length,
  };
}

/** The choices of the report form: the first Thema and Wohnung 002. */
async function choices(client: Client) {
  const page = await client.get(`${list()}/neu`);
  expect(page.status).toBe(200);
  return {
    category: page.$('select[name=category] option[value!=""]').first().attr('value')!,
    unit: `unit:${app.world.units.wohnung002.id}`,
  };
}

const report = async (client: Client, fields: Record<string, string>, files: FileField[] = []) => client.postMultipart(list(), fields, files, 'photos');

/** A camera-like JPEG: landscape pixels with EXIF orientation 6 (shown portrait) and a GPS position. */
function phoneJpeg() {
  return sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#c33' } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'Phone 15' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 31/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '13/1 24/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}
const smallPng = () =>
  sharp({ create: { width: 40, height: 30, channels: 3, background: '#36c' } })
    .png()
    .toBuffer();
// The GPS IFD pointer tag (0x8825) in either byte order.
const hasGps = (exif: Buffer | undefined) => !!exif && [Buffer.from([0x88, 0x25]), Buffer.from([0x25, 0x88])].some((tag) => exif.includes(tag));

/** An iPhone photo's start: an ISO-BMFF ftyp box of brand "heic" (file-type recognises it). */
const HEIC = Buffer.concat([
  Buffer.from('00000018', 'hex'),
  Buffer.from('ftypheic'),
  Buffer.from('00000000', 'hex'),
  Buffer.from('mif1heic'),
  Buffer.alloc(4096),
]);
/** A Windows program: "MZ" and the DOS stub. */
const EXE = Buffer.concat([
  Buffer.from('4d5a90000300000004000000ffff0000', 'hex'),
  Buffer.alloc(48),
  Buffer.from('This program cannot be run in DOS mode.'),
  Buffer.alloc(2048),
]);

const fieldError = (page: Page, name: string) => page.$(`#${name}-error`).text();
const timelineText = (page: Page) => page.$('.timeline').text().replace(/\s+/g, ' ');

/** A fresh EntityManager scoped to Sonnenschein, as the app's requests are. */
function scoped(): Em {
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  return em;
}

let reported: Ticket;
let photo: TicketAttachment;

describe('Anliegen melden', () => {
  it('is one click from the start page', async () => {
    const start = await kristina.get(`/portal/liegenschaften/${maxPlanck()}`);
    expect(start.$(`main a[href="${list()}/neu"]`).text()).toBe('Anliegen melden');
    // …and from every portal page, in the one row of the most used sections (issue 17).
    expect(start.$(`nav.portal-tabs a[href="${list()}/neu"]`).text()).toBe('Anliegen melden');
    expect(start.$(`nav.portalnav a[href="${list()}"]`).text()).toBe('Anliegen');
  });

  it('shows the form: Thema, Wo? with the own unit and the common areas, Titel, Beschreibung, the photo input last', async () => {
    const page = await kristina.get(`${list()}/neu`);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Anliegen melden');
    const form = page.$('main form[enctype="multipart/form-data"]');
    expect(form.attr('action')).toMatch(new RegExp(`^${list()}\\?_csrf=`));
    expect(
      form
        .find('select[name=category] option')
        .map((_, o) => page.$(o).text())
        .get(),
    ).toEqual(['Bitte wählen …', 'Schaden/Reparatur', 'Nebenkosten', 'Schlüssel', 'Allgemeine Frage']);
    const places = form
      .find('select[name=location] option')
      .map((_, o) => page.$(o).text())
      .get();
    expect(places).toContain('Einheit Wohnung 002');
    expect(
      form
        .find('select[name=location] optgroup option')
        .map((_, o) => page.$(o).text())
        .get(),
    ).toEqual(Object.values(tickets.areas));
    for (const name of ['category', 'location', 'title', 'description', 'photos'])
      expect(page.$(`label[for="${form.find(`[name=${name}]`).attr('id')}"]`).length, name).toBe(1);
    expect(form.find('input, select, textarea').last().attr('name')).toBe('photos');
    expect(form.find('input[type=file]').attr('accept')).toBe('image/*,application/pdf');
    expect(form.find('input[type=file]').attr('multiple')).toBeDefined();
    expect(form.text()).toContain('Fotos werden verkleinert und Standortdaten entfernt');
  });

  it('files a report with a phone photo: upright, at most 2048 px, without EXIF and GPS; the responsible staff get the mail', async () => {
    const jpeg = await phoneJpeg();
    const input = await sharp(jpeg).metadata();
    expect([input.width, input.height, input.orientation]).toEqual([3000, 2000, 6]);
    expect(hasGps(input.exif)).toBe(true);
    await delivered();

    const { category, unit } = await choices(kristina);
    const answer = await report(
      kristina,
      { category, location: unit, title: 'Heizung in Wohnung 002 fällt aus', description: 'Seit gestern Abend bleiben alle Heizkörper kalt.' },
      [{ name: 'heizung.jpg', type: 'image/jpeg', content: jpeg }],
    );
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    reported = await app.em().findOneOrFail(Ticket, { title: 'Heizung in Wohnung 002 fällt aus' }, { ...all, populate: ['reporterContact'] });
    expect(answer.location).toBe(`${detail(reported)}?hinweis=gemeldet`);
    expect(reported.reporter.id).toBe(app.world.portalUsers.kristina.id);
    expect(reported.reporterContact!.id).toBe(app.world.contacts.kristina.id);
    expect(reported.unit!.id).toBe(app.world.units.wohnung002.id);

    const page = await kristina.get(answer.location!);
    expect(page.status).toBe(200);
    expect(page.$('.notice').text()).toBe(`Ihr Anliegen wurde gemeldet (Nr. ${ticketReference(reported)}).`);
    expect(page.$('h1').text()).toBe('Heizung in Wohnung 002 fällt aus');
    expect(page.$('.badge.ticket-status').text()).toBe('Neu');
    expect(page.text).toContain('Seit gestern Abend bleiben alle Heizkörper kalt.');
    expect(page.$(`a[href="${detail(reported)}/pdf"]`).text()).toBe('Als PDF speichern');

    [photo] = await app.em().find(TicketAttachment, { ticket: reported.id }, all);
    const stored = await sharp(path.join(app.storageDir, 'files', photo.storageKey)).metadata();
    expect(stored.exif).toBeUndefined();
    expect(stored.height).toBeGreaterThan(stored.width!);
    expect(Math.max(stored.width!, stored.height!)).toBeLessThanOrEqual(2048);

    // The thumbnail and the photo, as the timeline links them.
    const img = page.$('.timeline img');
    expect(img.attr('src')).toBe(`${detail(reported)}/anhaenge/${photo.id}/vorschau`);
    const thumb = await fetch(new URL(img.attr('src')!, app.baseUrl), { headers: kristina.browserHeaders() });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const thumbMeta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(Math.max(thumbMeta.width!, thumbMeta.height!)).toBeLessThanOrEqual(480);
    const full = await fetch(new URL(`${detail(reported)}/anhaenge/${photo.id}`, app.baseUrl), { headers: kristina.browserHeaders() });
    expect(full.status).toBe(200);
    expect((await full.arrayBuffer()).byteLength).toBe(photo.size);

    const mails = await delivered();
    const staffMail = mails.find((m) => m.subject === `Neuer Vorgang ${ticketReference(reported)}: Heizung in Wohnung 002 fällt aus`);
    expect(staffMail?.to).toEqual([MANAGER]);
    expect(mails.flatMap((m) => m.to)).not.toContain(KRISTINA);
    expect(mails.flatMap((m) => m.to)).not.toContain(CLERK);

    const mine = await kristina.get(list());
    expect(mine.$('#my-tickets li').first().attr('id')).toBe(`ticket-${reported.id}`);
    expect(mine.$('#my-tickets li').first().text()).toContain(`Nr. ${ticketReference(reported)}`);
    expect(mine.$('a.button.primary').attr('href')).toBe(`${list()}/neu`);
  });

  it('refuses an iPhone HEIC photo with its own message, keeps the text, saves and mails nothing', async () => {
    const { category, unit } = await choices(kristina);
    const before = await counts();
    const page = await report(kristina, { category, location: unit, title: 'Fenster undicht', description: 'Es zieht am Fenster.' }, [
      { name: 'IMG_0001.HEIC', type: 'image/heic', content: HEIC },
    ]);
    expect(page.status).toBe(422);
    expect(fieldError(page, 'photos')).toBe(common.upload.heic);
    expect(page.text).toContain(portal.photosAgain);
    expect(page.$('input[name=title]').val()).toBe('Fenster undicht');
    expect(page.$('textarea[name=description]').text()).toBe('Es zieht am Fenster.');
    expect(page.$('select[name=category]').val()).toBe(category);
    expect(page.$('select[name=location]').val()).toBe(unit);
    expect(await counts()).toEqual(before);
  });

  it('refuses a photo over 50 MB by its size, keeps the text, saves and mails nothing, and leaves no temp file', async () => {
    const { category, unit } = await choices(kristina);
    await delivered();
    const before = await counts();
    // A JPEG's first bytes, then one byte more than the limit.
    const huge = Buffer.alloc(MAX_UPLOAD_BYTES + 1);
    (await phoneJpeg()).copy(huge);
    const page = await report(kristina, { category, location: unit, title: 'Riesiges Foto', description: 'Aus der Kamera.' }, [
      { name: 'riesig.jpg', type: 'image/jpeg', content: huge },
    ]);
    expect(page.status).toBe(422);
    expect(fieldError(page, 'photos')).toBe(common.upload.tooLarge);
    expect(page.$('input[name=title]').val()).toBe('Riesiges Foto');
    expect(await counts()).toEqual(before);
    expect(await delivered()).toEqual([]);
  });

  it('refuses a program named like a photo', async () => {
    const { category, unit } = await choices(kristina);
    const before = await counts();
    const page = await report(kristina, { category, location: unit, title: 'Foto anbei', description: 'Siehe Foto.' }, [
      { name: 'foto.jpg', type: 'image/jpeg', content: EXE },
    ]);
    expect(page.status).toBe(422);
    expect(fieldError(page, 'photos')).toBe(common.upload.wrongPhotoType);
    expect(await counts()).toEqual(before);
  });

  it('answers an empty description and no Thema with the messages at the fields, the title kept, and a good photo discarded', async () => {
    const { unit } = await choices(kristina);
    const before = await counts();
    const page = await report(kristina, { category: '', location: unit, title: 'Briefkasten klemmt', description: '  ' }, [
      { name: 'b.png', type: 'image/png', content: await smallPng() },
    ]);
    expect(page.status).toBe(422);
    expect(fieldError(page, 'category')).toBe(tickets.errors.categoryRequired);
    expect(fieldError(page, 'description')).toBe(tickets.errors.descriptionRequired);
    expect(page.$('#ticket-description').attr('aria-invalid')).toBe('true');
    expect(fieldError(page, 'title')).toBe('');
    expect(page.$('input[name=title]').val()).toBe('Briefkasten klemmt');
    expect(await counts()).toEqual(before);
  });

  it('refuses a place that is not the resident’s: another unit is no choice', async () => {
    const { category } = await choices(kristina);
    const other = await app.em().findOneOrFail(Ticket, { title: 'Wann wird die Hecke geschnitten?' }, all);
    const before = await counts();
    const page = await report(kristina, { category, location: `unit:${other.property.id}`, title: 'X', description: 'Y' });
    expect(page.status).toBe(422);
    expect(fieldError(page, 'location')).toBe(tickets.errors.locationRequired);
    expect(await counts()).toEqual(before);
  });
});

describe('who sees a concern', () => {
  it('gives Dr. Heinrich Eigner, owner of the same flat, a 404 on Kristina’s concern, its comment form and its photo', async () => {
    expect((await eigner.get(detail(reported))).status).toBe(404);
    expect((await eigner.get(`${detail(reported)}/anhaenge/${photo.id}`)).status).toBe(404);
    expect((await eigner.get(`${detail(reported)}/anhaenge/${photo.id}/vorschau`)).status).toBe(404);
    await delivered();
    const before = await counts();
    const answer = await eigner.postMultipart(`${detail(reported)}/kommentare`, { body: 'Ich schaue mal nach.' }, [], 'photos');
    expect(answer.status).toBe(404);
    expect(await counts()).toEqual(before);
    expect(await delivered()).toEqual([]);
    const own = await eigner.get(list());
    expect(own.status).toBe(200);
    expect(own.text).not.toContain('Heizung in Wohnung 002 fällt aus');
  });

  it('gives a resident of another Verwaltung a 404 on the list and the concern', async () => {
    expect((await frieda.get(list())).status).toBe(404);
    expect((await frieda.get(detail(reported))).status).toBe(404);
    expect((await frieda.get(`${list()}/neu`)).status).toBe(404);
  });

  it('never shows internal notes to the reporter, but the public comment and the Zuständiger Mitarbeiter', async () => {
    const tap = await demoTicket('Wasserhahn in der Küche tropft');
    const door = await demoTicket('Kellertür schließt nicht mehr');
    const tapPage = await kristina.get(detail(tap));
    const doorPage = await kristina.get(detail(door));
    expect([tapPage.status, doorPage.status]).toEqual([200, 200]);
    for (const page of [tapPage, doorPage, await kristina.get(list())]) {
      expect(page.text).not.toContain('Dichtung getauscht');
      expect(page.text).not.toContain('Schlosserei Meier');
      expect(page.text).not.toContain(tickets.entry.note);
    }
    expect(timelineText(tapPage)).toContain('Der Hausmeister kommt am Donnerstag zwischen 8 und 12 Uhr vorbei.');
    expect(tapPage.$('.ticket-facts').text()).toContain(`Zuständiger Mitarbeiter${app.world.staff.clerk.name}`);
    expect(doorPage.$('.ticket-facts').text()).toContain(app.world.staff.manager.name);
    expect(tapPage.$('.badge.ticket-status').first().text()).toBe('Erledigt');
  });

  it('gives the reporter a PDF of the public communication only, and a neighbour a 404', async () => {
    const door = await demoTicket('Kellertür schließt nicht mehr');
    const response = await fetch(new URL(`${detail(door)}/pdf`, app.baseUrl), { headers: kristina.browserHeaders() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="Anliegen-${ticketReference(door)}.pdf"`);
    const text = (await readPdf(new Uint8Array(await response.arrayBuffer()))).texts.join('\n');
    expect(text).toContain('Kellertür schließt nicht mehr');
    expect(text).toContain('Eine Schlosserei ist beauftragt.');
    expect(text).not.toContain('Schlosserei Meier');
    expect(text).not.toContain('INTERNE NOTIZ');
    expect((await eigner.get(`${detail(reported)}/pdf`)).status).toBe(404);
    expect((await frieda.get(`${detail(door)}/pdf`)).status).toBe(404);
  });

  it('never serves the photo of an internal note, not even by its id', async () => {
    const door = await demoTicket('Kellertür schließt nicht mehr');
    const storage = localFileStorage(app.storageDir);
    await mkdir(storage.tempDir, { recursive: true });
    const tempPath = path.join(storage.tempDir, 'internal-note-photo');
    await writeFile(tempPath, await smallPng());
    const { files } = await prepareTicketFiles(storage, [
      { tempPath, originalName: 'angebot.png', fileName: 'angebot.png', size: 1, ext: 'png', mimeType: 'image/png' },
    ]);
    const em = scoped();
    const staff = await em.findOneOrFail(StaffUser, app.world.staff.manager.id);
    const note = await addComment(
      em,
      storage,
      await em.findOneOrFail(Ticket, door.id),
      { staff },
      { body: 'Foto vom Angebot, nur intern.', internal: true, files, now: app.clock.now(), baseUrl: app.baseUrl },
    );
    const [attachment] = await app.em().find(TicketAttachment, { entry: note.id }, all);
    expect((await kristina.get(`${detail(door)}/anhaenge/${attachment.id}`)).status).toBe(404);
    expect((await kristina.get(`${detail(door)}/anhaenge/${attachment.id}/vorschau`)).status).toBe(404);
    const page = await kristina.get(detail(door));
    expect(page.text).not.toContain(attachment.id);
    expect(page.text).not.toContain('nur intern');
  });

  it('answers a malformed or unknown ticket id with 404', async () => {
    expect((await kristina.get(`${list()}/nope`)).status).toBe(404);
    expect((await kristina.get(`${list()}/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });
});

describe('the preview of Max-Planck-Straße 12', () => {
  it('shows the list read-only: no own concerns, the concerns of the house without a button; creating and commenting are refused', async () => {
    const staff = app.client();
    await staff.loginStaff(MANAGER, app.world.password);
    expect((await staff.get(`/verwaltung/liegenschaften/${maxPlanck()}/vorschau`)).status).toBe(303);
    const base = `/portal/vorschau/liegenschaften/${maxPlanck()}/vorgaenge`;
    const page = await staff.get(base);
    expect(page.status).toBe(200);
    expect(page.$('#my-tickets .empty').text()).toBe(portal.index.none);
    expect(page.$('#joinable-tickets').text()).toContain('Kellertür schließt nicht mehr');
    // The preview shows what residents can do, with disabled buttons (issue 17).
    expect(page.$('#joinable-tickets form button').length).toBeGreaterThan(0);
    expect(page.$('#joinable-tickets form button:not([disabled])').length).toBe(0);
    expect(page.text).not.toContain('steht nachts offen');
    expect(page.$('main a.button.primary').attr('href')).toBe(`${base}/neu`);
    const form = await staff.get(`${base}/neu`);
    expect(form.$('main form button[type=submit]').attr('disabled')).toBeDefined();

    const { category, unit } = await choices(kristina);
    const before = await counts();
    const created = await staff.postMultipart(base, { category, location: unit, title: 'Aus der Vorschau', description: 'Nein.' }, [], 'photos');
    expect(created.status).toBe(403);
    expect(created.$('[role=alert]').text()).toBe(readOnly);
    const door = await demoTicket('Kellertür schließt nicht mehr');
    expect((await staff.postMultipart(`${base}/${door.id}/kommentare`, { body: 'Aus der Vorschau' }, [], 'photos')).status).toBe(403);
    expect((await staff.post(`${base}/${door.id}/betroffen`)).status).toBe(403);
    expect((await staff.get(`${base}/${door.id}`)).status).toBe(404);
    expect(await counts()).toEqual(before);
  });
});

describe('comments and reopening', () => {
  it('sends Kristina’s comment to the assignee, not to herself, and shows it in her timeline', async () => {
    const door = await demoTicket('Kellertür schließt nicht mehr');
    await delivered();
    const answer = await kristina.postMultipart(
      `${detail(door)}/kommentare`,
      { body: 'Die Tür steht heute wieder offen.' },
      [{ name: 'tuer.png', type: 'image/png', content: await smallPng() }],
      'photos',
    );
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    const entry = await app
      .em()
      .findOneOrFail(TicketEntry, { ticket: door.id, body: 'Die Tür steht heute wieder offen.' }, { ...all, populate: ['attachments'] });
    expect(answer.location).toBe(`${detail(door)}?hinweis=kommentiert#entry-${entry.id}`);
    expect(entry.attachments).toHaveLength(1);
    const page = await kristina.get(detail(door));
    expect(page.$(`#entry-${entry.id}`).text()).toContain('Die Tür steht heute wieder offen.');
    expect(page.$(`#entry-${entry.id} a`).attr('href')).toBe(`${detail(door)}/anhaenge/${entry.attachments[0].id}`);
    const mails = await delivered();
    expect(mails.flatMap((m) => m.to)).toEqual([MANAGER]);
    expect(mails[0].subject).toBe(`Vorgang ${ticketReference(door)}: neue Nachricht`);
    expect(mails[0].text).toContain('Die Tür steht heute wieder offen.');
  });

  it('answers an empty comment or a HEIC photo with 422 at the field, the text kept, nothing saved', async () => {
    const door = await demoTicket('Kellertür schließt nicht mehr');
    const before = await counts();
    const empty = await kristina.postMultipart(`${detail(door)}/kommentare`, { body: '   ' }, [], 'photos');
    expect(empty.status).toBe(422);
    expect(fieldError(empty, 'body')).toBe(tickets.errors.commentRequired);
    const heic = await kristina.postMultipart(
      `${detail(door)}/kommentare`,
      { body: 'Foto vom Schloss' },
      [{ name: 'schloss.heic', type: 'image/heic', content: HEIC }],
      'photos',
    );
    expect(heic.status).toBe(422);
    expect(fieldError(heic, 'photos')).toBe(common.upload.heic);
    expect(heic.$('textarea[name=body]').text()).toBe('Foto vom Schloss');
    expect(heic.$('h1').text()).toBe('Kellertür schließt nicht mehr');
    expect(heic.text).not.toContain('Schlosserei Meier');
    expect(await counts()).toEqual(before);
  });

  it('lets Kristina reopen her closed concern: "Wieder geöffnet" in the timeline, and the assignee is told', async () => {
    const tap = await demoTicket('Wasserhahn in der Küche tropft');
    const before = await kristina.get(detail(tap));
    expect(before.$('form[action$="/erneut-oeffnen"] button').text()).toBe('Anliegen erneut öffnen');
    await delivered();
    const answer = await kristina.post(`${detail(tap)}/erneut-oeffnen`);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${detail(tap)}?hinweis=wiedergeoeffnet`);
    const page = await kristina.get(answer.location!);
    expect(page.$('.badge.ticket-status').first().text()).toBe(tickets.status.reopened);
    expect(timelineText(page)).toContain(tickets.entry.reopened_resident);
    expect(page.$('form[action$="/erneut-oeffnen"]').length).toBe(0);
    expect((await app.em().findOneOrFail(Ticket, tap.id, all)).status).toBe('reopened');
    const mails = await delivered();
    expect(mails.flatMap((m) => m.to)).toEqual([CLERK]);
    expect(mails[0].subject).toBe(`Vorgang ${ticketReference(tap)}: neue Nachricht`);
  });
});

describe('Ich bin auch betroffen', () => {
  it('lets a neighbour join an open common-area concern, see it, and get the public updates; staff see who joined, residents the count', async () => {
    const door = await demoTicket('Kellertür schließt nicht mehr');
    expect((await eigner.get(detail(door))).status).toBe(404);
    const listPage = await eigner.get(list());
    const item = listPage.$(`#joinable-${door.id}`);
    expect(item.text()).toContain('Kellertür schließt nicht mehr');
    expect(item.text()).toContain(`Nr. ${ticketReference(door)}`);
    expect(listPage.text).not.toContain('steht nachts offen');
    expect(item.find('form button').text()).toBe('Ich bin auch betroffen');
    // Kristina reported it herself: no button for her.
    expect((await kristina.get(list())).$(`#joinable-${door.id} form`).length).toBe(0);

    const joined = await eigner.post(`${detail(door)}/betroffen`);
    expect(joined.status).toBe(303);
    expect(joined.location).toBe(`${detail(door)}?hinweis=betroffen`);
    const page = await eigner.get(joined.location!);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Kellertür schließt nicht mehr');
    expect(timelineText(page)).toContain('Eine Schlosserei ist beauftragt.');
    // Kristina did not share her report: he sees neither it nor her name (tickets-privacy.test.ts).
    expect(page.text).not.toContain('steht nachts offen');
    expect(page.text).not.toContain('Kristina Maiblume');
    expect(page.text).not.toContain('Schlosserei Meier');
    expect((await eigner.get(list())).$(`#my-tickets #ticket-${door.id}`).length).toBe(1);

    // Joining again changes nothing.
    expect((await eigner.post(`${detail(door)}/betroffen`)).status).toBe(303);
    expect(await app.em().count(TicketFollower, { ticket: door.id }, all)).toBe(1);
    const followerEntries = await app.em().find(TicketEntry, { ticket: door.id, kind: 'follower' }, all);
    expect(followerEntries.map((e) => [e.internal, e.authorName])).toEqual([[true, app.world.portalUsers.eigner.name]]);
    const reporterView = await kristina.get(detail(door));
    expect(reporterView.$('.followers').text()).toBe('1 weitere Person');
    expect(reporterView.text).not.toContain(app.world.portalUsers.eigner.name);

    // A follower does not reopen or act as the reporter.
    expect((await eigner.post(`${detail(door)}/erneut-oeffnen`)).status).toBe(404);

    await delivered();
    const em = scoped();
    const staff = await em.findOneOrFail(StaffUser, app.world.staff.manager.id);
    await addComment(
      em,
      localFileStorage(app.storageDir),
      await em.findOneOrFail(Ticket, door.id),
      { staff },
      { body: 'Die Schlosserei kommt am Montag.', internal: false, files: [], now: app.clock.now(), baseUrl: app.baseUrl },
    );
    const mails = await delivered();
    expect(mails.flatMap((m) => m.to).sort()).toEqual([EIGNER, KRISTINA]);
    expect(mails.every((m) => m.text.includes('Die Schlosserei kommt am Montag.'))).toBe(true);
  });

  it('refuses to join a concern about a unit, or one of another property', async () => {
    const tap = await demoTicket('Wasserhahn in der Küche tropft');
    const hedge = await demoTicket('Wann wird die Hecke geschnitten?');
    expect((await eigner.post(`${detail(tap)}/betroffen`)).status).toBe(404);
    expect((await kristina.post(`${detail(hedge)}/betroffen`)).status).toBe(404);
    expect(await app.em().count(TicketFollower, { ticket: { $in: [tap.id, hedge.id] } }, all)).toBe(0);
  });
});

describe('numbers', () => {
  it('gives 50 concerns posted at once over HTTP 50 distinct, consecutive numbers', async () => {
    const { category, unit } = await choices(kristina);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => report(kristina, { category, location: unit, title: `Gleichzeitig ${i}`, description: 'Parallel gemeldet.' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(303));
    const created = await app.em().find(Ticket, { title: { $like: 'Gleichzeitig %' } }, all);
    const numbers = created.map((t) => t.number).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(50);
    expect(numbers[49] - numbers[0]).toBe(49);
    expect(numbers[0]).toBe(reported.number + 1);
  });
});

import * as cheerio from 'cheerio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Announcement, Attachment, OutboxMail } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { pageFrom, type Client, type FileField } from '../support/client.ts';
import { filesUnder, SAMPLE_FILES } from '../support/files.ts';
import { linkIn } from '../support/smtp.ts';

const { pdf: PDF, png: PNG, word: WORD } = SAMPLE_FILES;

let app: TestApp;
let manager: Client;
let kristina: Client;
let eigner: Client;
beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  kristina = app.client();
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
  eigner = app.client();
  await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
});
afterAll(() => app?.close());
beforeEach(async () => {
  app.clock.advance(60_000);
  // Mails queued by an earlier test must not count for this one.
  await app.deliverMail();
  app.smtp.clear();
});

type Fields = Record<string, string | string[]>;

const ids = () => ({ test: app.world.properties.test.id, maxPlanck: app.world.properties.maxPlanck.id, rosenweg: app.world.properties.rosenweg.id });

/** Creates a Mitteilung through the form and returns its id. */
async function create(fields: Fields, action: 'publish' | 'draft' = 'publish', files: FileField[] = []): Promise<string> {
  const answer = await manager.postMultipart('/verwaltung/mitteilungen', { body: 'Text', ...fields, action }, files);
  expect(answer.status, answer.$('.field-error').text()).toBe(303);
  const match = answer.location!.match(/^\/verwaltung\/mitteilungen\/([0-9a-f-]{36})\?gespeichert=/);
  expect(match).not.toBeNull();
  return match![1];
}

async function recipients(): Promise<string[]> {
  await app.deliverMail();
  return app.smtp.messages.flatMap((m) => m.to).sort();
}

async function counts() {
  const em = app.em();
  const all = { filters: { tenant: false } } as const;
  return { announcements: await em.count(Announcement, {}, all), attachments: await em.count(Attachment, {}, all), mails: await em.count(OutboxMail, {}) };
}

const portalList = (propertyId: string) => `/portal/liegenschaften/${propertyId}/mitteilungen`;

describe('the form "Neue Mitteilung"', () => {
  it('offers Senden an with all properties of the Verwaltung, Titel, Inhalt and the paperclip last', async () => {
    const page = await manager.get('/verwaltung/mitteilungen/neu');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Neue Mitteilung');
    const form = page.$('form[enctype="multipart/form-data"]');
    expect(form.attr('action')).toMatch(/^\/verwaltung\/mitteilungen\?_csrf=/);
    expect(form.find('legend').text()).toBe('Senden an');
    const options = form
      .find('#recipient-options label')
      .map((_, l) => page.$(l).text().trim())
      .get();
    expect(options).toEqual(expect.arrayContaining(['Max-Planck-Straße 12', 'Rosenweg 24', 'TESTLIEGENSCHAFT']));
    expect(options).not.toContain('Hafenstraße 9');
    expect(
      form
        .find('label')
        .filter((_, l) => page.$(l).text().trim() === 'Alle Liegenschaften')
        .find('input[type=checkbox]'),
    ).toHaveLength(1);
    expect(form.find('label[for=announcement-title]').text()).toBe('Titel');
    expect(form.find('label[for=announcement-body]').text()).toBe('Inhalt');
    expect(form.find('label[for=announcement-attachments]').text()).toContain('Anhänge');
    expect(form.find('input, textarea, select').last().attr('type')).toBe('file');
    expect(
      form
        .find('button')
        .map((_, b) => page.$(b).text())
        .get(),
    ).toEqual(['Als Entwurf speichern', 'Mitteilung veröffentlichen']);
  });

  it('suggests matching properties and keeps the chosen ones', async () => {
    const page = await manager.get(`/verwaltung/mitteilungen/empfaenger?q=rosen&propertyIds=${ids().test}`, { 'hx-request': 'true' });
    expect(page.status).toBe(200);
    const labels = page
      .$('label')
      .map((_, l) => page.$(l).text().trim())
      .get();
    expect(labels).toEqual(['TESTLIEGENSCHAFT', 'Rosenweg 24']);
    expect(page.$('input:checked').val()).toBe(ids().test);
    const street = await manager.get('/verwaltung/mitteilungen/empfaenger?q=Max-Planck');
    expect(
      street
        .$('label')
        .map((_, l) => street.$(l).text().trim())
        .get(),
    ).toEqual(['Max-Planck-Straße 12']);
    const hamburg = await manager.get('/verwaltung/mitteilungen/empfaenger?q=Hamburg');
    expect(hamburg.$('label')).toHaveLength(0);
    expect(hamburg.$('[role=status]').text()).toBe('Keine passende Liegenschaft gefunden.');
  });
});

describe('publishing', () => {
  it('to Max-Planck-Straße 12 mails Kristina and Dr. Eigner once each, with a link to the Mitteilung', async () => {
    const id = await create({
      title: 'Wartung der Heizungsanlage',
      body: 'Am Dienstag kein Warmwasser.\n\nDetails: https://example.de/wartung',
      propertyIds: [ids().maxPlanck],
    });
    expect(await recipients()).toEqual(['heinrich.eigner@example.de', 'kristina.maiblume@example.de']);
    const [mail] = app.smtp.to('kristina.maiblume@example.de');
    expect(mail.subject).toBe('Neue Mitteilung: Wartung der Heizungsanlage');
    expect(mail.text).toContain('Am Dienstag kein Warmwasser.');
    // The mail's link is signed for her (following it counts as opened, issue 19) and leads to the Mitteilung.
    const link = linkIn(mail, '/benachrichtigungen/mitteilung/');
    expect(link).toContain(`${app.baseUrl}/benachrichtigungen/mitteilung/${id}/${ids().maxPlanck}/`);
    const html = cheerio.load(mail.html);
    expect(
      html('a')
        .filter((_, a) => html(a).text() === 'Mitteilung im Portal ansehen')
        .attr('href'),
    ).toBe(link);

    const followed = await kristina.get(new URL(link).pathname);
    expect(followed.location).toBe(`/portal/liegenschaften/${ids().maxPlanck}/mitteilungen/${id}`);
    const detail = await kristina.get(followed.location!);
    expect(detail.status).toBe(200);
    expect(detail.$('h1').text()).toBe('Wartung der Heizungsanlage');
    expect(detail.$('.rich-text p')).toHaveLength(2);
    expect(detail.$('.rich-text a').attr('href')).toBe('https://example.de/wartung');
    expect(detail.$('.portalnav a[aria-current=page]').text()).toBe('Mitteilungen');
  });

  it('to Rosenweg 24 mails only Dr. Eigner, and to TESTLIEGENSCHAFT nobody', async () => {
    await create({ title: 'Treppenhausreinigung', propertyIds: [ids().rosenweg] });
    expect(await recipients()).toEqual(['heinrich.eigner@example.de']);
    expect(linkIn(app.smtp.messages[0], '/benachrichtigungen/mitteilung/')).toContain(`/${ids().rosenweg}/`);
    app.smtp.clear();
    const id = await create({ title: 'Test an TESTLIEGENSCHAFT', propertyIds: [ids().test] });
    expect(await recipients()).toEqual([]);
    const list = await manager.get('/verwaltung/mitteilungen');
    const row = list.$(`#announcement-${id}`);
    expect(row.find('td').eq(0).text()).toBe('Veröffentlicht');
    expect(row.find('td').eq(1).text()).toBe('TESTLIEGENSCHAFT');
  });

  it('to all properties mails every registered resident of the Verwaltung once, never Frieda of the other one', async () => {
    await create({ title: 'Willkommen im Kundenportal', allProperties: '1' });
    expect(await recipients()).toEqual(['heinrich.eigner@example.de', 'kristina.maiblume@example.de']);
    // Dr. Eigner's link goes to the first of his properties.
    expect(linkIn(app.smtp.to('heinrich.eigner@example.de')[0], '/benachrichtigungen/mitteilung/')).toContain(`/${ids().maxPlanck}/`);
    for (const [client, property] of [
      [eigner, ids().rosenweg],
      [eigner, ids().maxPlanck],
      [kristina, ids().maxPlanck],
    ] as const) {
      const list = await client.get(portalList(property));
      expect(
        list
          .$('article h2')
          .map((_, h) => list.$(h).text())
          .get(),
      ).toContain('Willkommen im Kundenportal');
    }
  });

  it('sends nothing for a draft, which residents do not see, and mails when the draft is published later', async () => {
    const id = await create({ title: 'Entwurf Ablesung', propertyIds: [ids().maxPlanck] }, 'draft');
    expect(await recipients()).toEqual([]);
    const list = await kristina.get(portalList(ids().maxPlanck));
    expect(list.text).not.toContain('Entwurf Ablesung');
    expect((await kristina.get(`${portalList(ids().maxPlanck)}/${id}`)).status).toBe(404);

    const edit = await manager.get(`/verwaltung/mitteilungen/${id}`);
    expect(edit.$('#announcement-title').val()).toBe('Entwurf Ablesung');
    expect(edit.$('#recipient-options input:checked').val()).toBe(ids().maxPlanck);
    const published = await manager.postMultipart(`/verwaltung/mitteilungen/${id}`, {
      title: 'Ablesung der Heizkostenverteiler',
      body: 'Im Januar.',
      propertyIds: ids().maxPlanck,
      action: 'publish',
    });
    expect(published.status).toBe(303);
    expect(await recipients()).toEqual(['heinrich.eigner@example.de', 'kristina.maiblume@example.de']);
    expect(app.smtp.messages[0].subject).toBe('Neue Mitteilung: Ablesung der Heizkostenverteiler');
  });

  it('editing a published one sends no mail unless "Empfänger erneut benachrichtigen" is ticked', async () => {
    const id = await create({ title: 'Müllabfuhr', propertyIds: [ids().rosenweg] });
    await recipients();
    app.smtp.clear();
    const edit = await manager.get(`/verwaltung/mitteilungen/${id}`);
    expect(
      edit
        .$('label')
        .filter((_, l) => edit.$(l).text().trim() === 'Empfänger erneut benachrichtigen')
        .find('input'),
    ).toHaveLength(1);
    expect(
      (
        await manager.postMultipart(`/verwaltung/mitteilungen/${id}`, {
          title: 'Müllabfuhr (geändert)',
          body: 'Neu',
          propertyIds: ids().rosenweg,
          action: 'save',
        })
      ).status,
    ).toBe(303);
    expect(await recipients()).toEqual([]);
    const list = await eigner.get(portalList(ids().rosenweg));
    expect(list.text).toContain('Müllabfuhr (geändert)');

    await manager.postMultipart(`/verwaltung/mitteilungen/${id}`, {
      title: 'Müllabfuhr (neu)',
      body: 'Neu',
      propertyIds: ids().rosenweg,
      notifyAgain: '1',
      action: 'save',
    });
    expect(await recipients()).toEqual(['heinrich.eigner@example.de']);
  });

  it('withdrawing hides it in the portal, its attachments too', async () => {
    const id = await create({ title: 'Zurückzuziehen', propertyIds: [ids().maxPlanck] }, 'publish', [
      { name: 'Plan.pdf', type: 'application/pdf', content: PDF },
    ]);
    const attachment = await app.em().findOneOrFail(Attachment, { announcement: id }, { filters: { tenant: false } });
    const detail = `${portalList(ids().maxPlanck)}/${id}`;
    expect((await kristina.get(detail)).status).toBe(200);
    expect((await kristina.get(`${detail}/anhaenge/${attachment.id}`)).status).toBe(200);
    await recipients();
    app.smtp.clear();

    const answer = await manager.post(`/verwaltung/mitteilungen/${id}/zurueckziehen`);
    expect(answer.status).toBe(303);
    expect((await manager.get(answer.location!)).$('#announcement-status').text()).toContain('Zurückgezogen');
    expect((await kristina.get(detail)).status).toBe(404);
    expect((await kristina.get(`${detail}/anhaenge/${attachment.id}`)).status).toBe(404);
    expect((await kristina.get(portalList(ids().maxPlanck))).text).not.toContain('Zurückzuziehen');
    expect(await recipients()).toEqual([]);
  });
});

describe('attachments', () => {
  it('are listed in the portal and downloaded with safe headers', async () => {
    const id = await create({ title: 'Mit Anhängen', propertyIds: [ids().maxPlanck] }, 'publish', [
      { name: 'Hausordnung 2026.pdf', type: 'application/pdf', content: PDF },
      { name: 'Übergabe.doc', type: 'application/msword', content: WORD },
      { name: 'Foto.png', type: 'image/png', content: PNG },
    ]);
    const list = await kristina.get(portalList(ids().maxPlanck));
    const article = list.$(`#announcement-${id}`);
    const links = article.find('.attachments a');
    expect(links.map((_, a) => list.$(a).text()).get()).toEqual(['Hausordnung 2026.pdf', 'Übergabe.doc', 'Foto.png']);

    const pdf = await fetch(new URL(links.eq(0).attr('href')!, app.baseUrl), { headers: kristina.browserHeaders() });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toBe(`inline; filename="Hausordnung 2026.pdf"; filename*=UTF-8''Hausordnung%202026.pdf`);
    expect(pdf.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await pdf.arrayBuffer()).equals(PDF)).toBe(true);

    const word = await fetch(new URL(links.eq(1).attr('href')!, app.baseUrl), { headers: kristina.browserHeaders() });
    expect(word.headers.get('content-type')).toBe('application/msword');
    expect(word.headers.get('content-disposition')).toMatch(/^attachment; filename="_bergabe.doc"; filename\*=UTF-8''%C3%9Cbergabe.doc$/);
    expect(Buffer.from(await word.arrayBuffer()).length).toBe(WORD.length);

    const png = await fetch(new URL(links.eq(2).attr('href')!, app.baseUrl), { headers: kristina.browserHeaders() });
    expect(png.headers.get('content-disposition')).toMatch(/^inline;/);
    await png.arrayBuffer();

    // The Rosenweg resident (Dr. Eigner's other property) sees it only through Max-Planck-Straße 12.
    const other = links.eq(0).attr('href')!.replace(ids().maxPlanck, ids().rosenweg);
    expect((await eigner.get(other)).status).toBe(404);
    expect((await eigner.get(links.eq(0).attr('href')!)).status).toBe(200);
  });

  it('can be removed in the console', async () => {
    const id = await create({ title: 'Anhang entfernen', propertyIds: [ids().test] }, 'draft', [{ name: 'Alt.pdf', type: 'application/pdf', content: PDF }]);
    const before = await filesUnder(app.storageDir);
    const edit = await manager.get(`/verwaltung/mitteilungen/${id}`);
    const action = edit.$('#current-attachments form').attr('action')!;
    expect((await manager.post(action)).status).toBe(303);
    expect((await manager.get(`/verwaltung/mitteilungen/${id}`)).$('#current-attachments')).toHaveLength(0);
    expect((await filesUnder(app.storageDir)).length).toBe(before.length - 1);
  });
});

describe('who must not see it', () => {
  let id: string;
  let attachmentPath: string;
  beforeAll(async () => {
    id = await create({ title: 'Nur Rosenweg', propertyIds: [ids().rosenweg] }, 'publish', [{ name: 'Plan.pdf', type: 'application/pdf', content: PDF }]);
    const attachment = await app.em().findOneOrFail(Attachment, { announcement: id }, { filters: { tenant: false } });
    attachmentPath = `/mitteilungen/${id}/anhaenge/${attachment.id}`;
  });

  it('a resident of another property gets 404 for the Mitteilung and its attachment', async () => {
    for (const property of [ids().maxPlanck, ids().rosenweg]) {
      expect((await kristina.get(`/portal/liegenschaften/${property}/mitteilungen/${id}`)).status).toBe(404);
      expect((await kristina.get(`/portal/liegenschaften/${property}${attachmentPath}`)).status).toBe(404);
    }
    expect((await kristina.get(portalList(ids().maxPlanck))).text).not.toContain('Nur Rosenweg');
    expect((await eigner.get(`/portal/liegenschaften/${ids().rosenweg}${attachmentPath}`)).status).toBe(200);
  });

  it('staff of the other Verwaltung get 404 on edit, withdraw and their list does not show it', async () => {
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect((await nord.get(`/verwaltung/mitteilungen/${id}`)).status).toBe(404);
    expect((await nord.postMultipart(`/verwaltung/mitteilungen/${id}`, { title: 'Übernommen', propertyIds: ids().rosenweg, action: 'save' })).status).toBe(404);
    expect((await nord.post(`/verwaltung/mitteilungen/${id}/zurueckziehen`)).status).toBe(404);
    expect((await nord.get('/verwaltung/mitteilungen')).text).not.toContain('Nur Rosenweg');
    // Nor can they target a Sonnenschein property from their own form.
    const answer = await nord.postMultipart('/verwaltung/mitteilungen', { title: 'Fremd', body: 'x', propertyIds: ids().rosenweg, action: 'publish' });
    expect(answer.status).toBe(422);
    expect(answer.$('#properties-error').text()).toBe('Bitte wählen Sie mindestens eine Liegenschaft oder „Alle Liegenschaften“.');
  });
});

describe('bad input', () => {
  it('an empty title or no target property: 422, form kept, message at the field, nothing saved, no mail', async () => {
    const before = await counts();
    const answer = await manager.postMultipart('/verwaltung/mitteilungen', { title: '  ', body: 'Bleibt stehen', action: 'publish' });
    expect(answer.status).toBe(422);
    expect(answer.$('#title-error').text()).toBe('Bitte geben Sie einen Titel ein.');
    expect(answer.$('#announcement-title').attr('aria-invalid')).toBe('true');
    expect(answer.$('#properties-error').text()).toBe('Bitte wählen Sie mindestens eine Liegenschaft oder „Alle Liegenschaften“.');
    expect(answer.$('#announcement-body').text()).toBe('Bleibt stehen');
    expect(await counts()).toEqual(before);
    expect(await recipients()).toEqual([]);
  });

  it('a script tag in the text is shown as text', async () => {
    const id = await create({ title: '<b>Titel</b>', body: '<script>alert(1)</script>\n<img src=x onerror=alert(1)>', propertyIds: [ids().maxPlanck] });
    const detail = await kristina.get(`${portalList(ids().maxPlanck)}/${id}`);
    expect(detail.$('main script, main img, main h1 b')).toHaveLength(0);
    expect(detail.$('h1').text()).toBe('<b>Titel</b>');
    expect(detail.$('.rich-text').text()).toContain('<script>alert(1)</script>');
    const mail = (await app.deliverMail()).find((m) => m.subject.includes('<b>Titel</b>'))!;
    expect(cheerio.load(mail.html)('script, img[onerror]')).toHaveLength(0);
  });

  it('a text file named .pdf is refused, the form comes back filled in, temp files are gone', async () => {
    const before = await counts();
    const filesBefore = await filesUnder(app.storageDir);
    const answer = await manager.postMultipart(
      '/verwaltung/mitteilungen',
      { title: 'Mit falschem Anhang', body: 'Inhalt', propertyIds: ids().maxPlanck, action: 'publish' },
      [
        { name: 'gut.pdf', type: 'application/pdf', content: PDF },
        { name: 'boese.pdf', type: 'application/pdf', content: Buffer.from('<script>alert(1)</script>') },
      ],
    );
    expect(answer.status).toBe(422);
    expect(answer.$('#attachments-error').text()).toBe('Dieser Dateityp ist nicht erlaubt. Erlaubt sind PDF, Word, JPEG und PNG.');
    expect(answer.$('#announcement-title').val()).toBe('Mit falschem Anhang');
    expect(answer.$('#recipient-options input:checked').val()).toBe(ids().maxPlanck);
    expect(await counts()).toEqual(before);
    expect(await filesUnder(app.storageDir)).toEqual(filesBefore);
    expect(await recipients()).toEqual([]);
  });

  it('an attachment over 50 MB is refused without being kept (streamed, never buffered)', async () => {
    const before = await counts();
    const filesBefore = await filesUnder(app.storageDir);
    const boundary = '----hausportal' + Date.now();
    const head = Buffer.from(
      [
        ...Object.entries({ title: 'Zu groß', body: 'Inhalt', propertyIds: ids().maxPlanck, action: 'publish' }).map(
          ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
        ),
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="gross.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ].join(''),
    );
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    chunk.write('%PDF-1.4\n');
    let sent = 0;
    const total = 51;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(head));
      },
      pull(controller) {
        if (sent < total) {
          controller.enqueue(new Uint8Array(chunk));
          sent++;
        } else {
          controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
          controller.close();
        }
      },
    });
    const url = new URL(`/verwaltung/mitteilungen?_csrf=${encodeURIComponent(await manager.csrfToken())}`, app.baseUrl);
    const response = await fetch(url, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { ...manager.browserHeaders(), 'content-type': `multipart/form-data; boundary=${boundary}` },
      redirect: 'manual',
    } as RequestInit);
    const answer = await pageFrom(response);
    expect(answer.status).toBe(422);
    expect(answer.$('#attachments-error').text()).toBe('Die Datei ist größer als 50 MB.');
    expect(answer.$('#announcement-title').val()).toBe('Zu groß');
    expect(await counts()).toEqual(before);
    expect(await filesUnder(app.storageDir)).toEqual(filesBefore);
    expect(await recipients()).toEqual([]);
  });
});

describe('the console list', () => {
  it('shows the Mitteilungen newest first with status, targets and date', async () => {
    await create({ title: 'Ältere', propertyIds: [ids().test, ids().rosenweg] }, 'draft');
    app.clock.advance(60_000);
    await create({ title: 'Neueste', allProperties: '1' }, 'draft');
    const list = await manager.get('/verwaltung/mitteilungen');
    const titles = list
      .$('tbody th')
      .map((_, th) => list.$(th).text())
      .get();
    expect(titles.indexOf('Neueste')).toBeLessThan(titles.indexOf('Ältere'));
    const row = list.$('tbody tr').filter((_, tr) => list.$(tr).find('th').text() === 'Ältere');
    expect(row.find('td').eq(0).text()).toBe('Entwurf');
    expect(row.find('td').eq(1).text()).toBe('Rosenweg 24, TESTLIEGENSCHAFT');
    expect(
      list
        .$('tbody tr')
        .filter((_, tr) => list.$(tr).find('th').text() === 'Neueste')
        .find('td')
        .eq(1)
        .text(),
    ).toBe('Alle Liegenschaften');
  });
});

describe('demo content', () => {
  it('puts realistic Mitteilungen into the portals of the demo world', async () => {
    // The demo seeder (src/features/demo/seed.ts) ran when the test database was built.
    const titles = async (client: Client, propertyId: string) => {
      const list = await client.get(portalList(propertyId));
      return list
        .$('article h2')
        .map((_, h) => list.$(h).text())
        .get();
    };
    // The tests above published one of each already; the demo adds the second.
    const count = (list: string[], title: string) => list.filter((t) => t === title).length;
    const rosenweg = await titles(eigner, ids().rosenweg);
    expect(count(rosenweg, 'Treppenhausreinigung')).toBe(2);
    expect(count(rosenweg, 'Willkommen im Kundenportal')).toBe(2);
    expect(rosenweg).not.toContain('Wartung der Heizungsanlage');
    const maxPlanck = await titles(kristina, ids().maxPlanck);
    expect(count(maxPlanck, 'Wartung der Heizungsanlage')).toBe(2);
    expect(count(maxPlanck, 'Willkommen im Kundenportal')).toBe(2);
    expect(maxPlanck).not.toContain('Treppenhausreinigung');
    expect(await recipients()).toEqual([]);
  });
});

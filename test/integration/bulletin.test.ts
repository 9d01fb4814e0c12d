import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attachment, BulletinPost, OutboxMail } from '../../src/entities/index.ts';
import { latestBulletinPosts } from '../../src/features/bulletin/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ensureContentDemo } from '../support/content-demo.ts';
import { pageFrom, type Client, type FileField, type Page } from '../support/client.ts';
import { filesUnder, SAMPLE_FILES } from '../support/files.ts';

const { pdf: PDF, png: PNG } = SAMPLE_FILES;

let app: TestApp;
let manager: Client;
let kristina: Client; // tenant in Max-Planck-Straße 12 only
let eigner: Client; // owner of two flats in Rosenweg 24 and one in Max-Planck-Straße 12
beforeAll(async () => {
  app = await startTestApp();
  await ensureContentDemo(app);
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  kristina = app.client();
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
  eigner = app.client();
  await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
});
afterAll(() => app?.close());

const LIST = '/verwaltung/schwarzes-brett';
const board = (propertyId: string) => `/portal/liegenschaften/${propertyId}/schwarzes-brett`;

async function publish(property: string, title: string, body = 'Text des Aushangs.', files: FileField[] = []) {
  const answer = await manager.postMultipart(LIST, { property, title, body }, files);
  expect(answer.status, answer.$('.field-error').text()).toBe(303);
  return app.em().findOneOrFail(BulletinPost, { title }, { filters: { tenant: false }, populate: ['attachments'] });
}

async function delivered(): Promise<string[]> {
  app.smtp.clear();
  await app.deliverMail();
  return app.smtp.messages.flatMap((m) => m.to).sort();
}

async function counts() {
  const em = app.em();
  const all = { filters: { tenant: false } } as const;
  return { posts: await em.count(BulletinPost, {}, all), attachments: await em.count(Attachment, {}, all), mails: await em.count(OutboxMail, {}) };
}

const titlesOn = (page: Page) =>
  page
    .$('main article h2')
    .map((_, h) => page.$(h).text())
    .get();

describe('publishing a notice board post', () => {
  it('shows the form with one property, Titel, Inhalt and the file input last, multipart with the token in the URL', async () => {
    const page = await manager.get(`${LIST}/neu`);
    expect(page.status).toBe(200);
    const form = page.$('form[enctype="multipart/form-data"]');
    expect(form.attr('action')).toMatch(/^\/verwaltung\/schwarzes-brett\?_csrf=/);
    expect(
      form
        .find('select[name=property] option')
        .map((_, o) => page.$(o).text())
        .get(),
    ).toContain('Rosenweg 24');
    expect(form.find('label[for=bulletin-title]').text()).toBe('Titel');
    expect(form.find('label[for=bulletin-body]').text()).toBe('Inhalt');
    expect(form.find('input, select, textarea').last().attr('type')).toBe('file');
    expect(form.find('button[type=submit]').text()).toBe('Veröffentlichen');
  });

  it('mails every registered resident of THAT property once, and nobody else', async () => {
    await delivered();
    const post = await publish(app.world.properties.rosenweg.id, 'Treppenhausreinigung', 'Bitte Schuhe wegräumen.\n\nInfos: https://example.de/reinigung', [
      { name: 'Reinigungsplan.pdf', type: 'application/pdf', content: PDF },
    ]);
    expect(post.status).toBe('published');
    expect(post.attachments).toHaveLength(1);
    // Dr. Eigner owns two flats in Rosenweg 24: one mail. Kristina lives elsewhere: none.
    expect(await delivered()).toEqual(['heinrich.eigner@example.de']);
    const [mail] = app.smtp.messages;
    expect(mail.subject).toBe('Neuer Aushang am Schwarzen Brett: Treppenhausreinigung');
    expect(mail.text).toContain('Bitte Schuhe wegräumen.');
    expect(mail.text).toContain(`/portal/liegenschaften/${app.world.properties.rosenweg.id}/schwarzes-brett`);

    const other = await publish(app.world.properties.maxPlanck.id, 'Fahrradkeller');
    expect(other.attachments).toHaveLength(0);
    expect(await delivered()).toEqual(['heinrich.eigner@example.de', 'kristina.maiblume@example.de']);
  });

  it.each([
    { problem: 'no property', fields: { property: '', title: 'Titel', body: 'Inhalt' }, field: 'property', message: 'Bitte wählen Sie eine Liegenschaft.' },
    { problem: 'an empty title', fields: { property: 'rosenweg', title: ' ', body: 'Inhalt' }, field: 'title', message: 'Bitte geben Sie einen Titel ein.' },
    { problem: 'an empty text', fields: { property: 'rosenweg', title: 'Ohne Inhalt', body: '' }, field: 'body', message: 'Bitte geben Sie einen Inhalt ein.' },
    {
      problem: 'a property of another Verwaltung',
      fields: { property: 'hafenstrasse', title: 'Fremd', body: 'Inhalt' },
      field: 'property',
      message: 'Bitte wählen Sie eine Liegenschaft.',
    },
  ])('answers $problem with 422, the form kept, nothing saved and no mail', async ({ fields, field, message }) => {
    const ids: Record<string, string> = { rosenweg: app.world.properties.rosenweg.id, hafenstrasse: app.world.properties.hafenstrasse.id, '': '' };
    await delivered();
    const before = await counts();
    const filesBefore = await filesUnder(app.storageDir);
    const page = await manager.postMultipart(LIST, { ...fields, property: ids[fields.property] }, [
      { name: 'plan.pdf', type: 'application/pdf', content: PDF },
    ]);
    expect(page.status).toBe(422);
    expect(page.$('[role=alert]').text()).toBe('Bitte prüfen Sie die markierten Felder.');
    expect(page.$(`#${field}-error`).text()).toBe(message);
    expect(page.$(`#bulletin-${field}`).attr('aria-invalid')).toBe('true');
    expect(page.$('#bulletin-title').val()).toBe(fields.title.trim());
    expect(page.$('#bulletin-body').text()).toBe(fields.body);
    expect(await counts()).toEqual(before);
    expect(await filesUnder(app.storageDir)).toEqual(filesBefore);
    expect(await delivered()).toEqual([]);
  });

  it('refuses an attachment of a forbidden type by its content, whatever its name', async () => {
    const before = await counts();
    const page = await manager.postMultipart(LIST, { property: app.world.properties.rosenweg.id, title: 'Mit Skript', body: 'Inhalt' }, [
      { name: 'harmlos.pdf', type: 'application/pdf', content: Buffer.from('<script>alert(1)</script>') },
    ]);
    expect(page.status).toBe(422);
    expect(page.$('#attachments-error').text()).toBe('Dieser Dateityp ist nicht erlaubt. Erlaubt sind PDF, Word, JPEG und PNG.');
    expect(page.$('#bulletin-title').val()).toBe('Mit Skript');
    expect(page.$('#bulletin-property').val()).toBe(app.world.properties.rosenweg.id);
    expect(await counts()).toEqual(before);
    expect(await delivered()).toEqual([]);
  });

  it('refuses an attachment over 50 MB', async () => {
    const before = await counts();
    const boundary = '----hausportal' + Date.now();
    const head = Buffer.from(
      [
        ...Object.entries({ property: app.world.properties.rosenweg.id, title: 'Zu groß', body: 'Inhalt' }).map(
          ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
        ),
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="gross.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ].join(''),
    );
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    chunk.write('%PDF-1.4\n');
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(head));
      },
      pull(controller) {
        if (sent < 51) {
          controller.enqueue(new Uint8Array(chunk));
          sent++;
        } else {
          controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
          controller.close();
        }
      },
    });
    const url = new URL(`${LIST}?_csrf=${encodeURIComponent(await manager.csrfToken())}`, app.baseUrl);
    const answer = await pageFrom(
      await fetch(url, {
        method: 'POST',
        body,
        duplex: 'half',
        headers: { ...manager.browserHeaders(), 'content-type': `multipart/form-data; boundary=${boundary}` },
        redirect: 'manual',
      } as RequestInit),
    );
    expect(answer.status).toBe(422);
    expect(answer.$('#attachments-error').text()).toBe('Die Datei ist größer als 50 MB.');
    expect(answer.$('#bulletin-title').val()).toBe('Zu groß');
    expect(await counts()).toEqual(before);
    expect(await delivered()).toEqual([]);
  });
});

describe('editing and withdrawing', () => {
  it('edits text and attachments without a second mail, and withdraws', async () => {
    const post = await publish(app.world.properties.maxPlanck.id, 'Wartung Aufzug', 'Am Montag.', [{ name: 'alt.pdf', type: 'application/pdf', content: PDF }]);
    await delivered();
    const form = await manager.get(`${LIST}/${post.id}`);
    expect(form.$('#bulletin-title').val()).toBe('Wartung Aufzug');
    expect(form.$('form[enctype="multipart/form-data"]').attr('action')).toMatch(new RegExp(`^${LIST}/${post.id}\\?_csrf=`));

    const old = post.attachments.getItems()[0];
    expect(await filesUnder(app.storageDir)).toContain(path.join(app.storageDir, 'files', old.storageKey));
    const saved = await manager.postMultipart(`${LIST}/${post.id}`, { title: 'Wartung Aufzug (verschoben)', body: 'Am Dienstag.', removeAttachment: old.id }, [
      { name: 'Foto.png', type: 'image/png', content: PNG },
    ]);
    expect(saved.status).toBe(303);
    const changed = await app.em().findOneOrFail(BulletinPost, { id: post.id }, { filters: { tenant: false }, populate: ['attachments', 'property'] });
    expect(changed.title).toBe('Wartung Aufzug (verschoben)');
    expect(changed.property.id).toBe(app.world.properties.maxPlanck.id);
    expect(changed.attachments.getItems().map((a) => a.fileName)).toEqual(['Foto.png']);
    expect(await filesUnder(app.storageDir)).not.toContain(path.join(app.storageDir, 'files', old.storageKey));
    expect(await delivered()).toEqual([]);

    const invalid = await manager.postMultipart(`${LIST}/${post.id}`, { title: '', body: 'x' });
    expect(invalid.status).toBe(422);
    expect(invalid.$('#title-error').text()).toBe('Bitte geben Sie einen Titel ein.');

    expect(titlesOn(await kristina.get(board(app.world.properties.maxPlanck.id)))).toContain('Wartung Aufzug (verschoben)');
    expect((await manager.post(`${LIST}/${post.id}/zurueckziehen`)).status).toBe(303);
    const list = await manager.get(`${LIST}?liegenschaft=${app.world.properties.maxPlanck.id}`);
    expect(list.$(`#bulletin-post-${post.id} .status`).text()).toBe('zurückgezogen');
    expect(titlesOn(await kristina.get(board(app.world.properties.maxPlanck.id)))).not.toContain('Wartung Aufzug (verschoben)');
    const attachment = changed.attachments.getItems()[0];
    expect((await kristina.get(`${board(app.world.properties.maxPlanck.id)}/${post.id}/anhaenge/${attachment.id}`)).status).toBe(404);
  });

  it('filters the console list by property', async () => {
    const list = await manager.get(`${LIST}?liegenschaft=${app.world.properties.rosenweg.id}`);
    const properties = list
      .$('#bulletin-posts tbody td:nth-of-type(1)')
      .map((_, td) => list.$(td).text())
      .get();
    expect(properties.length).toBeGreaterThan(0);
    expect(new Set(properties)).toEqual(new Set(['Rosenweg 24']));
  });

  it('keeps posts of one Verwaltung away from the other (404)', async () => {
    const post = await publish(app.world.properties.test.id, 'Nur für Sonnenschein');
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect((await nord.get(LIST)).$('#bulletin-posts')).toHaveLength(0);
    expect((await nord.get(`${LIST}/${post.id}`)).status).toBe(404);
    expect((await nord.post(`${LIST}/${post.id}/zurueckziehen`)).status).toBe(404);
    expect((await nord.postMultipart(`${LIST}/${post.id}`, { title: 'Gekapert', body: 'x' })).status).toBe(404);
    const unchanged = await app.em().findOneOrFail(BulletinPost, { id: post.id }, { filters: { tenant: false } });
    expect(unchanged.title).toBe('Nur für Sonnenschein');
    expect(unchanged.status).toBe('published');
  });
});

describe('the notice board in the portal', () => {
  it('lists the published posts of the property, newest first, with downloadable attachments', async () => {
    const older = await publish(app.world.properties.rosenweg.id, 'Älterer Aushang');
    app.clock.advance(60_000);
    const newer = await publish(app.world.properties.rosenweg.id, 'Neuerer Aushang', 'Zeile eins\n\n<script>alert(1)</script>', [
      { name: 'Übersicht Plan.pdf', type: 'application/pdf', content: PDF },
    ]);
    const page = await eigner.get(board(app.world.properties.rosenweg.id));
    expect(page.status).toBe(200);
    expect(page.$('.portalnav [aria-current=page]').text()).toBe('Schwarzes Brett');
    const titles = titlesOn(page);
    expect(titles.indexOf('Neuerer Aushang')).toBeLessThan(titles.indexOf('Älterer Aushang'));
    expect(titles).not.toContain('Fahrradkeller'); // Max-Planck-Straße 12
    const article = page.$(`#bulletin-post-${newer.id}`);
    expect(article.find('script')).toHaveLength(0);
    expect(article.find('.body').text()).toContain('<script>alert(1)</script>');
    const link = article.find('.attachments a');
    expect(link.text()).toBe('Übersicht Plan.pdf');

    const download = await fetch(new URL(link.attr('href')!, app.baseUrl), { headers: eigner.browserHeaders() });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename=.*filename\*=UTF-8''%C3%9Cbersicht%20Plan\.pdf$/);
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);
    void older;
  });

  it('answers 404 for an attachment through another property, and for residents or Verwaltungen without access', async () => {
    const post = await publish(app.world.properties.rosenweg.id, 'Mit Anhang', 'x', [{ name: 'a.pdf', type: 'application/pdf', content: PDF }]);
    const attachment = post.attachments.getItems()[0];
    const rosen = `${board(app.world.properties.rosenweg.id)}/${post.id}/anhaenge/${attachment.id}`;
    expect((await eigner.get(rosen)).status).toBe(200);
    // Dr. Eigner may see Max-Planck-Straße 12, but the post belongs to Rosenweg 24.
    expect((await eigner.get(`${board(app.world.properties.maxPlanck.id)}/${post.id}/anhaenge/${attachment.id}`)).status).toBe(404);
    // The attachment of another post.
    const other = await publish(app.world.properties.rosenweg.id, 'Anderer Aushang');
    expect((await eigner.get(`${board(app.world.properties.rosenweg.id)}/${other.id}/anhaenge/${attachment.id}`)).status).toBe(404);
    // Kristina has no access to Rosenweg 24; Frieda belongs to another Verwaltung.
    expect((await kristina.get(rosen)).status).toBe(404);
    expect((await kristina.get(board(app.world.properties.rosenweg.id))).status).toBe(404);
    const frieda = app.client();
    await frieda.loginPortal('frieda.friesen@example.de', app.world.password);
    expect((await frieda.get(rosen)).status).toBe(404);
    expect((await frieda.get(board(app.world.properties.rosenweg.id))).status).toBe(404);
    expect((await app.client().get(rosen)).status).toBe(303);
  });

  it('gives the start page the newest posts of a property', async () => {
    const em = app.em();
    const { scopeToOrganization } = await import('../../src/db/tenant.ts');
    scopeToOrganization(em, app.world.organizations.sonnenschein.id);
    const latest = await latestBulletinPosts(em, app.world.properties.rosenweg.id, 2);
    expect(latest).toHaveLength(2);
    expect(latest[0].publishedAt!.getTime()).toBeGreaterThanOrEqual(latest[1].publishedAt!.getTime());
    expect(latest.every((p) => p.status === 'published')).toBe(true);
  });
});

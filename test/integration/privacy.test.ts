import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { AuditLog, Contact, PortalUser, Session, Ticket, TicketEntry } from '../../src/entities/index.ts';
import { FORMER_USER_NAME } from '../../src/features/privacy/core-kinds.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';

const privacy = JSON.parse(readFileSync(new URL('../../locales/de/privacy.json', import.meta.url), 'utf8'));

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const all = { filters: { tenant: false } } as const;

/** The entries of a ZIP: name → bytes. */
function unzip(buffer: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Presses "Meine Daten herunterladen" and reads the ZIP. */
async function downloadMyData(client: Client) {
  const body = new URLSearchParams({ _csrf: await client.csrfToken() });
  const response = await fetch(new URL('/portal/profil/meine-daten', app.baseUrl), {
    method: 'POST',
    body,
    headers: { ...client.browserHeaders(), 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  return { response, files: response.status === 200 ? await unzip(Buffer.from(await response.arrayBuffer())) : new Map<string, Buffer>() };
}
const json = (files: Map<string, Buffer>, name: string) => JSON.parse(files.get(name)!.toString('utf8'));

describe('Meine Daten', () => {
  it('gives Kristina a ZIP of JSON files with her Vorgänge, her own photos, profile, settings and logins', async () => {
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const photo = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#36c' } })
      .png()
      .toBuffer();
    expect((await kristina.postMultipart('/portal/profil/foto', {}, [{ name: 'ich.png', type: 'image/png', content: photo }], 'photo')).status).toBe(303);
    // A Vorgang with a photo of her own, which the ZIP must carry.
    const reportUrl = `/portal/liegenschaften/${app.world.properties.maxPlanck.id}/vorgaenge`;
    const form = await kristina.get(`${reportUrl}/neu`);
    const category = form.$('select[name=category] option[value!=""]').first().attr('value')!;
    const reported = await kristina.postMultipart(
      reportUrl,
      { category, location: `unit:${app.world.units.wohnung002.id}`, title: 'Fleck an der Decke', description: 'Seit gestern.' },
      [{ name: 'decke.png', type: 'image/png', content: photo }],
      'photos',
    );
    expect(reported.status).toBe(303);
    const page = await kristina.get('/portal/profil/datenschutz');
    expect(page.status).toBe(200);
    expect(page.$('form[action="/portal/profil/meine-daten"] button').text()).toBe(privacy.export.submit);

    const { response, files } = await downloadMyData(kristina);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="meine-daten-\d{4}-\d{2}-\d{2}\.zip"$/);
    expect([...files.keys()]).toEqual(
      expect.arrayContaining(['LIESMICH.txt', 'profil.json', 'kontakte.json', 'vorgaenge.json', 'benachrichtigungen.json', 'anmeldungen.json']),
    );
    expect(json(files, 'profil.json').email).toBe('kristina.maiblume@example.de');
    expect(json(files, 'profil.json').profilfoto).toBe('dateien/profil/profilfoto.jpg');
    expect((await sharp(files.get('dateien/profil/profilfoto.jpg')!).metadata()).width).toBe(256);
    const tickets = json(files, 'vorgaenge.json');
    const own = await app.em().find(Ticket, { reporter: app.world.portalUsers.kristina.id }, all);
    expect(own.length).toBeGreaterThan(0);
    expect(tickets.gemeldet.map((t: { titel: string }) => t.titel).sort()).toEqual(own.map((t) => t.title).sort());
    // Internal notes never leave the console.
    expect(tickets.verlauf.every((e: { art: string }) => e.art !== 'note')).toBe(true);
    expect(tickets.eigeneDateien).toHaveLength(1);
    expect(tickets.eigeneDateien[0].datei).toMatch(/^dateien\/vorgaenge\/\d{4}-\d{5}\/[0-9a-f]{8}-decke\.png$/);
    expect((await sharp(files.get(tickets.eigeneDateien[0].datei)!).metadata()).format).toBe('png');
    expect(json(files, 'anmeldungen.json').sitzungen.length).toBeGreaterThan(0);
    expect(JSON.stringify(json(files, 'anmeldungen.json'))).not.toMatch(/secret|hash/i);
    expect(await app.em().count(AuditLog, { action: 'privacy.exported', actorId: app.world.portalUsers.kristina.id }, all)).toBe(1);
  });

  it('is always the requester’s own: Heinrich’s holds none of Kristina’s Vorgänge', async () => {
    const heinrich = app.client();
    await heinrich.loginPortal('heinrich.eigner@example.de', app.world.password);
    const { files } = await downloadMyData(heinrich);
    expect(json(files, 'profil.json').email).toBe('heinrich.eigner@example.de');
    const kristinas = await app.em().find(Ticket, { reporter: app.world.portalUsers.kristina.id }, all);
    const titles = json(files, 'vorgaenge.json').gemeldet.map((t: { titel: string }) => t.titel);
    for (const t of kristinas) expect(titles).not.toContain(t.title);
    expect((await downloadMyData(app.client())).response.status).not.toBe(200);
  });
});

describe('Konto löschen', () => {
  it('needs the password; then deletes the login, keeps the Vorgang anonymised and the contact, ends the sessions', async () => {
    const heinrich = app.client();
    await heinrich.loginPortal('heinrich.eigner@example.de', app.world.password);
    const userId = app.world.portalUsers.eigner.id;
    const ticketsBefore = await app.em().find(Ticket, { reporter: userId }, all);
    // What the community holds of him: the demo's board post, and a message he wrote to Kristina.
    const kristinaId = app.world.portalUsers.kristina.id;
    const conversationId = randomUUID();
    const [low, high] = [userId, kristinaId].sort();
    const connection = app.em().getConnection();
    const org = app.world.organizations.sonnenschein.id;
    // The demo's conversation of the two aside (src/features/community/demo.ts): this one holds exactly what is checked below.
    await connection.execute('delete from conversation where property_id = ? and user_low_id = ? and user_high_id = ?', [
      app.world.properties.maxPlanck.id,
      low,
      high,
    ]);
    await connection.execute(
      'insert into conversation (id, organization_id, property_id, user_low_id, user_high_id, created_at) values (?, ?, ?, ?, ?, now())',
      [conversationId, org, app.world.properties.maxPlanck.id, low, high],
    );
    await connection.execute(
      `insert into direct_message (id, organization_id, conversation_id, sender_id, body, created_at) values (?, ?, ?, ?, 'Hallo Frau Maiblume, wegen der Fahrräder …', now()), (?, ?, ?, ?, 'Gern!', now())`,
      [randomUUID(), org, conversationId, userId, randomUUID(), org, conversationId, kristinaId],
    );
    const { files } = await downloadMyData(heinrich);
    expect(json(files, 'schwarzes-brett.json').beitraege.length).toBeGreaterThan(0);
    expect(json(files, 'nachbarschaft.json').eigeneNachrichten.map((m: { text: string }) => m.text)).toEqual(['Hallo Frau Maiblume, wegen der Fahrräder …']);
    const postsBefore = await connection.execute<Array<{ id: string }>>('select id from board_post where author_id = ?', [userId]);
    expect(postsBefore.length).toBeGreaterThan(0);
    expect(ticketsBefore.length).toBeGreaterThan(0);

    const wrong = await heinrich.post('/portal/profil/konto-loeschen', { password: 'falsch' });
    expect(wrong.status).toBe(422);
    expect(wrong.$('#deletePassword-error').text()).not.toBe('');
    expect((await app.em().findOneOrFail(PortalUser, { id: userId }, all)).deletedAt).toBeNull();

    const done = await heinrich.post('/portal/profil/konto-loeschen', { password: app.world.password });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/portal/konto-geloescht');
    expect((await heinrich.get(done.location!)).$('h1').text()).toBe(privacy.deleted.title);

    const em = app.em();
    const user = await em.findOneOrFail(PortalUser, { id: userId }, { ...all, populate: ['contacts'] });
    expect(user.deletedAt).not.toBeNull();
    expect(user.passwordHash).toBeNull();
    expect(user.name).toBe(FORMER_USER_NAME);
    expect(user.email).not.toContain('eigner');
    expect(user.contacts.count()).toBe(0);
    expect(await em.count(Session, { portalUser: userId }, all)).toBe(0);
    // The Vorgänge stay, without his name; the Verwaltung's contact stays.
    const ticketsAfter = await em.find(Ticket, { reporter: userId }, all);
    expect(ticketsAfter.map((t) => t.id).sort()).toEqual(ticketsBefore.map((t) => t.id).sort());
    expect(ticketsAfter.every((t) => t.reporterName === FORMER_USER_NAME)).toBe(true);
    expect(await em.count(TicketEntry, { authorPortalUser: userId, authorName: { $ne: FORMER_USER_NAME } }, all)).toBe(0);
    expect(await em.count(Contact, { id: app.world.contacts.eigner.id }, all)).toBe(1);
    expect(await em.count(AuditLog, { action: 'privacy.account_deleted', actorId: userId }, all)).toBe(1);
    // His board posts stay without an author; his messages lose their text, Kristina's stay.
    const postsAfter = await connection.execute<Array<{ author_id: string | null }>>('select author_id from board_post where id = any(?::uuid[])', [
      `{${postsBefore.map((p) => p.id).join(',')}}`,
    ]);
    expect(postsAfter.map((p) => p.author_id)).toEqual(postsBefore.map(() => null));
    const messages = await connection.execute<Array<{ sender_id: string; body: string }>>(
      'select sender_id, body from direct_message where conversation_id = ? order by body',
      [conversationId],
    );
    expect(messages.map((m) => [m.sender_id === userId, m.body])).toEqual([
      [true, ''],
      [false, 'Gern!'],
    ]);

    // Staff still find the Vorgang, naming a former user (beside the Verwaltung's own contact record).
    const sabine = app.client();
    await sabine.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
    const consolePage = await sabine.get(`/verwaltung/vorgaenge/${ticketsAfter[0].id}`);
    expect(consolePage.status).toBe(200);
    expect(consolePage.text).toContain(FORMER_USER_NAME);

    // The old session and the old login are gone.
    expect((await heinrich.get('/portal/profil')).status).toBe(303);
    const login = await app.client().post('/portal/anmelden', { email: 'heinrich.eigner@example.de', password: app.world.password });
    expect(login.status).not.toBe(303);
  });
});

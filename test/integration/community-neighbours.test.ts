import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuditLog,
  Conversation,
  DirectMessage,
  MessageReport,
  NeighbourProfile,
  Organization,
  OutboxMail,
  PortalMembership,
  PortalUser,
  Property,
} from '../../src/entities/index.ts';
import sharp from 'sharp';
import { fileStorageFor } from '../../src/storage/configured.ts';
import { putBytes } from '../../src/storage/files.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { Client } from '../support/client.ts';
import { startInstance } from '../support/server-process.ts';

// Issue 21: "Eigentümer / Nachbarn" (opt-in), the Nachbarschaftsprofil's fields (each opt-in)
// and Direktnachrichten (block, report to staff, throttle, live stream), behind the switches.
// Kristina (tenant) and Heinrich (owner) live at Max-Planck-Straße 12, where the demo has
// every community switch on.

let app: TestApp;
let kristina: Client;
let heinrich: Client;
let staff: Client;
const all = { filters: { tenant: false } } as const;

beforeAll(async () => {
  app = await startTestApp({ env: { SQL_STATEMENT_COUNT: 'on' } });
  kristina = app.client();
  heinrich = app.client();
  staff = app.client();
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
  await heinrich.loginPortal('heinrich.eigner@example.de', app.world.password);
  await staff.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
  const em = app.em();
  await em.nativeUpdate(PortalUser, { id: app.world.portalUsers.kristina.id }, { displayName: 'Kristina <M.>' }, all);
  await em.nativeUpdate(PortalUser, { id: app.world.portalUsers.eigner.id }, { displayName: 'Heinrich E.' }, all);
  // The demo lists both and has them talk (src/features/community/demo.ts); these tests start from nobody listed.
  await em.nativeDelete(NeighbourProfile, {}, all);
  await em.nativeDelete(Conversation, {}, all);
  app.forgetCaches();
});
afterAll(() => app?.close());

const base = () => `/portal/liegenschaften/${app.world.properties.maxPlanck.id}`;
const ids = () => ({ kristina: app.world.portalUsers.kristina.id, heinrich: app.world.portalUsers.eigner.id });

async function switches(org: Partial<Organization>, property: Partial<Property> = {}) {
  const em = app.em();
  await em.nativeUpdate(Organization, { id: app.world.organizations.sonnenschein.id }, org);
  if (Object.keys(property).length) await em.nativeUpdate(Property, { id: app.world.properties.maxPlanck.id }, property, all);
  app.forgetCaches();
}

const ALL_ON = { communityEnabled: true, directMessagesEnabled: true, neighbourProfileEnabled: true, commercialBulletinEnabled: false };
beforeEach(() => switches(ALL_ON, { communityEnabled: true }));

async function optIn(client: Client, fields: Record<string, string> = {}) {
  const saved = await client.post(`${base()}/nachbarn/meine-angaben`, { listed: 'on', showName: 'on', ...fields });
  expect(saved.status).toBe(303);
}

async function openConversation(from: Client, to: string) {
  const started = await from.post(`${base()}/nachrichten`, { an: to });
  expect(started.status).toBe(303);
  return started.location!;
}

/** Messages written straight into the database, `count` of them in the minute before the clock's now, as `sender` sends them. */
async function insertMessages(conversation: string, sender: string, count: number, text: string) {
  const em = app.em();
  const conversationId = conversation.split('/').at(-1)!;
  const now = app.clock.now().getTime();
  for (let i = 0; i < count; i++) {
    em.create(DirectMessage, {
      organization: app.world.organizations.sonnenschein.id,
      conversation: conversationId,
      sender,
      body: `${text} ${i}`,
      createdAt: new Date(now - 50_000 + Math.floor((i * 50_000) / count)),
    });
  }
  await em.flush();
}

const names = (page: Awaited<ReturnType<Client['get']>>) =>
  page
    .$('.neighbour h2')
    .map((_, h) => page.$(h).text().trim())
    .get();

describe('Eigentümer / Nachbarn', () => {
  it('lists nobody until they opt in, then only what each chose to show', async () => {
    const empty = await heinrich.get(`${base()}/nachbarn`);
    expect(empty.status).toBe(200);
    expect(empty.$('h1').text()).toBe('Eigentümer / Nachbarn');
    expect(names(empty)).toEqual([]);
    // The navigation offers it.
    expect(empty.$(`.portalnav a[href="${base()}/nachbarn"]`).text()).toBe('Eigentümer / Nachbarn');

    // Listed but the name not shown: "Nachbar/in"; no profile fields typed in, none shown.
    await optIn(kristina, { showName: '' });
    let list = await heinrich.get(`${base()}/nachbarn`);
    expect(names(list)).toEqual(['Nachbar/in']);

    await optIn(kristina, { about: 'Ich gieße gern <b>Blumen</b>.', location: '1. OG links' });
    list = await heinrich.get(`${base()}/nachbarn`);
    expect(names(list)).toEqual(['Kristina <M.>']);
    expect(list.text).toContain('Kristina &lt;M.&gt;');
    expect(list.$('.neighbour-about').text()).toBe('Ich gieße gern <b>Blumen</b>.');
    expect(list.$('.neighbour-about b')).toHaveLength(0);
    expect(list.$('.neighbour-location').text()).toBe('1. OG links');
    // Nothing of the Verwaltung's contact data.
    expect(list.text).not.toContain('kristina.maiblume@example.de');
    expect(list.text).not.toContain('Maiblume');
    // No photo unless chosen.
    expect(list.$('img.neighbour-avatar')).toHaveLength(0);

    // Without the Nachbarschaftsprofil: name only, the profile's fields neither shown nor asked.
    await switches({ neighbourProfileEnabled: false });
    list = await heinrich.get(`${base()}/nachbarn`);
    expect(names(list)).toEqual(['Kristina <M.>']);
    expect(list.$('.neighbour-about, .neighbour-location')).toHaveLength(0);
    const form = await kristina.get(`${base()}/nachbarn/meine-angaben`);
    expect(form.$('#about')).toHaveLength(0);

    // Too long: a message at the field, nothing saved.
    await switches(ALL_ON);
    const bad = await kristina.post(`${base()}/nachbarn/meine-angaben`, { listed: 'on', about: 'x'.repeat(501) });
    expect(bad.status).toBe(422);
    expect(bad.$('#about-error').text()).toBe('„Über mich“ darf höchstens 500 Zeichen lang sein.');
    const stored = await app.em().findOneOrFail(NeighbourProfile, { portalUser: ids().kristina }, all);
    expect(stored.about).toBe('Ich gieße gern <b>Blumen</b>.');
  });

  it('shows the profile photo only to whom the list shows it, and only when chosen', async () => {
    const photo = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#8a9' } })
      .jpeg()
      .toBuffer();
    const key = await putBytes(fileStorageFor(app.config), photo);
    await app.em().nativeUpdate(PortalUser, { id: ids().kristina }, { photoKey: key }, all);
    app.forgetCaches();
    const photoUrl = `${base()}/nachbarn/${ids().kristina}/foto`;
    await optIn(kristina);
    expect((await heinrich.get(`${base()}/nachbarn`)).$(`img[src="${photoUrl}"]`)).toHaveLength(0);
    expect((await heinrich.get(photoUrl)).status).toBe(404);
    await optIn(kristina, { showPhoto: 'on' });
    expect((await heinrich.get(`${base()}/nachbarn`)).$(`img[src="${photoUrl}"]`)).toHaveLength(1);
    const served = await heinrich.get(photoUrl);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    // Another Verwaltung's resident: not found.
    const frieda = app.client();
    await frieda.loginPortal('frieda.friesen@example.de', app.world.password);
    expect((await frieda.get(photoUrl)).status).toBe(404);
    await optIn(kristina);
  });

  it('takes Gewerbemitarbeiter only where their switch is on, Dienstleister never', async () => {
    const em = app.em();
    const kristinaUser = await em.findOneOrFail(PortalUser, { id: ids().kristina }, all);
    const organization = app.world.organizations.sonnenschein.id;
    const member = (email: string, name: string, role: 'commercial_employee' | 'service_provider') => {
      const user = em.create(PortalUser, { organization, email, name, displayName: name, passwordHash: kristinaUser.passwordHash, onboardedAt: new Date() });
      em.create(PortalMembership, { organization, portalUser: user, property: app.world.properties.maxPlanck.id, role });
      em.create(NeighbourProfile, {
        portalUser: user,
        property: app.world.properties.maxPlanck.id,
        organization,
        listed: true,
        showName: true,
        updatedAt: new Date(),
      });
      return user;
    };
    member('gewerbe@example.de', 'Gerd Gewerbe', 'commercial_employee');
    member('dienst@example.de', 'Dora Dienst', 'service_provider');
    await em.flush();
    app.forgetCaches();

    expect(names(await heinrich.get(`${base()}/nachbarn`))).not.toContain('Gerd Gewerbe');
    await switches({ commercialBulletinEnabled: true });
    const list = names(await heinrich.get(`${base()}/nachbarn`));
    expect(list).toContain('Gerd Gewerbe');
    expect(list).not.toContain('Dora Dienst');
    const dienst = app.client();
    await dienst.loginPortal('dienst@example.de', app.world.password);
    expect((await dienst.get(`${base()}/nachbarn`)).status).toBe(404);
  });
});

describe('Direktnachrichten', () => {
  it('are only between two neighbours who both appear in the list', async () => {
    await heinrich.post(`${base()}/nachbarn/meine-angaben`, {});
    const refused = await kristina.post(`${base()}/nachrichten`, { an: ids().heinrich });
    expect(refused.status).toBe(422);
    expect(refused.$('.alert').text()).toContain('erscheint nicht (mehr) in der Liste');
    const list = await kristina.get(`${base()}/nachbarn`);
    expect(list.$('form[action$="/nachrichten"]')).toHaveLength(0);
  });

  it('reach the other side, escaped, with an unread count and one notification per hour', async () => {
    await optIn(kristina);
    await optIn(heinrich);
    const list = await kristina.get(`${base()}/nachbarn`);
    expect(list.$(`input[name=an][value="${ids().heinrich}"]`)).toHaveLength(1);
    const conversation = await openConversation(kristina, ids().heinrich);
    // Heinrich starting it too finds the same conversation.
    expect(await openConversation(heinrich, ids().kristina)).toBe(conversation);

    const mails = () => app.em().count(OutboxMail, { to: 'heinrich.eigner@example.de', subject: { $like: 'Neue Nachricht von%' } }, all);
    const before = await mails();
    const empty = await kristina.post(conversation, { body: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.$('#body-error').text()).toBe('Bitte schreiben Sie eine Nachricht.');
    const long = await kristina.post(conversation, { body: 'x'.repeat(2001) });
    expect(long.status).toBe(422);
    expect(long.$('textarea#body').text()).toHaveLength(2001);

    expect((await kristina.post(conversation, { body: 'Hallo <script>alert(1)</script>\nzweite Zeile' })).status).toBe(303);
    app.clock.advance(1000);
    expect((await kristina.post(conversation, { body: 'Noch eine' })).status).toBe(303);
    expect(await mails()).toBe(before + 1);

    const start = await heinrich.get(base());
    expect(start.$(`.portalnav a[href="${base()}/nachrichten"]`).text()).toBe('Nachrichten (2 ungelesen)');
    const page = await heinrich.get(conversation);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Nachrichten mit Kristina <M.>');
    expect(page.$('.message-body').first().text()).toBe('Hallo <script>alert(1)</script>\nzweite Zeile');
    expect(page.$('.messages script')).toHaveLength(0);
    expect(page.$(`.portalnav a[href="${base()}/nachrichten"]`).text()).toBe('Nachrichten');
    // Read now: the count is gone.
    const after = await heinrich.get(base());
    expect(after.$(`.portalnav a[href="${base()}/nachrichten"]`).text()).toBe('Nachrichten');

    // Read and an hour later: the next message is notified again.
    app.clock.advance(61 * 60 * 1000);
    await kristina.post(conversation, { body: 'Später' });
    expect(await mails()).toBe(before + 2);
  });

  it('sent through htmx: the message comes back for the end of the list and the form empty, a refusal in place of the form', async () => {
    await optIn(kristina);
    await optIn(heinrich);
    const conversation = await openConversation(kristina, ids().heinrich);
    const page = await kristina.get(conversation);
    // The plain form posts (and reloads) without JavaScript; htmx posts it to the same address.
    const form = page.$('form#message-form');
    expect(form.attr('method')).toBe('post');
    expect(form.attr('action')).toBe(conversation);
    expect(form.attr('data-hx-post')).toBe(conversation);
    expect(form.attr('data-hx-target')).toBe('#messages');
    const htmx = { headers: { 'HX-Request': 'true', 'HX-Target': 'messages' } };

    app.clock.advance(1000);
    const sent = await kristina.post(conversation, { body: 'Per <i>htmx</i> gesendet' }, htmx);
    expect(sent.status).toBe(200);
    expect(sent.$('li.message.mine .message-body').text()).toBe('Per <i>htmx</i> gesendet');
    expect(sent.$('li.message i')).toHaveLength(0);
    // The form comes back empty, out of band; no layout around it.
    expect(sent.$('form#message-form[data-hx-swap-oob=true] textarea#body').text()).toBe('');
    expect(sent.$('header, nav.portalnav')).toHaveLength(0);
    expect(await app.em().count(DirectMessage, { body: 'Per <i>htmx</i> gesendet' }, all)).toBe(1);

    const empty = await kristina.post(conversation, { body: ' ' }, htmx);
    expect(empty.status).toBe(422);
    expect(empty.headers.get('hx-retarget')).toBe('#message-form');
    expect(empty.headers.get('hx-reswap')).toBe('outerHTML');
    expect(empty.$('form#message-form #body-error').text()).toBe('Bitte schreiben Sie eine Nachricht.');
    expect(empty.$('li.message')).toHaveLength(0);

    // Without htmx the same form answers with the page to reload.
    app.clock.advance(1000);
    const plain = await kristina.post(conversation, { body: 'Ohne JavaScript' });
    expect(plain.status).toBe(303);
    expect(plain.location).toBe(`${conversation}#neueste`);
    expect((await heinrich.get(conversation)).$('.message-body').last().text()).toBe('Ohne JavaScript');
  });

  it('live: the stream sends a new message to the open page, escaped', async () => {
    await optIn(kristina);
    await optIn(heinrich);
    const conversation = await openConversation(kristina, ids().heinrich);
    const page = await heinrich.get(conversation);
    const live = page.$('#messages').attr('data-sse-connect')!;
    expect(live).toContain('/live?seit=');
    const abort = new AbortController();
    const response = await fetch(new URL(live, app.baseUrl), { headers: heinrich.browserHeaders(), signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('content-encoding')).toBeNull();
    const reader = response.body!.getReader();
    await kristina.post(conversation, { body: 'Live <img src=x onerror=alert(1)>\revent: fake' });
    let text = '';
    while (!text.includes('Live &lt;img')) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    abort.abort();
    expect(text).toContain('event: message');
    expect(text).not.toMatch(/^event: fake/m);
    expect(text).not.toContain('<img');
  });

  it('live across processes: a message sent through one server reaches a stream held by another (PostgreSQL NOTIFY)', async (context) => {
    if (!app.databaseUrl) return context.skip();
    await optIn(kristina);
    await optIn(heinrich);
    const conversation = await openConversation(kristina, ids().heinrich);
    const other = await startInstance(app.databaseUrl!);
    try {
      const heinrichThere = new Client(other.baseUrl);
      await heinrichThere.loginPortal('heinrich.eigner@example.de', app.world.password);
      const live = (await heinrichThere.get(conversation)).$('#messages').attr('data-sse-connect')!;
      const abort = new AbortController();
      const response = await fetch(new URL(live, other.baseUrl), { headers: heinrichThere.browserHeaders(), signal: abort.signal });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      // The stream's first bytes come once it is registered, before the message is sent.
      await reader.read();
      await kristina.post(conversation, { body: 'Über den anderen Prozess' });
      let text = '';
      while (!text.includes('Über den anderen Prozess')) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended:\n${text}`);
        text += new TextDecoder().decode(value);
      }
      abort.abort();
      expect(text).toContain('event: message');
    } finally {
      await other.stop();
    }
  });

  it('block: the blocked side writes on, silently, and nothing reaches the blocker', async () => {
    await optIn(kristina);
    await optIn(heinrich);
    const conversation = await openConversation(kristina, ids().heinrich);
    expect((await heinrich.post(`${conversation}/blockieren`, { aktion: 'blockieren' })).status).toBe(303);
    const sent = await kristina.post(conversation, { body: 'Hörst du mich?' });
    expect(sent.status).toBe(303);
    expect((await kristina.get(conversation)).text).toContain('Hörst du mich?');
    expect((await heinrich.get(conversation)).text).not.toContain('Hörst du mich?');
    const message = await app.em().findOneOrFail(DirectMessage, { body: 'Hörst du mich?' }, all);
    expect(message.withheld).toBe(true);
    await heinrich.post(`${conversation}/blockieren`, { aktion: 'freigeben' });
  });

  it('report: staff see the message and five before and after it only, and the look is audited', async () => {
    await optIn(kristina);
    await optIn(heinrich);
    const conversation = await openConversation(kristina, ids().heinrich);
    app.clock.advance(2 * 60 * 1000);
    for (let i = 1; i <= 13; i++) {
      app.clock.advance(1000);
      await (i % 2 ? kristina : heinrich).post(conversation, { body: `Nachricht ${i}` });
    }
    const reported = await app.em().findOneOrFail(DirectMessage, { body: 'Nachricht 7' }, all);
    // One cannot report one's own message.
    expect((await kristina.get(`${conversation}/melden/${reported.id}`)).status).toBe(404);
    const form = await heinrich.get(`${conversation}/melden/${reported.id}`);
    expect(form.status).toBe(200);
    expect((await heinrich.post(`${conversation}/melden/${reported.id}`, { reason: '' })).status).toBe(422);
    expect((await heinrich.post(`${conversation}/melden/${reported.id}`, { reason: 'Beleidigend' })).status).toBe(303);
    const report = await app.em().findOneOrFail(MessageReport, { message: reported.id }, all);

    const reports = await staff.get('/verwaltung/meldungen/nachrichten');
    expect(reports.status).toBe(200);
    expect(reports.$(`a[href="/verwaltung/meldungen/nachrichten/${report.id}"]`)).toHaveLength(1);
    const detail = await staff.get(`/verwaltung/meldungen/nachrichten/${report.id}`);
    expect(detail.status).toBe(200);
    const shown = detail
      .$('.messages .message-body')
      .map((_, p) => detail.$(p).text())
      .get();
    expect(shown).toEqual([
      'Nachricht 2',
      'Nachricht 3',
      'Nachricht 4',
      'Nachricht 5',
      'Nachricht 6',
      'Nachricht 7',
      'Nachricht 8',
      'Nachricht 9',
      'Nachricht 10',
      'Nachricht 11',
      'Nachricht 12',
    ]);
    expect(detail.$('.message.reported .message-body').text()).toBe('Nachricht 7');
    const audit = await app.em().find(AuditLog, { action: 'direct-message.report.viewed', subjectId: report.id }, all);
    expect(audit).toHaveLength(1);
    expect(audit[0].actorId).toBe(app.world.staff.clerk.id);

    expect((await staff.post(`/verwaltung/meldungen/nachrichten/${report.id}/erledigt`)).status).toBe(303);
    // Another Verwaltung's staff: not found.
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect((await nord.get(`/verwaltung/meldungen/nachrichten/${report.id}`)).status).toBe(404);
  });

  it('a conversation is not found from another property, another Verwaltung or the preview', async () => {
    await optIn(kristina);
    await optIn(heinrich);
    const conversation = await openConversation(kristina, ids().heinrich);
    const conversationId = conversation.split('/').at(-1)!;
    // Heinrich's other property.
    expect((await heinrich.get(`/portal/liegenschaften/${app.world.properties.rosenweg.id}/nachrichten/${conversationId}`)).status).toBe(404);
    const frieda = app.client();
    await frieda.loginPortal('frieda.friesen@example.de', app.world.password);
    expect((await frieda.get(conversation)).status).toBe(404);
    expect((await frieda.get(`${base()}/nachbarn`)).status).toBe(404);
    expect((await frieda.post(conversation, { body: 'Hallo' })).status).toBe(404);
    // The preview: the list, never a conversation.
    const preview = await staff.get(`/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/vorschau`);
    expect(preview.status).toBe(303);
    const previewBase = `/portal/vorschau/liegenschaften/${app.world.properties.maxPlanck.id}`;
    expect((await staff.get(`${previewBase}/nachbarn`)).status).toBe(200);
    expect((await staff.get(`${previewBase}/nachrichten`)).status).toBe(404);
    expect((await staff.get(`${previewBase}/nachrichten/${conversationId}`)).status).toBe(404);
  });

  it('switches off: gone from the portal and refused on the server', async () => {
    await optIn(kristina);
    await optIn(heinrich);
    const conversation = await openConversation(kristina, ids().heinrich);

    await switches({ directMessagesEnabled: false });
    let start = await kristina.get(base());
    expect(start.$(`a[href="${base()}/nachrichten"]`)).toHaveLength(0);
    expect(start.$(`a[href="${base()}/nachbarn"]`)).toHaveLength(1);
    expect((await kristina.get(`${base()}/nachrichten`)).status).toBe(404);
    expect((await kristina.get(conversation)).status).toBe(404);
    expect((await kristina.post(conversation, { body: 'Trotzdem' })).status).toBe(404);
    expect((await kristina.get(`${conversation}/live`)).status).toBe(404);

    // The Nachbarschaftsprofil off: its fields are neither shown nor asked, and sent anyway they are not saved; the photo is not served.
    await optIn(kristina, { about: 'Vorher', showPhoto: 'on' });
    await switches({ neighbourProfileEnabled: false });
    expect((await kristina.get(`${base()}/nachbarn/meine-angaben`)).$('#about, #location, input[name=showPhoto]')).toHaveLength(0);
    await optIn(kristina, { about: 'Trotzdem', location: 'Trotzdem' });
    const stored = await app.em().findOneOrFail(NeighbourProfile, { portalUser: ids().kristina }, all);
    expect([stored.about, stored.location]).toEqual(['Vorher', null]);
    expect((await heinrich.get(`${base()}/nachbarn`)).text).not.toContain('Vorher');
    expect((await heinrich.get(`${base()}/nachbarn/${ids().kristina}/foto`)).status).toBe(404);

    await switches(ALL_ON, { communityEnabled: false });
    start = await kristina.get(base());
    expect(start.$(`a[href="${base()}/nachbarn"]`)).toHaveLength(0);
    expect((await kristina.get(`${base()}/nachbarn`)).status).toBe(404);
    expect((await kristina.post(`${base()}/nachbarn/meine-angaben`, { listed: 'on' })).status).toBe(404);
    expect((await kristina.post(conversation, { body: 'Trotzdem' })).status).toBe(404);
    expect(await app.em().count(DirectMessage, { body: 'Trotzdem' }, all)).toBe(0);
  });

  it('throttle: the 31st message within a minute is refused with a German message, nothing written', async () => {
    await optIn(kristina);
    await optIn(heinrich);
    const conversation = await openConversation(kristina, ids().heinrich);
    app.clock.advance(5 * 60 * 1000);
    await insertMessages(conversation, ids().kristina, 29, 'Flut');
    expect((await kristina.post(conversation, { body: 'Die dreißigste' })).status).toBe(303);
    const refused = await kristina.post(conversation, { body: 'Eine zu viel' });
    expect(refused.status).toBe(429);
    expect(refused.$('#body-error').text()).toBe(
      'Sie haben in der letzten Minute 30 Nachrichten gesendet. Bitte warten Sie einen Moment und senden Sie dann erneut.',
    );
    expect(refused.$('textarea#body').text()).toBe('Eine zu viel');
    expect(await app.em().count(DirectMessage, { body: 'Eine zu viel' }, all)).toBe(0);
    app.clock.advance(61 * 1000);
    expect((await kristina.post(conversation, { body: 'Eine zu viel' })).status).toBe(303);
  });

  it('the neighbour list, the conversation list and a conversation answer with a bounded number of statements', async () => {
    await optIn(kristina);
    await optIn(heinrich);
    const conversation = await openConversation(kristina, ids().heinrich);
    await insertMessages(conversation, ids().kristina, 1, 'Erste');
    const count = async (path: string) => {
      await heinrich.get(path);
      const page = await heinrich.get(path);
      expect(page.status, path).toBe(200);
      return Number(page.headers.get('x-sql-statements'));
    };
    // The neighbour list and the conversation list: one statement each (plus the unread count when
    // not cached); a conversation: its rule, the other's entry, the block, a page of messages,
    // the read mark (plus the count). Alike with 1 message and with 121.
    const bounds = { neighbours: 2, conversations: 2, conversation: 6 };
    const measure = async () => ({
      neighbours: await count(`${base()}/nachbarn`),
      conversations: await count(`${base()}/nachrichten`),
      conversation: await count(conversation),
    });
    const few = await measure();
    await insertMessages(conversation, ids().kristina, 120, 'Mehr');
    app.clock.advance(60 * 1000);
    const many = await measure();
    for (const counts of [few, many])
      for (const [page, bound] of Object.entries(bounds)) expect(counts[page as keyof typeof bounds], page).toBeLessThanOrEqual(bound);
    expect((await heinrich.get(conversation)).$('.messages .message')).toHaveLength(50);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail, PortalUser, Ticket, TicketCategory, ticketReference } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';

/**
 * The console's start page "Übersicht" (src/features/console): new and unassigned Vorgänge,
 * those waiting longest, open invitations, mails that failed, new registrations, each with its
 * count and a link to its list; only the staff member's own Verwaltung.
 */
let app: TestApp;
let manager: Client;
let clerk: Client;
const all = { filters: { tenant: false } } as const;
const DAY = 86_400_000;

beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  clerk = app.client();
  await clerk.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
});
afterAll(() => app?.close());

/** A Vorgang of Max-Planck-Straße 12 (or Nordhaus's Hafenstraße 9), status Neu, nobody assigned. */
async function newTicket(title: string, organization: 'sonnenschein' | 'nordhaus', lastActivityAt: Date) {
  const em = app.em();
  const org = app.world.organizations[organization];
  const category = await em.findOneOrFail(TicketCategory, { organization: org.id }, { ...all, orderBy: { position: 'asc' } });
  const max = await em.find(Ticket, { organization: org.id, year: 2001 }, { ...all, orderBy: { number: 'desc' }, limit: 1 });
  const ticket = em.create(Ticket, {
    organization: org.id,
    year: 2001,
    number: (max[0]?.number ?? 0) + 1,
    property: organization === 'sonnenschein' ? app.world.properties.maxPlanck.id : app.world.properties.hafenstrasse.id,
    commonArea: 'staircase',
    category,
    title,
    description: 'Bitte prüfen.',
    reporter: organization === 'sonnenschein' ? app.world.portalUsers.kristina.id : app.world.portalUsers.frieda.id,
    reporterName: 'Test',
    lastActivityAt,
    createdAt: lastActivityAt,
  });
  await em.flush();
  return ticket;
}

/** A mail of the Verwaltung the outbox gave up on. */
function failedMail(em: ReturnType<TestApp['em']>, organization: 'sonnenschein' | 'nordhaus', subject: string) {
  const now = app.clock.now();
  return em.create(OutboxMail, {
    organization: app.world.organizations[organization].id,
    messageId: `<${randomUUID()}@test>`,
    to: 'niemand@example.invalid',
    subject,
    text: 'x',
    html: '<p>x</p>',
    status: 'failed',
    attempts: 8,
    lastError: '550 mailbox unavailable',
    nextAttemptAt: now,
    createdAt: now,
  });
}

const section = (page: Awaited<ReturnType<Client['get']>>, id: string) => page.$(`#${id}`);

describe('Übersicht', () => {
  it('is where staff land after logging in, and the first entry of the navigation', async () => {
    const login = await app.client().post('/verwaltung/anmelden', { email: 'verwalter@sonnenschein-hv.de', password: app.world.password });
    expect(login.location).toBe('/verwaltung');
    const page = await manager.get('/verwaltung');
    expect(page.status).toBe(200);
    expect(page.$('main h1').text()).toBe('Übersicht');
    const first = page.$('nav.mainnav li a').first();
    expect(first.text()).toBe('Übersicht');
    expect(first.attr('aria-current')).toBe('page');
    expect(page.$('nav.mainnav a[aria-current]')).toHaveLength(1);
    // On another page the Übersicht is not the current entry.
    const list = await manager.get('/verwaltung/liegenschaften');
    expect(list.$('nav.mainnav a[aria-current]').text()).toBe('Liegenschaften');
  });

  it('lists new unassigned Vorgänge and those waiting longest, of this Verwaltung only, with links to the filtered list', async () => {
    const now = app.clock.now().getTime();
    const old = await newTicket('Treppenlicht defekt (alt)', 'sonnenschein', new Date(now - 40 * DAY));
    await newTicket('Nordhaus: Tür klemmt', 'nordhaus', new Date(now - 50 * DAY));
    const em = app.em();
    const expectedNew = await em.count(Ticket, { organization: app.world.organizations.sonnenschein.id, status: 'new', assignee: null }, all);

    const page = await manager.get('/verwaltung');
    const fresh = section(page, 'neue-vorgaenge');
    expect(fresh.find('.overview-count').text().trim()).toBe(expectedNew === 1 ? '1 Vorgang' : `${expectedNew} Vorgänge`);
    // Oldest first: the one reported 40 days ago leads.
    expect(fresh.find('li a').first().text()).toBe(`Nr. ${ticketReference(old)} · Treppenlicht defekt (alt)`);
    expect(fresh.find('li a').first().attr('href')).toBe(`/verwaltung/vorgaenge/${old.id}`);
    expect(fresh.find('a[href="/verwaltung/vorgaenge?status=new&zustaendig=niemand"]')).toHaveLength(1);
    const waiting = section(page, 'wartende-vorgaenge');
    expect(waiting.find('li a').first().text()).toContain('Treppenlicht defekt (alt)');
    expect(waiting.find('a[href="/verwaltung/vorgaenge?sortierung=wartend"]')).toHaveLength(1);
    expect(page.$('main').text()).not.toContain('Nordhaus: Tür klemmt');

    // The linked list exists and shows the same first Vorgang (oldest activity first).
    const list = await manager.get('/verwaltung/vorgaenge?sortierung=wartend');
    expect(list.status).toBe(200);
    expect(list.$('main tbody tr').first().text()).toContain('Treppenlicht defekt (alt)');
    expect(list.$('#filter-sort option[selected]').text()).toBe('Wartet am längsten');
  });

  it('counts failed mails of this Verwaltung in words ("1 E-Mail"), and beyond 1,000 says "mehr als 1.000"', async () => {
    const em = app.em();
    failedMail(em, 'sonnenschein', 'Neuer Kommentar zu Ihrem Anliegen');
    failedMail(em, 'nordhaus', 'Nordhaus-Mail');
    await em.flush();
    let page = await manager.get('/verwaltung');
    let mails = section(page, 'e-mails');
    expect(mails.find('.overview-count').text().trim()).toBe('1 E-Mail');
    expect(mails.find('li').text()).toContain('Neuer Kommentar zu Ihrem Anliegen');
    expect(mails.find('li').text()).toContain('an niemand@example.invalid');
    expect(mails.find('li').text()).toContain('8 Versuche');
    expect(page.$('main').text()).not.toContain('Nordhaus-Mail');

    for (let i = 0; i < 1000; i++) failedMail(em, 'sonnenschein', `Sammelmail ${i}`);
    await em.flush();
    page = await manager.get('/verwaltung');
    mails = section(page, 'e-mails');
    expect(mails.find('.overview-count').text().trim()).toBe('mehr als 1.000 E-Mails');
    expect(mails.find('li')).toHaveLength(5);
    expect(mails.find('a[href="/verwaltung/uebersicht/e-mails"]')).toHaveLength(1);

    const list = await manager.get('/verwaltung/uebersicht/e-mails');
    expect(list.status).toBe(200);
    expect(list.$('main h1').text()).toBe('Nicht zugestellte E-Mails');
    expect(list.$('main li')).toHaveLength(50);
    expect(list.$('a[rel="next"]').attr('href')).toBe('/verwaltung/uebersicht/e-mails?seite=2');
    const second = await manager.get('/verwaltung/uebersicht/e-mails?seite=2');
    expect(second.$('main li')).toHaveLength(50);
    expect(second.$('a[rel="prev"]').attr('href')).toBe('/verwaltung/uebersicht/e-mails?seite=1');
    expect(second.text).not.toContain('Nordhaus-Mail');
  });

  it('shows an invitation sent from a contact page until it is used, and new registrations of the last 14 days', async () => {
    const before = section(await manager.get('/verwaltung'), 'einladungen').find('li').length;
    const sent = await manager.post(`/verwaltung/kontakte/${app.world.contacts.schulz.id}/einladung`, { channel: 'letter' });
    expect(sent.status).toBe(303);
    const page = await manager.get('/verwaltung');
    const invitations = section(page, 'einladungen');
    expect(invitations.find('li')).toHaveLength(Math.min(before + 1, 5));
    const row = invitations.find(`a[href="/verwaltung/kontakte/${app.world.contacts.schulz.id}"]`);
    expect(row).toHaveLength(1);
    expect(row.parent().text()).toContain('per Brief');

    // Kristina registered yesterday, Dr. Eigner a month ago: only she is new.
    const em = app.em();
    const now = app.clock.now().getTime();
    await em.nativeUpdate(PortalUser, { id: app.world.portalUsers.kristina.id }, { createdAt: new Date(now - DAY) }, all);
    await em.nativeUpdate(PortalUser, { id: app.world.portalUsers.eigner.id }, { createdAt: new Date(now - 30 * DAY) }, all);
    const registrations = section(await manager.get('/verwaltung'), 'registrierungen');
    expect(registrations.find(`a[href="/verwaltung/kontakte/${app.world.contacts.kristina.id}"]`).text()).toBe(app.world.portalUsers.kristina.name);
    expect(registrations.text()).not.toContain(app.world.portalUsers.eigner.email);
  });

  it('is the same for a Sachbearbeiterin, whose navigation has no Administration (she may not open it)', async () => {
    const page = await clerk.get('/verwaltung');
    expect(page.status).toBe(200);
    const nav = page
      .$('nav.mainnav a')
      .map((_, a) => page.$(a).text())
      .get();
    expect(nav).toEqual(['Übersicht', 'Liegenschaften', 'Neuer Inhalt', 'Vorgänge', 'Meldungen', 'Kontakte', 'Stammdaten']);
    expect((await clerk.get('/verwaltung/administration/mitarbeiter')).status).toBe(403);
    // Every entry she is shown opens for her.
    for (const href of page
      .$('nav.mainnav a')
      .map((_, a) => page.$(a).attr('href'))
      .get())
      expect((await clerk.get(href)).status, href).toBe(200);
    // The administrator sees it, and may open it.
    const adminNav = (await manager.get('/verwaltung'))
      .$('nav.mainnav a')
      .map((_, a) => a.attribs.href)
      .get();
    expect(adminNav).toContain('/verwaltung/administration/mitarbeiter');
  });
});

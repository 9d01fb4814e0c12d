import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berlinDate } from '../../src/clock.ts';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { AuditLog, PortalUser, PropertyStaff, StaffUser, Ticket, TicketCategory, type TicketStatus } from '../../src/entities/index.ts';
import { propertyAccess } from '../../src/features/access/service.ts';
import { activeCategories, createTicket, ticketForm, validateTicketForm } from '../../src/features/tickets/service.ts';
import { localFileStorage } from '../../src/storage/files.ts';
import type { Client, Page } from '../support/client.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

/**
 * The console list of Vorgänge (filters, search, counts, sorting, paging, the htmx
 * fragment, the Verwaltung's scope), Administration › Vorgangsthemen and Liegenschaft ›
 * Zuständige Mitarbeiter (src/features/tickets/console-routes.ts, categories-routes.ts).
 * Demo world: 2026-00001 done (clerk), 2026-00002 in progress (manager), 2026-00003 new.
 */

let app: TestApp;
let manager: Client;
let year: number;
const LIST = '/verwaltung/vorgaenge';
const THEMEN = '/verwaltung/administration/vorgangsthemen';
const ref = (n: number) => `${year}-${String(n).padStart(5, '0')}`;

beforeAll(async () => {
  app = await startTestApp();
  year = Number(berlinDate(app.clock.now()).slice(0, 4));
  manager = await staffClient('verwalter@sonnenschein-hv.de');
  // The list's counts below are about the three demo Vorgänge; issue 23's demo Vorgang for the
  // Dienstleister (src/features/orders/demo.ts, 2026-00004) is covered by service-orders.test.ts.
  await app.em().nativeDelete(Ticket, { title: 'Licht im Treppenhaus defekt' }, { filters: { tenant: false } } as never);
  await app.em().execute('update ticket_counter set last_number = last_number - 1 where organization_id = ?', [app.world.organizations.sonnenschein.id]);
});
afterAll(() => app?.close());

async function staffClient(email: string): Promise<Client> {
  const client = app.client();
  await client.loginStaff(email, app.world.password);
  return client;
}

function scoped(organizationId = app.world.organizations.sonnenschein.id): Em {
  const em = app.em();
  scopeToOrganization(em, organizationId);
  return em;
}

/** The ticket numbers ("2026-00002") of the list's rows, in order. */
const numbers = (page: Page) =>
  page
    .$('table.ticket-list tbody tr td.ticket-ref a')
    .map((_, a) => page.$(a).text().trim())
    .get();
const titles = (page: Page) =>
  page
    .$('table.ticket-list tbody tr th > a')
    .map((_, a) => page.$(a).text().trim())
    .get();
/** The count shown on a status tab. */
const count = (page: Page, status: string) => Number(page.$(`nav.ticket-counts a[data-status="${status}"] .count`).text());

async function list(query = '', client = manager): Promise<Page> {
  const page = await client.get(`${LIST}${query}`);
  expect(page.status, `${LIST}${query}`).toBe(200);
  return page;
}

/** Tickets written as rows (no mail, no timeline): for paging and the other Verwaltung. */
async function addTickets(
  organizationId: string,
  propertyId: string,
  reporterId: string,
  specs: Array<{ number: number; title: string; status?: TicketStatus; year?: number }>,
) {
  const em = scoped(organizationId);
  const [category] = await activeCategories(em);
  const now = app.clock.now();
  for (const spec of specs) {
    em.create(Ticket, {
      organization: organizationId,
      year: spec.year ?? year - 1,
      number: spec.number,
      property: propertyId,
      commonArea: 'staircase',
      category,
      title: spec.title,
      description: 'Bitte prüfen.',
      status: spec.status ?? 'new',
      reporter: reporterId,
      reporterName: 'Testmelder',
      lastActivityAt: new Date(now.getTime() - 365 * 86_400_000 - spec.number * 60_000),
      createdAt: new Date(now.getTime() - 400 * 86_400_000),
    });
  }
  await em.flush();
}

describe('the Vorgänge list', () => {
  it('shows the open demo tickets with their facts, the done one only under "Erledigt" or "Alle"', async () => {
    const page = await list();
    expect(numbers(page)).toEqual([ref(3), ref(2)]);
    const row = page.$('table.ticket-list tbody tr').filter((_, tr) => page.$(tr).text().includes('Kellertür'));
    expect(row.find('a').first().attr('href')).toMatch(/^\/verwaltung\/vorgaenge\/[0-9a-f-]{36}$/);
    const text = row.text().replace(/\s+/g, ' ');
    expect(text).toContain('Max-Planck-Straße 12');
    expect(text).toContain('Gemeinschaftsfläche: Keller');
    expect(text).toContain('Schaden/Reparatur');
    expect(text).toContain('Kristina Maiblume');
    expect(text).toContain('In Bearbeitung');
    expect(text).toContain('Max Verwalter');
    expect(text).toContain('3 Tage');
    // Unassigned: a dash.
    const hedge = page.$('table.ticket-list tbody tr').filter((_, tr) => page.$(tr).text().includes('Hecke'));
    expect(hedge.find('td').eq(4).text().trim()).toBe('—');

    expect(titles(await list('?status=done'))).toEqual(['Wasserhahn in der Küche tropft']);
    expect(numbers(await list('?status=alle'))).toEqual([ref(3), ref(2), ref(1)]);
  });

  it('counts per status for the current filters, whatever status is chosen', async () => {
    const page = await list();
    expect([
      count(page, 'offen'),
      count(page, 'new'),
      count(page, 'in_progress'),
      count(page, 'waiting'),
      count(page, 'reopened'),
      count(page, 'done'),
      count(page, 'alle'),
    ]).toEqual([2, 1, 1, 0, 0, 1, 3]);
    expect(page.$('nav.ticket-counts a[aria-current]').attr('data-status')).toBe('offen');
    // Filtered to Max-Planck-Straße 12 and status "Erledigt": the counts still show every status of that property.
    const filtered = await list(`?status=done&liegenschaft=${app.world.properties.maxPlanck.id}`);
    expect([count(filtered, 'new'), count(filtered, 'in_progress'), count(filtered, 'done'), count(filtered, 'alle')]).toEqual([0, 1, 1, 2]);
    // The tab links keep the other filters.
    expect(filtered.$('nav.ticket-counts a[data-status="alle"]').attr('href')).toContain(`liegenschaft=${app.world.properties.maxPlanck.id}`);
  });

  it('narrows by Thema, Liegenschaft, Zuständig and Alter', async () => {
    const em = scoped();
    const frage = await em.findOneOrFail(TicketCategory, { name: 'Allgemeine Frage' });
    expect(numbers(await list(`?status=alle&thema=${frage.id}`))).toEqual([ref(3)]);
    expect(numbers(await list(`?status=alle&liegenschaft=${app.world.properties.rosenweg.id}`))).toEqual([ref(3)]);
    expect(numbers(await list(`?status=alle&liegenschaft=${app.world.properties.maxPlanck.id}`))).toEqual([ref(2), ref(1)]);
    expect(numbers(await list('?status=alle&zustaendig=ich'))).toEqual([ref(2)]);
    expect(numbers(await list('?status=alle&zustaendig=niemand'))).toEqual([ref(3)]);
    expect(numbers(await list(`?status=alle&zustaendig=${app.world.staff.clerk.id}`))).toEqual([ref(1)]);
    // 1, 3 (and a little) and 40 days old.
    const olderThan3 = numbers(await list('?status=alle&alter=3'));
    expect(olderThan3).toContain(ref(1));
    expect(olderThan3).not.toContain(ref(3));
    expect(numbers(await list('?status=alle&alter=30'))).toEqual([ref(1)]);
    expect(numbers(await list('?status=alle&alter=7'))).toEqual([ref(1)]);
    // Unknown values fall back to the defaults instead of failing.
    expect(numbers(await list('?status=kaputt&zustaendig=xyz&liegenschaft=1&alter=99&sortierung=nix'))).toEqual([ref(3), ref(2)]);
  });

  it('finds by number, reporter name and title word', async () => {
    expect(numbers(await list(`?status=alle&q=${ref(2)}`))).toEqual([ref(2)]);
    expect(numbers(await list('?status=alle&q=2'))).toEqual([ref(2)]);
    expect(numbers(await list(`?status=alle&q=${encodeURIComponent(`${year}-1`)}`))).toEqual([ref(1)]);
    expect(numbers(await list('?status=alle&q=Maiblume'))).toEqual([ref(2), ref(1)]);
    expect(numbers(await list('?status=alle&q=hecke'))).toEqual([ref(3)]);
    expect(numbers(await list('?q=Wasserhahn'))).toEqual([]);
    const page = await list('?q=Maiblume');
    expect(numbers(page)).toEqual([ref(2)]);
    expect([count(page, 'offen'), count(page, 'done'), count(page, 'alle')]).toEqual([1, 1, 2]);
    // A search for "%" is the character, not a pattern.
    expect(numbers(await list('?status=alle&q=%25'))).toEqual([]);
    expect((await list(`?status=alle&q=${ref(2)}`)).$('#ticket-search').val()).toBe(ref(2));
  });

  it('sorts by number, creation and status', async () => {
    expect(numbers(await list('?status=alle&sortierung=nummer'))).toEqual([ref(1), ref(2), ref(3)]);
    expect(numbers(await list('?status=alle&sortierung=erstellt'))).toEqual([ref(3), ref(2), ref(1)]);
    // In the order of the workflow: Neu, In Bearbeitung, ..., Erledigt.
    expect(numbers(await list('?status=alle&sortierung=status'))).toEqual([ref(3), ref(2), ref(1)]);
    expect((await list('?sortierung=nummer')).$('#filter-sort option[selected]').text()).toBe('Nummer (aufsteigend)');
  });

  it('answers an htmx request with the results only, and says so in Vary', async () => {
    const full = await list('?q=Hecke');
    expect(full.$('form.filters').length).toBe(1);
    expect(full.$('html').length + full.$('nav.mainnav').length).toBeGreaterThan(0);
    expect(full.headers.get('vary')).toMatch(/HX-Request/i);
    const fragment = await manager.get(`${LIST}?q=Hecke`, { 'HX-Request': 'true', 'HX-Target': 'ticket-results' });
    expect(fragment.status).toBe(200);
    expect(fragment.headers.get('vary')).toMatch(/HX-Request/i);
    expect(fragment.text).not.toContain('<form');
    expect(fragment.text).not.toContain('<html');
    expect(fragment.$('nav.ticket-counts').length).toBe(1);
    expect(numbers(fragment)).toEqual([ref(3)]);
  });

  it('pages 50 at a time', async () => {
    await addTickets(
      app.world.organizations.sonnenschein.id,
      app.world.properties.rosenweg.id,
      app.world.portalUsers.eigner.id,
      Array.from({ length: 60 }, (_, i) => ({ number: i + 1, title: `Seitenprobe ${i + 1}`, status: (['new', 'waiting', 'done'] as const)[i % 3] })),
    );
    const first = await list('?status=alle&q=Seitenprobe&sortierung=erstellt');
    expect(numbers(first)).toHaveLength(50);
    expect(numbers(first)[0]).toBe(`${year - 1}-00060`);
    expect(first.$('nav.pagination').text()).toContain('Seite 1 von 2');
    const next = first.$('nav.pagination a[rel=next]').attr('href')!;
    expect(next).toContain('q=Seitenprobe');
    expect(next).toContain('sortierung=erstellt');
    const second = await list(next.replace(LIST, ''));
    expect(numbers(second)).toEqual(Array.from({ length: 10 }, (_, i) => `${year - 1}-${String(10 - i).padStart(5, '0')}`));
    expect(second.$('nav.pagination').text()).toContain('Seite 2 von 2');
    expect([count(second, 'offen'), count(second, 'new'), count(second, 'waiting'), count(second, 'done')]).toEqual([40, 20, 20, 20]);

    // By status, across the page break: 20 Neu, 20 Wartet, then Erledigt, each by last activity.
    const statuses = (page: Page) =>
      page
        .$('table.ticket-list tbody .ticket-status')
        .map((_, b) => page.$(b).attr('class')!.split(' ').at(-1))
        .get();
    const byStatus = [await list('?status=alle&q=Seitenprobe&sortierung=status'), await list('?status=alle&q=Seitenprobe&sortierung=status&seite=2')];
    expect(byStatus.flatMap(statuses)).toEqual([...Array(20).fill('new'), ...Array(20).fill('waiting'), ...Array(20).fill('done')]);
    const all = byStatus.flatMap(numbers);
    expect(new Set(all).size).toBe(60);
    expect(all.slice(0, 3)).toEqual([1, 4, 7].map((n) => `${year - 1}-${String(n).padStart(5, '0')}`));
    expect(numbers(byStatus[1])).toEqual(Array.from({ length: 10 }, (_, i) => `${year - 1}-${String(33 + 3 * i).padStart(5, '0')}`));
  });

  it('keeps each Verwaltung to its own tickets', async () => {
    await addTickets(app.world.organizations.nordhaus.id, app.world.properties.hafenstrasse.id, app.world.portalUsers.frieda.id, [
      { number: 1, title: 'Nordhaus: Klingel defekt', year },
    ]);
    const sonnenschein = await list('?status=alle&q=Klingel');
    expect(numbers(sonnenschein)).toEqual([]);
    expect(count(sonnenschein, 'alle')).toBe(0);
    expect((await list(`?status=alle&q=${ref(1)}`)).text).not.toContain('Klingel');

    const nordAdmin = await staffClient('verwalter@nordhaus-verwaltung.de');
    const nord = await list('?status=alle', nordAdmin);
    expect(titles(nord)).toEqual(['Nordhaus: Klingel defekt']);
    expect(count(nord, 'alle')).toBe(1);
    expect(nord.text).not.toContain('Kellertür');
    expect(nord.text).not.toContain('Max-Planck-Straße');
    // Filtering by a Sonnenschein property shows nothing, not their tickets.
    expect(numbers(await list(`?status=alle&liegenschaft=${app.world.properties.maxPlanck.id}`, nordAdmin))).toEqual([]);
  });
});

describe('Administration › Vorgangsthemen', () => {
  it('is for admins only', async () => {
    const clerk = await staffClient('sachbearbeitung@sonnenschein-hv.de');
    expect((await clerk.get(THEMEN)).status).toBe(403);
    expect((await clerk.post(THEMEN, { name: 'Heimlich' })).status).toBe(403);
    expect(await scoped().count(TicketCategory, { name: 'Heimlich' })).toBe(0);
  });

  it('lists the Themen in order with their ticket counts', async () => {
    const page = await manager.get(THEMEN);
    expect(page.status).toBe(200);
    const rows = page.$('table.category-list tbody tr');
    const names = rows.map((_, tr) => page.$(tr).find('th input[name=name]').val()).get();
    expect(names.slice(0, 4)).toEqual(['Schaden/Reparatur', 'Nebenkosten', 'Schlüssel', 'Allgemeine Frage']);
    const usage = (name: string) =>
      rows
        .filter((_, tr) => page.$(tr).find('th input[name=name]').val() === name)
        .find('td.num')
        .text();
    expect(usage('Allgemeine Frage')).toBe('1');
    expect(page.$('.admin-nav a[aria-current]').text()).toBe('Vorgangsthemen');
  });

  it('adds, refuses an empty or duplicate name at the field, renames, moves, archives and restores', async () => {
    const empty = await manager.post(THEMEN, { name: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.$('#name-error').text()).toBe('Bitte geben Sie einen Namen ein.');
    const duplicate = await manager.post(THEMEN, { name: 'schlüssel' });
    expect(duplicate.status).toBe(422);
    expect(duplicate.$('#name-error').text()).toBe('Ein aktives Thema mit diesem Namen gibt es bereits.');
    expect(duplicate.$('#category-name').val()).toBe('schlüssel');
    const tooLong = await manager.post(THEMEN, { name: 'x'.repeat(101) });
    expect(tooLong.status).toBe(422);
    expect(tooLong.$('#name-error').text()).toContain('100');

    const added = await manager.post(THEMEN, { name: '  Aufzug  ' });
    expect(added.status).toBe(303);
    const em = scoped();
    const aufzug = await em.findOneOrFail(TicketCategory, { name: 'Aufzug' });
    expect((await activeCategories(scoped())).map((c) => c.name).at(-1)).toBe('Aufzug');

    const taken = await manager.post(`${THEMEN}/${aufzug.id}/umbenennen`, { name: 'Nebenkosten' });
    expect(taken.status).toBe(422);
    expect(taken.$(`#rename-${aufzug.id}-error`).text()).toBe('Ein aktives Thema mit diesem Namen gibt es bereits.');
    expect(taken.$(`#name-${aufzug.id}`).val()).toBe('Nebenkosten');
    expect((await manager.post(`${THEMEN}/${aufzug.id}/umbenennen`, { name: '' })).status).toBe(422);
    expect((await manager.post(`${THEMEN}/${aufzug.id}/umbenennen`, { name: 'Aufzug / Lift' })).status).toBe(303);

    expect((await manager.post(`${THEMEN}/${aufzug.id}/hoch`)).status).toBe(303);
    const order = (await activeCategories(scoped())).map((c) => c.name);
    expect(order.slice(-2)).toEqual(['Aufzug / Lift', 'Allgemeine Frage']);

    expect((await manager.post(`${THEMEN}/${aufzug.id}/archivieren`)).status).toBe(303);
    expect((await activeCategories(scoped())).map((c) => c.name)).not.toContain('Aufzug / Lift');
    // Archived: its name is free again for an active Thema, and it cannot come back under it.
    expect((await manager.post(THEMEN, { name: 'Aufzug / Lift' })).status).toBe(303);
    const refused = await manager.post(`${THEMEN}/${aufzug.id}/wiederherstellen`);
    expect(refused.status).toBe(422);
    expect(refused.$(`#row-${aufzug.id}-error`).text()).toContain('denselben Namen');
    expect((await manager.post(`${THEMEN}/${aufzug.id}/umbenennen`, { name: 'Aufzug alt' })).status).toBe(303);
    expect((await manager.post(`${THEMEN}/${aufzug.id}/wiederherstellen`)).status).toBe(303);
    expect((await activeCategories(scoped())).map((c) => c.name)).toContain('Aufzug alt');

    const actions = (await app.em().find(AuditLog, { subjectId: aufzug.id }, { filters: { tenant: false }, orderBy: { createdAt: 'asc', id: 'asc' } })).map(
      (a) => a.action,
    );
    expect(new Set(actions)).toEqual(
      new Set(['ticket_category.added', 'ticket_category.renamed', 'ticket_category.moved', 'ticket_category.archived', 'ticket_category.restored']),
    );
  });

  it('archives a Thema in use but keeps it on its tickets, and deletes only unused ones', async () => {
    const em = scoped();
    const frage = await em.findOneOrFail(TicketCategory, { name: 'Allgemeine Frage' });
    const inUse = await manager.post(`${THEMEN}/${frage.id}/loeschen`);
    expect(inUse.status).toBe(422);
    expect(inUse.$(`#row-${frage.id}-error`).text()).toContain('Archivieren');
    expect((await manager.post(`${THEMEN}/${frage.id}/archivieren`)).status).toBe(303);
    expect((await activeCategories(scoped())).map((c) => c.name)).not.toContain('Allgemeine Frage');
    // The old ticket keeps it; the list filter still offers it, marked.
    const page = await list(`?status=alle&q=${ref(3)}`);
    expect(page.$('table.ticket-list tbody tr').text()).toContain('Allgemeine Frage');
    expect(
      page
        .$('#filter-category option')
        .map((_, o) => page.$(o).text())
        .get(),
    ).toContain('Allgemeine Frage (archiviert)');
    expect((await manager.post(`${THEMEN}/${frage.id}/wiederherstellen`)).status).toBe(303);

    expect((await manager.post(THEMEN, { name: 'Wegwerfthema' })).status).toBe(303);
    const unused = await scoped().findOneOrFail(TicketCategory, { name: 'Wegwerfthema' });
    expect((await manager.post(`${THEMEN}/${unused.id}/loeschen`)).status).toBe(303);
    expect(await scoped().count(TicketCategory, { name: 'Wegwerfthema' })).toBe(0);
  });

  it('does not reach the Themen of another Verwaltung', async () => {
    const nordCategory = await scoped(app.world.organizations.nordhaus.id).findOneOrFail(TicketCategory, { name: 'Nebenkosten' });
    expect((await manager.post(`${THEMEN}/${nordCategory.id}/archivieren`)).status).toBe(404);
    expect((await scoped(app.world.organizations.nordhaus.id).findOneOrFail(TicketCategory, nordCategory.id)).archivedAt).toBeNull();
  });
});

describe('Liegenschaft › Zuständige Mitarbeiter', () => {
  const path = () => `/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/zustaendige-mitarbeiter`;

  /** Dr. Eigner reports a concern about Rosenweg 24 through the service; the addressees of the mail it sends. */
  async function reportInRosenweg(title: string): Promise<string[]> {
    app.smtp.clear();
    const em = scoped();
    const reporter = await em.findOneOrFail(PortalUser, app.world.portalUsers.eigner.id, { populate: ['organization'] });
    const access = (await propertyAccess(em, reporter, app.world.properties.rosenweg.id, app.clock.now()))!;
    const categories = await activeCategories(em);
    const form = ticketForm({ category: categories[0].id, location: 'area:staircase', title, description: 'Das Licht im Treppenhaus geht nicht.' });
    const { valid } = validateTicketForm(form, categories, []);
    await createTicket(em, localFileStorage(app.storageDir), {
      reporter,
      reporterContact: app.world.contacts.eigner,
      access,
      form,
      valid: valid!,
      files: [],
      now: app.clock.now(),
      baseUrl: app.baseUrl,
    });
    const mails = await app.deliverMail();
    return mails
      .filter((m) => m.subject.includes(title) || m.text.includes(title))
      .flatMap((m) => m.to)
      .sort();
  }

  it('is linked from the property page and shows a checkbox per staff member', async () => {
    const property = await manager.get(`/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}`);
    expect(property.$(`a[href="${path()}"]`).text()).toBe('Zuständige Mitarbeiter festlegen');
    const page = await manager.get(path());
    expect(page.status).toBe(200);
    const boxes = page.$('input[type=checkbox][name=staff]');
    expect(boxes.map((_, b) => page.$(b).val()).get()).toEqual(expect.arrayContaining([app.world.staff.manager.id, app.world.staff.clerk.id]));
    expect(boxes.filter('[checked]').length).toBe(0);
    expect(page.text).not.toContain('nordhaus');
  });

  it('sends the mail of a new concern to the chosen staff only, and to all staff when none is chosen', async () => {
    const saved = await manager.post(path(), { staff: [app.world.staff.clerk.id] });
    expect(saved.status).toBe(303);
    const page = await manager.get(saved.location!);
    expect(page.$('[role=status]').text()).toContain('gespeichert');
    expect(page.$(`input[value="${app.world.staff.clerk.id}"]`).attr('checked')).toBeDefined();
    expect(await reportInRosenweg('Licht im Treppenhaus')).toEqual(['sachbearbeitung@sonnenschein-hv.de']);
    expect(
      await app.em().count(AuditLog, { action: 'property.responsible_staff', subjectId: app.world.properties.rosenweg.id }, { filters: { tenant: false } }),
    ).toBe(1);

    expect((await manager.post(path(), {})).status).toBe(303);
    expect(await app.em().count(PropertyStaff, { property: app.world.properties.rosenweg.id }, { filters: { tenant: false } })).toBe(0);
    const everyone = (await scoped().find(StaffUser, { passwordHash: { $ne: null }, disabledAt: null })).map((s) => s.email).sort();
    expect(everyone).toContain('verwalter@sonnenschein-hv.de');
    expect(await reportInRosenweg('Haustür klemmt')).toEqual(everyone);
  });

  it('refuses staff of another Verwaltung and keeps the choice as it was', async () => {
    await manager.post(path(), { staff: [app.world.staff.manager.id] });
    const refused = await manager.post(path(), { staff: [app.world.staff.clerk.id, app.world.staff.nordAdmin.id] });
    expect(refused.status).toBe(422);
    expect(refused.$('#staff-error').text()).toBe('Bitte wählen Sie Mitarbeiter aus der Liste.');
    expect((await manager.post(path(), { staff: ['not-an-id'] })).status).toBe(422);
    const rows = await app.em().find(PropertyStaff, { property: app.world.properties.rosenweg.id }, { filters: { tenant: false } });
    expect(rows.map((r) => r.staffUser.id)).toEqual([app.world.staff.manager.id]);
  });

  it('is a 404 for a property of another Verwaltung', async () => {
    const nordAdmin = await staffClient('verwalter@nordhaus-verwaltung.de');
    expect((await nordAdmin.get(path())).status).toBe(404);
    expect((await nordAdmin.post(path(), { staff: [app.world.staff.nordAdmin.id] })).status).toBe(404);
    expect(await app.em().count(PropertyStaff, { staffUser: app.world.staff.nordAdmin.id }, { filters: { tenant: false } })).toBe(0);
  });
});

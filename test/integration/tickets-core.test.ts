import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berlinDate } from '../../src/clock.ts';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { Contract, OutboxMail, PortalUser, StaffUser, Ticket, TicketCategory, TicketEntry, TicketFollower } from '../../src/entities/index.ts';
import { propertyAccess } from '../../src/features/access/service.ts';
import {
  addComment,
  changeStatus,
  createTicket,
  nextTicketNumber,
  reopenTicket,
  reporterContactFor,
  ticketForm,
  validateTicketForm,
} from '../../src/features/tickets/service.ts';
import { notifyResidents } from '../../src/features/tickets/notify.ts';
import { localFileStorage } from '../../src/storage/files.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

/**
 * The core of Vorgänge (src/features/tickets/service.ts, notify.ts) against the real
 * database: gapless numbers under concurrency, one winner of two status changes, and the
 * mail rule (internal → nobody). The routes are tested over HTTP in tickets-portal and
 * tickets-console.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

function scoped(): Em {
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  return em;
}

/** Kristina Maiblume reports a concern about Wohnung 002 through the service, on her own EntityManager. */
async function report(title: string) {
  const em = scoped();
  const reporter = await em.findOneOrFail(PortalUser, app.world.portalUsers.kristina.id, { populate: ['organization'] });
  const access = (await propertyAccess(em, reporter, app.world.properties.maxPlanck.id, app.clock.now()))!;
  const categories = await em.find(TicketCategory, {});
  const form = ticketForm({ category: categories[0].id, location: `unit:${app.world.units.wohnung002.id}`, title, description: 'Bitte prüfen.' });
  const { valid } = validateTicketForm(form, categories, [app.world.units.wohnung002]);
  return createTicket(em, localFileStorage(app.storageDir), {
    reporter,
    reporterContact: app.world.contacts.kristina,
    access,
    form,
    valid: valid!,
    files: [],
    now: app.clock.now(),
    baseUrl: app.baseUrl,
  });
}

describe('numbers', () => {
  it('gives 50 concerns reported at once 50 distinct, consecutive numbers of the year', async () => {
    const before = await app.em().count(Ticket, { organization: app.world.organizations.sonnenschein.id }, { filters: { tenant: false } });
    const tickets = await Promise.all(Array.from({ length: 50 }, (_, i) => report(`Parallel ${i}`)));
    const numbers = tickets.map((t) => t.number).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(50);
    expect(numbers[49] - numbers[0]).toBe(49);
    // The demo's tickets come first: nothing skipped, nothing doubled.
    expect(numbers[0]).toBe(before + 1);
    expect(new Set(tickets.map((t) => t.year))).toEqual(new Set([Number(berlinDate(app.clock.now()).slice(0, 4))]));
  });

  it('gives a number back when the report is rolled back', async () => {
    const org = app.world.organizations.sonnenschein.id;
    const year = 2031;
    const first = await app.em().transactional((tx) => nextTicketNumber(tx as Em, org, year));
    await expect(
      app.em().transactional(async (tx) => {
        await nextTicketNumber(tx as Em, org, year);
        throw new Error('the insert failed');
      }),
    ).rejects.toThrow('the insert failed');
    const next = await app.em().transactional((tx) => nextTicketNumber(tx as Em, org, year));
    expect([first, next]).toEqual([1, 2]);
  });

  it('counts each Verwaltung on its own', async () => {
    const nord = await app.em().transactional((tx) => nextTicketNumber(tx as Em, app.world.organizations.nordhaus.id, 2031));
    expect(nord).toBe(1);
  });
});

describe('status changes', () => {
  it('lets one of two staff changing the same version win; the other gets a conflict and nothing is lost', async () => {
    const ticket = await report('Zwei Verwalter gleichzeitig');
    const load = async () => {
      const em = scoped();
      return { em, ticket: await em.findOneOrFail(Ticket, ticket.id), staff: await em.findOneOrFail(StaffUser, app.world.staff.manager.id) };
    };
    const [a, b] = await Promise.all([load(), load()]);
    const results = await Promise.all([
      changeStatus(a.em, a.ticket, a.staff, 'in_progress', a.ticket.version, app.clock.now(), app.baseUrl),
      changeStatus(b.em, b.ticket, b.staff, 'waiting', b.ticket.version, app.clock.now(), app.baseUrl),
    ]);
    expect(results.sort()).toEqual(['changed', 'conflict']);
    const after = await scoped().findOneOrFail(Ticket, ticket.id);
    const entries = await scoped().find(TicketEntry, { ticket: ticket.id, kind: 'status' });
    expect(entries).toHaveLength(1);
    expect(after.status).toBe((entries[0].data as { to: string }).to);
    expect(after.version).toBe(ticket.version + 1);
  });

  it('reopens a closed ticket once, even when reporter and staff reopen it at the same moment', async () => {
    const ticket = await report('Erledigt und wieder offen');
    const em = scoped();
    const staff = await em.findOneOrFail(StaffUser, app.world.staff.manager.id);
    expect(await changeStatus(em, await em.findOneOrFail(Ticket, ticket.id), staff, 'done', ticket.version, app.clock.now(), app.baseUrl)).toBe('changed');
    const [x, y] = [scoped(), scoped()];
    const reporter = await y.findOneOrFail(PortalUser, app.world.portalUsers.kristina.id);
    // Both loaded while it is still closed, then both reopen at once.
    const [seenByStaff, seenByReporter, staffOfX] = [
      await x.findOneOrFail(Ticket, ticket.id),
      await y.findOneOrFail(Ticket, ticket.id),
      await x.findOneOrFail(StaffUser, staff.id),
    ];
    const results = await Promise.all([
      reopenTicket(x, seenByStaff, { staff: staffOfX }, app.clock.now(), app.baseUrl),
      reopenTicket(y, seenByReporter, { portalUser: reporter }, app.clock.now(), app.baseUrl),
    ]);
    expect(results.sort()).toEqual(['changed', 'conflict']);
    expect((await scoped().findOneOrFail(Ticket, ticket.id)).status).toBe('reopened');
    expect(await scoped().count(TicketEntry, { ticket: ticket.id, kind: 'reopened' })).toBe(1);
  });
});

describe('mails', () => {
  const mailsTo = (to: string, since: Date) => app.em().count(OutboxMail, { to, createdAt: { $gte: since } });

  it('sends an internal note to nobody and a public comment to the reporter', async () => {
    const ticket = await report('Notiz und Kommentar');
    const since = app.clock.now();
    const em = scoped();
    const staff = await em.findOneOrFail(StaffUser, app.world.staff.manager.id);
    const fresh = await em.findOneOrFail(Ticket, ticket.id);
    const outboxBefore = await app.em().count(OutboxMail, {});
    await addComment(
      em,
      localFileStorage(app.storageDir),
      fresh,
      { staff },
      { body: 'Nur intern: Angebot einholen.', internal: true, files: [], now: since, baseUrl: app.baseUrl },
    );
    expect(await app.em().count(OutboxMail, {})).toBe(outboxBefore);
    await addComment(
      em,
      localFileStorage(app.storageDir),
      fresh,
      { staff },
      { body: 'Wir kümmern uns.', internal: false, files: [], now: since, baseUrl: app.baseUrl },
    );
    expect(await mailsTo('kristina.maiblume@example.de', since)).toBeGreaterThanOrEqual(1);
    const mail = await app.em().findOneOrFail(OutboxMail, { to: 'kristina.maiblume@example.de', text: { $like: '%Wir kümmern uns.%' } });
    expect(mail.text).not.toContain('Angebot einholen');
  });

  it('does not show an internal note as activity to residents', async () => {
    const ticket = await report('Stille Notiz');
    const em = scoped();
    const staff = await em.findOneOrFail(StaffUser, app.world.staff.manager.id);
    const before = (await scoped().findOneOrFail(Ticket, ticket.id)).lastActivityAt.getTime();
    app.clock.advance(60_000);
    await addComment(
      em,
      localFileStorage(app.storageDir),
      await em.findOneOrFail(Ticket, ticket.id),
      { staff },
      { body: 'Nur intern.', internal: true, files: [], now: app.clock.now(), baseUrl: app.baseUrl },
    );
    expect((await scoped().findOneOrFail(Ticket, ticket.id)).lastActivityAt.getTime()).toBe(before);
  });

  it('mails only linked residents who still have access: a follower without access to the property gets nothing', async () => {
    const ticket = await report('Nachbar ohne Zugang');
    const em = scoped();
    const outsider = em.create(PortalUser, {
      organization: app.world.organizations.sonnenschein.id,
      email: 'ehemals@example.de',
      name: 'Ehemaliger Mieter',
      passwordHash: 'x',
      createdAt: app.clock.now(),
    });
    await em.flush();
    em.create(TicketFollower, {
      ticket: ticket.id,
      portalUser: outsider.id,
      organization: app.world.organizations.sonnenschein.id,
      createdAt: app.clock.now(),
    });
    await em.flush();
    const since = app.clock.now();
    const staff = await em.findOneOrFail(StaffUser, app.world.staff.manager.id);
    await addComment(
      em,
      localFileStorage(app.storageDir),
      await em.findOneOrFail(Ticket, ticket.id),
      { staff },
      { body: 'Öffentlich.', internal: false, files: [], now: since, baseUrl: app.baseUrl },
    );
    expect(await mailsTo('ehemals@example.de', since)).toBe(0);
    expect(await mailsTo('kristina.maiblume@example.de', since)).toBeGreaterThanOrEqual(1);
  });

  it('refuses to mail residents about an internal entry, whoever asks', async () => {
    const ticket = await report('Interner Eintrag');
    const em = scoped();
    const outboxBefore = await app.em().count(OutboxMail, {});
    const entry = em.create(TicketEntry, {
      organization: ticket.organization,
      ticket,
      kind: 'forwarded',
      internal: true,
      authorName: 'X',
      body: 'intern',
      createdAt: app.clock.now(),
    });
    await notifyResidents(em, ticket, entry, app.baseUrl, app.clock.now(), null);
    await em.flush();
    expect(await app.em().count(OutboxMail, {})).toBe(outboxBefore);
  });
});

describe('the contact a report is filed under', () => {
  it('is never one whose contract on the unit was archived (deleted in the ERP), even while the contact still counts for the property', async () => {
    const em = scoped();
    const reporter = await em.findOneOrFail(PortalUser, app.world.portalUsers.kristina.id, { populate: ['organization'] });
    const access = (await propertyAccess(em, reporter, app.world.properties.maxPlanck.id, app.clock.now()))!;
    const unit = app.world.units.wohnung002;
    const valid = { unit } as unknown as Parameters<typeof reporterContactFor>[2];
    expect((await reporterContactFor(em, access, valid, app.clock.now()))?.id).toBe(app.world.contacts.kristina.id);
    const contract = await em.findOneOrFail(Contract, { unit: unit.id, contacts: app.world.contacts.kristina.id, archivedAt: null });
    contract.archivedAt = app.clock.now();
    await em.flush();
    try {
      // The access computed before the archiving still names her contact, as a window contract would.
      expect(await reporterContactFor(scoped(), access, valid, app.clock.now())).toBeNull();
    } finally {
      contract.archivedAt = null;
      await em.flush();
    }
  });
});

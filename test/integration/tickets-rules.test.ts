import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import {
  Contact,
  Contract,
  Organization,
  OutboxMail,
  PortalMembership,
  PortalUser,
  StaffUser,
  Ticket,
  TicketEntry,
  TicketFollower,
} from '../../src/entities/index.ts';
import { notifyResidents } from '../../src/features/tickets/notify.ts';
import { changeStatus, reopenTicket } from '../../src/features/tickets/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';

/**
 * The rules of src/features/tickets/access.ts where they are asked outside the page itself.
 *
 * Who is mailed about a Vorgang follows the rule of who sees its page (residentsSeeingTicket,
 * used by notify.ts): the same residents, asked for all of them at once (one query of the
 * access rule, not one per resident). Karl is a second login of Kristina's contact and also a Bewohner of the house
 * (a membership): he sees her concern while her contract gives access there, and neither
 * sees it nor is mailed about it once it gives none, although the house is still open to him.
 *
 * Who may reopen a Vorgang (reopenRight) is decided for the action as for the button: the
 * service refuses a joiner and a resident who does not see the Vorgang, whoever calls it.
 */

const all = { filters: { tenant: false } } as const;
const KRISTINA = 'kristina.maiblume@example.de';
const KARL = 'karl.maiblume@example.de';
/** Bewohner who follow the concern (they see general content: a membership). */
const FOLLOWERS = ['anna.nachbar@example.de', 'bert.nachbar@example.de', 'cora.nachbar@example.de', 'dirk.nachbar@example.de', 'emil.nachbar@example.de'];

let app: TestApp;
let kristina: Client;
let karl: Client;
let manager: Client;

beforeAll(async () => {
  app = await startTestApp();
  const em = app.em();
  const now = app.clock.now();
  const organization = em.getReference(Organization, app.world.organizations.sonnenschein.id);
  const passwordHash = await hashPassword(app.world.password);
  const resident = (email: string, name: string, contacts: Contact[] = []) => {
    const user = em.create(PortalUser, { organization, email, name, passwordHash, createdAt: now, onboardedAt: now, contacts });
    em.create(PortalMembership, {
      organization,
      portalUser: user,
      property: app.world.properties.maxPlanck.id,
      role: 'resident',
      invitedBy: app.world.portalUsers.eigner.id,
      createdAt: now,
    });
    return user;
  };
  resident(KARL, 'Karl Maiblume', [em.getReference(Contact, app.world.contacts.kristina.id)]);
  FOLLOWERS.forEach((email, i) => {
    resident(email, `Nachbar ${i + 1}`);
  });
  await em.flush();
  kristina = app.client();
  await kristina.loginPortal(KRISTINA, app.world.password);
  karl = app.client();
  await karl.loginPortal(KARL, app.world.password);
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});
afterAll(() => app?.close());

const portalUrl = (ticket: { id: string }) => `/portal/liegenschaften/${app.world.properties.maxPlanck.id}/vorgaenge/${ticket.id}`;

/** Kristina reports a concern about her flat; the ticket as stored. */
async function report(title: string): Promise<Ticket> {
  const list = `/portal/liegenschaften/${app.world.properties.maxPlanck.id}/vorgaenge`;
  const form = await kristina.get(`${list}/neu`);
  const category = form.$('select[name=category] option[value!=""]').first().attr('value')!;
  const answer = await kristina.postMultipart(
    list,
    { category, location: `unit:${app.world.units.wohnung002.id}`, title, description: 'Bitte prüfen.' },
    [],
    'photos',
  );
  expect(answer.status).toBe(303);
  return app.em().findOneOrFail(Ticket, { title }, all);
}

function scoped(): Em {
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  return em;
}

/** A public comment by staff; the addresses it was mailed to. */
async function staffComment(ticket: Ticket, body: string) {
  app.clock.advance(60_000);
  const since = app.clock.now();
  const answer = await manager.postMultipart(`/verwaltung/vorgaenge/${ticket.id}/kommentare`, { body, visibility: 'public' }, [], 'files');
  expect(answer.status).toBe(303);
  const mails = await app.em().find(OutboxMail, { createdAt: { $gte: since } }, all);
  return mails.map((mail) => mail.to).sort();
}

describe('the mails of a Vorgang', () => {
  it('reach the other login of the reporter’s contact while the contact gives access there, and not once it gives none', async () => {
    const ticket = await report('Heizung im Bad kalt');
    expect((await karl.get(portalUrl(ticket))).status).toBe(200);
    expect(await staffComment(ticket, 'Der Monteur kommt am Dienstag.')).toEqual([KARL, KRISTINA]);

    // Kristina's contract is archived (deleted in the ERP): her contact gives no access to the
    // house any more. Karl still reaches the house as a Bewohner, but not her concern.
    const em = app.em();
    const contracts = await em.find(Contract, { contacts: app.world.contacts.kristina.id, unit: { property: app.world.properties.maxPlanck.id } }, all);
    for (const contract of contracts) contract.archivedAt = app.clock.now();
    await em.flush();
    try {
      expect((await karl.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}`)).status).toBe(200);
      expect((await karl.get(portalUrl(ticket))).status).toBe(404);
      expect(await staffComment(ticket, 'Der Monteur war da.')).toEqual([]);
    } finally {
      for (const contract of contracts) contract.archivedAt = null;
      await em.flush();
    }
  });

  it('ask the access rule once for all residents, however many follow the concern', async () => {
    const ticket = await report('Briefkasten klemmt');
    const em = scoped();
    const followers = await em.find(PortalUser, { email: { $in: FOLLOWERS } });
    for (const follower of followers)
      em.create(TicketFollower, {
        ticket: ticket.id,
        portalUser: follower.id,
        organization: app.world.organizations.sonnenschein.id,
        createdAt: app.clock.now(),
      });
    await em.flush();

    // The access rule is one plain query (Kysely); count those this EntityManager sends.
    let plainQueries = 0;
    const getKysely = em.getKysely.bind(em);
    em.getKysely = ((options?: Parameters<typeof getKysely>[0]) =>
      getKysely(options).withPlugin({
        transformQuery: ({ node }) => {
          plainQueries++;
          return node;
        },
        transformResult: async ({ result }) => result,
      })) as typeof em.getKysely;
    app.clock.advance(60_000);
    const since = app.clock.now();
    const fresh = await em.findOneOrFail(Ticket, ticket.id);
    const entry = em.create(TicketEntry, {
      organization: fresh.organization,
      ticket: fresh,
      kind: 'comment',
      internal: false,
      authorName: 'Max Verwalter',
      body: 'Das Schloss wird getauscht.',
      createdAt: since,
    });
    await notifyResidents(em, fresh, entry, app.baseUrl, since, null);
    await em.flush();

    expect(plainQueries).toBe(1);
    const mails = await app.em().find(OutboxMail, { createdAt: { $gte: since } }, all);
    expect(mails.map((mail) => mail.to).sort()).toEqual([...FOLLOWERS, KARL, KRISTINA].sort());
  });
});

describe('reopening a Vorgang', () => {
  it('is refused by the service to a joiner and to a resident who does not see it, and done for the reporter side', async () => {
    const ticket = await report('Rollladen hängt');
    const em = scoped();
    const staff = await em.findOneOrFail(StaffUser, app.world.staff.manager.id);
    expect(await changeStatus(em, await em.findOneOrFail(Ticket, ticket.id), staff, 'done', ticket.version, app.clock.now(), app.baseUrl)).toBe('changed');
    const [joiner, outsider] = await Promise.all([
      em.findOneOrFail(PortalUser, { email: FOLLOWERS[0] }),
      em.findOneOrFail(PortalUser, app.world.portalUsers.eigner.id),
    ]);
    em.create(TicketFollower, { ticket: ticket.id, portalUser: joiner.id, organization: app.world.organizations.sonnenschein.id, createdAt: app.clock.now() });
    await em.flush();

    const attempt = async (user: PortalUser) =>
      reopenTicket(scoped(), await scoped().findOneOrFail(Ticket, ticket.id), { portalUser: user }, app.clock.now(), app.baseUrl);
    expect(await attempt(joiner)).toBe('refused');
    expect(await attempt(outsider)).toBe('refused');
    expect((await scoped().findOneOrFail(Ticket, ticket.id)).status).toBe('done');
    expect(await scoped().count(TicketEntry, { ticket: ticket.id, kind: 'reopened' })).toBe(0);

    const karlUser = await em.findOneOrFail(PortalUser, { email: KARL });
    expect(await attempt(karlUser)).toBe('changed');
    expect((await scoped().findOneOrFail(Ticket, ticket.id)).status).toBe('reopened');
    // Not closed any more: nothing to reopen, for anyone.
    expect(await attempt(karlUser)).toBe('unchanged');
  });
});

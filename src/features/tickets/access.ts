import type { FilterQuery } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import { OPEN_TICKET_STATUSES, Ticket, TicketEntry, TicketFollower, type PortalUser } from '../../entities/index.ts';
import type { PropertyAccess } from '../access/service.ts';

/**
 * Who sees which Vorgang, and which of its entries: the one rule, used by every portal
 * route, the resident's PDF and the mails.
 *
 * A resident sees a ticket of a property they have access to (src/features/access) when
 * they reported it, when it was reported through one of their contacts there (both spouses
 * of one contact), or when they follow it ("Ich bin auch betroffen") and still see the
 * property's general content. Everyone else —
 * including neighbours in the same house — gets a 404. Of its timeline they see only what
 * is not `internal`: internal notes, forwarding to Dienstleister and internal events never
 * reach a resident's page, PDF or mail. Staff see every ticket of their Verwaltung (the
 * tenant filter, src/db/tenant.ts) with everything.
 */

/** The ids of the tickets a resident follows in a property. */
async function followedTicketIds(em: Em, user: PortalUser, propertyId: string): Promise<string[]> {
  const rows = await em.find(TicketFollower, { portalUser: user.id, ticket: { property: propertyId } }, { fields: ['ticket'] });
  return rows.map((row) => row.ticket.id);
}

/** The condition for "tickets this resident sees in this property" (see above). */
export async function residentTicketsWhere(em: Em, user: PortalUser, access: PropertyAccess): Promise<FilterQuery<Ticket>> {
  const linked: FilterQuery<Ticket>[] = [{ reporter: user.id }];
  if (access.contactIds.length > 0) linked.push({ reporterContact: { $in: access.contactIds } });
  // Following is joining a concern of the house: like all general content, it shows only while
  // the user has a running contract or membership there, not inside an access window alone.
  const followed = access.seesGeneralContent ? await followedTicketIds(em, user, access.property.id) : [];
  if (followed.length > 0) linked.push({ id: { $in: followed } });
  return { property: access.property.id, $or: linked };
}

/** A ticket the resident sees (see above), or null: the route answers 404. */
export async function residentTicket(em: Em, user: PortalUser, access: PropertyAccess, ticketId: string): Promise<Ticket | null> {
  return em.findOne(Ticket, { $and: [{ id: ticketId }, await residentTicketsWhere(em, user, access)] } as FilterQuery<Ticket>, {
    populate: ['category', 'unit', 'assignee', 'mergedInto'],
  });
}

/** Whether the resident is linked to the ticket as its reporter (or through the reporter's contact), not only as a follower. */
export function isReporter(ticket: Ticket, user: PortalUser, access: PropertyAccess): boolean {
  return ticket.reporter.id === user.id || (ticket.reporterContact !== null && ticket.reporterContact !== undefined && access.contactIds.includes(ticket.reporterContact.id));
}

/** The timeline as residents see it: public entries only, oldest first, with their attachments. */
export function publicEntries(em: Em, ticket: Ticket) {
  return em.find(TicketEntry, { ticket: ticket.id, internal: false }, { populate: ['attachments'], orderBy: { createdAt: 'asc', id: 'asc' } });
}

/** The whole timeline for staff, internal entries included. */
export function allEntries(em: Em, ticket: Ticket) {
  return em.find(TicketEntry, { ticket: ticket.id }, { populate: ['attachments'], orderBy: { createdAt: 'asc', id: 'asc' } });
}

/**
 * Open concerns about common areas of a property, which its residents (those who see
 * general content) may join instead of reporting the same again ("Ich bin auch betroffen").
 * Their title, place and status show; the description and timeline only once joined.
 */
export function joinableTickets(em: Em, access: PropertyAccess, limit = 20) {
  if (!access.seesGeneralContent) return Promise.resolve([] as Ticket[]);
  return em.find(Ticket, joinableWhere(access), { populate: ['category'], orderBy: { lastActivityAt: 'desc', id: 'asc' }, limit });
}

/** One ticket the resident may join ("Ich bin auch betroffen", see joinableTickets), or null. */
export function joinableTicket(em: Em, access: PropertyAccess, ticketId: string) {
  if (!access.seesGeneralContent) return Promise.resolve(null);
  return em.findOne(Ticket, { $and: [{ id: ticketId }, joinableWhere(access)] } as FilterQuery<Ticket>);
}

function joinableWhere(access: PropertyAccess): FilterQuery<Ticket> {
  return { property: access.property.id, commonArea: { $ne: null }, status: { $in: [...OPEN_TICKET_STATUSES] }, mergedInto: null };
}

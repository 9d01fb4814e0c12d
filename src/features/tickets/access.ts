import type { FilterQuery } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import { OPEN_TICKET_STATUSES, PortalUser, Ticket, TicketEntry, TicketFollower, type TicketAttachment } from '../../entities/index.ts';
import type { PropertyAccess } from '../access/service.ts';

/**
 * Who sees which Vorgang, and what of it: the one rule, used by every portal route, the
 * console, the PDF and the mails.
 *
 * A resident sees a ticket of a property they have access to (src/features/access) when
 * they reported it, when it was reported through one of their contacts there (both spouses
 * of one contact), or when they follow it ("Ich bin auch betroffen") and still see the
 * property's general content. Everyone else — including neighbours in the same house —
 * gets a 404. What each of them sees of it is the second half of this file (ticketSight,
 * entrySight): internal entries never reach a resident's page, PDF or mail, and a joiner
 * sees nothing personal of the reporter. Staff see every ticket of their Verwaltung (the
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

// ---------------------------------------------------------------------------------------
// What a viewer sees of a ticket
//
// SPEC "Access rules": neighbours never see each other's personal data. Everyone who sees a
// ticket stands to it in one of three ways:
// - staff: everything;
// - the reporter side (the reporter and the other logins of the contact it is filed under):
//   the whole public ticket, but not what joiners wrote or attached;
// - a joiner ("Ich bin auch betroffen", or the reporter of a duplicate merged into it): the
//   number, title, Thema, Ort, status, assignee and staff's public entries, their own
//   comments, and the report as an event without a name ("Anliegen gemeldet"). Never the
//   reporter's name or contact data, nor what the reporter side or other joiners wrote; the
//   description and the report's photos only when the reporter shared them
//   (`shareReportWithJoiners`).
// Nobody but staff learns who joined: residents get a bare count (no name, no entry).
// Pages, the PDF (pdf.ts), attachment downloads and the mails (notify.ts) all ask this.

/** Who looks at a ticket: staff, or a resident on the reporter side or as a joiner. */
export type TicketViewer = { relation: 'staff' } | { relation: 'reporter' | 'joiner'; userId: string };

export const STAFF_VIEWER: TicketViewer = { relation: 'staff' };

/** How a resident who sees the ticket (residentTicket) stands to it. */
export function residentViewer(ticket: Ticket, user: PortalUser, access: PropertyAccess): TicketViewer {
  return { relation: isReporter(ticket, user, access) ? 'reporter' : 'joiner', userId: user.id };
}

/** What of the ticket itself, beside its timeline, a viewer sees. */
export type TicketSight = {
  /** 'contact': name and contact data (staff); 'name': the name (the reporter side sees its own); 'none'. */
  reporter: 'contact' | 'name' | 'none';
  /** The description and the photos of the report. */
  report: boolean;
  /** How many residents joined: a bare number, no names (staff see the names in the timeline). */
  followerCount: boolean;
  /** May reopen a closed concern ("Vorgang erneut öffnen"). */
  reopen: boolean;
  /** What the viewer writes reaches staff only (a joiner's comments: see entrySight). */
  commentsForStaffOnly: boolean;
};

export function ticketSight(ticket: Ticket, viewer: TicketViewer): TicketSight {
  switch (viewer.relation) {
    case 'staff':
      return { reporter: 'contact', report: true, followerCount: false, reopen: true, commentsForStaffOnly: false };
    case 'reporter':
      return { reporter: 'name', report: true, followerCount: true, reopen: true, commentsForStaffOnly: false };
    case 'joiner':
      return { reporter: 'none', report: ticket.shareReportWithJoiners, followerCount: true, reopen: false, commentsForStaffOnly: true };
  }
}

/** The portal users on the reporter side of a ticket: the reporter and the other logins of its contact. */
export async function reporterSideIds(em: Em, ticket: Ticket): Promise<Set<string>> {
  const ids = new Set([ticket.reporter.id]);
  if (ticket.reporterContact) {
    // Whole rows (a few): a partly loaded user in the identity map could reach a later flush.
    const linked = await em.find(PortalUser, { contacts: ticket.reporterContact.id });
    for (const user of linked) ids.add(user.id);
  }
  return ids;
}

/** How a viewer sees one entry: not at all (null), or with the author's name or without it (`author` null). */
export type EntrySight = { author: string | null; files: boolean };

/** The one decision per entry (see above); `reporterSide` from reporterSideIds. */
export function entrySight(ticket: Ticket, viewer: TicketViewer, entry: TicketEntry, reporterSide: Set<string>): EntrySight | null {
  if (viewer.relation === 'staff') return { author: entry.authorName, files: true };
  if (entry.internal) return null;
  const authorId = entry.authorPortalUser?.id;
  // Staff's public entries reach every resident who sees the ticket; one's own entries too.
  if (!authorId) return { author: entry.authorName, files: true };
  if (authorId === viewer.userId) return { author: entry.authorName, files: true };
  const byReporterSide = reporterSide.has(authorId);
  // What a joiner wrote stays between them and staff.
  if (!byReporterSide) return null;
  if (viewer.relation === 'reporter') return { author: entry.authorName, files: true };
  // A joiner sees that the concern was reported or reopened, by nobody named; no comment of the reporter side.
  if (entry.kind === 'comment') return null;
  return { author: null, files: entry.kind === 'created' && ticketSight(ticket, viewer).report };
}

/** An entry as a viewer sees it: the author's name (null: worded without one) and the files they may open. */
export type TimelineItem = { entry: TicketEntry; author: string | null; files: TicketAttachment[] };

/** The timeline as `viewer` sees it, oldest first (staff: every entry, internal ones included). */
export async function visibleTimeline(em: Em, ticket: Ticket, viewer: TicketViewer): Promise<TimelineItem[]> {
  const [entries, reporterSide] = await Promise.all([
    em.find(TicketEntry, { ticket: ticket.id }, { populate: ['attachments'], orderBy: { createdAt: 'asc', id: 'asc' } }),
    viewer.relation === 'staff' ? new Set<string>() : reporterSideIds(em, ticket),
  ]);
  const items: TimelineItem[] = [];
  for (const entry of entries) {
    const sight = entrySight(ticket, viewer, entry, reporterSide);
    if (sight) items.push({ entry, author: sight.author, files: sight.files ? entry.attachments.getItems() : [] });
  }
  return items;
}

/** The photos and files of the report itself (the entry 'created'), as far as the viewer sees them. */
export function reportFiles(items: TimelineItem[]): TicketAttachment[] {
  return items.find((item) => item.entry.kind === 'created')?.files ?? [];
}

/** One file of the ticket the viewer may open (see visibleTimeline), or null: a 404. */
export async function visibleFile(em: Em, ticket: Ticket, viewer: TicketViewer, attachmentId: string): Promise<TicketAttachment | null> {
  const items = await visibleTimeline(em, ticket, viewer);
  return items.flatMap((item) => item.files).find((file) => file.id === attachmentId) ?? null;
}

/**
 * Entries that may leave the console at all: not internal. Residents see fewer
 * (entrySight); a Dienstleister gets the photos of these (handover.ts).
 */
export const NOT_INTERNAL = { internal: false } as const;

/**
 * Open concerns about common areas of a property, which its residents (those who see
 * general content) may join instead of reporting the same again ("Ich bin auch betroffen").
 * Their title, place and status show; once joined, what entrySight lets a joiner see.
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

import type { FilterQuery } from '@mikro-orm/core';
import { sql, type RawBuilder } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { asEntityFilter, type RowCondition } from '../../db/row-condition.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import {
  OPEN_TICKET_STATUSES,
  PortalUser,
  Ticket,
  TicketEntry,
  TicketFollower,
  type CommonArea,
  type TicketAttachment,
  type TicketStatus,
} from '../../entities/index.ts';
import { propertyAccessOfUsers, type PropertyAccess } from '../access/service.ts';

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

/**
 * "Tickets this resident sees in this property" (see above) as a condition on a ticket row
 * `t`: the one statement of the rule, read as rows by the portal's list (portalTicketLists)
 * and, through asEntityFilter, by residentTicket; seesTicket below is the same rule for a
 * loaded ticket.
 */
export const residentTicketVisible =
  (user: PortalUser, access: PropertyAccess): RowCondition =>
  (t) =>
    sql`${sql.ref(`${t}.property_id`)} = ${access.property.id} and (${sql.ref(`${t}.reporter_id`)} = ${user.id}
      ${access.contactIds.length > 0 ? sql`or ${sql.ref(`${t}.reporter_contact_id`)} in (${sql.join(access.contactIds)})` : sql``}
      ${
        // Following is joining a concern of the house: like all general content, it shows only while
        // the user has a running contract or membership there, not inside an access window alone.
        access.seesGeneralContent
          ? sql`or exists (select 1 from ticket_follower f where f.ticket_id = ${sql.ref(`${t}.id`)} and f.portal_user_id = ${user.id})`
          : sql``
      })`;

/** A ticket the resident sees (see above), or null: the route answers 404. */
export async function residentTicket(em: Em, user: PortalUser, access: PropertyAccess, ticketId: string): Promise<Ticket | null> {
  return em.findOne(Ticket, { $and: [{ id: ticketId }, asEntityFilter(em, residentTicketVisible(user, access))] } as FilterQuery<Ticket>, {
    populate: ['category', 'unit', 'assignee', 'mergedInto'],
  });
}

/** Whether the resident is linked to the ticket as its reporter (or through the reporter's contact), not only as a follower. */
export function isReporter(ticket: Ticket, user: PortalUser, access: PropertyAccess): boolean {
  return (
    ticket.reporter.id === user.id ||
    (ticket.reporterContact !== null && ticket.reporterContact !== undefined && access.contactIds.includes(ticket.reporterContact.id))
  );
}

/** residentTicketVisible for a loaded ticket of `access.property`: change the two together. */
function seesTicket(ticket: Ticket, user: PortalUser, access: PropertyAccess, follows: boolean): boolean {
  return isReporter(ticket, user, access) || (follows && access.seesGeneralContent);
}

/** A resident who sees a ticket, and how they stand to it. */
export type TicketResident = { user: PortalUser; viewer: TicketViewer };

/**
 * The residents linked to a ticket — its reporter, the other logins of the reporter's
 * contact (a couple shares one), its followers — who see it now, by the rule above (a
 * former tenant whose access window has closed, or a follower outside a running contract,
 * does not), with how each stands to it. `only` narrows the users (the mails: those who can
 * log in). Set-based: the access of all of them in one query, not one per user.
 */
export async function residentsSeeingTicket(em: Em, ticket: Ticket, now: Date, only: FilterQuery<PortalUser> = {}): Promise<TicketResident[]> {
  const followers = new Set((await em.find(TicketFollower, { ticket: ticket.id }, { fields: ['portalUser'] })).map((row) => row.portalUser.id));
  const linked: FilterQuery<PortalUser>[] = [{ id: { $in: [ticket.reporter.id, ...followers] } }];
  if (ticket.reporterContact) linked.push({ contacts: ticket.reporterContact.id });
  const users = await em.find(PortalUser, { $and: [{ $or: linked }, only] }, { orderBy: { name: 'asc' } });
  const accessOf = await propertyAccessOfUsers(
    em,
    ticket.organization.id,
    ticket.property,
    users.map((user) => user.id),
    now,
  );
  const seeing: TicketResident[] = [];
  for (const user of users) {
    const access = accessOf.get(user.id);
    if (access && seesTicket(ticket, user, access, followers.has(user.id))) seeing.push({ user, viewer: residentViewer(ticket, user, access) });
  }
  return seeing;
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
  /** What the viewer writes reaches staff only (a joiner's comments: see entrySight). */
  commentsForStaffOnly: boolean;
};

/** What the viewer sees of the ticket itself (see above). */
export function ticketSight(ticket: Ticket, viewer: TicketViewer): TicketSight {
  switch (viewer.relation) {
    case 'staff':
      return { reporter: 'contact', report: true, followerCount: false, commentsForStaffOnly: false };
    case 'reporter':
      return { reporter: 'name', report: true, followerCount: true, commentsForStaffOnly: false };
    case 'joiner':
      return { reporter: 'none', report: ticket.shareReportWithJoiners, followerCount: true, commentsForStaffOnly: true };
  }
}

/**
 * "Vorgang erneut öffnen" (seed 000, step 6), the one rule of who may reopen a ticket and
 * when, asked by the pages (the button) and by the action (service.ts reopenTicket):
 * staff and the reporter side may, a joiner or someone who does not see the ticket never
 * (`viewer` null); and only a closed ticket that was not merged into another — a duplicate
 * stays closed, its conversation goes on in the other ('not now').
 */
export function reopenRight(ticket: Ticket, viewer: TicketViewer | null): 'now' | 'not now' | 'never' {
  if (!viewer || viewer.relation === 'joiner') return 'never';
  return ticket.status === 'done' && !ticket.mergedInto ? 'now' : 'not now';
}

/** How someone acting on a ticket stands to it now: staff, a resident who sees it (residentsSeeingTicket), or null. */
export async function actorViewer(em: Em, ticket: Ticket, actor: { staff: unknown } | { portalUser: PortalUser }, now: Date): Promise<TicketViewer | null> {
  if ('staff' in actor) return STAFF_VIEWER;
  const [resident] = await residentsSeeingTicket(em, ticket, now, { id: actor.portalUser.id });
  return resident?.viewer ?? null;
}

/** Whether the viewer may reopen the ticket now: whether its page shows "Vorgang erneut öffnen" (reopenRight). */
export function mayReopen(ticket: Ticket, viewer: TicketViewer): boolean {
  return reopenRight(ticket, viewer) === 'now';
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
  if (isInternal(entry)) return null;
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
 * Whether an entry stays in the console: an internal note (always written internal,
 * service.ts addComment), a forward to a Dienstleister, a linked document. It never reaches
 * a resident's page, PDF or mail, nor a Dienstleister. NOT_INTERNAL is the same rule as a
 * query condition: change them together.
 */
export function isInternal(entry: Pick<TicketEntry, 'internal'>): boolean {
  return entry.internal;
}

/**
 * Entries that may leave the console at all (isInternal as a condition on TicketEntry).
 * Residents see fewer (entrySight); a Dienstleister gets the photos of these (handover.ts).
 */
export const NOT_INTERNAL = { internal: false } as const;

/**
 * Open concerns about common areas of a property, which its residents (those who see
 * general content) may join instead of reporting the same again ("Ich bin auch betroffen"),
 * as a condition on a ticket row `t` (read as rows by portalTicketLists, through
 * asEntityFilter by joinableTicket). Their title, place and status show; once joined, what
 * entrySight lets a joiner see. Without general content there is none (the condition is false).
 */
export const ticketJoinableIn =
  (access: PropertyAccess): RowCondition =>
  (t) =>
    access.seesGeneralContent
      ? sql`${sql.ref(`${t}.property_id`)} = ${access.property.id} and ${sql.ref(`${t}.common_area`)} is not null
        and ${sql.ref(`${t}.status`)} in (${sql.join([...OPEN_TICKET_STATUSES])}) and ${sql.ref(`${t}.merged_into_id`)} is null`
      : sql`false`;

/** How many joinable concerns the list offers, the latest active first. */
const JOINABLE_LIMIT = 20;

/** One ticket the resident may join ("Ich bin auch betroffen", see ticketJoinableIn), or null. */
export function joinableTicket(em: Em, access: PropertyAccess, ticketId: string) {
  if (!access.seesGeneralContent) return Promise.resolve(null);
  return em.findOne(Ticket, { $and: [{ id: ticketId }, asEntityFilter(em, ticketJoinableIn(access))] } as FilterQuery<Ticket>);
}

/** A ticket of the portal's lists, as plain row (views/tickets/portal-index.eta). */
export type PortalTicketRow = {
  id: string;
  year: number;
  number: number;
  title: string;
  status: TicketStatus;
  unit: { number: string } | null;
  commonArea: CommonArea | null;
  lastActivityAt: Date;
};

/**
 * "Meine Vorgänge" of a resident (none in the preview, `user` null) and the concerns they may
 * join, not those already their own or followed: ONE statement of plain rows through Kysely
 * (each list a JSON sub-select), by residentTicketVisible and ticketJoinableIn. The
 * Verwaltung is the session's (scopedOrganization): plain SQL is not reached by the tenant filter.
 */
export async function portalTicketLists(em: Em, user: PortalUser | null, access: PropertyAccess) {
  const organizationId = scopedOrganization(em);
  const columns = sql`t.id, t.year, t.number, t.title, t.status, t.common_area as "commonArea", t.last_activity_at as "lastActivityAt",
    (select json_build_object('number', u.number) from unit u where u.id = t.unit_id) as unit`;
  const list = (where: RawBuilder<unknown>, limit: RawBuilder<unknown>) =>
    sql`(select coalesce(json_agg(x), '[]'::json) from (select ${columns} from ticket t
      where t.organization_id = ${organizationId} and ${where} order by t.last_activity_at desc, t.id asc ${limit}) x)`;
  type Raw = Omit<PortalTicketRow, 'lastActivityAt'> & { lastActivityAt: string };
  const { rows } = await sql<{ mine: Raw[]; joinable: Raw[] }>`
    select ${user ? list(residentTicketVisible(user, access)('t'), sql``) : sql`'[]'::json`} as mine,
      ${list(ticketJoinableIn(access)('t'), sql`limit ${sql.lit(JOINABLE_LIMIT)}`)} as joinable`.execute(em.getKysely());
  const asRow = (row: Raw): PortalTicketRow => ({ ...row, lastActivityAt: new Date(row.lastActivityAt) });
  const mine = rows[0].mine.map(asRow);
  const own = new Set(mine.map((ticket) => ticket.id));
  // One's own and followed concerns are listed above, not offered to join.
  return { mine, joinable: rows[0].joinable.map(asRow).filter((ticket) => !own.has(ticket.id)) };
}

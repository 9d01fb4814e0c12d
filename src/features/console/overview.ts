import { sql, type RawBuilder } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { OPEN_TICKET_STATUSES } from '../../entities/index.ts';
import { PAGE_SIZE } from '../../http/paging.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

/**
 * The console's start page "Übersicht" (/verwaltung) and the lists it links to: plain rows in
 * one statement per section, the Verwaltung named as a parameter (taken from the scope).
 *
 * Counts are exact up to COUNT_CAP and "more than" beyond: each section reads at most
 * COUNT_CAP + 1 matching rows in index order and counts those, so the page costs the same
 * whether a Verwaltung has 12 open invitations or 100,000 (an exact count(*) would read them
 * all). The first OVERVIEW_ROWS of the same rows are the ones shown.
 */

/** Rows each section of the Übersicht shows. */
export const OVERVIEW_ROWS = 5;
/** Counts above this are shown as "mehr als 1.000". */
export const COUNT_CAP = 1000;
/** "Neue Registrierungen": logins registered in the last … days. */
export const RECENT_DAYS = 14;
const DAY = 86_400_000;

/** A count as the page shows it: exact up to COUNT_CAP, else `more`. */
export type CappedCount = { count: number; more: boolean };

export type TicketRow = {
  id: string;
  year: number;
  number: number;
  title: string;
  status: string;
  propertyName: string;
  assigneeName: string | null;
  createdAt: Date;
  lastActivityAt: Date;
};
export type InvitationRow = {
  id: string;
  contactId: string | null;
  contactName: string | null;
  email: string | null;
  channel: string;
  kind: string;
  propertyName: string | null;
  createdAt: Date;
  expiresAt: Date;
};
export type MailRow = { id: string; to: string; subject: string; attempts: number; lastError: string | null; createdAt: Date };
export type RegistrationRow = { id: string; name: string; email: string; contactId: string | null; createdAt: Date };

/** The kinds of rows the Übersicht shows, each with its own list page (/verwaltung/uebersicht/<path>). */
export const OVERVIEW_LISTS = {
  einladungen: 'invitations',
  'e-mails': 'mails',
  registrierungen: 'registrations',
} as const;
export type OverviewListPath = keyof typeof OVERVIEW_LISTS;

/**
 * The first `limit` rows of `matches` (a query that selects `*` in the order to show, without
 * LIMIT) after `offset`, and how many match up to COUNT_CAP: one statement.
 */
async function cappedRows<T>(em: Em, matches: RawBuilder<T>, limit: number, offset = 0): Promise<{ rows: T[]; total: CappedCount }> {
  const { rows } = await sql<T & { matched: string }>`
    with m as (${matches} limit ${sql.lit(COUNT_CAP + 1)}), n as (select count(*) as matched from m)
    select m.*, n.matched from n left join (select * from m ${offsetSql(offset)} limit ${sql.lit(limit)}) m on true`.execute(em.getKysely());
  const matched = Number(rows[0]?.matched ?? 0);
  const shown = rows.filter((row) => (row as { id?: unknown }).id != null).map(({ matched: _, ...row }) => withDates(row) as T);
  return { rows: shown, total: { count: Math.min(matched, COUNT_CAP), more: matched > COUNT_CAP } };
}

/** The driver hands timestamps over as text: every column named …At becomes a Date, as the row types say. */
function withDates(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, key.endsWith('At') && value != null ? new Date(value as string) : value]));
}

const ticketColumns = sql`t.id, t.year, t.number, t.title, t.status, p.name as "propertyName", s.name as "assigneeName", t.created_at as "createdAt", t.last_activity_at as "lastActivityAt"`;
const ticketFrom = sql`ticket t join property p on p.id = t.property_id left join staff_user s on s.id = t.assignee_id`;

/** "Neu und ohne Zuständigen": status Neu, nobody assigned, oldest first (the list: ?status=new&zustaendig=niemand). */
function newUnassignedTickets(organizationId: string) {
  return sql<TicketRow>`select ${ticketColumns} from ${ticketFrom}
    where t.organization_id = ${organizationId} and t.status = 'new' and t.assignee_id is null
    order by t.created_at asc, t.id asc`;
}

/** "Warten am längsten": open Vorgänge with the least recent activity first (the list: ?sortierung=wartend). */
function waitingTickets(organizationId: string) {
  return sql<TicketRow>`select ${ticketColumns} from ${ticketFrom}
    where t.organization_id = ${organizationId} and t.status in (${sql.join([...OPEN_TICKET_STATUSES])})
    order by t.last_activity_at asc, t.id asc`;
}

/**
 * Invitations that can still be used, newest first. "Open" is invitationState's rule
 * (src/features/invitations/codes.ts: not used, not replaced, not expired): change them together.
 */
function openInvitations(organizationId: string, now: Date) {
  return sql<InvitationRow>`select i.id, i.contact_id as "contactId", i.email, i.channel, i.kind, i.created_at as "createdAt", i.expires_at as "expiresAt",
      case when c.type = 'company' then c.company_name else concat_ws(' ', c.title, c.first_name, c.last_name) end as "contactName",
      p.name as "propertyName"
    from invitation i left join contact c on c.id = i.contact_id left join property p on p.id = i.property_id
    where i.organization_id = ${organizationId} and i.used_at is null and i.revoked_at is null and i.expires_at > ${now}
    order by i.created_at desc, i.id desc`;
}

/** Mails of this Verwaltung the outbox gave up on (src/features/mail/deliver.ts), newest first. */
function failedMails(organizationId: string) {
  return sql<MailRow>`select o.id, o.to, o.subject, o.attempts, o.last_error as "lastError", o.created_at as "createdAt"
    from outbox_mail o
    where o.organization_id = ${organizationId} and o.status = 'failed'
    order by o.created_at desc, o.id desc`;
}

/** Portal logins registered (with a password) in the last RECENT_DAYS days, newest first, with a contact of theirs. */
function recentRegistrations(organizationId: string, now: Date) {
  return sql<RegistrationRow>`select u.id, u.name, u.email, u.created_at as "createdAt",
      (select pc.contact_id from portal_user_contact pc where pc.portal_user_id = u.id limit 1) as "contactId"
    from portal_user u
    where u.organization_id = ${organizationId} and u.password_hash is not null and u.created_at > ${new Date(now.getTime() - RECENT_DAYS * DAY)}
    order by u.created_at desc, u.id desc`;
}

/** What the Übersicht shows: each section's first rows and its (capped) count. Five statements. */
export async function consoleOverview(em: Em, organizationId: string, now: Date) {
  const [newTickets, waiting, invitations, mails, registrations] = await Promise.all([
    cappedRows(em, newUnassignedTickets(organizationId), OVERVIEW_ROWS),
    cappedRows(em, waitingTickets(organizationId), OVERVIEW_ROWS),
    cappedRows(em, openInvitations(organizationId, now), OVERVIEW_ROWS),
    cappedRows(em, failedMails(organizationId), OVERVIEW_ROWS),
    cappedRows(em, recentRegistrations(organizationId, now), OVERVIEW_ROWS),
  ]);
  return { newTickets, waiting, invitations, mails, registrations };
}

/** One page of a list the Übersicht links to (PAGE_SIZE rows), with the capped count of all. */
export async function overviewList(em: Em, organizationId: string, list: OverviewListPath, page: number, now: Date) {
  const offset = (page - 1) * PAGE_SIZE;
  const kind = OVERVIEW_LISTS[list];
  const matches =
    kind === 'invitations' ? openInvitations(organizationId, now) : kind === 'mails' ? failedMails(organizationId) : recentRegistrations(organizationId, now);
  const { rows, total } = await cappedRows<InvitationRow | MailRow | RegistrationRow>(em, matches, PAGE_SIZE, offset);
  return { kind, rows, total, page, hasNext: offset + rows.length < total.count };
}

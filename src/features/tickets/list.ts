import { raw, type FilterQuery } from '@mikro-orm/core';
import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { likePattern, PAGE_SIZE } from '../../http/paging.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { OPEN_TICKET_STATUSES, parseTicketReference, StaffUser, Ticket, TicketCategory, TICKET_STATUSES, type TicketStatus } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import { asEntityFilter } from '../../db/row-condition.ts';
import { propertiesMatching } from '../properties/service.ts';

/**
 * The console list of Vorgänge (/verwaltung/vorgaenge): filters from the query string, the
 * page of tickets, and the counts per status for the same filters.
 *
 * Speed at 100,000 tickets (test/bench/tickets-list.ts): every filter matches a leading
 * column of an index of src/entities/ticket.ts ((organization, status, last_activity_at),
 * (organization, property, status), (organization, assignee, status), (organization, year,
 * number), the trigram indexes on title and reporter_name), and every order walks an index
 * (see orderBy and the status sort in listTickets). The counts per status are one GROUP BY
 * over the same conditions, and the number of pages is their sum, so the list costs two
 * statements however many tickets match. The counts are exact: at 100,000 tickets the
 * GROUP BY is an index-only scan of the Verwaltung's rows (~10 ms); only the age filter has
 * no index and reads the table.
 */

export const STATUS_FILTERS = ['offen', 'alle', ...TICKET_STATUSES] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export const SORTS = ['aktivitaet', 'wartend', 'erstellt', 'nummer', 'status'] as const;
export type Sort = (typeof SORTS)[number];
/** "älter als … Tage" */
export const AGES = ['3', '7', '30'] as const;

/** The filters of the list as they appear in its URL (query parameter names are German). */
export type TicketListFilters = {
  status: StatusFilter;
  /** A Thema id, or '' for all. */
  category: string;
  /** A Liegenschaft id (links from elsewhere), or '' for all. */
  property: string;
  /** The search field "Liegenschaft": properties whose name or address contains it; '' for all. */
  propertyTerm: string;
  /** '' all, 'ich' assigned to me, 'niemand' unassigned, or a staff id. */
  assignee: string;
  age: '' | (typeof AGES)[number];
  q: string;
  sort: Sort;
  page: number;
};

const oneOf = <T extends string>(values: readonly T[], value: unknown, fallback: T): T =>
  typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : fallback;
const idOrEmpty = (value: unknown) => (isUuid(value) ? value.toLowerCase() : '');

/** Reads the filters from the query string; anything unknown falls back to the default. */
export function listFilters(query: Record<string, unknown>, page: number): TicketListFilters {
  const assignee = query.zustaendig === 'ich' || query.zustaendig === 'niemand' ? query.zustaendig : idOrEmpty(query.zustaendig);
  const liegenschaft = typeof query.liegenschaft === 'string' ? query.liegenschaft.trim().slice(0, 200) : '';
  return {
    status: oneOf(STATUS_FILTERS, query.status, 'offen'),
    category: idOrEmpty(query.thema),
    property: idOrEmpty(liegenschaft),
    propertyTerm: isUuid(liegenschaft) ? '' : liegenschaft,
    assignee,
    age: oneOf(['', ...AGES], query.alter, ''),
    q: typeof query.q === 'string' ? query.q.trim().slice(0, 200) : '',
    sort: oneOf(SORTS, query.sortierung, 'aktivitaet'),
    page,
  };
}

/** The filters as URL parameters (for links that keep them), defaults left out. */
export function filterParams(f: TicketListFilters): Record<string, string> {
  return {
    status: f.status === 'offen' ? '' : f.status,
    thema: f.category,
    liegenschaft: f.property || f.propertyTerm,
    zustaendig: f.assignee,
    alter: f.age,
    q: f.q,
    sortierung: f.sort === 'aktivitaet' ? '' : f.sort,
  };
}

const DAY = 86_400_000;

/** The conditions of every filter but the status (the counts per status ignore it). */
function conditions(em: Em, f: TicketListFilters, staffId: string, now: Date): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (f.category) where.category = f.category;
  if (f.property) where.property = f.property;
  if (f.propertyTerm) {
    const matching = propertiesMatching(scopedOrganization(em), f.propertyTerm);
    Object.assign(
      where,
      asEntityFilter(em, (t) => sql`${sql.ref(`${t}.property_id`)} in (${matching})`),
    );
  }
  if (f.assignee === 'ich') where.assignee = staffId;
  else if (f.assignee === 'niemand') where.assignee = null;
  else if (f.assignee) where.assignee = f.assignee;
  if (f.age) where.createdAt = { $lt: new Date(now.getTime() - Number(f.age) * DAY) };
  if (f.q) {
    const reference = parseTicketReference(f.q);
    if (reference) Object.assign(where, reference);
    else where.$or = [{ title: { $ilike: likePattern(f.q) } }, { reporterName: { $ilike: likePattern(f.q) } }];
  }
  return where;
}

/** The statuses a status filter selects, in the order of the workflow (Neu … Erledigt). */
function statusesOf(status: StatusFilter): readonly TicketStatus[] {
  if (status === 'offen') return OPEN_TICKET_STATUSES;
  if (status === 'alle') return TICKET_STATUSES;
  return [status];
}

const BY_ACTIVITY = { lastActivityAt: 'desc', id: 'desc' } as const;

/**
 * The order of a sort but "status"; "wartend" walks (organization, status, last_activity_at) forwards. Numbers are given in the order of creation (per
 * Verwaltung, under the counter's lock; the year is the Berlin year of creation), so "Erstellt"
 * (newest first) is the order of (year, number) and walks the unique index backwards instead of
 * sorting the whole table by created_at; "Nummer" is the same index forwards.
 */
function orderBy(sort: Exclude<Sort, 'status'>) {
  // "Wartet am längsten": the least recent activity first (the console's Übersicht links here).
  if (sort === 'wartend') return { lastActivityAt: 'asc', id: 'asc' } as const;
  if (sort === 'erstellt') return { year: 'desc', number: 'desc' } as const;
  if (sort === 'nummer') return { year: 'asc', number: 'asc' } as const;
  return BY_ACTIVITY;
}

export type StatusCounts = Record<TicketStatus, number> & { offen: number; alle: number };

/** Counts per status for the filters without the status (one GROUP BY, the Verwaltung named explicitly). */
async function statusCounts(em: Em, where: Record<string, unknown>): Promise<StatusCounts> {
  const rows = await em
    .createQueryBuilder(Ticket, 't')
    .select(['t.status', raw('count(*)::int as n')])
    .where({ ...where, organization: scopedOrganization(em) } as never)
    .groupBy('t.status')
    .execute<Array<{ status: TicketStatus; n: number }>>('all', false);
  const counts = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const row of rows) counts[row.status] = Number(row.n);
  counts.offen = OPEN_TICKET_STATUSES.reduce((sum, s) => sum + counts[s], 0);
  counts.alle = TICKET_STATUSES.reduce((sum, s) => sum + counts[s], 0);
  return counts;
}

/** Tickets with what a row shows, joined in the same statement (not the description, which can be long). */
function findRows(em: Em, where: Record<string, unknown>, order: ReturnType<typeof orderBy>, limit: number, offset: number) {
  return em.find(Ticket, where as FilterQuery<Ticket>, {
    populate: ['property', 'unit', 'category', 'assignee'],
    exclude: ['description'],
    orderBy: order,
    limit,
    offset,
  });
}

/**
 * One page of the Vorgänge list with what each row shows (Liegenschaft, Einheit, Thema,
 * Zuständig joined in the same statement), the counts per status and the paging.
 */
export async function listTickets(em: Em, f: TicketListFilters, staffId: string, now: Date) {
  const where = conditions(em, f, staffId, now);
  const offset = (f.page - 1) * PAGE_SIZE;
  let tickets: Awaited<ReturnType<typeof findRows>>;
  let counts: StatusCounts;
  if (f.sort === 'status') {
    // Sorted by status: the page is cut from the statuses in workflow order, each read by
    // last activity through (organization, status, last_activity_at), which the counts make
    // possible without sorting every matching ticket by an expression no index has.
    counts = await statusCounts(em, where);
    tickets = [];
    let skip = offset;
    for (const status of statusesOf(f.status)) {
      const need = PAGE_SIZE - tickets.length;
      if (need === 0) break;
      if (skip >= counts[status]) {
        skip -= counts[status];
        continue;
      }
      tickets.push(...(await findRows(em, { ...where, status }, BY_ACTIVITY, need, skip)));
      skip = 0;
    }
  } else {
    [tickets, counts] = await Promise.all([
      findRows(em, f.status === 'alle' ? where : { ...where, status: { $in: [...statusesOf(f.status)] } }, orderBy(f.sort), PAGE_SIZE, offset),
      statusCounts(em, where),
    ]);
  }
  const total = counts[f.status];
  return {
    tickets: tickets.map((ticket) => ({ ticket, ageDays: Math.max(0, Math.floor((now.getTime() - ticket.createdAt.getTime()) / DAY)) })),
    counts,
    total,
    page: f.page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
  };
}

/**
 * The choices of the filter form: Themen (active first) and staff, by name; and what the
 * search field "Liegenschaft" shows: the term, or the name of the property chosen by id (a
 * select of all properties was 1,000 options and most of the page's CPU, issue 16).
 */
export async function filterChoices(em: Em, f: TicketListFilters) {
  const [categories, staff, chosen] = await Promise.all([
    em.find(TicketCategory, {}, { orderBy: { archivedAt: 'asc nulls first', position: 'asc', name: 'asc' } as never }),
    em.find(StaffUser, { disabledAt: null }, { fields: ['id', 'name'], orderBy: { name: 'asc' } }),
    f.property
      ? sql<{ name: string }>`select name from property where organization_id = ${scopedOrganization(em)} and id = ${f.property}`
          .execute(em.getKysely())
          .then((r) => r.rows[0]?.name ?? '')
      : Promise.resolve(f.propertyTerm),
  ]);
  return { categories, staff, propertySearch: chosen };
}

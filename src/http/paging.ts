import type { Request } from 'express';
import { sql, type RawBuilder } from 'kysely';
import { rowBound } from '../db/prepared-statements.ts';

/** What a raw query executes on (em.getKysely()). */
export type Db = Parameters<RawBuilder<unknown>['execute']>[0];

// Paging, sorting and searching of the console's lists.

/** Rows per page of every console list. */
export const PAGE_SIZE = 50;

/** The page number from a query string (?seite=3); anything odd means the first page. */
export function pageNumber(value: unknown): number {
  const n = Number.parseInt(String(value ?? '1'), 10);
  return Number.isFinite(n) && n > 0 && n < 100000 ? n : 1;
}

export type ListSort<T extends string> = { key: T; descending: boolean };

/**
 * The order of a list from ?sortierung=name (ascending) or ?sortierung=-name (descending);
 * anything not in `allowed` means the fallback. Column headers link to it through
 * views/shared/_sort-header.eta.
 */
export function listSort<T extends string>(value: unknown, allowed: readonly T[], fallback: ListSort<T>): ListSort<T> {
  const text = typeof value === 'string' ? value : '';
  const key = text.replace(/^-/, '') as T;
  return allowed.includes(key) ? { key, descending: text.startsWith('-') } : fallback;
}

/** The ?sortierung value of a sort. */
export function sortParam<T extends string>(sort: ListSort<T>): string {
  return `${sort.descending ? '-' : ''}${sort.key}`;
}

/** "asc" or "desc" as SQL. */
export function direction(sort: { descending: boolean }) {
  return sort.descending ? sql`desc` : sql`asc`;
}

/** Escapes % and _ so a search for "50%" means the text, not a pattern. */
export function escapeLike(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A LIKE pattern for "contains q". */
export function likePattern(q: string): string {
  return `%${escapeLike(q)}%`;
}

/**
 * The total of a list page whose rows carry it (a window count or sub-select as `total`);
 * a page past the end has no rows to carry it, so `countAgain` asks for it then.
 */
export async function pageTotal(rows: ReadonlyArray<{ total: string | number }>, countAgain: () => Promise<string | number>): Promise<number> {
  return Number(rows.length > 0 ? rows[0].total : await countAgain());
}

/** Up to this many rows a list counts exactly; beyond it shows the planner's estimate. */
export const EXACT_COUNT_LIMIT = 1000;

/**
 * How many rows a list has, as far as it is cheap to know. `exact`: `total` is the number
 * and `pages` the last page. Otherwise `total` is the planner's estimate ("ca. 100.000",
 * `estimated`) or, where the planner guesses fewer than were counted, the count reached
 * ("mehr als 1.000"); the last page is unknown (`pages` null) and there is a next page.
 */
export type ListTotal = { total: number; exact: boolean; estimated: boolean; pages: number | null; hasNext: boolean };

/**
 * The total of a list page without counting 100,000 rows: an exact `count(*)` over the
 * whole result cost the Kontakte page ~85 % of its database time (issue 16). `from` is the
 * list query's FROM and WHERE (`sql\`from contact c where ...\``); it is counted over a
 * LIMIT, up to EXACT_COUNT_LIMIT rows or to the end of the page asked for, whichever is
 * more (so the last pages of a long list still know they are the last). Only past that
 * the planner's row estimate (EXPLAIN) stands in. `exactUpTo` lowers the limit (tests).
 */
export async function listTotal(db: Db, from: RawBuilder<unknown>, page: number, options: { exactUpTo?: number } = {}): Promise<ListTotal> {
  const cap = countCap(page, options);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from (select 1 ${from} ${countLimit(cap)}) limited`.execute(db);
  return totalOfCount(db, from, page, rows[0].n, cap);
}

/** How far listTotal counts for a page: one past EXACT_COUNT_LIMIT or past the page's end, whichever is more. */
function countCap(page: number, options: { exactUpTo?: number } = {}): number {
  return Math.max(options.exactUpTo ?? EXACT_COUNT_LIMIT, page * PAGE_SIZE) + 1;
}

/** The LIMIT of a capped count: the usual cap in the statement's text, a far page's as a parameter (rowBound). */
function countLimit(cap: number): RawBuilder<unknown> {
  return sql`limit ${rowBound(cap, EXACT_COUNT_LIMIT + 1)}`;
}

/**
 * What a count up to `cap` (countCap) says of a list's total, as listTotal answers it; for a
 * list whose page statement counted its rows itself (a search that finds its matches once for
 * the page and the count). `from` as for listTotal, for the planner's estimate past the cap;
 * without it the answer past the cap is "more than" (a search's matches handed over as an
 * array, `= any(array(...))`, are estimated at 10 rows whatever they are: asking is no use).
 */
async function totalOfCount(db: Db, from: RawBuilder<unknown> | undefined, page: number, counted: number, cap: number): Promise<ListTotal> {
  if (counted < cap) return { total: counted, exact: true, estimated: false, pages: pageCount(counted), hasNext: page < pageCount(counted) };
  const estimate = from ? roundEstimate(await plannerRows(db, sql`select 1 ${from}`)) : 0;
  return estimate > cap
    ? { total: estimate, exact: false, estimated: true, pages: null, hasNext: true }
    : { total: cap - 1, exact: false, estimated: false, pages: null, hasNext: true };
}

/**
 * A searched list's page and its total from one statement. `matches` are the statement's
 * CTEs (`m as materialized (select … where <the term>)`): the search runs once, its matches
 * are counted up to the cap (countCap, from `countFrom`) and the page (`page`, a query that
 * reads from them and selects an `id`) is cut from them. Counted in a statement of their own,
 * the matches were searched twice. The count's row comes even for a page past the end (the
 * page's columns are null there). Past the cap as totalOfCount, with `estimateFrom`.
 * `counted` is this statement's name: neither a CTE of `matches` nor a column of the page may
 * take it. The page's rows come in the page query's order: the one-row count is the outer side
 * of the lateral join, so PostgreSQL can only run it as a nested loop over the page as sorted.
 */
export async function searchedPage<Row extends { id: string }>(
  db: Db,
  query: { matches: RawBuilder<unknown>; countFrom: RawBuilder<unknown>; page: RawBuilder<unknown>; estimateFrom?: RawBuilder<unknown> },
  page: number,
  options: { exactUpTo?: number } = {},
): Promise<{ rows: Row[]; total: ListTotal }> {
  const cap = countCap(page, options);
  const { rows } = await sql<Row & { counted: number }>`
    with ${query.matches}, counted as (select count(*)::int as n from (select 1 ${query.countFrom} ${countLimit(cap)}) limited)
    select counted.n as counted, listed.* from counted left join lateral (${query.page}) listed on true`.execute(db);
  const listed = rows.filter((row) => row.id != null).map(({ counted: _, ...row }) => row as unknown as Row);
  return { rows: listed, total: await totalOfCount(db, query.estimateFrom, page, rows[0].counted, cap) };
}

/** The planner's row estimate of a query (EXPLAIN, nothing executed). */
async function plannerRows(db: Db, query: RawBuilder<unknown>): Promise<number> {
  const { rows } = await sql<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> | string }>`explain (format json) ${query}`.execute(db);
  const plan = rows[0]['QUERY PLAN'];
  return Number((typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan['Plan Rows']);
}

/** An estimate to two significant digits (98,765 → 99,000): it is not more precise than that. */
function roundEstimate(n: number): number {
  if (n < 100) return Math.round(n);
  const step = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.round(n / step) * step;
}

/** The number of pages of a list with `total` rows (at least one). */
export function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / PAGE_SIZE));
}

/**
 * The query of a console list: ?q= (search), ?archivierte=1, ?sortierung=, ?seite=, and
 * `params`, what its sort headers and pagination links carry (the default order left out).
 */
export function listQuery<T extends string>(req: Request, sorts: readonly T[], fallback: ListSort<T>) {
  const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
  const archived = req.query.archivierte === '1';
  const sort = listSort(req.query.sortierung, sorts, fallback);
  const sortierung = sort.key === fallback.key && !sort.descending ? '' : sortParam(sort);
  return { q, archived, sort, page: pageNumber(req.query.seite), params: { q, archivierte: archived ? '1' : '', sortierung } };
}

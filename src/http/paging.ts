import type { Request } from 'express';
import { sql } from 'kysely';

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

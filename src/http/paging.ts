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

/** The page number from a query string (?seite=3); anything odd means the first page. */
export function pageNumber(value: unknown): number {
  const n = Number.parseInt(String(value ?? '1'), 10);
  return Number.isFinite(n) && n > 0 && n < 100000 ? n : 1;
}

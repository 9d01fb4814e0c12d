/**
 * Intl formatters, built once per locale and options. Building an Intl.DateTimeFormat or
 * NumberFormat loads locale data and costs far more than formatting with it (0.84 ms per
 * portal start page when berlinDate built one per call, issue 16), so hot paths ask here
 * instead of writing `new Intl.…` or `toLocaleString` per call. The options objects are
 * constant in the source, so the cache stays small.
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  const known = dateTimeFormats.get(key);
  if (known) return known;
  const format = new Intl.DateTimeFormat(locale, options);
  dateTimeFormats.set(key, format);
  return format;
}

export function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  const known = numberFormats.get(key);
  if (known) return known;
  const format = new Intl.NumberFormat(locale, options);
  numberFormats.set(key, format);
  return format;
}

/** German sort order, as String#localeCompare(…, 'de') gives it, without looking the locale up per comparison. */
export const germanOrder = new Intl.Collator('de').compare;

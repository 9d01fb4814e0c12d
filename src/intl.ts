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
  let format = dateTimeFormats.get(key);
  if (!format) dateTimeFormats.set(key, (format = new Intl.DateTimeFormat(locale, options)));
  return format;
}

export function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(locale, options)));
  return format;
}

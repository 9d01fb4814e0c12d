import type { Booking, BookingResource } from '../../entities/index.ts';
import { dateTimeFormat } from '../../intl.ts';
import { addDays, berlinDate, berlinTime } from './time.ts';

/** German by default; English readers get "Mon, 26/10/2026" (the times stay 24-hour Berlin time). */
const dayFormats = {
  de: dateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', weekday: 'short', day: '2-digit', month: '2-digit', year: 'numeric' }),
  en: dateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', day: '2-digit', month: '2-digit', year: 'numeric' }),
};
export type BookingLocale = keyof typeof dayFormats;
const dayOfDate = (day: string, locale: string = 'de') => (dayFormats[locale as BookingLocale] ?? dayFormats.de).format(new Date(`${day}T12:00:00Z`));

/** "Mo., 26.10.2026" of a calendar day (YYYY-MM-DD), in the reader's language. */
export function formatDay(day: string, locale = 'de'): string {
  return dayOfDate(day, locale);
}

/**
 * A booking's span in Berlin wall-clock time: "So., 25.10.2026, 01:00–03:00" for slots (the
 * October night's slot stays 01:00–03:00), "Fr., 23.10.2026 15:00 – Sa., 24.10.2026 10:00" otherwise.
 */
export function describeSpan(span: Pick<Booking, 'startsAt' | 'endsAt'>, locale = 'de'): string {
  const first = berlinDate(span.startsAt);
  const last = berlinDate(span.endsAt);
  const endTime = berlinTime(span.endsAt);
  if (first === last || (endTime === '00:00' && addDays(first, 1) === last))
    return `${dayOfDate(first, locale)}, ${berlinTime(span.startsAt)}–${endTime === '00:00' ? '24:00' : endTime}`;
  return `${dayOfDate(first, locale)} ${berlinTime(span.startsAt)} – ${dayOfDate(last, locale)} ${endTime}`;
}

/** Nights of a stay: calendar days between arrival and departure (one across a DST change too). */
export function nightsOf(span: Pick<Booking, 'startsAt' | 'endsAt'>): number {
  const a = Date.parse(`${berlinDate(span.startsAt)}T00:00:00Z`);
  const b = Date.parse(`${berlinDate(span.endsAt)}T00:00:00Z`);
  return Math.round((b - a) / 86_400_000);
}

/** What a resource offers, in words for lists ("2-Stunden-Slots", "Nächte"). */
export function modeKey(resource: Pick<BookingResource, 'mode'>): string {
  return `bookings:modes.${resource.mode}`;
}

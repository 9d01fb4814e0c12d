/**
 * The spans a resource offers, in Europe/Berlin wall-clock time, as instants. Slots and
 * nights are defined by the clock on the wall (a 01:00–03:00 slot, check-in 15:00,
 * check-out 10:00) and converted with the calendar code of Termine (../appointments/time.ts),
 * so the 01:00–03:00 slot of the October change night is three real hours and blocks exactly
 * those, and a night across either change is one night (counted in calendar days).
 */
import { addDays, berlinDate, berlinTime } from '../../clock.ts';
import type { BookingResource } from '../../entities/index.ts';
import { berlinDateTime, isValidDate, isValidTime, weekdayIndex } from '../appointments/time.ts';

export { addDays, berlinDate, berlinTime, isValidDate, isValidTime, weekdayIndex };

export type Span = { startsAt: Date; endsAt: Date };
/** A slot of a day: its wall-clock labels and its instants. */
export type Slot = Span & { from: string; to: string };

/** Minutes since midnight of HH:MM ("24:00" is 1440). */
export function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h * 60 + m;
}

/** HH:MM of minutes since midnight (1440 → "24:00"). */
export function timeOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The instant of a wall-clock time on a day, "24:00" being the next day's midnight. */
export function wallInstant(day: string, time: string): Date {
  return time === '24:00' ? berlinDateTime(addDays(day, 1), '00:00') : berlinDateTime(day, time);
}

/** The opening hours of a day, or null when the resource is closed that weekday. */
export function hoursOf(resource: Pick<BookingResource, 'openingHours'>, day: string): [string, string] | null {
  return resource.openingHours[weekdayIndex(day)] ?? null;
}

/** The slots of a slot resource on a day: from opening, every slotMinutes of wall-clock time, while a whole slot fits before closing. */
export function slotsOfDay(resource: Pick<BookingResource, 'openingHours' | 'slotMinutes'>, day: string): Slot[] {
  const hours = hoursOf(resource, day);
  if (!hours || resource.slotMinutes <= 0) return [];
  const [open, close] = hours.map(minutesOf);
  const slots: Slot[] = [];
  for (let start = open; start + resource.slotMinutes <= close; start += resource.slotMinutes) {
    const from = timeOf(start);
    const to = timeOf(start + resource.slotMinutes);
    slots.push({ from, to, startsAt: wallInstant(day, from), endsAt: wallInstant(day, to) });
  }
  return slots;
}

/** A stay of `nights` nights from the arrival day: check-in on that day, check-out `nights` calendar days later. */
export function nightsSpan(resource: Pick<BookingResource, 'checkInTime' | 'checkOutTime'>, arrival: string, nights: number): Span {
  return { startsAt: berlinDateTime(arrival, resource.checkInTime), endsAt: berlinDateTime(addDays(arrival, nights), resource.checkOutTime) };
}

/** The Monday of the week of a day. */
export function mondayOf(day: string): string {
  return addDays(day, -weekdayIndex(day));
}

/** The Berlin calendar period (week from Monday, or month) a household limit counts in, as instants. */
export function periodAround(period: 'week' | 'month', at: Date): Span {
  const day = berlinDate(at);
  if (period === 'week') {
    const monday = mondayOf(day);
    return { startsAt: berlinDateTime(monday, '00:00'), endsAt: berlinDateTime(addDays(monday, 7), '00:00') };
  }
  const first = `${day.slice(0, 7)}-01`;
  const [y, m] = first.split('-').map(Number);
  const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  return { startsAt: berlinDateTime(first, '00:00'), endsAt: berlinDateTime(next, '00:00') };
}

/** Two spans overlap (half-open, as the database's tstzrange '[)'). */
export function overlaps(a: Span, b: Span): boolean {
  return a.startsAt.getTime() < b.endsAt.getTime() && b.startsAt.getTime() < a.endsAt.getTime();
}

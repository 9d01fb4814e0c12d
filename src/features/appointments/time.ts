/**
 * Berlin wall-clock time ⇄ UTC instants, with Intl only. Termine are entered as a day and
 * a time in Europe/Berlin and stored as UTC instants; this module is the one place that
 * converts, so a 10:00 appointment stays at 10:00 on either side of a DST change.
 */
import { berlinDate } from '../../clock.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Berlin',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Minutes Berlin is ahead of UTC at this instant (60 in winter, 120 in summer). */
function berlinOffsetMinutes(instant: number): number {
  const parts = Object.fromEntries(partsFormat.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60000);
}

/** True for a real calendar day written as YYYY-MM-DD. */
export function isValidDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** True for HH:MM (24 h). */
export function isValidTime(value: string): boolean {
  return TIME.test(value);
}

/**
 * The instant of a Berlin wall-clock time on a day ("2026-11-30", "10:00" → 09:00Z). A time
 * that does not exist (the skipped hour in March) is taken as the same clock time before
 * the change, i.e. one hour later on the clock. Throws on malformed input.
 */
export function berlinDateTime(date: string, time: string): Date {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t || !isValidDate(date)) throw new Error(`not a Berlin date/time: ${date} ${time}`);
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  const first = wall - berlinOffsetMinutes(wall) * 60000;
  const second = wall - berlinOffsetMinutes(first) * 60000;
  return new Date(second);
}

// Calendar arithmetic and the Berlin clock live with the clock; re-exported for the calendar code here.
export { addDays, berlinTime } from '../../clock.ts';

/** The day of the week of YYYY-MM-DD, Monday = 0 … Sunday = 6. */
export function weekdayIndex(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** A month written as YYYY-MM, or null when malformed. */
export function parseMonth(value: unknown): string | null {
  return typeof value === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(value) ? value : null;
}

/** The month (YYYY-MM) a number of months away. */
export function addMonths(month: string, months: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + months, 1));
  return d.toISOString().slice(0, 7);
}

/** First day of the month and the first day of the next one (YYYY-MM-DD). */
export function monthBounds(month: string): { first: string; next: string } {
  return { first: `${month}-01`, next: `${addMonths(month, 1)}-01` };
}

/** The Berlin day an appointment ends on: all-day events store an exclusive end (midnight after). */
export function lastDay(appointment: { allDay: boolean; startsAt: Date; endsAt: Date }): string {
  if (appointment.allDay) return berlinDate(new Date(Math.max(appointment.startsAt.getTime(), appointment.endsAt.getTime() - 1)));
  return berlinDate(appointment.endsAt);
}

import { dateTimeFormat } from './intl.ts';

/** The one seam for "now": access windows, token expiry and digests are tested with a clock of their own. */
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

/** A clock for tests and jobs that can be set and moved. */
export function fixedClock(start: Date): Clock & { set(d: Date): void; advance(ms: number): void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (d) => (current = new Date(d)),
    advance: (ms) => (current = new Date(current.getTime() + ms)),
  };
}

const berlinDay = dateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' });

/** The calendar day in Europe/Berlin as YYYY-MM-DD: contracts start and end on such days. */
export function berlinDate(at: Date): string {
  return berlinDay.format(at);
}

const berlinClock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** Berlin's wall clock at an instant as HH:MM. */
export function berlinTime(at: Date): string {
  return berlinClock.format(at);
}

/** The instant a calendar day (YYYY-MM-DD) begins in Europe/Berlin, summer time included. */
export function startOfBerlinDay(day: string): Date {
  const utcMidnight = new Date(`${day}T00:00:00Z`);
  // Berlin is UTC+1 or UTC+2: find which by asking what Berlin's clock shows at both candidates.
  for (const offsetHours of [2, 1]) {
    const candidate = new Date(utcMidnight.getTime() - offsetHours * 3600 * 1000);
    if (berlinDate(candidate) === day && berlinDate(new Date(candidate.getTime() - 1)) !== day) return candidate;
  }
  return new Date(utcMidnight.getTime() - 3600 * 1000);
}

/** YYYY-MM-DD plus a number of days (calendar arithmetic, no time zone involved). */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The calendar year in Berlin at an instant (ticket numbers count per year). */
export function berlinYear(at: Date): number {
  return Number(berlinDate(at).slice(0, 4));
}

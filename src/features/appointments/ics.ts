/**
 * iCalendar (RFC 5545) for Termine: one event for the .ics download, many for the
 * subscription feed. Text values are escaped (§3.3.11) and lines folded at 75 octets
 * without splitting a UTF-8 character (§3.1); lines end with CRLF.
 */
import { berlinDate } from '../../clock.ts';
import { lastDay, addDays } from './time.ts';

export type IcsEvent = {
  id: string;
  title: string;
  description: string;
  location: string;
  allDay: boolean;
  startsAt: Date;
  endsAt: Date;
  updatedAt: Date;
  url?: string;
};

/** Escapes a TEXT value: backslash, semicolon, comma and line breaks. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds one content line into chunks of at most 75 octets, continuation lines start with a space. */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    const limit = out.length === 0 ? 75 : 74; // continuation lines carry the leading space
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

/** 20261130T090000Z */
export function utcStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const dateValue = (day: string) => day.replace(/-/g, '');

function eventLines(event: IcsEvent, now: Date, uidHost: string): string[] {
  const lines = ['BEGIN:VEVENT', `UID:${event.id}@${uidHost}`, `DTSTAMP:${utcStamp(now)}`, `LAST-MODIFIED:${utcStamp(event.updatedAt)}`];
  if (event.allDay) {
    const first = berlinDate(event.startsAt);
    lines.push(`DTSTART;VALUE=DATE:${dateValue(first)}`, `DTEND;VALUE=DATE:${dateValue(addDays(lastDay(event), 1))}`);
  } else {
    lines.push(`DTSTART:${utcStamp(event.startsAt)}`);
    if (event.endsAt.getTime() > event.startsAt.getTime()) lines.push(`DTEND:${utcStamp(event.endsAt)}`);
  }
  lines.push(`SUMMARY:${escapeText(event.title)}`);
  if (event.description) lines.push(`DESCRIPTION:${escapeText(event.description)}`);
  if (event.location) lines.push(`LOCATION:${escapeText(event.location)}`);
  if (event.url) lines.push(`URL:${event.url}`);
  lines.push('END:VEVENT');
  return lines;
}

/** A whole VCALENDAR with the given events. `name` becomes the calendar's display name (feeds). */
export function icsCalendar(events: IcsEvent[], options: { now: Date; uidHost: string; name?: string; method?: 'PUBLISH' }): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Hausportal//Termine//DE', 'CALSCALE:GREGORIAN'];
  if (options.method) lines.push(`METHOD:${options.method}`);
  if (options.name) lines.push(`X-WR-CALNAME:${escapeText(options.name)}`, 'X-WR-TIMEZONE:Europe/Berlin');
  for (const event of events) lines.push(...eventLines(event, options.now, options.uidHost));
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, icsCalendar } from '../../src/features/appointments/ics.ts';
import { addMonths, berlinDateTime, berlinTime, isValidDate, lastDay } from '../../src/features/appointments/time.ts';

describe('berlinDateTime', () => {
  it('uses summer time (UTC+2) until the last Sunday of October and winter time (UTC+1) after', () => {
    expect(berlinDateTime('2026-03-30', '10:00').toISOString()).toBe('2026-03-30T08:00:00.000Z');
    expect(berlinDateTime('2026-11-30', '10:00').toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(berlinDateTime('2026-03-28', '10:00').toISOString()).toBe('2026-03-28T09:00:00.000Z');
    expect(berlinDateTime('2026-10-24', '10:00').toISOString()).toBe('2026-10-24T08:00:00.000Z');
  });

  it('handles the change days themselves', () => {
    // 29 March 2026: 02:00 → 03:00; 25 October 2026: 03:00 → 02:00.
    expect(berlinDateTime('2026-03-29', '01:30').toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(berlinDateTime('2026-03-29', '03:30').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(berlinDateTime('2026-10-25', '00:00').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(berlinDateTime('2026-10-25', '12:00').toISOString()).toBe('2026-10-25T11:00:00.000Z');
    expect(berlinDateTime('2026-03-29', '00:00').toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });

  it('round-trips the clock time and rejects impossible input', () => {
    for (const [d, t] of [
      ['2026-07-01', '23:59'],
      ['2026-01-01', '00:00'],
      ['2026-10-25', '04:15'],
    ])
      expect(berlinTime(berlinDateTime(d, t))).toBe(t);
    expect(() => berlinDateTime('2026-02-30', '10:00')).toThrow();
    expect(() => berlinDateTime('2026-02-01', '24:00')).toThrow();
    expect(isValidDate('2028-02-29')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
  });

  it('knows the last day of an all-day appointment with an exclusive end', () => {
    const a = { allDay: true, startsAt: berlinDateTime('2026-10-24', '00:00'), endsAt: berlinDateTime('2026-10-26', '00:00') };
    expect(lastDay(a)).toBe('2026-10-25');
  });
});

describe('iCalendar', () => {
  it('escapes text values', () => {
    expect(escapeText('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne');
  });

  it('folds long lines at 75 octets without splitting UTF-8 characters', () => {
    const line = `DESCRIPTION:${'ä'.repeat(100)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(new TextEncoder().encode(part).length).toBeLessThanOrEqual(75);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(parts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(line);
  });

  it('writes a VEVENT in UTC, or with VALUE=DATE for all-day events', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const ics = icsCalendar(
      [
        {
          id: 'a1',
          title: 'Versammlung, Teil 1',
          description: 'Zeile 1\nZeile 2',
          location: 'Raum; 2',
          allDay: false,
          startsAt: berlinDateTime('2026-11-30', '10:00'),
          endsAt: berlinDateTime('2026-11-30', '11:30'),
          updatedAt: now,
        },
        {
          id: 'a2',
          title: 'Fest',
          description: '',
          location: '',
          allDay: true,
          startsAt: berlinDateTime('2026-07-04', '00:00'),
          endsAt: berlinDateTime('2026-07-06', '00:00'),
          updatedAt: now,
        },
      ],
      { now, uidHost: 'example.test' },
    );
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics).not.toMatch(/[^\r]\n/);
    const lines = ics.split('\r\n');
    expect(lines).toContain('UID:a1@example.test');
    expect(lines).toContain('DTSTAMP:20261123T120000Z');
    expect(lines).toContain('DTSTART:20261130T090000Z');
    expect(lines).toContain('DTEND:20261130T103000Z');
    expect(lines).toContain('SUMMARY:Versammlung\\, Teil 1');
    expect(lines).toContain('DESCRIPTION:Zeile 1\\nZeile 2');
    expect(lines).toContain('LOCATION:Raum\\; 2');
    expect(lines).toContain('DTSTART;VALUE=DATE:20260704');
    expect(lines).toContain('DTEND;VALUE=DATE:20260706');
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(2);
  });
});

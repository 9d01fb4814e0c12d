import { describe, expect, it } from 'vitest';
import { berlinDate, startOfBerlinDay } from '../../src/clock.ts';

describe('Berlin calendar days', () => {
  it('begin at 23:00 UTC in winter and 22:00 UTC in summer', () => {
    expect(startOfBerlinDay('2026-11-23').toISOString()).toBe('2026-11-22T23:00:00.000Z');
    expect(startOfBerlinDay('2026-07-01').toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });

  it('handle the days the clocks change', () => {
    expect(startOfBerlinDay('2026-03-29').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfBerlinDay('2026-10-25').toISOString()).toBe('2026-10-24T22:00:00.000Z');
  });

  it('name the day an instant falls on in Berlin', () => {
    expect(berlinDate(new Date('2026-11-22T23:30:00Z'))).toBe('2026-11-23');
    expect(berlinDate(new Date('2026-06-30T21:59:59Z'))).toBe('2026-06-30');
  });
});

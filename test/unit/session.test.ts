import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSession, SESSION_POLICY, validateSessionToken } from '../../src/auth/session.ts';
import type { Em } from '../../src/db/orm.ts';
import { PortalUser, Session, StaffUser, type Area } from '../../src/entities/index.ts';
import { openTestDatabase } from '../support/db.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  database = await openTestDatabase(inject('testDatabase'), inject('templateDatabase'));
});
afterAll(() => database?.drop());

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = new Date('2030-03-04T08:00:00Z');
const at = (ms: number) => new Date(START.getTime() + ms);

const em = () => database.orm.em.fork() as Em;
const all = { filters: { tenant: false } } as const;

async function login(area: Area) {
  const fork = em();
  const login =
    area === 'staff'
      ? { area, user: await fork.findOneOrFail(StaffUser, { email: 'sachbearbeitung@sonnenschein-hv.de' }, all) }
      : { area, user: await fork.findOneOrFail(PortalUser, { email: 'kristina.maiblume@example.de' }, all) };
  const { token } = await createSession(fork, login, START);
  return token;
}

/** Uses the session at a moment, as a request would; each use sees the database afresh. */
function use(token: string, area: Area, now: Date) {
  return validateSessionToken(em(), token, area, now);
}

function stored(token: string) {
  return em().findOne(Session, { id: token.split('.')[0] }, all);
}

describe.each([
  { area: 'staff' as const, idle: 12 * HOUR, absolute: 7 * DAY },
  { area: 'portal' as const, idle: 30 * DAY, absolute: 90 * DAY },
])('$area sessions', ({ area, idle, absolute }) => {
  it('follow the documented policy', () => {
    expect(SESSION_POLICY[area]).toEqual({ idleMs: idle, absoluteMs: absolute });
  });

  it('are extended when used more than an hour after the last extension', async () => {
    const token = await login(area);
    expect((await stored(token))!.expiresAt).toEqual(at(idle));

    // Within the hour nothing is written.
    expect(await use(token, area, at(30 * MINUTE))).not.toBeNull();
    expect((await stored(token))!.expiresAt).toEqual(at(idle));

    expect(await use(token, area, at(2 * HOUR))).not.toBeNull();
    const extended = (await stored(token))!;
    expect(extended.lastVerifiedAt).toEqual(at(2 * HOUR));
    expect(extended.expiresAt).toEqual(at(2 * HOUR + idle));

    // Valid past the first idle end, because it was used.
    expect(await use(token, area, at(idle + HOUR))).not.toBeNull();
  });

  it('expire when not used for the idle time, and are deleted', async () => {
    const used = await login(area);
    expect(await use(used, area, at(idle - MINUTE))).not.toBeNull();

    const idleToken = await login(area);
    expect(await use(idleToken, area, at(idle))).toBeNull();
    expect(await stored(idleToken)).toBeNull();
    expect(await use(idleToken, area, at(HOUR))).toBeNull();
  });

  it('end at the absolute lifetime even when used continuously', async () => {
    const token = await login(area);
    const step = idle / 2;
    for (let t = step; t < absolute; t += step) {
      expect(await use(token, area, at(t)), `used after ${t / HOUR} h`).not.toBeNull();
      // The idle window never reaches past the absolute end.
      expect((await stored(token))!.expiresAt.getTime()).toBeLessThanOrEqual(at(absolute).getTime());
    }
    expect(await use(token, area, at(absolute - MINUTE))).not.toBeNull();
    expect((await stored(token))!.expiresAt).toEqual(at(absolute));

    expect(await use(token, area, at(absolute))).toBeNull();
    expect(await stored(token)).toBeNull();
  });

  it('refuse a token with a wrong secret or of the other area', async () => {
    const token = await login(area);
    const [id] = token.split('.');
    expect(await use(`${id}.${'a'.repeat(32)}`, area, at(MINUTE))).toBeNull();
    expect(await use(token, area === 'staff' ? 'portal' : 'staff', at(MINUTE))).toBeNull();
    expect(await use(token, area, at(MINUTE))).not.toBeNull();
  });
});

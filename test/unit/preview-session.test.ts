import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPreviewSession, createSession, invalidateSession, SESSION_POLICY, validatePreviewToken, validateSessionToken } from '../../src/auth/session.ts';
import type { Em } from '../../src/db/orm.ts';
import { PortalUser, Property, Session, StaffUser } from '../../src/entities/index.ts';
import { openTestDatabase } from '../support/db.ts';

/** Preview sessions (Vorschau): src/auth/session.ts, used by src/features/preview. */
let database: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  database = await openTestDatabase(inject('testDatabase'), inject('templateDatabase'));
});
afterAll(() => database?.drop());

const HOUR = 60 * 60 * 1000;
const START = new Date('2030-03-04T08:00:00Z');
const at = (ms: number) => new Date(START.getTime() + ms);
const em = () => database.orm.em.fork() as Em;
const all = { filters: { tenant: false } } as const;

/** A staff login and a preview of Rosenweg 24 opened from it at START. */
async function openPreview() {
  const fork = em();
  const user = await fork.findOneOrFail(StaffUser, { email: 'sachbearbeitung@sonnenschein-hv.de' }, all);
  const property = await fork.findOneOrFail(Property, { name: 'Rosenweg 24' }, all);
  const staff = await createSession(fork, { area: 'staff', user }, START);
  const preview = await createPreviewSession(fork, staff.session, property, START);
  return { staffToken: staff.token, staffId: staff.session.id, token: preview.token, property };
}

describe('preview sessions', () => {
  it('show one property and expire no later than the staff session', async () => {
    const { token, property } = await openPreview();
    const session = (await validatePreviewToken(em(), token, at(HOUR)))!;
    expect(session.area).toBe('preview');
    expect(session.previewProperty!.id).toBe(property.id);
    expect(session.expiresAt.getTime()).toBeLessThanOrEqual(at(SESSION_POLICY.staff.idleMs).getTime());
  });

  it('are no login of either area, and a login token is no preview', async () => {
    const { token, staffToken } = await openPreview();
    expect(await validateSessionToken(em(), token, 'staff', at(HOUR))).toBeNull();
    expect(await validateSessionToken(em(), token, 'portal', at(HOUR))).toBeNull();
    expect(await validatePreviewToken(em(), staffToken, at(HOUR))).toBeNull();
    expect(await validatePreviewToken(em(), `${token.split('.')[0]}.${'a'.repeat(32)}`, at(HOUR))).toBeNull();
    expect(await validatePreviewToken(em(), token, at(HOUR))).not.toBeNull();
  });

  it('end with the staff session: logout, idle expiry, absolute lifetime', async () => {
    const loggedOut = await openPreview();
    await invalidateSession(em(), loggedOut.staffId);
    expect(await validatePreviewToken(em(), loggedOut.token, at(HOUR))).toBeNull();

    const idle = await openPreview();
    expect(await validatePreviewToken(em(), idle.token, at(SESSION_POLICY.staff.idleMs - HOUR))).not.toBeNull();
    expect(await validatePreviewToken(em(), idle.token, at(SESSION_POLICY.staff.idleMs))).toBeNull();
    expect(await em().count(Session, { id: { $in: [idle.staffId, idle.token.split('.')[0]] } })).toBe(0);

    // The console keeps being used; the preview follows it, up to the staff session's absolute end.
    const busy = await openPreview();
    const step = SESSION_POLICY.staff.idleMs / 2;
    let t = step;
    for (; t < SESSION_POLICY.staff.absoluteMs; t += step) {
      expect(await validateSessionToken(em(), busy.staffToken, 'staff', at(t))).not.toBeNull();
      expect(await validatePreviewToken(em(), busy.token, at(t + HOUR)), `after ${t / HOUR} h`).not.toBeNull();
    }
    expect(await validatePreviewToken(em(), busy.token, at(SESSION_POLICY.staff.absoluteMs))).toBeNull();
  });

  it('can only be opened from a staff session', async () => {
    const fork = em();
    const resident = await fork.findOneOrFail(PortalUser, { email: 'kristina.maiblume@example.de' }, all);
    const property = await fork.findOneOrFail(Property, { name: 'Max-Planck-Straße 12' }, all);
    const portal = await createSession(fork, { area: 'portal', user: resident }, START);
    await expect(createPreviewSession(fork, portal.session, property, START)).rejects.toThrow(/staff session/);
  });
});

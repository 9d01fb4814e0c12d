import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { randomBytes } from 'node:crypto';
import type { Em } from '../db/orm.ts';
import { Session, type Area, type PortalUser, type StaffUser } from '../entities/index.ts';

/**
 * Sessions as the Lucia guide prescribes: the token is `<id>.<secret>`, the database keeps
 * only SHA-256(secret), compared in constant time. Sessions slide: each use within the
 * idle window extends them (written at most hourly), up to an absolute lifetime.
 */
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export const SESSION_POLICY: Record<Area, { idleMs: number; absoluteMs: number }> = {
  staff: { idleMs: 12 * HOUR, absoluteMs: 7 * DAY },
  portal: { idleMs: 30 * DAY, absoluteMs: 90 * DAY },
};
const REFRESH_AFTER_MS = HOUR;

export type SessionUser = { area: 'staff'; user: StaffUser } | { area: 'portal'; user: PortalUser };

function randomSecret(): string {
  return encodeBase32LowerCaseNoPadding(randomBytes(20));
}

function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

/** Creates a session for a user and returns the token for the cookie. */
export async function createSession(em: Em, login: SessionUser, now: Date): Promise<{ token: string; session: Session }> {
  const id = randomSecret();
  const secret = randomSecret();
  const session = em.create(Session, {
    id,
    secretHash: Buffer.from(hashSecret(secret)),
    area: login.area,
    organization: login.user.organization,
    staffUser: login.area === 'staff' ? login.user : null,
    portalUser: login.area === 'portal' ? login.user : null,
    createdAt: now,
    lastVerifiedAt: now,
    expiresAt: new Date(now.getTime() + SESSION_POLICY[login.area].idleMs),
  });
  await em.flush();
  return { token: `${id}.${secret}`, session };
}

/**
 * Returns the valid session for a token of the given area, or null. A token of the other
 * area (a staff cookie presented to the portal) is treated like no token at all.
 */
export async function validateSessionToken(em: Em, token: string, area: Area, now: Date): Promise<Session | null> {
  const [id, secret, ...rest] = token.split('.');
  if (!id || !secret || rest.length > 0 || id.length > 32) return null;
  const session = await em.findOne(Session, { id }, { populate: ['staffUser', 'portalUser', 'organization'], filters: { tenant: false } });
  if (!session) return null;
  if (!constantTimeEqual(hashSecret(secret), new Uint8Array(session.secretHash))) return null;
  if (session.area !== area) return null;

  const absoluteEnd = session.createdAt.getTime() + SESSION_POLICY[area].absoluteMs;
  const user = session.staffUser ?? session.portalUser;
  if (now >= session.expiresAt || now.getTime() >= absoluteEnd || !user || user.disabledAt) {
    await em.nativeDelete(Session, { id });
    return null;
  }
  if (now.getTime() - session.lastVerifiedAt.getTime() >= REFRESH_AFTER_MS) {
    session.lastVerifiedAt = now;
    session.expiresAt = new Date(Math.min(now.getTime() + SESSION_POLICY[area].idleMs, absoluteEnd));
    await em.flush();
  }
  return session;
}

export async function invalidateSession(em: Em, sessionId: string): Promise<void> {
  await em.nativeDelete(Session, { id: sessionId });
}

/** Ends every session of a user, e.g. after a password change or when access ends. */
export async function invalidateUserSessions(em: Em, login: SessionUser): Promise<void> {
  await em.nativeDelete(Session, login.area === 'staff' ? { staffUser: login.user.id } : { portalUser: login.user.id });
}

export async function deleteExpiredSessions(em: Em, now: Date): Promise<number> {
  return em.nativeDelete(Session, { expiresAt: { $lt: now } });
}

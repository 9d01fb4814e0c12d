import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { randomBytes } from 'node:crypto';
import type { Em } from '../db/orm.ts';
import { Session, type Area, type PortalUser, type Property, type StaffUser } from '../entities/index.ts';

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

/** Finds the session a token `<id>.<secret>` names, comparing the secret's hash in constant time. */
async function sessionOfToken(em: Em, token: string, populate: readonly string[]): Promise<Session | null> {
  const [id, secret, ...rest] = token.split('.');
  if (!id || !secret || rest.length > 0 || id.length > 32) return null;
  const session = await em.findOne(Session, { id }, { populate: populate as never, filters: { tenant: false } });
  if (!session) return null;
  if (!constantTimeEqual(hashSecret(secret), new Uint8Array(session.secretHash))) return null;
  return session;
}

/**
 * Applies the lifetime rules of its area to a found login session: deletes it when it has
 * expired (idle or absolute) or its user is disabled, and slides it at most hourly.
 * Expects staffUser/portalUser to be loaded.
 */
async function stillValid(em: Em, session: Session, area: Area, now: Date, slide: boolean): Promise<boolean> {
  const absoluteEnd = session.createdAt.getTime() + SESSION_POLICY[area].absoluteMs;
  const user = session.staffUser ?? session.portalUser;
  if (now >= session.expiresAt || now.getTime() >= absoluteEnd || !user || user.disabledAt) {
    await em.nativeDelete(Session, { id: session.id });
    return false;
  }
  if (slide && now.getTime() - session.lastVerifiedAt.getTime() >= REFRESH_AFTER_MS) {
    session.lastVerifiedAt = now;
    session.expiresAt = new Date(Math.min(now.getTime() + SESSION_POLICY[area].idleMs, absoluteEnd));
    await em.flush();
  }
  return true;
}

/**
 * Returns the valid session for a token of the given area, or null. A token of the other
 * area (a staff cookie presented to the portal) is treated like no token at all.
 */
export async function validateSessionToken(em: Em, token: string, area: Area, now: Date): Promise<Session | null> {
  const session = await sessionOfToken(em, token, ['staffUser', 'portalUser', 'organization']);
  if (!session || session.area !== area) return null;
  return (await stillValid(em, session, area, now, true)) ? session : null;
}

/**
 * Creates a read-only preview session of one property (Vorschau, src/features/preview) for
 * a staff session and returns the token for the cookie. It belongs to that staff session
 * (deleted with it by the database) and never expires later than it; earlier previews of
 * the same staff session are replaced, since the browser keeps only one preview cookie.
 */
export async function createPreviewSession(em: Em, staffSession: Session, property: Property, now: Date): Promise<{ token: string; session: Session }> {
  if (staffSession.area !== 'staff' || !staffSession.staffUser) throw new Error('a preview needs a staff session');
  await em.nativeDelete(Session, { area: 'preview', parentSession: staffSession.id });
  const id = randomSecret();
  const secret = randomSecret();
  const session = em.create(Session, {
    id,
    secretHash: Buffer.from(hashSecret(secret)),
    area: 'preview',
    organization: staffSession.organization,
    staffUser: staffSession.staffUser,
    portalUser: null,
    previewProperty: property,
    parentSession: staffSession,
    createdAt: now,
    lastVerifiedAt: now,
    expiresAt: staffSession.expiresAt,
  });
  await em.flush();
  return { token: `${id}.${secret}`, session };
}

/**
 * Returns the valid preview session for a token, or null. The staff session that opened it
 * is checked by the staff rules (expiry, disabled user) on every use, so the preview ends
 * with it; using the preview does not extend the staff session, only follows it.
 */
export async function validatePreviewToken(em: Em, token: string, now: Date): Promise<Session | null> {
  const session = await sessionOfToken(em, token, ['organization', 'previewProperty', 'parentSession.staffUser']);
  if (session?.area !== 'preview' || !session.previewProperty) return null;
  const parent = session.parentSession;
  if (parent?.area !== 'staff' || !(await stillValid(em, parent, 'staff', now, false))) {
    await em.nativeDelete(Session, { id: session.id });
    return null;
  }
  // Kept equal to the staff session's expiry, so the clean-up of expired sessions agrees.
  if (session.expiresAt.getTime() !== parent.expiresAt.getTime()) {
    session.expiresAt = parent.expiresAt;
    session.lastVerifiedAt = now;
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

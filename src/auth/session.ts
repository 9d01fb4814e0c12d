import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { randomBytes } from 'node:crypto';
import { ChangeSetType, wrap, type EntityName, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import type { Em } from '../db/orm.ts';
import { invalidate, processCache } from '../db/process-cache.ts';
import { Organization, PortalUser, Session, StaffUser, type Area, type Property } from '../entities/index.ts';

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
    await sessionsChanged(em, { sessionIds: [session.id] });
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
 *
 * The rows behind a login session (session, user, Verwaltung) are cached in the process
 * for a minute (src/db/process-cache.ts): a request whose session needs no write (not
 * expired, not due to slide) is answered from memory, the secret still compared with its
 * hash. A handler that reads the user or the session gets them mapped into its request's
 * EntityManager then (loginOfToken), as managed entities. Logout, password change, deactivation, role and profile changes
 * evict it in every process at once (sessionsChanged below).
 */
export async function validateSessionToken(em: Em, token: string, area: Area, now: Date): Promise<Session | null> {
  return (await loginOfToken(em, token, area, now))?.session() ?? null;
}

/**
 * What the guards, the layout and the branding read of the logged-in user on every request:
 * the user's and the Verwaltung's rows as read (MikroORM's property names), frozen, and shared
 * by every request of the login while it is cached. Plain values, no entity: most pages need
 * nothing more, and mapping the two entities into a request's EntityManager costs ~0.13 ms.
 */
const VIEWER_ORGANIZATION_FIELDS = [
  'id',
  'name',
  'requireSecondFactor',
  'defaultContactPreferenceOnline',
  'portalName',
  'brandColor',
  'logoType',
  'logoPngKey',
  'brandVersion',
  'hasImprint',
  'hasPrivacyPolicy',
] as const;
const VIEWER_USER_FIELDS = { staff: ['id', 'name', 'email', 'role', 'totpEnabledAt', 'oidcSubject'], portal: ['id', 'name', 'email', 'onboardedAt'] } as const;
export type ViewerOrganization = Readonly<Pick<Organization, (typeof VIEWER_ORGANIZATION_FIELDS)[number]>>;
export type StaffViewer = Readonly<{ area: 'staff'; organization: ViewerOrganization } & Pick<StaffUser, (typeof VIEWER_USER_FIELDS.staff)[number]>>;
export type PortalViewer = Readonly<{ area: 'portal'; organization: ViewerOrganization } & Pick<PortalUser, (typeof VIEWER_USER_FIELDS.portal)[number]>>;
export type Viewer = StaffViewer | PortalViewer;

/**
 * A valid login of a token (validateSessionToken): who it is as plain values (viewer), and
 * the user (with the Verwaltung) and the session as entities of the request's EntityManager,
 * each mapped when first asked for: a request answered from the cache maps nothing it does not use.
 */
export type Login = { viewer: Viewer; user: () => StaffUser | PortalUser; organizationId: string; sessionId: string; session: () => Session };

export async function loginOfToken(em: Em, token: string, area: Area, now: Date): Promise<Login | null> {
  const [id, secret, ...rest] = token.split('.');
  if (!id || !secret || rest.length > 0 || id.length > 32) return null;
  const cache = processCache<CachedLogin>(em, 'sessions');
  // An eviction (logout elsewhere) that reached this process together with the request is
  // read by the cache listener in the same turn of the event loop: let it run before answering from memory.
  if (cache.get(id)) await new Promise(setImmediate);
  const cached = cache.get(id);
  if (cached) {
    if (cached.area !== area || !constantTimeEqual(hashSecret(secret), cached.secretHash)) return null;
    if (!needsWrite(cached, now)) {
      let user: StaffUser | PortalUser | undefined;
      let session: Session | undefined;
      const userOf = () => (user ??= mapUser(em, cached));
      return {
        viewer: cached.viewer,
        user: userOf,
        organizationId: cached.organizationId,
        sessionId: id,
        session: () => {
          // The session refers to its user: map the user first, so the reference is that entity.
          userOf();
          session ??= mapSession(em, cached);
          return session;
        },
      };
    }
  }
  const generation = cache.generation;
  const login = await loadLogin(em, id);
  if (!login || login.area !== area || !constantTimeEqual(hashSecret(secret), login.secretHash)) return null;
  // Read just now: these rows win over anything the EntityManager holds (stillValid checks them).
  const user = mapUser(em, login, { fresh: true });
  const session = mapSession(em, login);
  const lastVerifiedAt = session.lastVerifiedAt.getTime();
  if (!(await stillValid(em, session, area, now, true))) return null;
  // A session that just slid was written: the rows read before are stale, the next request reads them anew.
  if (session.lastVerifiedAt.getTime() === lastVerifiedAt) {
    cache.set(id, login, [sessionTag(id), userTag(login.userId), organizationTag(login.organizationId)], generation);
  }
  return { viewer: login.viewer, user: () => user, organizationId: login.organizationId, sessionId: id, session: () => session };
}

/** The rows of a login session as read from the database, enough to rebuild its entities. */
type CachedLogin = {
  area: Area;
  secretHash: Uint8Array;
  userId: string;
  organizationId: string;
  createdAt: number;
  lastVerifiedAt: number;
  expiresAt: number;
  userDisabled: boolean;
  /** The rows with MikroORM's property names and types (driver.mapResult, done once when read). */
  data: { session: EntityData; user: EntityData; organization: EntityData };
  viewer: Viewer;
};

const time = (value: unknown) => new Date(value as string | Date).getTime();

/** Reads a staff or portal session and its user and Verwaltung as plain rows (no tenant filter: the cookie names the session). */
async function loadLogin(em: Em, id: string): Promise<CachedLogin | null> {
  const [session] = await em.execute<Array<Record<string, unknown>>>('select * from session where id = ?', [id]);
  if (!session || (session.area !== 'staff' && session.area !== 'portal')) return null;
  const area = session.area as Area;
  const userId = String(area === 'staff' ? session.staff_user_id : session.portal_user_id);
  const [user] = await em.execute<Array<Record<string, unknown>>>(`select * from ${area === 'staff' ? 'staff_user' : 'portal_user'} where id = ?`, [userId]);
  const [organization] = await em.execute<Array<Record<string, unknown>>>(`select ${organizationColumns(em)} from organization where id = ?`, [
    session.organization_id,
  ]);
  if (!user || !organization) return null;
  const data = {
    session: entityDataOf(em, Session, session),
    user: area === 'staff' ? entityDataOf(em, StaffUser, user) : entityDataOf(em, PortalUser, user),
    organization: entityDataOf(em, Organization, organization),
  };
  return {
    area,
    secretHash: new Uint8Array(session.secret_hash as Uint8Array),
    userId,
    organizationId: String(organization.id),
    createdAt: time(session.created_at),
    lastVerifiedAt: time(session.last_verified_at),
    expiresAt: time(session.expires_at),
    userDisabled: user.disabled_at != null,
    data,
    viewer: viewerOf(area, data),
  };
}

/**
 * The viewer of a login's rows: only the fields named (no password hash, no TOTP or calendar
 * secrets, which the entities hide), frozen, as every request of the login shares it.
 */
function viewerOf(area: Area, data: CachedLogin['data']): Viewer {
  const only = (row: EntityData, fields: readonly string[]) => Object.fromEntries(fields.map((field) => [field, row[field] ?? null]));
  const organization = Object.freeze(only(data.organization, VIEWER_ORGANIZATION_FIELDS));
  return Object.freeze({ ...only(data.user, VIEWER_USER_FIELDS[area]), area, organization }) as unknown as Viewer;
}

/**
 * The Verwaltung's columns a login keeps: all but the lazy legal texts (up to 20,000
 * characters each, src/entities/organization.ts), whose presence the footer links need only.
 */
let organizationSelect: string | undefined;
function organizationColumns(em: Em): string {
  if (!organizationSelect) {
    const props = em
      .getMetadata()
      .get(Organization)
      .props.filter((p) => p.kind === 'scalar' && !p.lazy && !p.formula && p.persist !== false);
    const columns = props.flatMap((p) => p.fieldNames.map((name) => `"${name}"`));
    organizationSelect = [...columns, 'imprint is not null as has_imprint', 'privacy_policy is not null as has_privacy_policy'].join(', ');
  }
  return organizationSelect;
}

/** Whether using the session now writes (it expired, its user is disabled, or it is due to slide): then the database decides. */
function needsWrite(login: CachedLogin, now: Date): boolean {
  const at = now.getTime();
  const policy = SESSION_POLICY[login.area];
  return login.userDisabled || at >= login.expiresAt || at >= login.createdAt + policy.absoluteMs || at - login.lastVerifiedAt >= REFRESH_AFTER_MS;
}

type EntityData = Record<string, unknown>;
/** A row as MikroORM's entity data (property names, converted values): what em.map does first on every call. */
function entityDataOf<T extends object>(em: Em, entity: EntityName<T>, row: Record<string, unknown>): EntityData {
  return em.getDriver().mapResult(row as never, em.getMetadata().get(entity)) as EntityData;
}

/** What em.map does with data mapped already (the rows came from the database: nothing to validate). */
const MERGE_MAPPED = { refresh: true, validate: false, convertCustomTypes: true } as const;

/**
 * The user and Verwaltung of a login as entities in this request's EntityManager; copies, so
 * the cached data stays as read. (Mapping costs ~30 µs an entity: MikroORM defines an accessor
 * per property on each instance; the rows are converted to entity data once, when read.)
 * From the cache they are mapped on first use, which may come after the handler loaded (and
 * changed) the same user or Verwaltung itself: then that entity is the one, left as the handler
 * has it. Console code that reads a Verwaltung's settings off another record's `organization`
 * reference must load it: the Verwaltung is no longer in every request's EntityManager.
 */
function mapUser(em: Em, login: CachedLogin, { fresh = false } = {}): StaffUser | PortalUser {
  const map = <T extends object>(entity: EntityName<T>, id: string, data: EntityData): T => {
    const loaded = fresh ? undefined : em.getUnitOfWork().getById(entity, id as never);
    if (loaded && wrap(loaded).isInitialized()) return loaded;
    return em.merge(entity, { ...data } as never, MERGE_MAPPED) as T;
  };
  map(Organization, login.organizationId, login.data.organization);
  if (login.area === 'staff') return map(StaffUser, login.userId, login.data.user);
  return map(PortalUser, login.userId, login.data.user);
}

/** The session entity of a login whose user is mapped already (mapUser), so that it refers to it. */
function mapSession(em: Em, login: CachedLogin): Session {
  return em.merge(Session, { ...login.data.session }, MERGE_MAPPED);
}

const sessionTag = (id: string) => `session:${id}`;
const userTag = (id: string) => `user:${id}`;
const organizationTag = (id: string) => `organization:${id}`;

/**
 * The one way to end cached sessions, in every process (src/db/process-cache.ts): the
 * sessions named, every session of the users named, or of a whole Verwaltung. Call it after
 * the change is written. ORM writes to users, sessions and Verwaltungen call it through
 * SessionCacheSubscriber; writers of raw SQL call it themselves.
 */
export async function sessionsChanged(em: Em, change: { sessionIds?: string[]; userIds?: string[]; organizationIds?: string[] }): Promise<void> {
  const tags = [...(change.sessionIds ?? []).map(sessionTag), ...(change.userIds ?? []).map(userTag), ...(change.organizationIds ?? []).map(organizationTag)];
  await invalidate(em, 'sessions', tags);
}

/** Evicts cached sessions after every flush that changed a session, a login or a Verwaltung (disabled, new password, role, name, settings). */
export class SessionCacheSubscriber implements EventSubscriber {
  async afterFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const change = { sessionIds: [] as string[], userIds: [] as string[], organizationIds: [] as string[] };
    for (const changeSet of uow.getChangeSets()) {
      const id = (changeSet.entity as { id?: string }).id;
      if (!id) continue;
      const name = changeSet.meta.className;
      // A new record is in no cache yet.
      if (changeSet.type === ChangeSetType.CREATE) continue;
      if (name === 'Session') change.sessionIds.push(id);
      else if (name === 'StaffUser' || name === 'PortalUser') change.userIds.push(id);
      else if (name === 'Organization') change.organizationIds.push(id);
    }
    await sessionsChanged(em as Em, change);
  }
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
  await sessionsChanged(em, { sessionIds: [sessionId] });
}

/** Ends every session of a user, e.g. after a password change or when access ends. */
export async function invalidateUserSessions(em: Em, login: SessionUser): Promise<void> {
  await em.nativeDelete(Session, login.area === 'staff' ? { staffUser: login.user.id } : { portalUser: login.user.id });
  await sessionsChanged(em, { userIds: [login.user.id] });
}

export async function deleteExpiredSessions(em: Em, now: Date): Promise<number> {
  return em.nativeDelete(Session, { expiresAt: { $lt: now } });
}

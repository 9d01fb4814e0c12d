import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
import { Organization } from './organization.ts';
import { PortalUser } from './portal-user.ts';
import { Property } from './property.ts';
import { StaffUser } from './staff-user.ts';

export const AREAS = ['staff', 'portal'] as const;
export type Area = (typeof AREAS)[number];
/** Sessions also exist for the read-only preview of a property's portal (Vorschau). */
export const SESSION_KINDS = [...AREAS, 'preview'] as const;

/**
 * A login session (Lucia guide): the cookie carries `id.secret`, only a SHA-256 of the
 * secret is stored. Exactly one of staffUser/portalUser is set, matching `area`.
 */
export const Session = defineEntity({
  name: 'Session',
  properties: {
    id: p.string().length(32).primary(),
    secretHash: p.blob().hidden(),
    area: p.enum(SESSION_KINDS),
    organization: () => p.manyToOne(Organization),
    staffUser: () => p.manyToOne(StaffUser).nullable().deleteRule('cascade'),
    portalUser: () => p.manyToOne(PortalUser).nullable().deleteRule('cascade'),
    // A preview session shows one property and ends with the staff session that opened it.
    previewProperty: () => p.manyToOne(Property).nullable().deleteRule('cascade'),
    parentSession: () => p.manyToOne(Session).nullable().deleteRule('cascade'),
    createdAt: createdAt(),
    lastVerifiedAt: p.datetime(),
    expiresAt: p.datetime().index(),
  },
});
export type Session = InferEntity<typeof Session>;

export const TOKEN_PURPOSES = ['staff_invitation', 'password_reset', 'email_change'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** A single-use, expiring token sent by e-mail (invitation, password reset, e-mail change). Stored hashed. */
export const OneTimeToken = defineEntity({
  name: 'OneTimeToken',
  properties: {
    id: id(),
    tokenHash: p.string().length(64).unique(),
    purpose: p.enum(TOKEN_PURPOSES),
    area: p.enum(AREAS),
    organization: () => p.manyToOne(Organization),
    staffUser: () => p.manyToOne(StaffUser).nullable().deleteRule('cascade'),
    portalUser: () => p.manyToOne(PortalUser).nullable().deleteRule('cascade'),
    /** The address an e-mail change confirms (purpose email_change); null otherwise. */
    newEmail: p.string().length(254).nullable(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type OneTimeToken = InferEntity<typeof OneTimeToken>;

/** Failed-login counters per account and per IP address (src/auth/throttle.ts). */
export const LoginThrottle = defineEntity({
  name: 'LoginThrottle',
  properties: {
    key: p.string().length(300).primary(),
    failures: p.integer().default(0),
    windowStartedAt: p.datetime(),
    lockedUntil: p.datetime().nullable(),
  },
});
export type LoginThrottle = InferEntity<typeof LoginThrottle>;

/** A key for the machine API (/api), per Verwaltung; only a hash is stored. */
export const ApiKey = defineEntity({
  name: 'ApiKey',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    name: p.string().length(200),
    prefix: p.string().length(16),
    keyHash: p.string().length(64).unique(),
    /** Who created it in Administration › API-Schlüssel (null for the demo's key). */
    createdBy: () => p.manyToOne(StaffUser).nullable(),
    createdAt: createdAt(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export type ApiKey = InferEntity<typeof ApiKey>;

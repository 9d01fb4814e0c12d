import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id, updatedAt } from './common.ts';
import { Organization } from './organization.ts';
import { StaffUser } from './staff-user.ts';

/**
 * "Mit Firmenkonto anmelden": a Verwaltung's OpenID Connect provider for its staff
 * (src/features/staff-signin/oidc.ts). The client secret is stored encrypted with the key
 * from the environment (src/auth/secrets.ts), never in plain text.
 */
export const OrganizationSso = defineEntity({
  name: 'OrganizationSso',
  tableName: 'organization_sso',
  properties: {
    organization: () => p.oneToOne(Organization).primary().owner(),
    /** The Kürzel in the console login's own address, /verwaltung/anmelden/<kürzel>. */
    slug: p.string().length(40).unique(),
    issuer: p.string().length(500),
    clientId: p.string().length(200),
    clientSecretEncrypted: p.text().hidden(),
    enabled: p.boolean().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type OrganizationSso = InferEntity<typeof OrganizationSso>;

/**
 * One sign-in through the company's provider, from the redirect to the callback: the state
 * (stored as SHA-256) is single-use and expires, the PKCE verifier and the nonce stay here,
 * so a replayed or forged callback finds nothing to complete.
 */
export const OidcLoginAttempt = defineEntity({
  name: 'OidcLoginAttempt',
  tableName: 'oidc_login_attempt',
  properties: {
    stateHash: p.string().length(64).primary(),
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    codeVerifier: p.string().length(128).hidden(),
    nonce: p.string().length(128),
    createdAt: createdAt(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export type OidcLoginAttempt = InferEntity<typeof OidcLoginAttempt>;

/** The step between password and session for staff with a second factor: single-use, short-lived, stored hashed. */
export const SecondFactorChallenge = defineEntity({
  name: 'SecondFactorChallenge',
  tableName: 'second_factor_challenge',
  properties: {
    tokenHash: p.string().length(64).primary(),
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    staffUser: () => p.manyToOne(StaffUser).deleteRule('cascade'),
    createdAt: createdAt(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export type SecondFactorChallenge = InferEntity<typeof SecondFactorChallenge>;

/** A recovery code of a staff member's second factor: shown once, stored as SHA-256, each usable once. */
export const RecoveryCode = defineEntity({
  name: 'RecoveryCode',
  tableName: 'recovery_code',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    staffUser: () => p.manyToOne(StaffUser).index().deleteRule('cascade'),
    codeHash: p.string().length(64),
    usedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type RecoveryCode = InferEntity<typeof RecoveryCode>;

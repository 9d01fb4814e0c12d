import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id, loginProperties } from './common.ts';
import { Contact } from './contact.ts';
import { Organization } from './organization.ts';
import { Property } from './property.ts';

/**
 * A Portalnutzer: the login of a resident. It is linked to one or more contacts (both
 * spouses share a contact; an owner of flats in several properties has several); what
 * it may see follows from those contacts' contracts (src/features/access).
 */
export const PortalUser = defineEntity({
  name: 'PortalUser',
  uniques: [{ properties: ['organization', 'email'] }],
  // The console's Übersicht reads the newest registrations (src/features/console/overview.ts).
  indexes: [{ properties: ['organization', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    ...loginProperties(),
    // SHA-256 of the secret in the user's calendar subscription URL (Termine als Abo).
    calendarTokenHash: p.string().length(64).nullable().unique().hidden(),
    /** Set when the first-login questions are answered (or none were asked). */
    onboardedAt: p.datetime().nullable(),
    /**
     * "Konto löschen" (src/features/privacy): the row stays, emptied of everything personal,
     * so the Vorgänge and the audit log it is named in keep their links ("ehemalige/r Nutzer/in").
     */
    deletedAt: p.datetime().nullable(),
    createdAt: createdAt(),
    contacts: () => p.manyToMany(Contact).owner().pivotTable('portal_user_contact'),
  },
});
export type PortalUser = InferEntity<typeof PortalUser>;

/** Roles a portal user holds on a property without a contract of their own. */
export const MEMBERSHIP_ROLES = ['resident', 'commercial_employee', 'service_provider'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

/**
 * Access to a property that does not come from a contract: a Bewohner invited by a
 * neighbour ("Nachbarn einladen"), a Gewerbemitarbeiter, a Dienstleister. It gives only
 * general content of the property, never contact-specific content (src/features/access).
 */
export const PortalMembership = defineEntity({
  name: 'PortalMembership',
  uniques: [{ properties: ['portalUser', 'property', 'role'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    portalUser: () => p.manyToOne(PortalUser).index(),
    property: () => p.manyToOne(Property),
    role: p.enum(MEMBERSHIP_ROLES),
    /** The neighbour who invited this Bewohner, if any. */
    invitedBy: () => p.manyToOne(PortalUser).nullable(),
    /**
     * A Gewerbemitarbeiter's company (a contact with a commercial tenancy there): the
     * membership counts only while that tenancy runs (src/features/access/service.ts).
     */
    companyContact: () => p.manyToOne(Contact).nullable().index(),
    endedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type PortalMembership = InferEntity<typeof PortalMembership>;

/**
 * What the access-window job last saw: one row per portal user and property they may
 * see. The job compares it with the access function's answer to write "granted" and
 * "revoked" to the audit log exactly once, and to end sessions whose access is gone.
 */
export const PortalAccessGrant = defineEntity({
  name: 'PortalAccessGrant',
  tableName: 'portal_access_grant',
  properties: {
    portalUser: () => p.manyToOne(PortalUser).primary().deleteRule('cascade'),
    property: () => p.manyToOne(Property).primary().deleteRule('cascade'),
    organization: () => p.manyToOne(Organization),
    since: p.datetime(),
  },
});
export type PortalAccessGrant = InferEntity<typeof PortalAccessGrant>;

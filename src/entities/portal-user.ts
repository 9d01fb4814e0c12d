import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id, loginProperties } from './common.ts';
import { Contact } from './contact.ts';
import { Organization } from './organization.ts';

/**
 * A Portalnutzer: the login of a resident. It is linked to one or more contacts (both
 * spouses share a contact; an owner of flats in several properties has several); what
 * it may see follows from those contacts' contracts (src/features/access).
 */
export const PortalUser = defineEntity({
  name: 'PortalUser',
  uniques: [{ properties: ['organization', 'email'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    ...loginProperties(),
    // SHA-256 of the secret in the user's calendar subscription URL (Termine als Abo).
    calendarTokenHash: p.string().length(64).nullable().unique().hidden(),
    createdAt: createdAt(),
    contacts: () => p.manyToMany(Contact).owner().pivotTable('portal_user_contact'),
  },
});
export type PortalUser = InferEntity<typeof PortalUser>;

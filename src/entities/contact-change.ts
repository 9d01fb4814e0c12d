import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
import { Contact } from './contact.ts';
import { Organization } from './organization.ts';
import { PortalUser } from './portal-user.ts';
import { StaffUser } from './staff-user.ts';

export const CONTACT_CHANGE_STATUSES = ['open', 'accepted', 'rejected', 'replaced'] as const;

/**
 * Phone and postal address a resident proposes for one of their contacts (Profil ›
 * Kontaktdaten). The contact is the Verwaltung's: it changes only when staff accept
 * (src/features/profile/contact-changes.ts). A newer proposal replaces an open one.
 */
export const ContactChangeRequest = defineEntity({
  name: 'ContactChangeRequest',
  tableName: 'contact_change_request',
  indexes: [{ properties: ['contact', 'status'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    contact: () => p.manyToOne(Contact).deleteRule('cascade'),
    /** Who proposed it; null once that login was deleted. */
    portalUser: () => p.manyToOne(PortalUser).nullable().deleteRule('set null'),
    phone: p.string().length(50),
    street: p.string().length(200),
    postalCode: p.string().length(10),
    city: p.string().length(100),
    status: p.enum(CONTACT_CHANGE_STATUSES).default('open'),
    decidedBy: () => p.manyToOne(StaffUser).nullable().deleteRule('set null'),
    decidedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type ContactChangeRequest = InferEntity<typeof ContactChangeRequest>;

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
import { Contact } from './contact.ts';
import { Organization } from './organization.ts';
import { PortalUser } from './portal-user.ts';
import { Property } from './property.ts';
import { ServiceProvider } from './service-provider.ts';
import { StaffUser } from './staff-user.ts';

/**
 * - contact: "Kontakt einladen" — registering creates a login for the contact (or, redeemed
 *   by someone logged in, adds the contact to their login).
 * - additional_user: "Nutzer zum Kontakt hinzufügen" — a second login for the same contact,
 *   sent to another e-mail address (both spouses).
 * - neighbour: "Nachbarn einladen" — a resident invites a neighbour as Bewohner of a property.
 * - commercial_employee: a commercial tenant (or staff for it) invites an employee as
 *   Gewerbemitarbeiter of a property (src/features/commercial).
 * - service_provider: staff invite a Dienstleister's people from its page (issue 23).
 */
export const INVITATION_KINDS = ['contact', 'additional_user', 'neighbour', 'commercial_employee', 'service_provider'] as const;
export type InvitationKind = (typeof INVITATION_KINDS)[number];
export const INVITATION_CHANNELS = ['email', 'letter'] as const;
export type InvitationChannel = (typeof INVITATION_CHANNELS)[number];

/**
 * An invitation to the resident portal with a personal registration code. Only the SHA-256
 * of the code is stored; the code itself exists in the e-mail or the letter. Single use
 * (usedAt), expires, and a newer invitation for the same recipient revokes the older one.
 */
export const Invitation = defineEntity({
  name: 'Invitation',
  // (organization, createdAt): the console's Übersicht reads open invitations newest first (src/features/console/overview.ts).
  indexes: [{ properties: ['contact'] }, { properties: ['organization', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    kind: p.enum(INVITATION_KINDS),
    channel: p.enum(INVITATION_CHANNELS),
    codeHash: p.string().length(64).unique().hidden(),
    /** The invited contact (kinds contact and additional_user). */
    contact: () => p.manyToOne(Contact).nullable(),
    /** The property a neighbour is invited to, or the property of a bulk invitation. */
    property: () => p.manyToOne(Property).nullable(),
    /** Where the e-mail went (null for letters). */
    email: p.string().length(254).nullable(),
    invitedByStaff: () => p.manyToOne(StaffUser).nullable(),
    /** The Dienstleister whose login this is (kind service_provider). */
    serviceProvider: () => p.manyToOne(ServiceProvider).nullable(),
    invitedByPortalUser: () => p.manyToOne(PortalUser).nullable(),
    /** The company contact whose employee is invited (kind commercial_employee); not `contact`, which the invitee would become. */
    companyContact: () => p.manyToOne(Contact).nullable(),
    /** The letter PDF that carries the code (channel letter). */
    letterBatch: () => p.manyToOne(InvitationLetterBatch).nullable(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    usedBy: () => p.manyToOne(PortalUser).nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type Invitation = InferEntity<typeof Invitation>;

/**
 * A print-ready PDF of invitation letters (one contact or a whole property), kept in the
 * file storage so staff can download it again. It holds codes in plain text: only staff of
 * the Verwaltung may download it, and it stops mattering once its invitations expire.
 */
export const InvitationLetterBatch = defineEntity({
  name: 'InvitationLetterBatch',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property).nullable(),
    createdBy: () => p.manyToOne(StaffUser),
    storageKey: p.string().length(100),
    letterCount: p.integer(),
    createdAt: createdAt(),
  },
});
export type InvitationLetterBatch = InferEntity<typeof InvitationLetterBatch>;

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id, loginProperties } from './common.ts';
import { Organization } from './organization.ts';

export const STAFF_ROLES = ['admin', 'staff'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A Mitarbeiter or Administrator of a Verwaltung. Invited staff have no password yet. */
export const StaffUser = defineEntity({
  name: 'StaffUser',
  uniques: [{ properties: ['organization', 'email'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    ...loginProperties(),
    role: p.enum(STAFF_ROLES).default('staff'),
    // Second factor (src/features/staff-signin/totp.ts): the TOTP key, encrypted (src/auth/secrets.ts).
    totpSecretEncrypted: p.text().nullable().hidden(),
    /** A key shown as QR code but not yet confirmed with a code. */
    totpPendingSecretEncrypted: p.text().nullable().hidden(),
    totpEnabledAt: p.datetime().nullable(),
    /** The last 30-second step a code was accepted for: a code is never accepted twice. */
    totpLastStep: p.integer().nullable().hidden(),
    // Bound at the first sign-in through the Verwaltung's OpenID Connect provider.
    oidcIssuer: p.string().length(500).nullable(),
    oidcSubject: p.string().length(255).nullable(),
    // The staff profile (issue 20), optional, shown to residents with the photo where they
    // see this member of staff as Ansprechpartner or as a Vorgang's assignee.
    /** "Position", e.g. "Sachbearbeitung Mietverwaltung". */
    position: p.string().length(100).nullable(),
    /** The phone number residents may call. */
    phone: p.string().length(50).nullable(),
    createdAt: createdAt(),
  },
});
export type StaffUser = InferEntity<typeof StaffUser>;

/**
 * Abwesenheit (issue 20): from startsOn to endsOn (whole days in Europe/Berlin, both
 * included) new Vorgänge and mails that would go to the staff member go to the substitute
 * (src/features/absence). Neither the same person's absences nor a substitute's own absence
 * may overlap it.
 */
export const StaffAbsence = defineEntity({
  name: 'StaffAbsence',
  indexes: [{ properties: ['organization', 'endsOn'] }, { properties: ['staffUser', 'startsOn'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    staffUser: () => p.manyToOne(StaffUser).deleteRule('cascade'),
    substitute: () => p.manyToOne(StaffUser).deleteRule('cascade'),
    startsOn: p.date(),
    endsOn: p.date(),
    createdAt: createdAt(),
  },
});
export type StaffAbsence = InferEntity<typeof StaffAbsence>;

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
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
    email: p.string().length(254),
    name: p.string().length(200),
    role: p.enum(STAFF_ROLES).default('staff'),
    passwordHash: p.string().length(200).nullable().hidden(),
    locale: p.string().length(5).default('de'),
    disabledAt: p.datetime().nullable(),
    lastLoginAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type StaffUser = InferEntity<typeof StaffUser>;

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id, updatedAt } from './common.ts';
import { Organization } from './organization.ts';
import { Property } from './property.ts';
import { StaffUser } from './staff-user.ts';

export const DISPLAY_ORIENTATIONS = ['landscape', 'portrait'] as const;
export type DisplayOrientation = (typeof DISPLAY_ORIENTATIONS)[number];

/**
 * A Digitaler Hausaushang: a screen in a property's stairwell that opens /aushang/<token>
 * without a login (src/features/displays). Only a SHA-256 of the token is stored; the URL is
 * shown once, when it is made. `tokenHash` null: revoked (the screen gets a 404).
 */
export const Display = defineEntity({
  name: 'Display',
  indexes: [{ properties: ['property', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property),
    name: p.string().length(100),
    orientation: p.enum(DISPLAY_ORIENTATIONS).default('landscape'),
    showAnnouncements: p.boolean().default(true),
    showAppointments: p.boolean().default(true),
    showContactPersons: p.boolean().default(true),
    showManagement: p.boolean().default(true),
    showQrCode: p.boolean().default(true),
    tokenHash: p.string().length(64).nullable().unique(),
    /** The first characters of the token, to tell the URLs apart in the console ("/aushang/Ab3x…"). */
    tokenHint: p.string().length(8).nullable(),
    /** When the screen last fetched its page; written at most once a minute. */
    lastSeenAt: p.datetime().nullable(),
    createdBy: () => p.manyToOne(StaffUser).nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type Display = InferEntity<typeof Display>;

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id, updatedAt } from './common.ts';
import { Organization } from './organization.ts';
import { PortalUser } from './portal-user.ts';
import { Property } from './property.ts';
import { StaffUser } from './staff-user.ts';

/**
 * Buchungen (issue 22, seed 001 "Ressourcen & Räume"): common rooms and things of a property
 * that residents book themselves. The rules live on the resource; src/features/bookings
 * applies them, the database alone guarantees that no two live entries overlap
 * (migrations/Migration20261206134000_bookings.ts, constraint booking_no_overlap).
 */
export const BOOKING_MODES = ['slots', 'nights'] as const;
export type BookingMode = (typeof BOOKING_MODES)[number];
export const HOUSEHOLD_PERIODS = ['week', 'month'] as const;
export type HouseholdPeriod = (typeof HOUSEHOLD_PERIODS)[number];
/** Who may book (Mieter, Eigentümer, Bewohner, Gewerbe): the access module's roles. */
export const BOOKING_ROLES = ['tenant', 'owner', 'resident', 'commercial_employee'] as const;
export type BookingRole = (typeof BOOKING_ROLES)[number];
/** Opening hours per weekday, Monday first: [from, to] in Berlin wall-clock ("07:00", "22:00"; "24:00" is midnight), or null when closed. */
export type OpeningHours = Array<[string, string] | null>;

export const BookingResource = defineEntity({
  name: 'BookingResource',
  tableName: 'booking_resource',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property).index(),
    name: p.string().length(120),
    description: p.text().default(''),
    place: p.string().length(200).default(''),
    /** Number of persons, as information only. */
    persons: p.integer().nullable(),
    /** Fixed slots (laundry, 2 h) or nights with check-in and check-out (guest flat). */
    mode: p.enum(BOOKING_MODES),
    slotMinutes: p.integer().default(120),
    checkInTime: p.string().length(5).default('15:00'),
    checkOutTime: p.string().length(5).default('10:00'),
    openingHours: p.json<OpeningHours>(),
    /** Minimum lead time before the start, in hours. */
    leadHours: p.integer().default(0),
    /** How far ahead a booking may start, in days. */
    advanceDays: p.integer().default(60),
    /** Maximum length of one booking: slots in a row, or nights. */
    maxUnits: p.integer().default(1),
    /** At most this many bookings per household and week or month; null: no limit. */
    householdLimit: p.integer().nullable(),
    householdPeriod: p.enum(HOUSEHOLD_PERIODS).default('week'),
    /** Residents cancel until this many hours before the start. */
    cancelHours: p.integer().default(0),
    needsApproval: p.boolean().default(false),
    allowedRoles: p.array<BookingRole>().default([]),
    /** A fee, shown as information ("5 € je Nacht"); nothing is charged here. */
    fee: p.string().length(200).default(''),
    /** A photo (re-encoded like Vorgang photos: upright, at most 2048 px, no metadata) in the file storage. */
    photoKey: p.string().length(300).nullable(),
    photoMime: p.string().length(100).nullable(),
    photoSize: p.integer().nullable(),
    archivedAt: p.datetime().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type BookingResource = InferEntity<typeof BookingResource>;

export const BOOKING_KINDS = ['booking', 'block'] as const;
export const BOOKING_STATUSES = ['requested', 'confirmed', 'declined', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
/** The statuses that hold their span (the exclusion constraint's condition). */
export const LIVE_STATUSES: readonly BookingStatus[] = ['requested', 'confirmed'];

/** A booking of a resident, or a period staff blocked (kind 'block', no user). Instants; shown in Berlin time. */
export const Booking = defineEntity({
  name: 'Booking',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    resource: () => p.manyToOne(BookingResource),
    property: () => p.manyToOne(Property),
    kind: p.enum(BOOKING_KINDS).default('booking'),
    status: p.enum(BOOKING_STATUSES),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    portalUser: () => p.manyToOne(PortalUser).nullable().deleteRule('set null'),
    /** Whose limit the booking counts against (src/features/bookings/rules.ts householdOf). */
    householdKey: p.string().length(80).nullable(),
    createdByStaff: () => p.manyToOne(StaffUser).nullable().deleteRule('set null'),
    /** The resident's note, or the reason of a block. */
    note: p.string().length(500).default(''),
    cancelReason: p.string().length(500).default(''),
    decidedAt: p.datetime().nullable(),
    cancelledAt: p.datetime().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type Booking = InferEntity<typeof Booking>;

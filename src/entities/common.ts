import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/core';

/** Primary key for every entity: random UUIDs, so ids in URLs cannot be guessed or counted. */
export const id = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => randomUUID());

export const createdAt = () => p.datetime().onCreate(() => new Date());
export const updatedAt = () =>
  p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date());

/**
 * The id an ERP uses for a record (Haufe PowerHaus, DOMUS, ...). Unique per Verwaltung
 * and entity kind; the sync API (issue 7) upserts by it.
 */
export const externalId = () => p.string().length(100).nullable();

/**
 * When the ERP last wrote this record through the sync API (src/features/masterdata). While
 * it is set, the fields the sync writes are read-only in the console and the CSV import
 * leaves the record alone, so nothing is kept twice; "Vom ERP lösen" clears it.
 */
export const erpSyncedAt = () => p.datetime().nullable();

/** What every login has, staff and residents alike. E-mails are stored lower-case. */
export const loginProperties = () => ({
  email: p.string().length(254),
  name: p.string().length(200),
  passwordHash: p.string().length(200).nullable().hidden(),
  locale: p.string().length(5).default('de'),
  disabledAt: p.datetime().nullable(),
  lastLoginAt: p.datetime().nullable(),
  // The profile (issue 20): what neighbours and residents may be shown, each only where
  // the user chose so (the community's Nachbarschaftsprofil, a staff member's card).
  /** The name the user chose to show; null means the login's name is not shown to neighbours. */
  displayName: p.string().length(80).nullable(),
  /** One of the built-in avatars (src/features/profile), used when there is no photo. */
  avatar: p.string().length(32).nullable(),
  /** Storage key of the re-encoded, square 256 px profile photo. */
  photoKey: p.string().length(300).nullable(),
});

/** The condition for a login that can log in: registered (has a password) and not disabled. */
export const canLogIn = { passwordHash: { $ne: null }, disabledAt: null } as const;

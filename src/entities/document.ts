import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ApiKey } from './auth.ts';
import { createdAt, externalId, id, updatedAt } from './common.ts';
import { Contact } from './contact.ts';
import { Organization } from './organization.ts';
import { PortalUser } from './portal-user.ts';
import { Address, Property, Unit } from './property.ts';
import { StaffUser } from './staff-user.ts';

/**
 * Dokumente (seed 003): files the Verwaltung shares into the portal, filed in a folder
 * (Dokumententyp) and shared with a property, addresses, units, groups or single contacts.
 * Who sees what is decided in one place: src/features/documents/visibility.ts.
 */

/** How deep the Dokumententypen tree may go (Objektunterlagen > Hausordnung > ... ). */
export const MAX_DOCUMENT_TYPE_DEPTH = 5;

/** A Dokumententyp: a named folder of the portal's document tree (Administration > Dokumententypen). */
export const DocumentType = defineEntity({
  name: 'DocumentType',
  indexes: [{ properties: ['organization', 'parent', 'position'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    parent: () => p.manyToOne(DocumentType).nullable(),
    name: p.string().length(100),
    position: p.integer().default(0),
    createdAt: createdAt(),
  },
});
export type DocumentType = InferEntity<typeof DocumentType>;

export const DOCUMENT_STATUSES = ['published', 'withdrawn'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/**
 * A shared document. The current file is on the row itself; "Datei ersetzen" moves the
 * previous file into a DocumentVersion. `property` is where it belongs (null for a
 * document shared from a contact's page with that contact only), `unit` the unit page it
 * was uploaded on, if any.
 */
export const Document = defineEntity({
  name: 'Document',
  uniques: [{ properties: ['organization', 'externalId'] }],
  indexes: [{ properties: ['organization', 'property', 'status'] }, { properties: ['organization', 'publishedAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property).nullable(),
    unit: () => p.manyToOne(Unit).nullable().index(),
    type: () => p.manyToOne(DocumentType).index(),
    title: p.string().length(200),
    status: p.enum(DOCUMENT_STATUSES).default('published'),
    fileName: p.string().length(255),
    mimeType: p.string().length(100),
    size: p.bigint('number'),
    storageKey: p.string().length(64),
    version: p.integer().default(1),
    /** The SmartPost serial letter this personal document was cut from, if any. */
    serialLetter: () => p.manyToOne(SerialLetter).nullable().index(),
    /** The ERP's id of a document pushed through the sync API; a second push replaces the file. */
    externalId: externalId(),
    publishedAt: p.datetime(),
    /** The staff member who uploaded it; null when the ERP pushed it (then `createdByApiKey`). */
    createdBy: () => p.manyToOne(StaffUser).nullable(),
    createdByApiKey: () => p.manyToOne(ApiKey).nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    shares: () => p.oneToMany(DocumentShare).mappedBy('document'),
  },
});
export type Document = InferEntity<typeof Document>;

/** A file a document had before it was replaced ("Datei ersetzen": the old one is kept). */
export const DocumentVersion = defineEntity({
  name: 'DocumentVersion',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    document: () => p.manyToOne(Document).deleteRule('cascade').index(),
    version: p.integer(),
    fileName: p.string().length(255),
    mimeType: p.string().length(100),
    size: p.bigint('number'),
    storageKey: p.string().length(64),
    /** Null when the ERP pushed this file (Document.createdByApiKey). */
    createdBy: () => p.manyToOne(StaffUser).nullable(),
    /** When this file was uploaded (not when it was replaced). */
    createdAt: p.datetime(),
    replacedAt: p.datetime(),
  },
});
export type DocumentVersion = InferEntity<typeof DocumentVersion>;

/**
 * "Geteilt mit": whom a document reaches. Several rows per document combine (or).
 * - property: everyone who sees the property's general content (incl. Bewohner);
 * - group: a role there with an active contract or membership (seed 002): tenant, owner,
 *   resident, commercial_employee, service_provider, advisory_board (Beirat);
 * - address / unit: tenants and owners with a running contract on a unit there;
 * - contact: that contact individually, also inside the access windows (seed 002).
 * `property` is set for property and group shares.
 */
export const SHARE_KINDS = ['property', 'address', 'unit', 'group', 'contact'] as const;
export type ShareKind = (typeof SHARE_KINDS)[number];
export const SHARE_GROUPS = ['tenant', 'owner', 'resident', 'commercial_employee', 'service_provider', 'advisory_board', 'property_owner'] as const;
export type ShareGroup = (typeof SHARE_GROUPS)[number];

export const DocumentShare = defineEntity({
  name: 'DocumentShare',
  indexes: [{ properties: ['property', 'kind'] }, { properties: ['address'] }, { properties: ['unit'] }, { properties: ['contact'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    document: () => p.manyToOne(Document).deleteRule('cascade').index(),
    kind: p.enum(SHARE_KINDS),
    property: () => p.manyToOne(Property).nullable(),
    address: () => p.manyToOne(Address).nullable(),
    unit: () => p.manyToOne(Unit).nullable(),
    group: p.enum(SHARE_GROUPS).nullable(),
    contact: () => p.manyToOne(Contact).nullable(),
    /** When this share was added: the next morning's digest tells its recipients. */
    createdAt: createdAt(),
  },
});
export type DocumentShare = InferEntity<typeof DocumentShare>;

/** One row per portal user, document and Berlin day with a download: the download count and read receipts. */
export const DocumentDownload = defineEntity({
  name: 'DocumentDownload',
  tableName: 'document_download',
  properties: {
    document: () => p.manyToOne(Document).primary().deleteRule('cascade'),
    portalUser: () => p.manyToOne(PortalUser).primary().deleteRule('cascade').index(),
    day: p.date().primary(),
    organization: () => p.manyToOne(Organization),
    firstAt: p.datetime(),
  },
});
export type DocumentDownload = InferEntity<typeof DocumentDownload>;

export const SERIAL_LETTER_STATUSES = ['draft', 'published'] as const;
export const SERIAL_LETTER_SPLITS = ['pages', 'address'] as const;
export type SerialLetterSplit = (typeof SERIAL_LETTER_SPLITS)[number];
/** "An alle" or "Nach Kontaktpräferenz" (contacts preferring Post also get paper, seed 001). */
export const SERIAL_LETTER_DISPATCH = ['portal', 'preference'] as const;

/**
 * SmartPost: one uploaded serial-letter PDF cut into personal letters. Drafted first (the
 * mapping letter → contact is confirmed by staff), then published as one individually
 * shared Document per matched contact.
 */
export const SerialLetter = defineEntity({
  name: 'SerialLetter',
  indexes: [{ properties: ['organization', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property).nullable(),
    title: p.string().length(200),
    type: () => p.manyToOne(DocumentType),
    status: p.enum(SERIAL_LETTER_STATUSES).default('draft'),
    split: p.enum(SERIAL_LETTER_SPLITS),
    pagesPerLetter: p.integer().nullable(),
    dispatch: p.enum(SERIAL_LETTER_DISPATCH).default('portal'),
    fileName: p.string().length(255),
    pageCount: p.integer(),
    storageKey: p.string().length(64),
    /** The merged print PDF of the letters going by post (Nach Kontaktpräferenz). */
    postStorageKey: p.string().length(64).nullable(),
    postLetterCount: p.integer().default(0),
    publishedAt: p.datetime().nullable(),
    createdBy: () => p.manyToOne(StaffUser),
    createdAt: createdAt(),
    parts: () => p.oneToMany(SerialLetterPart).mappedBy('serialLetter'),
  },
});
export type SerialLetter = InferEntity<typeof SerialLetter>;

/** One letter of a serial letter: its pages, what its address block says, and the contact it goes to. */
export const SerialLetterPart = defineEntity({
  name: 'SerialLetterPart',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    serialLetter: () => p.manyToOne(SerialLetter).deleteRule('cascade').index(),
    position: p.integer(),
    firstPage: p.integer(),
    lastPage: p.integer(),
    /** The first lines of the letter's first page (address block), for the confirmation. */
    excerpt: p.text().default(''),
    contact: () => p.manyToOne(Contact).nullable(),
    document: () => p.manyToOne(Document).nullable(),
  },
});
export type SerialLetterPart = InferEntity<typeof SerialLetterPart>;

/** A member of the Verwaltungsbeirat of a property (group "Beirat" in "Geteilt mit"). */
export const AdvisoryBoardMember = defineEntity({
  name: 'AdvisoryBoardMember',
  uniques: [{ properties: ['property', 'contact'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property),
    contact: () => p.manyToOne(Contact).index(),
    createdAt: createdAt(),
  },
});
export type AdvisoryBoardMember = InferEntity<typeof AdvisoryBoardMember>;

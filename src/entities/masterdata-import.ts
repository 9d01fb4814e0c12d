import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
import { Organization } from './organization.ts';
import { StaffUser } from './staff-user.ts';

/**
 * A CSV import of master data (Administration › Stammdaten-Import, src/features/masterdata).
 * The file is kept in storage between the preview and the confirmation; the preview's
 * outcome per row is kept in MasterDataImportRow so it can be paged and filtered.
 */
export const IMPORT_STATUSES = ['previewed', 'imported', 'discarded'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export const MasterDataImport = defineEntity({
  name: 'MasterDataImport',
  indexes: [{ properties: ['organization', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    createdBy: () => p.manyToOne(StaffUser),
    /** The kind's name as in the API path: properties, units, contacts, ... */
    kind: p.string().length(30),
    fileName: p.string().length(255),
    storageKey: p.string().length(64),
    encoding: p.string().length(20),
    delimiter: p.string().length(1),
    status: p.enum(IMPORT_STATUSES).default('previewed'),
    rowCount: p.integer().default(0),
    created: p.integer().default(0),
    updated: p.integer().default(0),
    unchanged: p.integer().default(0),
    refused: p.integer().default(0),
    createdAt: createdAt(),
    importedAt: p.datetime().nullable(),
  },
});
export type MasterDataImport = InferEntity<typeof MasterDataImport>;

export const ROW_OUTCOMES = ['created', 'updated', 'unchanged', 'refused'] as const;
export type RowOutcome = (typeof ROW_OUTCOMES)[number];

/** The preview's verdict on one row of an import file (row 2 is the first data row). */
export const MasterDataImportRow = defineEntity({
  name: 'MasterDataImportRow',
  // The preview pages one outcome at a time ("Abgelehnt", "Neu", ...), in row order.
  indexes: [{ properties: ['import', 'outcome', 'row'] }],
  properties: {
    import: () => p.manyToOne(MasterDataImport).primary().deleteRule('cascade'),
    row: p.integer().primary(),
    organization: () => p.manyToOne(Organization),
    outcome: p.enum(ROW_OUTCOMES),
    externalId: p.string().length(100).nullable(),
    /** How the row is named in the preview: "Rosenweg 24", "Wohnung 002", "Kristina Maiblume". */
    label: p.string().length(300),
    /** Changed fields (updated) or problems (refused): [{ field, code, params }]. */
    details: p.json<Array<{ field?: string; code?: string; params?: Record<string, string | number> }>>().nullable(),
  },
});
export type MasterDataImportRow = InferEntity<typeof MasterDataImportRow>;

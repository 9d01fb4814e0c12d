import type { Em } from '../../db/orm.ts';
import type { StaffUser } from '../../entities/index.ts';
import { auditStaffAction } from '../audit/service.ts';
import { erpOwnedProperties, KINDS, type MasterDataKind } from './kinds/index.ts';

/**
 * The one rule for what the console may change on a record the ERP keeps: while the sync
 * owns it (erpSyncedAt set), the fields the sync writes are read-only — in the form (inputs
 * disabled, marked "ERP") and on the server (their submitted values are ignored). Fields
 * the ERP does not send (a contact's Kontaktweg, ...) stay editable.
 */
export type ErpOwned = { erpSyncedAt?: Date | null };

/** The entity properties the console must not change on this record (empty when not ERP-owned). */
export function erpLockedProperties(kind: MasterDataKind, record: ErpOwned | null | undefined): Set<string> {
  return record?.erpSyncedAt ? new Set(erpOwnedProperties(kind)) : new Set();
}

/** A console form's values without those the ERP owns: the server side of the read-only inputs. */
export function withoutErpLocked<T extends Record<string, unknown>>(values: T, locked: Set<string>): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !locked.has(key))) as Partial<T>;
}

/** The kind of a sync path segment (properties, units, ...), for routes that take it from the URL. */
export function kindOfPath(name: string): MasterDataKind | undefined {
  return KINDS.find((kind) => kind.name === name);
}

/**
 * "Vom ERP lösen": the console takes the record over, e.g. after the ERP stopped sending it.
 * The next sync of the same external id takes it back (src/features/masterdata/sync.ts).
 */
export function releaseFromErp(em: Em, staff: StaffUser, kind: MasterDataKind, record: ErpOwned & { id: string }, now: Date) {
  if (!record.erpSyncedAt) return;
  record.erpSyncedAt = null;
  auditStaffAction(em, staff, 'masterdata.erp_released', { type: kind.name, id: record.id }, null, now);
}

import type { Em } from '../../db/orm.ts';
import type { StaffUser } from '../../entities/index.ts';
import { auditStaffAction } from '../audit/service.ts';
import { erpOwnedProperties, type MasterDataKind } from './kinds/index.ts';

// The one rule for what the console may change on a record the ERP keeps: while the sync
// owns it (erpSyncedAt set), the fields the sync writes are read-only — in the form (inputs
// disabled, marked "ERP") and on the server (their submitted values are ignored:
// checkEdit in ./console-edit.ts). Fields the ERP does not send (a contact's Kontaktweg, ...)
// stay editable.

/** A record the ERP may own. */
export type ErpOwned = { erpSyncedAt?: Date | null };

/** The entity properties the console must not change on this record (empty when not ERP-owned). */
export function erpLockedProperties(kind: MasterDataKind, record: ErpOwned | null | undefined): Set<string> {
  return record?.erpSyncedAt ? new Set(erpOwnedProperties(kind)) : new Set();
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

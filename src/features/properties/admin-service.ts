import type { EntityName } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import { Address, Property, Unit, type StaffUser } from '../../entities/index.ts';
import { HttpError } from '../../http/errors.ts';
import { auditStaffAction } from '../audit/service.ts';
import { kindNamed } from '../masterdata/kinds/index.ts';
import { erpLockedProperties } from '../masterdata/ownership.ts';
import type { FormErrors } from './forms.ts';

// Console management of Liegenschaften, Adressen and Einheiten (create, edit, archive,
// restore). The ERP rule is src/features/masterdata/ownership.ts; the forms ./forms.ts.

export type AdminKind = 'properties' | 'addresses' | 'units';
const AUDIT_TYPE: Record<AdminKind, string> = { properties: 'property', addresses: 'address', units: 'unit' };

/**
 * The fields the console form shows read-only and the server ignores. Besides the fields
 * the sync writes, the external id: it is the ERP's key for the record, and changing it here
 * would make the next sync create a second one.
 */
export function consoleLocked(kind: AdminKind, record: { erpSyncedAt?: Date | null } | null | undefined): Set<string> {
  const locked = erpLockedProperties(kindNamed(kind)!, { erpSyncedAt: record?.erpSyncedAt ?? null });
  if (record?.erpSyncedAt) locked.add('externalId');
  return locked;
}

/** Adds "Externe ID ist vergeben" when another record of the Verwaltung (archived ones too) has it. */
export async function checkExternalId<T extends object>(em: Em, entity: EntityName<T>, values: Record<string, unknown>, errors: FormErrors, exceptId?: string) {
  const externalId = values.externalId;
  if (typeof externalId !== 'string' || errors.externalId) return;
  const where = exceptId ? { externalId, id: { $ne: exceptId } } : { externalId };
  if ((await em.count(entity, where as never)) > 0) errors.externalId = 'properties-admin:errors.externalIdTaken';
}

/** "Neue Liegenschaft" with its first address (the caller flushes). */
export function createProperty(em: Em, staff: StaffUser, values: Record<string, unknown>, now: Date): Property {
  const { street, houseNumber, postalCode, city, ...own } = values;
  const organization = staff.organization;
  const property = em.create(Property, { organization, ...(own as { name: string }), createdAt: now, updatedAt: now });
  em.create(Address, { organization, property, street: street as string, houseNumber: houseNumber as string, postalCode: postalCode as string, city: city as string, createdAt: now, updatedAt: now });
  auditStaffAction(em, staff, 'property.created', { type: 'property', id: property.id }, { name: property.name }, now);
  return property;
}

/** A new Adresse of a property (the caller flushes). */
export function createAddress(em: Em, staff: StaffUser, property: Property, values: Record<string, unknown>, now: Date): Address {
  const address = em.create(Address, { organization: staff.organization, property, ...(values as { street: string; houseNumber: string; postalCode: string; city: string }), createdAt: now, updatedAt: now });
  auditStaffAction(em, staff, 'address.created', { type: 'address', id: address.id }, { propertyId: property.id }, now);
  return address;
}

/** A new Einheit of a property (the caller flushes). */
export function createUnit(em: Em, staff: StaffUser, property: Property, values: Record<string, unknown>, now: Date): Unit {
  const unit = em.create(Unit, { organization: staff.organization, property, ...(values as { number: string }), createdAt: now, updatedAt: now });
  auditStaffAction(em, staff, 'unit.created', { type: 'unit', id: unit.id }, { propertyId: property.id, number: unit.number }, now);
  return unit;
}

/** Writes the checked values of an edit form (the ERP's fields already left out); the caller flushes. */
export function updateRecord(em: Em, staff: StaffUser, kind: AdminKind, record: { id: string } & Record<string, unknown>, values: Record<string, unknown>, now: Date) {
  const changed = Object.keys(values).filter((key) => {
    const before = record[key] as unknown;
    const id = (v: unknown) => (v && typeof v === 'object' && 'id' in v ? (v as { id: string }).id : v);
    return String(id(before) ?? '') !== String(id(values[key]) ?? '');
  });
  if (changed.length === 0) return;
  em.assign(record as never, values as never);
  auditStaffAction(em, staff, `${AUDIT_TYPE[kind]}.updated`, { type: AUDIT_TYPE[kind], id: record.id }, { fields: changed }, now);
}

/**
 * "Archivieren" and "Wiederherstellen". An ERP-owned record is archived by the ERP (its
 * delete), never here: the next sync would otherwise bring it back unnoticed.
 */
export function setArchived(em: Em, staff: StaffUser, kind: AdminKind, record: { id: string; archivedAt?: Date | null; erpSyncedAt?: Date | null }, archived: boolean, now: Date) {
  if (record.erpSyncedAt) throw new HttpError(409, 'properties-admin:erp.archiveRefused', `${kind} ${record.id} is ERP-owned`);
  if (Boolean(record.archivedAt) === archived) return;
  record.archivedAt = archived ? now : null;
  auditStaffAction(em, staff, `${AUDIT_TYPE[kind]}.${archived ? 'archived' : 'restored'}`, { type: AUDIT_TYPE[kind], id: record.id }, null, now);
}

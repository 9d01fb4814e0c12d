import type { Em } from '../../db/orm.ts';
import { Address, Property, Unit, type StaffUser } from '../../entities/index.ts';
import { auditStaffAction } from '../audit/service.ts';

// Console management of Liegenschaften, Adressen and Einheiten (create, edit). Checking the
// forms, the ERP rule and archiving are the Stammdaten console's one way:
// src/features/masterdata/console-edit.ts.

export type AdminKind = 'properties' | 'addresses' | 'units';
/** The audit subject of each kind (also of "archived" / "restored"). */
export const AUDIT_TYPE: Record<AdminKind, string> = { properties: 'property', addresses: 'address', units: 'unit' };

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

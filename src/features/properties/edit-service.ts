import type { Em } from '../../db/orm.ts';
import { Address, Property, Unit, type StaffUser } from '../../entities/index.ts';
import { createRecord } from '../masterdata/console-edit.ts';

// Console management of Liegenschaften, Adressen and Einheiten (create; editing is
// updateRecord). Checking the forms, the ERP rule, audit and archiving are the Stammdaten
// console's one way: src/features/masterdata/console-edit.ts.

export type EditKind = 'properties' | 'addresses' | 'units';
/** The audit subject of each kind (also of "archived" / "restored"). */
export const AUDIT_TYPE: Record<EditKind, string> = { properties: 'property', addresses: 'address', units: 'unit' };

/** "Neue Liegenschaft" with its first address (the caller flushes). */
export function createProperty(em: Em, staff: StaffUser, values: Record<string, unknown>, now: Date): Property {
  const { street, houseNumber, postalCode, city, ...own } = values;
  const property = createRecord(em, staff, AUDIT_TYPE.properties, Property, own, now, { name: own.name });
  em.create(Address, {
    organization: staff.organization,
    property,
    street: street as string,
    houseNumber: houseNumber as string,
    postalCode: postalCode as string,
    city: city as string,
    createdAt: now,
    updatedAt: now,
  });
  return property;
}

/** A new Adresse of a property (the caller flushes). */
export function createAddress(em: Em, staff: StaffUser, property: Property, values: Record<string, unknown>, now: Date): Address {
  return createRecord(em, staff, AUDIT_TYPE.addresses, Address, { ...values, property }, now, { propertyId: property.id });
}

/** A new Einheit of a property (the caller flushes). */
export function createUnit(em: Em, staff: StaffUser, property: Property, values: Record<string, unknown>, now: Date): Unit {
  return createRecord(em, staff, AUDIT_TYPE.units, Unit, { ...values, property }, now, { propertyId: property.id, number: values.number });
}

import { fiscalYears, ledgerAccounts, ledgerEntries, personalAccounts, propertyOwners, targetCharges } from './accounting.ts';
import { addresses } from './addresses.ts';
import { contacts } from './contacts.ts';
import { contracts } from './contracts.ts';
import type { MasterDataKind } from './kind.ts';
import { properties } from './properties.ts';
import { serviceProviders } from './service-providers.ts';
import { units } from './units.ts';

export type { MasterDataKind, Problem } from './kind.ts';

/** Every kind the sync API and the CSV import know, in the order an ERP loads them. */
export const KINDS: MasterDataKind[] = [
  properties,
  addresses,
  units,
  contacts,
  contracts,
  serviceProviders,
  propertyOwners,
  fiscalYears,
  ledgerAccounts,
  personalAccounts,
  targetCharges,
  ledgerEntries,
];

export function kindNamed(name: string): MasterDataKind | undefined {
  return KINDS.find((kind) => kind.name === name);
}

/**
 * The entity properties the sync writes for a kind's entity: read-only in the console while
 * the ERP owns a record (erpSyncedAt set).
 */
export function erpOwnedProperties(kind: MasterDataKind): string[] {
  return kind.fields.map((field) => field.property);
}

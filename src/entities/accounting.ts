import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Contact, Contract } from './contact.ts';
import { createdAt, erpSyncedAt, externalId, id, updatedAt } from './common.ts';
import { Organization } from './organization.ts';
import { Property, Unit } from './property.ts';

// The accounting data the ERP pushes for the owner reports (issue 18, seed 004 "Berichte"):
// Wirtschaftsjahre, Sachkonten, Personenkonten with their Sollstellungen, Buchungen, and the
// Hausbesitzer of a rental property. Money is integer cents throughout (never a float); the
// sync API and the CSV import convert at the edge (src/features/masterdata/fields.ts, money).
// The reports read these tables as plain rows (src/features/reports/data.ts).

/** A Wirtschaftsjahr of a property: the period its reports cover (usually the calendar year). Never two overlap. */
export const FiscalYear = defineEntity({
  name: 'FiscalYear',
  uniques: [{ properties: ['organization', 'externalId'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property).index(),
    externalId: externalId(),
    startsOn: p.date(),
    endsOn: p.date(),
    archivedAt: p.datetime().nullable(),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type FiscalYear = InferEntity<typeof FiscalYear>;

/** Einnahme, Ausgabe, Bestand/Rücklage, Verrechnung. */
export const LEDGER_ACCOUNT_KINDS = ['income', 'expense', 'reserve', 'clearing'] as const;
export type LedgerAccountKind = (typeof LEDGER_ACCOUNT_KINDS)[number];

/** A Sachkonto (ledger account) of a property. */
export const LedgerAccount = defineEntity({
  name: 'LedgerAccount',
  uniques: [{ properties: ['organization', 'externalId'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property).index(),
    externalId: externalId(),
    number: p.string().length(20),
    name: p.string().length(200),
    kind: p.enum(LEDGER_ACCOUNT_KINDS).default('expense'),
    apportionable: p.boolean().default(false),
    archivedAt: p.datetime().nullable(),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type LedgerAccount = InferEntity<typeof LedgerAccount>;

/** A Personenkonto: the account of a contract (Mieter or Eigentümer) its Soll and payments go to. */
export const PersonalAccount = defineEntity({
  name: 'PersonalAccount',
  uniques: [{ properties: ['organization', 'externalId'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    contract: () => p.manyToOne(Contract).index(),
    externalId: externalId(),
    number: p.string().length(50).nullable(),
    archivedAt: p.datetime().nullable(),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type PersonalAccount = InferEntity<typeof PersonalAccount>;

/** Miete, Nebenkostenvorauszahlung, Heizkostenvorauszahlung, Hausgeld, Erhaltungsrücklage, Sonstiges. */
export const TARGET_CHARGE_KINDS = ['rent', 'operating_costs', 'heating_costs', 'house_money', 'reserve', 'other'] as const;
export type TargetChargeKind = (typeof TARGET_CHARGE_KINDS)[number];

/** A Sollstellung: a monthly amount due on a personal account, on the 1st of every month it is valid. */
export const TargetCharge = defineEntity({
  name: 'TargetCharge',
  uniques: [{ properties: ['organization', 'externalId'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    personalAccount: () => p.manyToOne(PersonalAccount).index(),
    externalId: externalId(),
    kind: p.enum(TARGET_CHARGE_KINDS).default('rent'),
    monthlyAmountCents: p.integer(),
    validFrom: p.date(),
    validUntil: p.date().nullable(),
    archivedAt: p.datetime().nullable(),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type TargetCharge = InferEntity<typeof TargetCharge>;

/**
 * A Buchung (not a room booking): an amount on a Sachkonto, positive in the account's own
 * direction (income on an Einnahme account, an expense on an Ausgabe account). With a
 * personal account it is a payment of that tenant or owner, which lowers their balance.
 */
export const LedgerEntry = defineEntity({
  name: 'LedgerEntry',
  uniques: [{ properties: ['organization', 'externalId'] }],
  // The reports read a property's year account by account, by date.
  indexes: [{ properties: ['ledgerAccount', 'bookedOn'] }, { properties: ['personalAccount', 'bookedOn'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    externalId: externalId(),
    bookedOn: p.date(),
    amountCents: p.integer(),
    text: p.string().length(300).nullable(),
    documentNumber: p.string().length(50).nullable(),
    ledgerAccount: () => p.manyToOne(LedgerAccount),
    personalAccount: () => p.manyToOne(PersonalAccount).nullable(),
    unit: () => p.manyToOne(Unit).nullable(),
    archivedAt: p.datetime().nullable(),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type LedgerEntry = InferEntity<typeof LedgerEntry>;

/** A Hausbesitzer: a contact owning a whole rental property the Verwaltung manages for them (seed 004). */
export const PropertyOwnerLink = defineEntity({
  name: 'PropertyOwnerLink',
  uniques: [{ properties: ['organization', 'externalId'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property).index(),
    contact: () => p.manyToOne(Contact).index(),
    externalId: externalId(),
    archivedAt: p.datetime().nullable(),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type PropertyOwnerLink = InferEntity<typeof PropertyOwnerLink>;

/** The Berichte an owner may open (seed 004's list; the two Kontoauszüge come with the Hausabrechnung). */
export const REPORT_CODES = ['sqm', 'surplus', 'statement', 'vacancy'] as const;
export type ReportCode = (typeof REPORT_CODES)[number];

/** Per property: which Berichte are published to its owners, and from which Wirtschaftsjahr on (console, tab "Berichte"). */
export const ReportSetting = defineEntity({
  name: 'ReportSetting',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.oneToOne(Property).owner().unique(),
    published: p.array().default([]),
    /** The first day of the first Wirtschaftsjahr owners see; null: every year. */
    publishedFrom: p.date().nullable(),
    updatedAt: updatedAt(),
  },
});
export type ReportSetting = InferEntity<typeof ReportSetting>;

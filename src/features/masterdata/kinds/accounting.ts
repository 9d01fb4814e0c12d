import {
  FiscalYear,
  LEDGER_ACCOUNT_KINDS,
  LedgerAccount,
  LedgerEntry,
  PersonalAccount,
  PropertyOwnerLink,
  TARGET_CHARGE_KINDS,
  TargetCharge,
} from '../../../entities/index.ts';
import type { Em } from '../../../db/orm.ts';
import { choice, date, flag, money, reference, text } from '../fields.ts';
import type { EntityValues, MasterDataKind, Problem } from './kind.ts';

// The accounting kinds of the owner reports (issue 18; src/entities/accounting.ts): what the
// ERP pushes so that the Berichte show the figures the Verwaltung sees itself. Their rules
// across records (Wirtschaftsjahre never overlap, a booking lies inside one of its
// property's Wirtschaftsjahre, a personal account belongs to the booking's property) are
// checked per item against what the batch's `context` loaded.

type Ref = { id: string } | null | undefined;
const idOf = (value: unknown) => (value as Ref)?.id;
/** A resolved reference's own reference (a ledger account's property): its id. */
const nestedId = (value: unknown, property: string) => idOf((value as Record<string, unknown> | null | undefined)?.[property]);

type YearSpan = { externalId: string | null; propertyId: string; startsOn: string; endsOn: string };

/** The non-archived Wirtschaftsjahre of these properties. */
async function fiscalYearsOf(em: Em, propertyIds: string[]): Promise<YearSpan[]> {
  if (propertyIds.length === 0) return [];
  const years = await em.find(FiscalYear, { property: { $in: [...new Set(propertyIds)] }, archivedAt: null });
  return years.map((year) => ({ externalId: year.externalId ?? null, propertyId: year.property.id, startsOn: year.startsOn, endsOn: year.endsOn }));
}

/** Wirtschaftsjahre of a property: start and end; two of one property never overlap. */
export const fiscalYears: MasterDataKind = {
  name: 'fiscal-years',
  exampleExternalId: 'WJ-1001-2026',
  entity: FiscalYear,
  fields: [
    reference('propertyExternalId', 'property', 'Liegenschaft (Externe ID)', 'properties', { required: true, example: 'L-1001' }),
    date('startsOn', 'Beginn', { required: true, example: '01.01.2026' }),
    { ...date('endsOn', 'Ende', { required: true, example: '31.12.2026' }) },
  ],
  label: (values) => `${values.startsOn ?? ''} – ${values.endsOn ?? ''}`,
  context: async (em, refs) =>
    fiscalYearsOf(
      em,
      [...(refs.get('propertyExternalId')?.values() ?? [])].map((row) => String(row.id)),
    ),
  check: (values, context, externalId) => {
    const startsOn = String(values.startsOn);
    const endsOn = String(values.endsOn);
    if (endsOn < startsOn) return [{ code: 'ends_before_start', field: 'endsOn' }];
    const propertyId = idOf(values.property);
    const years = (context as YearSpan[] | undefined) ?? [];
    const other = years.find((year) => year.propertyId === propertyId && year.externalId !== externalId && year.startsOn <= endsOn && startsOn <= year.endsOn);
    if (other) return [{ code: 'fiscal_year_overlap', field: 'startsOn', params: { id: other.externalId ?? '' } }];
    // Later items of the same batch must not overlap this one either.
    const own = years.findIndex((year) => year.externalId === externalId);
    if (own >= 0) years.splice(own, 1);
    if (propertyId) years.push({ externalId: externalId ?? null, propertyId, startsOn, endsOn });
    return [];
  },
};

/** Sachkonten of a property: number, name, kind, umlagefähig. */
export const ledgerAccounts: MasterDataKind = {
  name: 'ledger-accounts',
  exampleExternalId: 'SK-1001-4000',
  entity: LedgerAccount,
  fields: [
    reference('propertyExternalId', 'property', 'Liegenschaft (Externe ID)', 'properties', { required: true, example: 'L-1001' }),
    text('number', 'Kontonummer', 20, { required: true, example: '4000' }),
    text('name', 'Bezeichnung', 200, { required: true, example: 'Mieteinnahmen' }),
    choice(
      'kind',
      'Kontoart',
      LEDGER_ACCOUNT_KINDS,
      { income: ['Einnahme', 'Einnahmen'], expense: ['Ausgabe', 'Ausgaben'], reserve: ['Bestand/Rücklage', 'Bestand', 'Rücklage'], clearing: ['Verrechnung'] },
      'income',
    ),
    flag('apportionable', 'Umlagefähig', 'nein'),
  ],
  label: (values) => `${values.number ?? ''} ${values.name ?? ''}`.trim(),
};

/** Personenkonten: the account of a contract (Mieter or Eigentümer). */
export const personalAccounts: MasterDataKind = {
  name: 'personal-accounts',
  exampleExternalId: 'PK-2024-017',
  entity: PersonalAccount,
  fields: [
    reference('contractExternalId', 'contract', 'Vertrag (Externe ID)', 'contracts', { required: true, example: 'V-2024-017' }),
    text('number', 'Kontonummer', 50, { example: '10017' }),
  ],
  label: (values) => String(values.number ?? ''),
};

/** Sollstellungen: a monthly amount due on a personal account while valid. */
export const targetCharges: MasterDataKind = {
  name: 'target-charges',
  exampleExternalId: 'SO-2024-017-1',
  entity: TargetCharge,
  fields: [
    reference('personalAccountExternalId', 'personalAccount', 'Personenkonto (Externe ID)', 'personal-accounts', { required: true, example: 'PK-2024-017' }),
    choice(
      'kind',
      'Art',
      TARGET_CHARGE_KINDS,
      {
        rent: ['Miete'],
        operating_costs: ['Nebenkostenvorauszahlung', 'Nebenkosten'],
        heating_costs: ['Heizkostenvorauszahlung', 'Heizkosten'],
        house_money: ['Hausgeld'],
        reserve: ['Erhaltungsrücklage', 'Rücklage'],
        other: ['Sonstiges'],
      },
      'rent',
    ),
    money('monthlyAmount', 'monthlyAmountCents', 'Betrag monatlich', { required: true, example: '850,00' }),
    date('validFrom', 'Gültig ab', { required: true, example: '01.04.2024' }),
    date('validUntil', 'Gültig bis', { example: '' }),
  ],
  label: (values) => String(values.kind ?? ''),
  check: (values) =>
    values.validUntil && values.validFrom && String(values.validUntil) < String(values.validFrom) ? [{ code: 'ends_before_start', field: 'validUntil' }] : [],
};

type EntryContext = { years: YearSpan[]; propertyOfAccount: Map<string, string> };

/** Buchungen: an amount on a Sachkonto on a day inside a Wirtschaftsjahr of its property. */
export const ledgerEntries: MasterDataKind = {
  name: 'ledger-entries',
  exampleExternalId: 'B-2026-000123',
  entity: LedgerEntry,
  fields: [
    date('bookedOn', 'Buchungsdatum', { required: true, example: '03.01.2026' }),
    money('amount', 'amountCents', 'Betrag', { required: true, example: '850,00' }),
    text('text', 'Buchungstext', 300, { example: 'Miete Januar' }),
    text('documentNumber', 'Belegnummer', 50, { example: 'BN-0001' }),
    reference('ledgerAccountExternalId', 'ledgerAccount', 'Sachkonto (Externe ID)', 'ledger-accounts', { required: true, example: 'SK-1001-4000' }),
    reference('personalAccountExternalId', 'personalAccount', 'Personenkonto (Externe ID)', 'personal-accounts', { example: 'PK-2024-017' }),
    reference('unitExternalId', 'unit', 'Einheit (Externe ID)', 'units', { example: 'E-1001-002' }),
  ],
  label: (values) => [values.documentNumber, values.text].filter(Boolean).join(' ') || String(values.bookedOn ?? ''),
  context: async (em, refs): Promise<EntryContext> => {
    const propertyIds = [...(refs.get('ledgerAccountExternalId')?.values() ?? [])].map((account) => nestedId(account, 'property')).filter(Boolean) as string[];
    const accountIds = [...(refs.get('personalAccountExternalId')?.values() ?? [])].map((account) => String(account.id));
    return { years: await fiscalYearsOf(em, propertyIds), propertyOfAccount: await propertiesOfPersonalAccounts(em, accountIds) };
  },
  check: (values, context) => {
    if (!context) return [];
    const { years, propertyOfAccount } = context as EntryContext;
    const problems: Problem[] = [];
    const propertyId = nestedId(values.ledgerAccount, 'property');
    if (!propertyId) return problems;
    const day = String(values.bookedOn);
    if (!years.some((year) => year.propertyId === propertyId && year.startsOn <= day && day <= year.endsOn))
      problems.push({ code: 'outside_fiscal_year', field: 'bookedOn' });
    const account = idOf(values.personalAccount);
    if (account && propertyOfAccount.get(account) !== propertyId)
      problems.push({ code: 'personal_account_of_other_property', field: 'personalAccountExternalId' });
    if (values.unit && nestedId(values.unit, 'property') !== propertyId) problems.push({ code: 'unit_of_other_property', field: 'unitExternalId' });
    return problems;
  },
};

/** The property of each personal account (through its contract's unit). */
async function propertiesOfPersonalAccounts(em: Em, accountIds: string[]): Promise<Map<string, string>> {
  if (accountIds.length === 0) return new Map();
  const accounts = await em.find(PersonalAccount, { id: { $in: accountIds } }, { populate: ['contract.unit'] });
  return new Map(accounts.map((account) => [account.id, account.contract.unit.property.id]));
}

/** Hausbesitzer: a contact owning a whole rental property managed for them. */
export const propertyOwners: MasterDataKind = {
  name: 'property-owners',
  exampleExternalId: 'HB-1001-1',
  entity: PropertyOwnerLink,
  fields: [
    reference('propertyExternalId', 'property', 'Liegenschaft (Externe ID)', 'properties', { required: true, example: 'L-1001' }),
    reference('contactExternalId', 'contact', 'Kontakt (Externe ID)', 'contacts', { required: true, example: 'K-5001' }),
  ],
  label: (values: EntityValues) => String((values.contact as { lastName?: string } | undefined)?.lastName ?? ''),
};

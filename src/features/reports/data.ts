import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import type { ReportCode } from '../../entities/index.ts';
import type { ChargeRow, ContractRow, EntryRow, LedgerAccountRow, MonthSumRow, PaymentSumRow, PersonalAccountRow, UnitRow, Year } from './compute.ts';

// The plain-row reads of the Berichte (Kysely with parameters, no entities: a year of a large
// property has tens of thousands of Buchungen). Plain SQL is not reached by the tenant
// filter, so the Verwaltung of the scoped EntityManager is the first condition of every
// query. Archived records count nowhere. The sums by Sachkonto and month are added up in
// the database; everything else is computed by ./compute.ts.

export type FiscalYearRow = Year & { id: string };
export type PersonalAccountInfo = PersonalAccountRow & { contactIds: string[]; number: string | null };

const kysely = (em: Em) => em.getKysely();

/** The property's Wirtschaftsjahre, newest first. */
export async function fiscalYearsOf(em: Em, propertyId: string): Promise<FiscalYearRow[]> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<FiscalYearRow>`
    select id, starts_on::text as "startsOn", ends_on::text as "endsOn" from fiscal_year
    where organization_id = ${organizationId} and property_id = ${propertyId} and archived_at is null
    order by starts_on desc`.execute(kysely(em));
  return rows;
}

export type ReportSettingRow = { published: ReportCode[]; publishedFrom: string | null };

/** Which Berichte the property publishes to its owners, and from which Wirtschaftsjahr on (nothing until staff choose). */
export async function reportSettingOf(em: Em, propertyId: string): Promise<ReportSettingRow> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<ReportSettingRow>`
    select published, published_from::text as "publishedFrom" from report_setting
    where organization_id = ${organizationId} and property_id = ${propertyId}`.execute(kysely(em));
  return rows[0] ?? { published: [], publishedFrom: null };
}

/** The property's units by number. */
export async function unitsOf(em: Em, propertyId: string): Promise<UnitRow[]> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<UnitRow & { areaSqm: string | null }>`
    select id, number, area_sqm as "areaSqm" from unit
    where organization_id = ${organizationId} and property_id = ${propertyId} and archived_at is null
    order by number, id`.execute(kysely(em));
  return rows.map((row) => ({ ...row, areaSqm: row.areaSqm === null ? null : Number(row.areaSqm) }));
}

/** The contracts on the property's units. */
export async function contractsOf(em: Em, propertyId: string): Promise<ContractRow[]> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<ContractRow>`
    select c.id, c.unit_id as "unitId", c.kind, c.starts_on::text as "startsOn", c.ends_on::text as "endsOn"
    from contract c join unit u on u.id = c.unit_id and u.organization_id = ${organizationId} and u.archived_at is null
    where c.organization_id = ${organizationId} and u.property_id = ${propertyId} and c.archived_at is null`.execute(kysely(em));
  return rows;
}

/** The personal accounts of the property (through their contracts' units), with their holders' names and contacts. */
export async function personalAccountsOf(em: Em, propertyId: string, accountId?: string): Promise<PersonalAccountInfo[]> {
  const organizationId = scopedOrganization(em);
  const one = accountId ? sql`and pa.id = ${accountId}` : sql``;
  const { rows } = await sql<PersonalAccountInfo>`
    select pa.id, pa.number, pa.contract_id as "contractId", u.id as "unitId", u.number as "unitNumber", c.kind as "contractKind",
      coalesce((select string_agg(case when k.type = 'company' then coalesce(k.company_name, '') else concat_ws(' ', k.title, k.first_name, k.last_name) end, ', ' order by k.last_name, k.first_name)
        from contract_contact cc join contact k on k.id = cc.contact_id where cc.contract_id = c.id), '') as holder,
      coalesce((select array_agg(cc.contact_id) from contract_contact cc where cc.contract_id = c.id), '{}') as "contactIds"
    from personal_account pa
    join contract c on c.id = pa.contract_id and c.organization_id = ${organizationId} and c.archived_at is null
    join unit u on u.id = c.unit_id and u.organization_id = ${organizationId} and u.archived_at is null
    where pa.organization_id = ${organizationId} and u.property_id = ${propertyId} and pa.archived_at is null ${one}
    order by u.number, c.starts_on, pa.id`.execute(kysely(em));
  return rows;
}

/** The Sollstellungen of the property's personal accounts (or of one). */
export async function chargesOf(em: Em, propertyId: string, accountId?: string): Promise<ChargeRow[]> {
  const organizationId = scopedOrganization(em);
  const one = accountId ? sql`and t.personal_account_id = ${accountId}` : sql``;
  const { rows } = await sql<ChargeRow>`
    select t.personal_account_id as "personalAccountId", t.kind, t.monthly_amount_cents as "monthlyCents",
      t.valid_from::text as "validFrom", t.valid_until::text as "validUntil"
    from target_charge t
    join personal_account pa on pa.id = t.personal_account_id and pa.organization_id = ${organizationId} and pa.archived_at is null
    join contract c on c.id = pa.contract_id and c.archived_at is null
    join unit u on u.id = c.unit_id and u.archived_at is null
    where t.organization_id = ${organizationId} and u.property_id = ${propertyId} and t.archived_at is null ${one}`.execute(kysely(em));
  return rows;
}

/** The property's Sachkonten by number. */
export async function ledgerAccountsOf(em: Em, propertyId: string): Promise<LedgerAccountRow[]> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<LedgerAccountRow>`
    select id, number, name, kind from ledger_account
    where organization_id = ${organizationId} and property_id = ${propertyId} and archived_at is null
    order by number, id`.execute(kysely(em));
  return rows;
}

/** The year's Buchungen summed by Sachkonto and month, in the database. */
export async function monthSumsOf(em: Em, propertyId: string, year: Year): Promise<MonthSumRow[]> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<MonthSumRow & { cents: string }>`
    select e.ledger_account_id as "ledgerAccountId", to_char(e.booked_on, 'YYYY-MM') as month, sum(e.amount_cents)::bigint::text as cents
    from ledger_entry e
    join ledger_account a on a.id = e.ledger_account_id and a.organization_id = ${organizationId} and a.archived_at is null
    where e.organization_id = ${organizationId} and a.property_id = ${propertyId} and e.archived_at is null
      and e.booked_on between ${year.startsOn}::date and ${year.endsOn}::date
    group by 1, 2`.execute(kysely(em));
  return rows.map((row) => ({ ...row, cents: Number(row.cents) }));
}

/** Payments per personal account of the property: before the year and inside it. */
export async function paymentSumsOf(em: Em, propertyId: string, year: Year): Promise<PaymentSumRow[]> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<{ personalAccountId: string; before: string; inside: string }>`
    select e.personal_account_id as "personalAccountId",
      coalesce(sum(e.amount_cents) filter (where e.booked_on < ${year.startsOn}::date), 0)::text as before,
      coalesce(sum(e.amount_cents) filter (where e.booked_on between ${year.startsOn}::date and ${year.endsOn}::date), 0)::text as inside
    from ledger_entry e
    join ledger_account a on a.id = e.ledger_account_id and a.organization_id = ${organizationId} and a.archived_at is null
    where e.organization_id = ${organizationId} and a.property_id = ${propertyId} and e.archived_at is null and e.personal_account_id is not null
    group by 1`.execute(kysely(em));
  return rows.map((row) => ({ personalAccountId: row.personalAccountId, before: Number(row.before), inside: Number(row.inside) }));
}

const ENTRY_COLUMNS = sql`e.id, e.booked_on::text as "bookedOn", e.amount_cents as "amountCents", e.text, e.document_number as "documentNumber",
  e.ledger_account_id as "ledgerAccountId", e.personal_account_id as "personalAccountId"`;

/** The payments of one personal account up to the year's end (earlier ones make the opening balance). */
export async function paymentsOf(em: Em, propertyId: string, accountId: string, year: Year): Promise<EntryRow[]> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<EntryRow>`
    select ${ENTRY_COLUMNS} from ledger_entry e
    join ledger_account a on a.id = e.ledger_account_id and a.organization_id = ${organizationId} and a.archived_at is null
    where e.organization_id = ${organizationId} and a.property_id = ${propertyId} and e.archived_at is null
      and e.personal_account_id = ${accountId} and e.booked_on <= ${year.endsOn}::date`.execute(kysely(em));
  return rows;
}

/** The year's Buchungen of one Sachkonto of the property. */
export async function entriesOfLedgerAccount(em: Em, propertyId: string, accountId: string, year: Year): Promise<EntryRow[]> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<EntryRow>`
    select ${ENTRY_COLUMNS} from ledger_entry e
    join ledger_account a on a.id = e.ledger_account_id and a.organization_id = ${organizationId} and a.property_id = ${propertyId} and a.archived_at is null
    where e.organization_id = ${organizationId} and e.ledger_account_id = ${accountId} and e.archived_at is null
      and e.booked_on between ${year.startsOn}::date and ${year.endsOn}::date`.execute(kysely(em));
  return rows;
}

/** One Sachkonto of the property, or null. */
export async function ledgerAccountOf(em: Em, propertyId: string, accountId: string): Promise<LedgerAccountRow | null> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<LedgerAccountRow>`
    select id, number, name, kind from ledger_account
    where organization_id = ${organizationId} and property_id = ${propertyId} and id = ${accountId} and archived_at is null`.execute(kysely(em));
  return rows[0] ?? null;
}

/** Whether the year has any Buchung or Sollstellung at all ("Für dieses Wirtschaftsjahr liegen keine Daten vor"). */
export async function yearHasData(em: Em, propertyId: string, year: Year): Promise<boolean> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<{ any: boolean }>`
    select exists (
      select 1 from ledger_entry e join ledger_account a on a.id = e.ledger_account_id and a.archived_at is null
      where e.organization_id = ${organizationId} and a.property_id = ${propertyId} and e.archived_at is null
        and e.booked_on between ${year.startsOn}::date and ${year.endsOn}::date
    ) or exists (
      select 1 from target_charge t join personal_account pa on pa.id = t.personal_account_id and pa.archived_at is null
      join contract c on c.id = pa.contract_id join unit u on u.id = c.unit_id
      where t.organization_id = ${organizationId} and u.property_id = ${propertyId} and t.archived_at is null
        and t.valid_from <= ${year.endsOn}::date and (t.valid_until is null or t.valid_until >= ${year.startsOn}::date)
    ) as any`.execute(kysely(em));
  return rows[0].any;
}

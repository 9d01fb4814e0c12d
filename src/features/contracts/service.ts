import { sql, type RawBuilder } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { Contact, contactDisplayName, Contract, Property, Unit, type StaffUser } from '../../entities/index.ts';
import { field } from '../../http/forms.ts';
import { isUuid } from '../../http/find.ts';
import { type Db, likePattern, listTotal, PAGE_SIZE, searchedPage, type ListSort } from '../../http/paging.ts';
import {
  checkEdit,
  checkExternalId,
  checkKindFields,
  checkKindRules,
  consoleLocked,
  createRecord,
  fieldProblem,
  updateRecord,
} from '../masterdata/console-edit.ts';
import { contracts as contractKind } from '../masterdata/kinds/contracts.ts';
import { findContacts } from '../contacts/service.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

/** ?art= of the list: the German words in the URL, the entity's codes behind them. */
export const CONTRACT_KIND_FILTERS = { miete: 'rental', eigentum: 'ownership' } as const;
/** ?status= of the list. Without one: every contract that is not archived. */
export const CONTRACT_STATUSES = ['laufend', 'kuenftig', 'beendet', 'archiviert'] as const;
export const CONTRACT_SORTS = ['einheit', 'beginn', 'ende', 'nummer'] as const;
export type ContractSort = ListSort<(typeof CONTRACT_SORTS)[number]>;
export const CONTRACT_SORT_DEFAULT: ContractSort = { key: 'einheit', descending: false };

export type ContractFilter = {
  q: string;
  kind: keyof typeof CONTRACT_KIND_FILTERS | '';
  status: (typeof CONTRACT_STATUSES)[number] | '';
  sort: ContractSort;
  page: number;
};

export type ContractListRow = {
  id: string;
  kind: 'rental' | 'ownership';
  contractNumber: string | null;
  startsOn: string;
  endsOn: string | null;
  archivedAt: Date | null;
  unitId: string;
  unitNumber: string;
  propertyId: string;
  propertyName: string;
  contacts: Array<{ id: string; name: string }>;
};

function statusCondition(status: ContractFilter['status'], today: string): RawBuilder<unknown> {
  switch (status) {
    case 'archiviert':
      return sql`and c.archived_at is not null`;
    case 'laufend': // the running-contract rule (contractRuns / runningContractOn in src/features/access/service.ts)
      return sql`and c.archived_at is null and c.starts_on <= ${today}::date and (c.ends_on is null or c.ends_on >= ${today}::date)`;
    case 'kuenftig':
      return sql`and c.archived_at is null and c.starts_on > ${today}::date`;
    case 'beendet':
      return sql`and c.archived_at is null and c.ends_on < ${today}::date`;
    default:
      return sql`and c.archived_at is null`;
  }
}

function contractOrder(sort: ContractSort, alias: 'c'): RawBuilder<unknown> {
  const dir = sql.raw(sort.descending ? 'desc' : 'asc');
  const column = sql.raw(`${alias}.${sort.key === 'beginn' ? 'starts_on' : sort.key === 'ende' ? 'ends_on' : 'contract_number'}`);
  // Open-ended contracts (no end) count as the latest: PostgreSQL's default puts nulls last
  // ascending and first descending, which is that. Contracts without number come last.
  return sql`${column} ${dir}${sql.raw(sort.key === 'nummer' ? ' nulls last' : '')}, ${sql.raw(alias)}.id`;
}

const LIST_COLUMNS = sql`c.id, c.kind, c.contract_number as "contractNumber", c.starts_on::text as "startsOn", c.ends_on::text as "endsOn",
  c.archived_at as "archivedAt", u.id as "unitId", u.number as "unitNumber", p.id as "propertyId", p.name as "propertyName"`;

/**
 * The Verträge list: search in contract number (and Externe ID), unit number and the names
 * of the contacts; filter by Art and Status; sorted; 50 a page. Three statements: the page,
 * the total (past 1,000 the planner's estimate, one more), the contacts of the page's
 * contracts; with a search term the page and the total are one (searchedContracts), and no estimate.
 *
 * Speed at 100,000 contracts (measured with EXPLAIN on the bench's large world): each way of
 * matching is its own branch of a UNION so that each uses its index (trigram on
 * contract_number, unit.number and the contact names; contract_contact.contact_id,
 * contract.unit_id) instead of one OR testing every contract. The matches are handed over as
 * arrays (`= any(array(...))`), which makes the planner fetch them by primary key and sort
 * only them; as `in (...)` it hashed them and read every contract. Without a term, sorted
 * by Einheit, the plan walks property (organization, name) → unit (property, number) →
 * contract (unit) in order and stops after the page (~15 ms). Sorted by a contract column (Beginn, Ende, Nummer), which no index orders, the
 * page is picked from the contracts alone (a top-N sort, about as costly as the count) and
 * only its 50 rows are joined to unit and property. No window count: it would make every
 * plan read and join all contracts first (~300 ms).
 *
 * Plain SQL is not reached by the tenant filter: the Verwaltung (scopedOrganization) is
 * named in every part.
 */
export async function searchContracts(em: Em, filter: ContractFilter, today: string) {
  const organizationId = scopedOrganization(em);
  const term = filter.q.trim();
  const pattern = likePattern(term);
  const matches = term
    ? sql`and c.id = any(array(
        select c2.id from contract c2 where c2.organization_id = ${organizationId} and (c2.contract_number ilike ${pattern} or c2.external_id = ${term})
        union
        select c2.id from contract c2 where c2.unit_id = any(array(select u2.id from unit u2 where u2.organization_id = ${organizationId} and u2.number ilike ${pattern}))
        union
        select cc.contract_id from contract_contact cc where cc.contact_id = any(array(select k.id from contact k
          where k.organization_id = ${organizationId} and (k.last_name ilike ${pattern} or k.first_name ilike ${pattern} or k.company_name ilike ${pattern})))))`
    : sql``;
  const kind = filter.kind ? sql`and c.kind = ${CONTRACT_KIND_FILTERS[filter.kind]}` : sql``;
  const where = sql`where c.organization_id = ${organizationId} ${statusCondition(filter.status, today)} ${kind} ${matches}`;
  const db = em.getKysely();
  const { rows, total } = term
    ? await searchedContracts(db, organizationId, where, filter)
    : {
        rows: (await pageOf(sql`contract c`, where, organizationId, filter).execute(db)).rows,
        total: await listTotal(db, sql`from contract c ${where}`, filter.page),
      };
  const people = await contactsOfContracts(
    em,
    organizationId,
    rows.map((r) => r.id),
  );
  return {
    rows: rows.map((row) => ({ ...row, contacts: people.get(row.id) ?? [] })),
    ...total,
    page: filter.page,
  };
}

type ListedContract = Omit<ContractListRow, 'contacts'>;

/**
 * The statement of a page, read from `source` (`contract c`, or a search's matches as `c`)
 * under `where` (see searchContracts for the two plans): sorted by Einheit, joined first and
 * cut after; sorted by a contract column, cut from the contracts first and only its rows joined.
 */
function pageOf(source: RawBuilder<unknown>, where: RawBuilder<unknown>, organizationId: string, filter: ContractFilter) {
  const { sort } = filter;
  const page = sql`limit ${sql.lit(PAGE_SIZE)} ${offsetSql((filter.page - 1) * PAGE_SIZE)}`;
  if (sort.key === 'einheit') {
    const dir = sql.raw(sort.descending ? 'desc' : 'asc');
    return sql<ListedContract>`
      select ${LIST_COLUMNS}
      from ${source} join unit u on u.id = c.unit_id join property p on p.id = u.property_id
      ${where} and p.organization_id = ${organizationId}
      order by p.name ${dir}, u.number ${dir}, c.starts_on desc, c.id
      ${page}`;
  }
  return sql<ListedContract>`
    select ${LIST_COLUMNS}
    from (select c.* from ${source} ${where} order by ${contractOrder(sort, 'c')} ${page}) c
    join unit u on u.id = c.unit_id join property p on p.id = u.property_id
    order by ${contractOrder(sort, 'c')}`;
}

/**
 * A page of a search and its total in one statement (searchedPage): counted in a statement
 * of its own, the union of matches ran twice ("Schwarz": 1,191 contracts of 1,031 contacts,
 * 13 + 9 ms EXPLAIN). Past 1,000 matches the total is "mehr als 1.000": the planner estimates
 * matches handed over as an array at 10 whatever they are, so its EXPLAIN (planning the whole
 * union again) told nothing more.
 */
function searchedContracts(db: Db, organizationId: string, where: RawBuilder<unknown>, filter: ContractFilter) {
  return searchedPage<ListedContract>(
    db,
    {
      matches: sql`matched as materialized (select c.* from contract c ${where})`,
      countFrom: sql`from matched`,
      page: pageOf(sql`matched c`, sql`where true`, organizationId, filter),
    },
    filter.page,
  );
}

/** The contacts of some contracts, by name, in one query: contract id → [{ id, name }]. */
async function contactsOfContracts(em: Em, organizationId: string, contractIds: string[]) {
  const byContract = new Map<string, Array<{ id: string; name: string }>>();
  if (!contractIds.length) return byContract;
  const { rows } = await sql<{
    contractId: string;
    id: string;
    type: string;
    title: string | null;
    firstName: string | null;
    lastName: string | null;
    companyName: string | null;
  }>`
    select cc.contract_id as "contractId", k.id, k.type, k.title, k.first_name as "firstName", k.last_name as "lastName", k.company_name as "companyName"
    from contract_contact cc join contact k on k.id = cc.contact_id
    where k.organization_id = ${organizationId} and cc.contract_id in (${sql.join(contractIds)})
    order by k.last_name, k.first_name, k.company_name, k.id`.execute(em.getKysely());
  for (const row of rows) {
    const list = byContract.get(row.contractId) ?? [];
    list.push({ id: row.id, name: contactDisplayName(row) });
    byContract.set(row.contractId, list);
  }
  return byContract;
}

/** The list's filter from the query string; anything unknown means "none". */
export function contractFilterOf(query: Record<string, unknown>, sort: ContractSort, page: number): ContractFilter {
  const q = typeof query.q === 'string' ? query.q.slice(0, 200) : '';
  const kind = Object.keys(CONTRACT_KIND_FILTERS).find((k) => k === query.art) as ContractFilter['kind'] | undefined;
  const status = CONTRACT_STATUSES.find((s) => s === query.status);
  return { q, kind: kind ?? '', status: status ?? '', sort, page };
}

// --- The Vertrag form ----------------------------------------------------------------------

/**
 * The form of a contract. The unit is chosen in two steps that work without JavaScript:
 * the Liegenschaft (a select; "Einheiten anzeigen" re-renders the form with its units), then
 * the Einheit. Contacts are checkboxes: those already linked to the property (a few hundred
 * at most), plus those found by the contact search of the form (name, e-mail or Externe ID,
 * through the Kontakte search's trigram indexes, 20 at most) — never all 100,000.
 */
export type ContractForm = {
  property: string;
  unit: string;
  kind: string;
  contractNumber: string;
  startsOn: string;
  endsOn: string;
  externalId: string;
  contacts: string[];
  contactSearch: string;
};

/** The submitted form (repeated "kontakte" checkboxes as a list of ids). */
export function contractFormFrom(body: Record<string, unknown>): ContractForm {
  const raw = body?.kontakte;
  const contacts = (Array.isArray(raw) ? raw : [raw]).filter((id): id is string => isUuid(id));
  return {
    property: field(body?.liegenschaft),
    unit: field(body?.einheit),
    kind: field(body?.kind),
    contractNumber: field(body?.contractNumber).trim(),
    startsOn: field(body?.startsOn).trim(),
    endsOn: field(body?.endsOn).trim(),
    externalId: field(body?.externalId).trim(),
    contacts: [...new Set(contacts)].slice(0, 50),
    contactSearch: field(body?.kontaktsuche).slice(0, 200),
  };
}

/** The form of a stored contract. */
export function contractFormOf(contract: Contract): ContractForm {
  return {
    property: contract.unit.property.id,
    unit: contract.unit.id,
    kind: contract.kind,
    contractNumber: contract.contractNumber ?? '',
    startsOn: contract.startsOn,
    endsOn: contract.endsOn ?? '',
    externalId: contract.externalId ?? '',
    contacts: contract.contacts.getItems().map((c) => c.id),
    contactSearch: '',
  };
}

/** The form of a new contract, optionally for a unit (?einheit=) and a contact (?kontakt=) of the Verwaltung. */
export async function newContractForm(em: Em, query: Record<string, unknown>): Promise<ContractForm> {
  const unit = isUuid(query.einheit) ? await em.findOne(Unit, { id: query.einheit, archivedAt: null }) : null;
  const property = unit ? null : isUuid(query.liegenschaft) ? await em.findOne(Property, { id: query.liegenschaft, archivedAt: null }) : null;
  const contact = isUuid(query.kontakt) ? await em.findOne(Contact, { id: query.kontakt, archivedAt: null }) : null;
  return {
    property: unit ? unit.property.id : (property?.id ?? ''),
    unit: unit?.id ?? '',
    kind: 'rental',
    contractNumber: '',
    startsOn: '',
    endsOn: '',
    externalId: '',
    contacts: contact ? [contact.id] : [],
    contactSearch: '',
  };
}

/** The fields of a contract the console must not change (the ERP's while it owns the record). */
export function contractLocked(contract: Contract | null): Set<string> {
  return consoleLocked(contractKind, contract);
}

/**
 * What the form offers: the properties, the units of the chosen one, and the contacts to
 * tick (chosen ones, those with a contract in the property, the search's matches).
 */
export async function contractFormChoices(em: Em, form: ContractForm, contract: Contract | null) {
  const properties = await em.find(
    Property,
    { $or: [{ archivedAt: null }, ...(isUuid(form.property) ? [{ id: form.property }] : [])] },
    { orderBy: { name: 'asc', id: 'asc' }, fields: ['id', 'name'] },
  );
  const propertyId = properties.some((p) => p.id === form.property) ? form.property : null;
  const units = propertyId
    ? await em.find(
        Unit,
        { property: propertyId, $or: [{ archivedAt: null }, ...(contract ? [{ id: contract.unit.id }] : [])] },
        { orderBy: { number: 'asc', id: 'asc' }, fields: ['id', 'number'] },
      )
    : [];
  const chosen = form.contacts.length ? await em.find(Contact, { id: { $in: form.contacts } }) : [];
  const ofProperty = propertyId
    ? await em.find(
        Contact,
        { archivedAt: null, contracts: { unit: { property: propertyId } } },
        { orderBy: { lastName: 'asc', firstName: 'asc', companyName: 'asc', id: 'asc' }, limit: 500 },
      )
    : [];
  const term = form.contactSearch.trim();
  const found = await findContacts(em, term);
  const seen = new Set<string>();
  const candidates = [...chosen, ...found, ...ofProperty].filter((c) => !seen.has(c.id) && Boolean(seen.add(c.id)));
  return { properties, units, candidates, searched: term ? found.length : null };
}

/**
 * Checks a submitted contract form (checkEdit: fields the ERP owns keep their stored value;
 * the Liegenschaft and Einheit selects and their message stand for the unit, the Kontakte
 * for the contacts). Returns the form as checked, the values to store (entity property →
 * value) and the messages per field.
 */
export function checkContractForm(em: Em, submitted: ContractForm, contract: Contract | null) {
  return checkEdit({
    kind: contractKind,
    record: contract,
    submitted,
    stored: () => contractFormOf(contract!),
    formFields: { property: 'unit', einheit: 'unit', kontakte: 'contacts' },
    check: (form) => checkContract(em, form, contract),
  });
}

async function checkContract(em: Em, form: ContractForm, contract: Contract | null) {
  const checked = checkKindFields(contractKind, form as unknown as Record<string, string>, ['kind', 'contractNumber', 'startsOn', 'endsOn']);
  const { values, errors } = checked;

  const unit = isUuid(form.unit) ? await em.findOne(Unit, { id: form.unit }, { populate: ['property'] }) : null;
  const unitUsable = unit && unit.property.id === form.property && (!unit.archivedAt || unit.id === contract?.unit.id);
  if (!unitUsable) errors.einheit = fieldProblem(form.property ? 'unit_required' : 'property_required');
  else values.unit = unit;

  const contacts = form.contacts.length ? await em.find(Contact, { id: { $in: form.contacts } }) : [];
  const stillThere = new Set(contract?.contacts.getItems().map((c) => c.id) ?? []);
  // An archived contact stays on a contract it is already on, but is not added anew.
  const usable = contacts.filter((c) => !c.archivedAt || stillThere.has(c.id));
  if (!usable.length) errors.kontakte = fieldProblem('contacts_required');
  else values.contacts = usable;

  checkKindRules(contractKind, checked);
  await checkExternalId(em, Contract, form.externalId, contract, checked);
  // The form shows the dates as the date inputs need them (ISO), also when typed German.
  for (const name of ['startsOn', 'endsOn'] as const) if (typeof values[name] === 'string') form[name] = values[name] as string;
  return checked;
}

/** The audit subject of contracts. */
const SUBJECT = 'contract';

/** Creates a contract from checked values (the caller flushes). */
export function createContract(em: Em, staff: StaffUser, values: Record<string, unknown>, now: Date): Contract {
  return createRecord(em, staff, SUBJECT, Contract, values, now);
}

/** Stores checked values on a contract (the caller flushes). */
export function updateContract(em: Em, staff: StaffUser, contract: Contract, values: Record<string, unknown>, now: Date) {
  updateRecord(em, staff, SUBJECT, contract, values, now);
}

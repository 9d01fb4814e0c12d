import type { Em } from '../../db/orm.ts';
import { ServiceProvider, type StaffUser } from '../../entities/index.ts';
import { likePattern, pageCount, PAGE_SIZE, type ListSort } from '../../http/paging.ts';
import {
  checkEdit,
  checkExternalId,
  checkKindFields,
  consoleLocked,
  createRecord,
  formFromBody,
  formOfRecord,
  updateRecord,
} from '../masterdata/console-edit.ts';
import { serviceProviders as providerKind } from '../masterdata/kinds/service-providers.ts';

export const PROVIDER_SORTS = ['name', 'gewerk', 'ort'] as const;
export type ProviderSort = ListSort<(typeof PROVIDER_SORTS)[number]>;
export const PROVIDER_SORT_DEFAULT: ProviderSort = { key: 'name', descending: false };

const SORT_COLUMN = { name: 'name', gewerk: 'trade', ort: 'city' } as const;

/**
 * The Dienstleister list: search in name, Gewerk and Ort; sorted; 50 a page; archived ones
 * only on request. A Verwaltung has dozens of Dienstleister, not thousands: the ORM's
 * findAndCount is enough.
 */
export async function searchProviders(em: Em, q: string, page: number, sort: ProviderSort, archived: boolean) {
  const term = q.trim();
  const pattern = likePattern(term);
  const where = {
    ...(archived ? {} : { archivedAt: null }),
    ...(term ? { $or: [{ name: { $ilike: pattern } }, { trade: { $ilike: pattern } }, { city: { $ilike: pattern } }] } : {}),
  };
  const direction = sort.descending ? ('desc nulls last' as const) : ('asc nulls last' as const);
  const [providers, total] = await em.findAndCount(ServiceProvider, where, {
    orderBy: [{ [SORT_COLUMN[sort.key]]: direction }, { name: 'asc' }, { id: 'asc' }],
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  return { providers, total, page, pages: pageCount(total) };
}

const KIND_FIELDS = ['name', 'trade', 'email', 'phone', 'street', 'postalCode', 'city'] as const;
export const PROVIDER_FORM_FIELDS = [...KIND_FIELDS, 'externalId'] as const;
export type ProviderForm = Record<(typeof PROVIDER_FORM_FIELDS)[number], string>;

/** The form of a new (empty) or stored Dienstleister. */
export function providerFormOf(provider: ServiceProvider | null): ProviderForm {
  return formOfRecord(provider, PROVIDER_FORM_FIELDS) as ProviderForm;
}

/** The submitted form: every field a string. */
export function providerFormFrom(body: Record<string, unknown>): ProviderForm {
  return formFromBody(body, PROVIDER_FORM_FIELDS) as ProviderForm;
}

/** The fields of a Dienstleister the console must not change (the ERP's while it owns the record). */
export function providerLocked(provider: ServiceProvider | null): Set<string> {
  return consoleLocked(providerKind, provider);
}

/**
 * Checks a submitted Dienstleister form (checkEdit: fields the ERP owns keep their stored
 * value). Returns the form as checked, the values to store and the messages per field.
 */
export function checkProviderForm(em: Em, submitted: ProviderForm, provider: ServiceProvider | null) {
  return checkEdit({
    kind: providerKind,
    record: provider,
    submitted,
    stored: () => providerFormOf(provider),
    check: async (form) => {
      const checked = checkKindFields(providerKind, form, KIND_FIELDS);
      await checkExternalId(em, ServiceProvider, form.externalId, provider, checked);
      return checked;
    },
  });
}

/** The audit subject of Dienstleister. */
const SUBJECT = 'service_provider';

/** Creates a Dienstleister from checked values (the caller flushes). */
export function createProvider(em: Em, staff: StaffUser, values: Record<string, unknown>, now: Date): ServiceProvider {
  return createRecord(em, staff, SUBJECT, ServiceProvider, values, now);
}

/** Stores checked values on a Dienstleister (the caller flushes). */
export function updateProvider(em: Em, staff: StaffUser, provider: ServiceProvider, values: Record<string, unknown>, now: Date) {
  updateRecord(em, staff, SUBJECT, provider, values, now);
}

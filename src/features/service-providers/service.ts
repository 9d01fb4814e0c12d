import type { Em } from '../../db/orm.ts';
import { ServiceProvider, type StaffUser } from '../../entities/index.ts';
import type { ListSort } from '../../http/paging.ts';
import { auditStaffAction } from '../audit/service.ts';
import { checkExternalId, checkKindFields, consoleLocked, formFromBody, formOfRecord, keepLocked } from '../masterdata/console-edit.ts';
import { serviceProviders as providerKind } from '../masterdata/kinds/service-providers.ts';
import { withoutErpLocked } from '../masterdata/ownership.ts';
import { likePattern, PAGE_SIZE } from '../properties/service.ts';

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
  return { providers, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
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
 * Checks a submitted Dienstleister form; fields the ERP owns are taken from the stored
 * record, whatever was posted. Returns the values to store or the messages per field.
 */
export async function checkProviderForm(em: Em, submitted: ProviderForm, provider: ServiceProvider | null) {
  const locked = providerLocked(provider);
  const form = keepLocked(submitted, provider ? providerFormOf(provider) : null, locked);
  const checked = checkKindFields(providerKind, form, KIND_FIELDS);
  await checkExternalId(em, ServiceProvider, form.externalId, provider, checked);
  return { form, errors: checked.errors, values: withoutErpLocked(checked.values, locked) };
}

/** Creates a Dienstleister from checked values. */
export function createProvider(em: Em, staff: StaffUser, values: Record<string, unknown>, now: Date): ServiceProvider {
  const provider = em.create(ServiceProvider, { ...(values as object), organization: staff.organization, createdAt: now, updatedAt: now } as never) as ServiceProvider;
  auditStaffAction(em, staff, 'service_provider.created', { type: 'service_provider', id: provider.id }, null, now);
  return provider;
}

/** Stores checked values on a Dienstleister. */
export function updateProvider(em: Em, staff: StaffUser, provider: ServiceProvider, values: Record<string, unknown>, now: Date) {
  em.assign(provider, values as never);
  auditStaffAction(em, staff, 'service_provider.updated', { type: 'service_provider', id: provider.id }, null, now);
}

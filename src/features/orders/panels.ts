import type { Em } from '../../db/orm.ts';
import { Property, type ServiceProvider } from '../../entities/index.ts';
import { providerLocked } from '../service-providers/service.ts';
import { assignableProviders, membersOf, openOrdersOf, providersOfProperty } from './service.ts';

/**
 * What the console's pages show of Dienstleister work: the Dienstleister's page (served
 * properties, logins, open Aufträge with their age) and a property's Kontakte tab (its
 * Dienstleister). Templates: views/orders/_provider-panel.eta, _property-providers.eta.
 */
export async function providerPagePanel(em: Em, provider: ServiceProvider, now: Date) {
  await provider.properties.init({ orderBy: { name: 'asc' } } as never);
  const [members, openOrders, properties] = await Promise.all([
    membersOf(em, provider),
    openOrdersOf(em, provider, now),
    em.find(Property, { archivedAt: null }, { orderBy: { name: 'asc' }, fields: ['name'] }),
  ]);
  const served = provider.properties.getItems();
  const servedIds = new Set(served.map((p) => p.id));
  return {
    served,
    choices: properties.filter((p) => !servedIds.has(p.id)),
    locked: providerLocked(provider).has('properties'),
    members,
    openOrders,
    assignErrors: {},
    assignValue: '',
    invite: { name: '', email: '' },
    inviteErrors: {},
  };
}

/** The Dienstleister of a property and those one may still assign. */
export async function propertyProvidersPanel(em: Em, property: Property) {
  const [assigned, all] = await Promise.all([providersOfProperty(em, property), assignableProviders(em)]);
  const ids = new Set(assigned.map((p) => p.id));
  return {
    assigned: assigned.map((provider) => ({ provider, locked: providerLocked(provider).has('properties') })),
    choices: all.filter((p) => !ids.has(p.id) && !providerLocked(p).has('properties')),
  };
}

import { wrap, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import { invalidate, processCache } from '../../db/process-cache.ts';

/**
 * The answer of the access rule (./service.ts, accessibleProperties) per portal user and
 * Berlin day, kept in memory for a short time (src/db/process-cache.ts: 30 s, bounded),
 * because every portal request asks it and most of its cost is PostgreSQL planning the
 * query. What the rule reads decides what evicts it: contracts and their contacts, the
 * contacts themselves, units, properties, memberships, the Beirat, the logins and their
 * linked contacts, and the Verwaltung's access windows.
 *
 * `accessChanged` is the one way to evict. Every ORM flush that touches one of those
 * records calls it (AccessCacheSubscriber below, registered for every EntityManager in
 * src/db/orm.ts), so the console forms, the sync API, the CSV import, archive and restore,
 * Rollen & Zugriffsrechte, registration and invitations, deactivation and "Zugang beenden"
 * evict without knowing about the cache, and a writer added later cannot forget it.
 * Writers that bypass the ORM (raw SQL) call it themselves (./windows.ts).
 */
export type AccessChange = { organizationId: string } | { portalUserIds: string[] } | 'all';

export async function accessChanged(em: Em, change: AccessChange): Promise<void> {
  if (change === 'all') return invalidate(em, 'access', 'all');
  const tags = 'organizationId' in change ? [organizationTag(change.organizationId)] : change.portalUserIds.map(userTag);
  await invalidate(em, 'access', tags);
}

const organizationTag = (id: string) => `organization:${id}`;
const userTag = (id: string) => `portal-user:${id}`;

/**
 * The cached rows of the access query for one user on one Berlin day, or `load`'s answer,
 * stored unless something changed while it ran. Inside a transaction the cache is skipped:
 * a writer reads its own uncommitted changes, which no one else may see.
 */
export async function cachedAccessRows<Row>(
  em: Em,
  key: { organizationId: string; portalUserId: string; day: string },
  load: () => Promise<Row[]>,
): Promise<Row[]> {
  if (em.isInTransaction()) return load();
  const cache = processCache<Row[]>(em, 'access');
  const id = `${key.portalUserId}|${key.day}`;
  const cached = cache.get(id);
  if (cached) return cached;
  const generation = cache.generation;
  const rows = await load();
  cache.set(id, rows, [organizationTag(key.organizationId), userTag(key.portalUserId)], generation);
  return rows;
}

/** The entities the access rule reads; a change to a PortalUser concerns that login only. */
const READ_BY_THE_RULE = new Set([
  'Contract',
  'ContractContact',
  'Contact',
  'Unit',
  'Property',
  'Organization',
  'PortalMembership',
  'AdvisoryBoardMember',
  // A Dienstleister's logins and the properties it serves (service_provider_property, a collection of ServiceProvider).
  'ServiceProvider',
  'ServiceProviderMember',
]);

type Changed = { organization?: { id: string } | null; id?: string; contract?: { organization?: { id: string } } };

/** The Verwaltung a changed record belongs to, or undefined when it does not say. */
function organizationOf(name: string, entity: Changed): string | undefined {
  if (name === 'Organization') return entity.id;
  return entity.organization?.id ?? entity.contract?.organization?.id;
}

/** Calls accessChanged after every flush that wrote something the access rule reads. */
export class AccessCacheSubscriber implements EventSubscriber {
  async afterFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const organizations = new Set<string>();
    const users = new Set<string>();
    let unknown = false;
    const note = (name: string, entity: Changed) => {
      if (name === 'PortalUser') {
        if (entity.id) users.add(entity.id);
        return;
      }
      if (!READ_BY_THE_RULE.has(name)) return;
      const organization = organizationOf(name, entity);
      if (organization) organizations.add(organization);
      else unknown = true;
    };
    for (const changeSet of uow.getChangeSets()) note(changeSet.meta.className, changeSet.entity as Changed);
    // Linking a login to a contact (portal_user_contact) or a contact to a contract is a collection update.
    for (const collection of uow.getCollectionUpdates()) note(wrap(collection.owner, true).__meta.className, collection.owner as Changed);
    if (unknown) return accessChanged(em as Em, 'all');
    for (const organizationId of organizations) await accessChanged(em as Em, { organizationId });
    if (users.size > 0) await accessChanged(em as Em, { portalUserIds: [...users] });
  }
}

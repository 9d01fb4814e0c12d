import type { Em } from '../../db/orm.ts';
import type { PortalUser, Property } from '../../entities/index.ts';
import type { PropertyAccess } from '../access/service.ts';
import { communitySwitches, messagesOpen, takesPart } from './neighbour-access.ts';
import { cachedUnreadCount } from './unread.ts';

export type CommunityNavigation = { neighbours: boolean; messages: boolean; unread: number };

/**
 * What the portal's navigation offers of the community in a property (views/layouts/portal.eta):
 * "Eigentümer / Nachbarn" where the rule lets the visitor in (the preview too), "Nachrichten"
 * with the unread count where Direktnachrichten are open to the resident. One statement at most
 * (none while the count is cached, ./unread.ts), and none where Direktnachrichten are closed.
 */
export async function communityNavigation(em: Em, property: Property, access: PropertyAccess, user: PortalUser | null): Promise<CommunityNavigation> {
  const organization = property.organization;
  const neighbours = user ? takesPart(organization, property, access) : communitySwitches(organization, property).community;
  const messages = messagesOpen(organization, property, access, user);
  return { neighbours, messages, unread: messages && user ? await cachedUnreadCount(em, user, property.id) : 0 };
}

import { sql, type RawBuilder } from 'kysely';
import { berlinDate } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import type { Organization, PortalUser, Property } from '../../entities/index.ts';
import { accessRowsQuery, type PortalRole, type PropertyAccess } from '../access/service.ts';
import { communitySwitches } from './switches.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

/**
 * The one rule of the community's neighbours (issue 21): who appears in "Eigentümer /
 * Nachbarn", who may write to whom, who sees a conversation. Pages, the live stream, the
 * notifications and the console's report view all ask here; nothing else restates it.
 *
 * - Taking part: where the Community-Bereich is on for the property, a user who sees its
 *   general content (src/features/access: a running contract, a membership; never a contract
 *   inside an access window alone) as Mieter, Eigentümer, Beirat, Hausbesitzer or Bewohner;
 *   a Gewerbemitarbeiter only while the Verwaltung lets Gewerbemitarbeiter use the
 *   Schwarzes Brett; a Dienstleister never. Who loses access loses it here too.
 * - The neighbour list: those who take part, are registered and not disabled, and chose to
 *   appear (neighbour_profile.listed; off until they switch it on).
 * - Direktnachrichten (their switch on): between two different users who both appear in the
 *   list now. A message to someone who blocked the sender is kept for the sender only.
 * - A conversation is seen by its two participants, while they take part in its property
 *   and Direktnachrichten are on. The preview sees none. Staff see a reported message and
 *   the five before and after it only (./reports.ts), never a whole conversation.
 */

/** Roles that take part without further ado. */
const PARTICIPATING: readonly PortalRole[] = ['tenant', 'owner', 'advisory_board', 'property_owner', 'resident'];

export { communitySwitches };

/** The community is open to this visitor in this property: switch on and a participating role. */
export function takesPart(organization: Organization, property: Property, access: PropertyAccess): boolean {
  const switches = communitySwitches(organization, property);
  if (!switches.community) return false;
  if (access.activeRoles.some((role) => PARTICIPATING.includes(role))) return true;
  return switches.commercialEmployees && access.activeRoles.includes('commercial_employee');
}

/** Direktnachrichten are open to this resident here (the preview never has a user). */
export function messagesOpen(organization: Organization, property: Property, access: PropertyAccess, user: PortalUser | null): boolean {
  return user !== null && communitySwitches(organization, property).directMessages && takesPart(organization, property, access);
}

/** The Nachbarschaftsprofil's fields (photo, Über mich, floor) are shown and asked. */
export function profileOpen(organization: Organization, property: Property): boolean {
  const switches = communitySwitches(organization, property);
  return switches.community && switches.profile;
}

/**
 * takesPart as SQL over a row `a` of accessRowsQuery: running contracts (active_kinds),
 * Bewohner and Hausbesitzer memberships, and Gewerbemitarbeiter when allowed.
 */
function participatesRow(commercialEmployees: boolean): RawBuilder<unknown> {
  const roles = commercialEmployees ? sql`array['resident', 'property_owner', 'commercial_employee']` : sql`array['resident', 'property_owner']`;
  return sql`(cardinality(a.active_kinds) > 0 or a.member_roles && ${roles}::text[])`;
}

export type NeighbourRow = {
  id: string;
  /** The display name when they chose to show it, else null ("Nachbar/in"). */
  name: string | null;
  avatar: string | null;
  hasPhoto: boolean;
  about: string | null;
  location: string | null;
};

/**
 * The listed neighbours of a property in the neighbour list's order, `limit` from `offset`
 * (plain rows, one statement), each with only what they chose to show; `only` narrows it to
 * some users (may they be written to?). The Nachbarschaftsprofil's fields only where it is on.
 */
export async function listedNeighbours(
  em: Em,
  organization: Organization,
  property: Property,
  at: Date,
  page: { limit: number; offset: number },
  only?: string[],
): Promise<NeighbourRow[]> {
  if (!communitySwitches(organization, property).community) return [];
  if (only && only.length === 0) return [];
  const organizationId = scopedOrganization(em);
  const profile = profileOpen(organization, property);
  const narrowUsers = only ? sql`and np.portal_user_id in (${sql.join(only)})` : sql``;
  // The listed users in the list's order first, then the access rule asked for each in turn
  // (correlated, `pu.id = s.id`) until the page is full: asked for all 2,000 listed users at
  // once it grouped every user's grounds before the first row (16 ms, issue 21's bench);
  // per row it reads ~16 buffers for each of the page's users. `offset 0` keeps PostgreSQL
  // from pushing the rule below the sort.
  const { rows } = await sql<{
    id: string;
    display_name: string | null;
    avatar: string | null;
    photo_key: string | null;
    show_name: boolean;
    show_photo: boolean;
    about: string | null;
    location: string | null;
  }>`
    select s.id, s.display_name, s.avatar, s.photo_key, s.show_name, s.show_photo, s.about, s.location
    from (select pu.id, pu.display_name, pu.avatar, pu.photo_key, np.show_name, np.show_photo, np.about, np.location,
            lower(case when np.show_name then pu.display_name end) as sort_name
          from neighbour_profile np
          join portal_user pu on pu.id = np.portal_user_id and pu.organization_id = ${organizationId}
            and pu.password_hash is not null and pu.disabled_at is null
          where np.organization_id = ${organizationId} and np.property_id = ${property.id} and np.listed ${narrowUsers}
          order by sort_name nulls last, pu.id
          offset 0) s
    where exists (select 1 from (${accessRowsQuery(organizationId, berlinDate(at), sql`and pu.id = s.id`)}) a
      where a.property_id = ${property.id} and ${participatesRow(communitySwitches(organization, property).commercialEmployees)})
    order by s.sort_name nulls last, s.id
    limit ${sql.lit(page.limit)} ${offsetSql(page.offset)}`.execute(em.getKysely());
  return rows.map((row) => ({
    id: row.id,
    name: row.show_name && row.display_name ? row.display_name : null,
    avatar: profile && row.show_photo ? row.avatar : null,
    hasPhoto: profile && row.show_photo && row.photo_key !== null,
    about: profile && row.about ? row.about : null,
    location: profile && row.location ? row.location : null,
  }));
}

/** One listed neighbour as the list shows them, or null when they do not appear there now. */
export async function listedNeighbour(em: Em, organization: Organization, property: Property, at: Date, userId: string): Promise<NeighbourRow | null> {
  const [row] = await listedNeighbours(em, organization, property, at, { limit: 1, offset: 0 }, [userId]);
  return row ?? null;
}

export type MessageRefusal = 'self' | 'notListed' | 'senderNotListed';

/**
 * May `sender` write to `recipientId` in this property now? Both must appear in the neighbour
 * list (one statement for both). Returns both rows as the list shows them, or why not. A block is no
 * refusal: the message is kept for the sender only (blockedBy).
 */
export async function mayMessage(
  em: Em,
  organization: Organization,
  property: Property,
  access: PropertyAccess,
  sender: PortalUser,
  recipientId: string,
  at: Date,
): Promise<{ recipient: NeighbourRow; sender: NeighbourRow } | { refusal: MessageRefusal }> {
  if (!messagesOpen(organization, property, access, sender)) return { refusal: 'senderNotListed' };
  if (recipientId === sender.id) return { refusal: 'self' };
  const rows = await listedNeighbours(em, organization, property, at, { limit: 2, offset: 0 }, [sender.id, recipientId]);
  const recipient = rows.find((row) => row.id === recipientId);
  const self = rows.find((row) => row.id === sender.id);
  if (!self) return { refusal: 'senderNotListed' };
  if (!recipient) return { refusal: 'notListed' };
  return { recipient, sender: self };
}

/** Whether `blocker` has blocked `blocked` (their messages are kept for the sender only). */
export async function blockedBy(em: Em, blocker: string, blocked: string): Promise<boolean> {
  const { rows } =
    await sql`select 1 from user_block where organization_id = ${scopedOrganization(em)} and blocker_id = ${blocker} and blocked_id = ${blocked}`.execute(
      em.getKysely(),
    );
  return rows.length > 0;
}

export type ConversationSight = {
  id: string;
  otherId: string;
  propertyId: string;
  lastReadAt: Date | null;
};

/**
 * A conversation of this property that `user` takes part in, while Direktnachrichten are
 * open to them here; null otherwise (the route answers 404). One statement.
 */
export async function visibleConversation(
  em: Em,
  organization: Organization,
  property: Property,
  access: PropertyAccess,
  user: PortalUser | null,
  conversationId: string,
): Promise<ConversationSight | null> {
  if (!user || !messagesOpen(organization, property, access, user)) return null;
  const { rows } = await sql<{ id: string; other_id: string; last_read_at: string | null }>`
    select c.id, case when c.user_low_id = ${user.id} then c.user_high_id else c.user_low_id end as other_id, p.last_read_at
    from conversation c
    join conversation_participant p on p.conversation_id = c.id and p.portal_user_id = ${user.id}
    where c.id = ${conversationId} and c.organization_id = ${scopedOrganization(em)} and c.property_id = ${property.id}`.execute(em.getKysely());
  const row = rows[0];
  return row ? { id: row.id, otherId: row.other_id, propertyId: property.id, lastReadAt: row.last_read_at ? new Date(row.last_read_at) : null } : null;
}

/** The condition for a message row `m` that `viewer` sees in a conversation they take part in: withheld ones only their sender. */
export function messageVisibleTo(viewerId: string) {
  return (m: string) => sql`(not ${sql.ref(`${m}.withheld`)} or ${sql.ref(`${m}.sender_id`)} = ${viewerId})`;
}

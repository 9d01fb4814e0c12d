import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import type { RowCondition } from '../../db/row-condition.ts';
import type { Organization, Property } from '../../entities/index.ts';
import type { PortalRole, PropertyAccess } from '../access/service.ts';
import { commercialBulletinOpen, communityOpen } from '../portal-settings/switches.ts';

/**
 * The one rule of who reads, writes and comments on the residents' side of a property's
 * Schwarzes Brett (issue 21). The Verwaltung's own posts (src/features/bulletin) reach
 * everyone who sees general content, as before; this module decides the rest:
 *
 * - Nothing of the residents' side exists where the Community-Bereich is off for the
 *   property (Verwaltung switch and property choice, src/features/portal-settings/switches.ts):
 *   the board is staff-only, and every resident write is refused (404).
 * - Where it is on, tenants, owners, Bewohner, the Beirat and Hausbesitzer take part (read,
 *   post, comment, report) with a running contract or membership there (`activeRoles`: a
 *   contract inside an access window alone does not count, so former residents lose access
 *   with their window); Gewerbemitarbeiter only where the Verwaltung's switch "Zugriff für
 *   Gewerbemitarbeiter auf die Schwarze Brett-Funktionalität" is on (without it they do not see
 *   the board at all, seesBoard); Dienstleister never (they read the Verwaltung's posts only).
 * - The preview reads the residents' posts (read only) where the Community-Bereich is on.
 * - A bar (BoardBar, set by staff) stops posting and commenting until it ends; reading and
 *   reporting stay.
 * - Residents see a post while it is not hidden by staff and its end date ("Anzeigen bis")
 *   has not passed; a comment while it is not hidden (boardPostVisible, boardCommentVisible).
 */

/** The roles that take part like tenants. */
const RESIDENT_ROLES: ReadonlySet<PortalRole> = new Set(['tenant', 'owner', 'resident', 'advisory_board', 'property_owner']);

/** Whether roles held now at a property take part in its community board (the switches aside from the Community-Bereich itself). */
function rolesTakePart(organization: Organization, roles: readonly PortalRole[]): boolean {
  if (roles.some((role) => RESIDENT_ROLES.has(role))) return true;
  return roles.includes('commercial_employee') && commercialBulletinOpen(organization);
}

/**
 * Whether the board shows at all (navigation and page): for everyone who sees general
 * content, except a Gewerbemitarbeiter (with no other role there) while the Verwaltung's
 * switch for them is off. Dienstleister see no general content (src/features/orders/access.ts).
 */
export function seesBoard(organization: Organization, access: PropertyAccess): boolean {
  if (!access.seesGeneralContent) return false;
  const onlyCommercial = access.activeRoles.length > 0 && access.activeRoles.every((role) => role === 'commercial_employee');
  return !onlyCommercial || commercialBulletinOpen(organization);
}

/** Whether a user with these roles (activeRoles of the access module) takes part in the property's community board now. */
export function takesPartIn(organization: Organization, property: Property, roles: readonly PortalRole[]): boolean {
  return communityOpen(organization, property) && rolesTakePart(organization, roles);
}

export type BoardViewer = {
  /** The residents' posts and comments show on the board. */
  readsResidentPosts: boolean;
  /** May post, comment and report (a resident who takes part; never the preview). */
  takesPart: boolean;
};

/** What the visitor of a property's board (resident or preview) may do there, before any bar. */
export function boardViewer(organization: Organization, scope: { preview: boolean; property: Property; access: PropertyAccess }): BoardViewer {
  if (scope.preview) return { readsResidentPosts: communityOpen(organization, scope.property), takesPart: false };
  const takesPart = takesPartIn(organization, scope.property, scope.access.activeRoles);
  return { readsResidentPosts: takesPart, takesPart };
}

/** The end of the bar that stops this user from posting and commenting at `now`, or null. */
export async function barredUntil(em: Em, organizationId: string, portalUserId: string, now: Date): Promise<Date | null> {
  const { rows } = await sql<{ until: string | Date }>`
    select max(b.until) as until from board_bar b
    where b.organization_id = ${organizationId} and b.portal_user_id = ${portalUserId} and b.lifted_at is null and b.until > ${now}`.execute(em.getKysely());
  const until = rows[0]?.until;
  return until ? new Date(until) : null;
}

/** A resident's post shows to those who read the board's residents' side on `day` (Berlin date): not hidden, not past its end date. */
export const boardPostVisible =
  (propertyId: string, day: string): RowCondition =>
  (b) =>
    sql`${sql.ref(`${b}.property_id`)} = ${propertyId} and ${sql.ref(`${b}.hidden_at`)} is null and (${sql.ref(`${b}.ends_on`)} is null or ${sql.ref(`${b}.ends_on`)} >= ${day}::date)`;

/** A comment shows while staff have not hidden it (its post's rule comes on top). */
export const boardCommentVisible: RowCondition = (c) => sql`${sql.ref(`${c}.hidden_at`)} is null`;

/**
 * Whether the author of a post is a former resident of the property: no running contract
 * or membership there any more ("ehemalige/r Bewohner/in" on their posts, which stay).
 */
export function isFormerResident(access: PropertyAccess | undefined): boolean {
  return !access || access.activeRoles.length === 0;
}

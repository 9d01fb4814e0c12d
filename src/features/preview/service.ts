import { createPreviewSession, validatePreviewToken } from '../../auth/session.ts';
import type { Em } from '../../db/orm.ts';
import { scopeToOrganization } from '../../db/tenant.ts';
import { Property, type Session } from '../../entities/index.ts';

/**
 * Vorschau: a staff member sees one property's resident portal as a resident of it with no
 * individual shares would. The preview is its own session (area 'preview', src/auth/session.ts)
 * tied to the staff session that opened it; the portal routers serve it read-only under
 * /portal/vorschau (mounted in src/app.ts, guarded by requirePreview in ./routes.ts).
 */

/**
 * Opens a preview of a property of the staff member's Verwaltung (the route's propertyScope
 * found it there) and returns the token for the preview cookie.
 */
export async function openPreview(em: Em, staffSession: Session, property: Property, now: Date): Promise<string> {
  const { token } = await createPreviewSession(em, staffSession, property, now);
  return token;
}

/**
 * The property a preview token shows, loaded with its Verwaltung, or null when the token
 * or its staff session is no longer valid. Scopes the EntityManager to that Verwaltung.
 */
export async function previewedProperty(em: Em, token: string, now: Date): Promise<Property | null> {
  const session = await validatePreviewToken(em, token, now);
  if (!session) return null;
  scopeToOrganization(em, session.organization.id);
  return em.findOne(Property, { id: session.previewProperty!.id }, { populate: ['organization'] });
}

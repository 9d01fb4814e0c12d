import { createPreviewSession, validatePreviewToken } from '../../auth/session.ts';
import type { Em } from '../../db/orm.ts';
import { scopeToOrganization } from '../../db/tenant.ts';
import { Property, type Session } from '../../entities/index.ts';
import { findByIdOr404 } from '../../http/find.ts';

/**
 * Vorschau: a staff member sees one property's resident portal as a resident of it with no
 * individual shares would. The preview is its own session (area 'preview', src/auth/session.ts)
 * tied to the staff session that opened it; the portal routers serve it read-only under
 * /portal/vorschau (mounted in src/app.ts, guarded by requirePreview in ./routes.ts).
 */

/**
 * Opens a preview of a property of the staff member's Verwaltung (404 for any other id) and
 * returns the token for the preview cookie.
 */
export async function openPreview(em: Em, staffSession: Session, propertyId: unknown, now: Date): Promise<{ token: string; property: Property }> {
  const property = await findByIdOr404(em, Property, propertyId);
  const { token } = await createPreviewSession(em, staffSession, property, now);
  return { token, property };
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

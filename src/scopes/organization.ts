import { Organization } from '../entities/index.ts';
import { findByIdOr404 } from '../http/find.ts';
import { publicScope, within } from './scope.ts';

/**
 * A Verwaltung by the id in a public URL (/verwaltungen/:organizationId/…): its Erscheinungsbild,
 * Impressum and Datenschutzerklärung, which it shows to everyone. Nothing personal is reached
 * through it; an unknown id is a 404.
 */
export const publicOrganizationScope = within(publicScope, 'Verwaltung (public)', async (_parent, req) => ({
  organization: await findByIdOr404(req.em, Organization, req.params.organizationId),
}));

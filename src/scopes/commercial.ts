import { PortalMembership } from '../entities/index.ts';
import { NotFoundError } from '../http/errors.ts';
import { companiesByIds } from '../features/commercial/service.ts';
import { residentPropertyScope } from './portal.ts';
import { within } from './scope.ts';
import { contactScope, findInScope } from './staff.ts';

// Gewerbemitarbeiter (src/features/commercial). In the portal, the "Mitarbeiter" page of a
// property exists only for a login of a company with a commercial tenancy running there
// (PropertyAccess.commercialContactIds, the access module's answer); a private tenant, an
// employee or a former tenant gets a 404. An employee is found only among the memberships of
// the visitor's companies there (in the console: of the URL's contact).

/** The property's "Mitarbeiter" page: the visitor's companies with a commercial tenancy there. */
export const companyEmployeesScope = within(residentPropertyScope, 'company employees', async ({ access }, req) => {
  if (access.commercialContactIds.length === 0) throw new NotFoundError('no commercial tenancy here');
  return { companies: await companiesByIds(req.em, access.commercialContactIds) };
});

/** A current employee of one of the visitor's companies at the URL's property (…/mitarbeiter/:membershipId). */
export const companyEmployeeScope = within(companyEmployeesScope, 'employee', async ({ companies, property }, req) => ({
  membership: await findInScope(
    req,
    PortalMembership,
    'membershipId',
    { property: property.id, role: 'commercial_employee', endedAt: null, companyContact: { $in: companies.map((c) => c.id) } },
    { populate: ['portalUser', 'property'] },
  ),
}));

/** A current employee of the URL's contact, for staff (/verwaltung/kontakte/:contactId/mitarbeiter/:membershipId). */
export const contactEmployeeScope = within(contactScope, 'employee', async ({ contact }, req) => ({
  membership: await findInScope(
    req,
    PortalMembership,
    'membershipId',
    { role: 'commercial_employee', endedAt: null, companyContact: contact.id },
    { populate: ['portalUser', 'property'] },
  ),
}));

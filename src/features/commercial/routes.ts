import { Router, type Request, type Response } from 'express';
import type { Contact } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { field, fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { companyEmployeeScope, companyEmployeesScope, contactEmployeeScope } from '../../scopes/commercial.ts';
import type { ResidentPropertyScope } from '../../scopes/portal.ts';
import { scoped } from '../../scopes/scope.ts';
import { contactScope } from '../../scopes/staff.ts';
import { showContact } from '../contacts/page.ts';
import { employeesOf, inviteEmployee, openInvitationsOf, removeEmployee, tenancyPropertiesOf } from './service.ts';

type EmployeeForm = { name: string; email: string; companyId: string };
const EMPTY: EmployeeForm = { name: '', email: '', companyId: '' };

const readForm = (req: Request): EmployeeForm => ({
  name: field(req.body.name),
  email: field(req.body.email).trim(),
  companyId: field(req.body.companyId),
});

/** The company a form names: the only one, or the chosen one among several (else a field error). */
function chosen<T extends { id: string }>(choices: T[], id: string): T | undefined {
  return choices.length === 1 ? choices[0] : choices.find((c) => c.id === id);
}

/** "Mitarbeiter": the company's employees at the property, its open invitations and the invitation form. */
async function showEmployees(
  req: Request,
  res: Response,
  scope: ResidentPropertyScope & { companies: Contact[] },
  form: EmployeeForm = EMPTY,
  errors: FieldErrors = {},
  status = 200,
) {
  const ids = scope.companies.map((c) => c.id);
  const now = req.deps.clock.now();
  render(
    req,
    res,
    'commercial/employees',
    {
      title: req.t('commercial:portal.title'),
      section: 'employees',
      companies: scope.companies,
      employees: await employeesOf(req.em, ids, scope.property),
      invitations: await openInvitationsOf(req.em, ids, now, scope.property),
      form,
      errors: fieldMessages(req.t, errors),
      notice: ['eingeladen', 'entfernt'].find((n) => n === req.query.hinweis) ?? null,
    },
    status,
  );
}

const employeesPath = (propertyId: string) => `/portal/liegenschaften/${propertyId}/mitarbeiter`;

/** Portal, residents only (never the preview): a commercial tenant's employees at a property. */
export function portalRoutes() {
  const router = Router();
  const path = '/liegenschaften/:propertyId/mitarbeiter';

  router.get(
    path,
    scoped(companyEmployeesScope, (req, res, scope) => showEmployees(req, res, scope)),
  );

  router.post(
    path,
    scoped(companyEmployeesScope, async (req, res, scope) => {
      const form = readForm(req);
      const company = chosen(scope.companies, form.companyId);
      const errors: FieldErrors = company
        ? await inviteEmployee(req.em, { user: scope.user }, { company, property: scope.property }, form, req.deps.config.baseUrl, req.deps.clock.now())
        : { companyId: 'commercial:errors.companyRequired' };
      if (Object.keys(errors).length > 0) return showEmployees(req, res, scope, form, errors, 422);
      res.redirect(303, `${employeesPath(scope.property.id)}?hinweis=eingeladen`);
    }),
  );

  router.post(
    `${path}/:membershipId/entfernen`,
    scoped(companyEmployeeScope, async (req, res, { user, property, membership }) => {
      await removeEmployee(req.em, { user }, membership, req.deps.clock.now());
      res.redirect(303, `${employeesPath(property.id)}?hinweis=entfernt`);
    }),
  );

  return router;
}

/**
 * Console, on the contact's page (views/contacts/show.eta through ./_contact-employees.eta):
 * staff invite and remove the employees of a company with a commercial tenancy.
 */
export function consoleRoutes() {
  const router = Router();
  const contactPath = (id: string) => `/verwaltung/kontakte/${id}`;

  router.post(
    '/kontakte/:contactId/mitarbeiter',
    scoped(contactScope, async (req, res, scope) => {
      const { staff, contact } = scope;
      const form = { ...readForm(req), propertyId: field(req.body.propertyId) };
      const properties = await tenancyPropertiesOf(req.em, contact, req.deps.clock.now());
      // Only a company with a commercial tenancy running has employees to invite (the page offers no form otherwise).
      if (properties.length === 0) throw new NotFoundError(`contact ${contact.id} has no commercial tenancy`);
      const property = chosen(properties, form.propertyId);
      const errors: FieldErrors = property
        ? await inviteEmployee(req.em, { staff }, { company: contact, property }, form, req.deps.config.baseUrl, req.deps.clock.now())
        : { propertyId: 'commercial:errors.propertyRequired' };
      if (Object.keys(errors).length > 0) return showContact(req, res, scope, { employeeForm: form, employeeErrors: fieldMessages(req.t, errors) }, 422);
      res.redirect(303, `${contactPath(contact.id)}?hinweis=mitarbeiter-eingeladen&an=${encodeURIComponent(form.email.toLowerCase())}`);
    }),
  );

  router.post(
    '/kontakte/:contactId/mitarbeiter/:membershipId/entfernen',
    scoped(contactEmployeeScope, async (req, res, { staff, contact, membership }) => {
      await removeEmployee(req.em, { staff }, membership, req.deps.clock.now());
      res.redirect(303, `${contactPath(contact.id)}?hinweis=mitarbeiter-entfernt`);
    }),
  );

  return router;
}

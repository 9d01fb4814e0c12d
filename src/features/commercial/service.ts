import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { Contact, contactDisplayName, Invitation, PortalMembership, PortalUser, Property, type Organization, type StaffUser } from '../../entities/index.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { germanOrder } from '../../intl.ts';
import { commercialTenancyProperties } from '../access/service.ts';
import { applyAccessWindows } from '../access/windows.ts';
import { auditPortalAction, auditStaffAction } from '../audit/service.ts';
import { createInvitation, registrationLink } from '../invitations/codes.ts';
import { isEmail, normalizeEmail } from '../login/service.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { inviteeEmailProblem, validateName } from '../registration/service.ts';

/**
 * Gewerbemitarbeiter (issue 23, seed 001): a commercial tenant — a company contact with a
 * commercial tenancy running at a property (commercialTenancy, src/features/access/service.ts)
 * — invites its employees by e-mail, through the logins linked to the company's contact in
 * the portal, or through staff on the contact's page. An employee registers like an invited
 * Bewohner (./redeem.ts) and holds a commercial_employee membership tied to the company: it
 * ends when the company's tenancy ends (the access rule stops counting it) or when the
 * company or staff remove the employee (removeEmployee).
 */

/** Who acts: a login of the company in the portal, or staff in the console. */
export type Actor = { user: PortalUser } | { staff: StaffUser };

/** The company contacts among `ids` (from PropertyAccess.commercialContactIds), by name. */
export async function companiesByIds(em: Em, ids: string[]): Promise<Contact[]> {
  if (ids.length === 0) return [];
  const companies = await em.find(Contact, { id: { $in: ids } });
  return companies.sort((a, b) => germanOrder(contactDisplayName(a), contactDisplayName(b)));
}

/** The properties where the company contact may invite employees now (staff side), by name. */
export async function tenancyPropertiesOf(em: Em, company: Contact, now: Date): Promise<Property[]> {
  const ids = await commercialTenancyProperties(em, scopedOrganization(em), company.id, now);
  return ids.length ? em.find(Property, { id: { $in: ids } }, { orderBy: { name: 'asc' } }) : [];
}

/** The companies' current employees (of one property, or of any), oldest first. */
export function employeesOf(em: Em, companyIds: string[], property?: Property) {
  if (companyIds.length === 0) return Promise.resolve([]);
  return em.find(
    PortalMembership,
    { role: 'commercial_employee', companyContact: { $in: companyIds }, endedAt: null, ...(property ? { property: property.id } : {}) },
    { populate: ['portalUser', 'property', 'companyContact'], orderBy: { createdAt: 'asc', id: 'asc' } },
  );
}

/** The companies' invitations not used yet (of one property, or of any), newest first. */
export function openInvitationsOf(em: Em, companyIds: string[], now: Date, property?: Property) {
  if (companyIds.length === 0) return Promise.resolve([]);
  return em.find(
    Invitation,
    {
      kind: 'commercial_employee',
      companyContact: { $in: companyIds },
      usedAt: null,
      revokedAt: null,
      expiresAt: { $gt: now },
      ...(property ? { property: property.id } : {}),
    },
    { populate: ['property'], orderBy: { createdAt: 'desc', id: 'asc' } },
  );
}

export type EmployeeInvite = { name: string; email: string };

/**
 * The problems of an invitation of `email` as employee of `company` at `property`: a name,
 * a valid address (for a resident also not their own and within the day's limit), not a
 * login of the company itself, not someone already employed there.
 */
async function inviteProblems(em: Em, actor: Actor, company: Contact, property: Property, input: EmployeeInvite, now: Date): Promise<FieldErrors> {
  const errors: FieldErrors = validateName(input.name);
  const email = normalizeEmail(input.email);
  const emailProblem = 'user' in actor ? await inviteeEmailProblem(em, actor.user, email, now) : isEmail(email) ? null : 'registration:errors.emailInvalid';
  if (emailProblem) errors.email = emailProblem;
  if (errors.email) return errors;
  const existing = await em.findOne(PortalUser, { email }, { populate: ['contacts'] });
  if (!existing) return errors;
  if (existing.contacts.getItems().some((c) => c.id === company.id)) errors.email = 'commercial:errors.companyLogin';
  else if (
    await em.count(PortalMembership, { portalUser: existing.id, property: property.id, role: 'commercial_employee', companyContact: company.id, endedAt: null })
  )
    errors.email = 'commercial:errors.alreadyEmployee';
  return errors;
}

/**
 * Invites an employee of `company` as Gewerbemitarbeiter of `property` by e-mail (the outbox).
 * The caller has checked that the company has a commercial tenancy there (the scopes,
 * src/scopes/commercial.ts). A newer invitation to the same address replaces the older one.
 */
export async function inviteEmployee(
  em: Em,
  actor: Actor,
  target: { company: Contact; property: Property },
  input: EmployeeInvite,
  baseUrl: string,
  now: Date,
): Promise<FieldErrors> {
  const { company, property } = target;
  const errors = await inviteProblems(em, actor, company, property, input, now);
  if (Object.keys(errors).length > 0) return errors;
  const email = normalizeEmail(input.email);
  const organization: Organization = 'user' in actor ? actor.user.organization : actor.staff.organization;
  await em.transactional(async (tx) => {
    const { invitation, code } = await createInvitation(
      tx,
      {
        organization,
        kind: 'commercial_employee',
        channel: 'email',
        property,
        companyContact: company,
        email,
        invitedByPortalUser: 'user' in actor ? actor.user : null,
        invitedByStaff: 'staff' in actor ? actor.staff : null,
      },
      now,
    );
    const data = {
      name: input.name.trim(),
      companyName: contactDisplayName(company),
      propertyName: property.name,
      link: registrationLink(baseUrl, code),
      code,
      validUntil: invitation.expiresAt,
    };
    enqueueMail(tx, { organization, to: email, template: 'commercial-employee-invitation', locale: 'de', data }, now);
    const details = { kind: 'commercial_employee', invitationId: invitation.id, propertyId: property.id, companyContactId: company.id };
    if ('user' in actor) auditPortalAction(tx, actor.user, 'invitation.sent', details, now);
    else auditStaffAction(tx, actor.staff, 'invitation.sent', { type: 'Contact', id: company.id }, details, now);
  });
  return {};
}

/**
 * Removes an employee: the membership ends now, in the audit log with who removed them. The
 * access rule stops counting it with the next request (the flush evicts the access cache,
 * src/features/access/cache.ts), and the access-window task runs at once, so an employee
 * left without any property loses their sessions now.
 */
export async function removeEmployee(em: Em, actor: Actor, membership: PortalMembership, now: Date) {
  membership.endedAt = now;
  const details = { propertyId: membership.property.id, role: membership.role, companyContactId: membership.companyContact?.id ?? null };
  if ('user' in actor) {
    auditPortalAction(em, actor.user, 'portal_membership.ended', { ...details, portalUserId: membership.portalUser.id }, now);
  } else {
    auditStaffAction(em, actor.staff, 'portal_membership.ended', { type: 'PortalUser', id: membership.portalUser.id }, details, now);
  }
  await em.flush();
  await applyAccessWindows(em, now, membership.organization.id);
}
/**
 * What the contact's page in the console shows of its employees: nothing for a contact that
 * is no company and never had one; else the properties it may invite to now, its employees
 * and open invitations.
 */
export async function employeesPanel(em: Em, contact: Contact, now: Date) {
  if (contact.type !== 'company') return null;
  const properties = await tenancyPropertiesOf(em, contact, now);
  const employees = await employeesOf(em, [contact.id]);
  const invitations = await openInvitationsOf(em, [contact.id], now);
  if (properties.length === 0 && employees.length === 0 && invitations.length === 0) return null;
  return { properties, employees, invitations };
}

import type { Em } from '../../db/orm.ts';
import { StaffUser, STAFF_ROLES, type StaffRole } from '../../entities/index.ts';
import { issueToken } from '../../auth/tokens.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { isEmail, normalizeEmail } from '../login/service.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { auditStaffAction } from '../audit/service.ts';

export type StaffInvitationInput = { name: string; email: string; role: string };
export type { FieldErrors };

/** Lists the staff of the current Verwaltung (the request's EntityManager is scoped). */
export function listStaff(em: Em) {
  return em.find(StaffUser, {}, { orderBy: { name: 'asc' } });
}

/** Checks an invitation form; returns i18n keys per field. */
export async function validateInvitation(em: Em, input: StaffInvitationInput): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  if (!input.name.trim()) errors.name = 'console:staff.errors.nameRequired';
  const email = normalizeEmail(input.email);
  if (!isEmail(email)) errors.email = 'console:staff.errors.emailInvalid';
  else if (await em.count(StaffUser, { email })) errors.email = 'console:staff.errors.emailTaken';
  if (!(STAFF_ROLES as readonly string[]).includes(input.role)) errors.role = 'console:staff.errors.roleInvalid';
  return errors;
}

/**
 * Creates an invited staff member and sends "Einladung zum Service-Portal" with the link
 * "Jetzt Mitarbeiterkonto einrichten", in one transaction.
 */
export async function inviteStaff(em: Em, admin: StaffUser, input: StaffInvitationInput, baseUrl: string, now: Date) {
  const staff = em.create(StaffUser, {
    organization: admin.organization,
    name: input.name.trim(),
    email: normalizeEmail(input.email),
    role: input.role as StaffRole,
    createdAt: now,
  });
  await sendInvitation(em, admin, staff, baseUrl, now);
  return staff;
}

/** (Re)sends the invitation; an earlier link stops working. */
export async function sendInvitation(em: Em, admin: StaffUser, staff: StaffUser, baseUrl: string, now: Date) {
  const token = await issueToken(em, { area: 'staff', user: staff }, 'staff_invitation', now);
  enqueueMail(
    em,
    {
      organization: admin.organization,
      to: staff.email,
      template: 'staff-invitation',
      locale: staff.locale,
      data: { name: staff.name, invitedBy: admin.name, link: `${baseUrl}/verwaltung/einladung/${token}` },
    },
    now,
  );
  auditStaffAction(em, admin, 'staff.invited', { type: 'StaffUser', id: staff.id }, null, now);
  await em.flush();
}

import type { Em } from '../../db/orm.ts';
import { type Invitation, type PortalUser, type ServiceProvider, ServiceProviderMember, type StaffUser } from '../../entities/index.ts';
import { applyAccessWindows } from '../access/windows.ts';
import { auditStaffAction } from '../audit/service.ts';
import { createInvitation, invitationExpiry, registrationLink } from '../invitations/codes.ts';
import { isEmail, normalizeEmail } from '../login/service.ts';
import { enqueueMail } from '../mail/outbox.ts';

/**
 * A Dienstleister's people: staff invite them by e-mail from the Dienstleister's page; they
 * register like residents (src/features/registration, kind service_provider) and their login
 * is linked to the Dienstleister. What it sees: ./access.ts.
 */

/** Invites someone of the Dienstleister by e-mail; a newer invitation to the same address replaces the older. */
export async function inviteProviderPerson(
  em: Em,
  staff: StaffUser,
  provider: ServiceProvider,
  input: { name: string; email: string },
  baseUrl: string,
  now: Date,
): Promise<Record<string, string>> {
  const email = normalizeEmail(input.email);
  const name = input.name.trim();
  const errors: Record<string, string> = {};
  if (!isEmail(email)) errors.email = 'orders:errors.email';
  if (name.length > 200) errors.name = 'orders:errors.tooLong';
  if (Object.keys(errors).length > 0) return errors;
  const organization = staff.organization;
  await em.transactional(async (tx) => {
    const { invitation, code } = await createInvitation(
      tx,
      { organization, kind: 'service_provider', channel: 'email', email, invitedByStaff: staff, serviceProvider: provider },
      now,
    );
    enqueueMail(
      tx,
      {
        organization,
        to: email,
        template: 'provider-invitation',
        locale: 'de',
        data: {
          name: name || null,
          providerName: provider.name,
          link: registrationLink(baseUrl, code),
          code,
          validUntil: invitationExpiry(organization, now),
        },
      },
      now,
    );
    auditStaffAction(
      tx,
      staff,
      'invitation.sent',
      { type: 'service_provider', id: provider.id },
      { kind: 'service_provider', invitationId: invitation.id },
      now,
    );
  });
  return {};
}

/**
 * Redeeming a Dienstleister's invitation (src/features/registration/service.ts redeem): the
 * login joins the Dienstleister. An i18n key when it already belongs to it.
 */
export async function joinProvider(tx: Em, invitation: Invitation, user: PortalUser, now: Date): Promise<string | null> {
  if (!invitation.serviceProvider) return 'registration:errors.code.unknown';
  const existing = user.id ? await tx.findOne(ServiceProviderMember, { portalUser: user.id, provider: invitation.serviceProvider.id }) : null;
  if (existing && !existing.endedAt) return 'registration:errors.alreadyLinked';
  if (existing) existing.endedAt = null;
  else tx.create(ServiceProviderMember, { organization: invitation.organization, portalUser: user, provider: invitation.serviceProvider, createdAt: now });
  return null;
}

/** "Zugang beenden" for a login of a Dienstleister: it loses the properties at once. */
export async function endProviderMember(em: Em, staff: StaffUser, member: ServiceProviderMember, now: Date) {
  member.endedAt = now;
  auditStaffAction(em, staff, 'service_provider_member.ended', { type: 'PortalUser', id: member.portalUser.id }, { providerId: member.provider.id }, now);
  await em.flush();
  await applyAccessWindows(em, now, staff.organization.id);
}

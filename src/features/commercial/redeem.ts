import type { Em } from '../../db/orm.ts';
import { type Invitation, PortalMembership, type PortalUser } from '../../entities/index.ts';
import { commercialTenancyProperties } from '../access/service.ts';

/**
 * Registering (or "Weiteren Zugang hinzufügen") with a Gewerbemitarbeiter's invitation
 * (src/features/registration/service.ts, redeem): makes `user` Gewerbemitarbeiter of the
 * invitation's property for its company. The invitation holds only while the company's
 * commercial tenancy there still runs. Returns the i18n key of the refusal, or null.
 */
export async function redeemEmployeeInvitation(tx: Em, invitation: Invitation, user: PortalUser, now: Date): Promise<string | null> {
  const { property, companyContact } = invitation;
  if (!property || !companyContact) return 'registration:errors.code.unknown';
  const tenancies = await commercialTenancyProperties(tx, invitation.organization.id, companyContact.id, now);
  if (!tenancies.includes(property.id)) return 'commercial:errors.invitationWithdrawn';
  const existing = user.id ? await tx.findOne(PortalMembership, { portalUser: user.id, property: property.id, role: 'commercial_employee' }) : null;
  if (existing && !existing.endedAt) return 'registration:errors.alreadyLinked';
  const invitedBy = invitation.invitedByPortalUser ?? null;
  if (existing) {
    // One membership per user, property and role (a unique key): a former employee comes back, perhaps for another company.
    Object.assign(existing, { endedAt: null, companyContact, invitedBy, createdAt: now });
    return null;
  }
  tx.create(PortalMembership, {
    organization: invitation.organization,
    portalUser: user,
    property,
    role: 'commercial_employee',
    companyContact,
    invitedBy,
    createdAt: now,
  });
  return null;
}

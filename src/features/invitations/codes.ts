import { createHash, randomInt } from 'node:crypto';
import type { Em } from '../../db/orm.ts';
import {
  Invitation,
  type Contact,
  type InvitationChannel,
  type InvitationKind,
  type Organization,
  type PortalUser,
  type Property,
  type ServiceProvider,
  type StaffUser,
} from '../../entities/index.ts';

/**
 * Registration codes: 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
 * shown as XXXX-XXXX-XXXX so they can be typed from a letter. 31^12 ≈ 2^59 possibilities;
 * guessing is throttled on top (src/features/registration).
 */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 12;

export function generateCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

/** What a resident typed or what came in a link, in the form the hash is taken of. */
export function normalizeCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export function hashCode(code: string): string {
  return createHash('sha256').update(normalizeCode(code)).digest('hex');
}

export function registrationLink(baseUrl: string, code: string): string {
  return `${baseUrl}/portal/registrieren?code=${encodeURIComponent(code)}`;
}

export type NewInvitation = {
  organization: Organization;
  kind: InvitationKind;
  channel: InvitationChannel;
  contact?: Contact | null;
  property?: Property | null;
  email?: string | null;
  invitedByStaff?: StaffUser | null;
  invitedByPortalUser?: PortalUser | null;
  /** The company of an invited Gewerbemitarbeiter (kind commercial_employee). */
  companyContact?: Contact | null;
  /** The Dienstleister a login is invited for (kind service_provider, src/features/orders/members.ts). */
  serviceProvider?: ServiceProvider | null;
  /** The code, when the caller chose it first (a letter drawn before the invitation is written); a new one otherwise. */
  code?: string;
};

/** Until when an invitation sent now can be used: the Verwaltung's validity in days. */
export function invitationExpiry(organization: Organization, now: Date): Date {
  return new Date(now.getTime() + organization.invitationValidDays * 24 * 60 * 60 * 1000);
}

/**
 * Creates an invitation and returns it with its code (the only time the code exists in
 * clear). A newer invitation replaces the older ones for the same recipient: the contact's
 * own invitations (kind contact), or those of the same kind and sender sent to the same
 * e-mail (additional_user, neighbour, commercial_employee, service_provider). Persisted with the caller's flush, together with the mail or letter.
 */
export async function createInvitation(em: Em, input: NewInvitation, now: Date): Promise<{ invitation: Invitation; code: string }> {
  if (input.kind === 'contact' && input.contact) {
    await revokeContactInvitations(em, [input.contact.id], now);
  } else if (input.email) {
    await em.nativeUpdate(
      Invitation,
      // The same sender only: a company's or a Dienstleister's invitation never cancels another's.
      {
        ...OPEN,
        kind: input.kind,
        email: input.email,
        contact: input.contact?.id ?? null,
        property: input.property?.id ?? null,
        companyContact: input.companyContact?.id ?? null,
        serviceProvider: input.serviceProvider?.id ?? null,
      },
      { revokedAt: now },
    );
  }
  return newInvitation(em, input, now);
}

const OPEN = { usedAt: null, revokedAt: null };

/** Revokes the open invitations of these contacts for themselves (kind contact): a new one replaces them. */
export function revokeContactInvitations(em: Em, contactIds: string[], now: Date): Promise<number> {
  return em.nativeUpdate(Invitation, { ...OPEN, kind: 'contact', contact: { $in: contactIds } }, { revokedAt: now });
}

/**
 * The creation half of createInvitation, without revoking older invitations: for the bulk
 * invitation of a property, which revokes the open invitations of all its contacts in one
 * statement first (revokeContactInvitations). Use createInvitation otherwise.
 */
export function newInvitation(em: Em, input: NewInvitation, now: Date): { invitation: Invitation; code: string } {
  const code = input.code ?? generateCode();
  const invitation = em.create(Invitation, {
    organization: input.organization,
    kind: input.kind,
    channel: input.channel,
    codeHash: hashCode(code),
    contact: input.contact ?? null,
    property: input.property ?? null,
    email: input.email ?? null,
    invitedByStaff: input.invitedByStaff ?? null,
    invitedByPortalUser: input.invitedByPortalUser ?? null,
    companyContact: input.companyContact ?? null,
    serviceProvider: input.serviceProvider ?? null,
    expiresAt: invitationExpiry(input.organization, now),
    createdAt: now,
  });
  return { invitation, code };
}

export type InvitationState = 'open' | 'used' | 'expired' | 'replaced';

/**
 * Where an invitation stands: offen, verwendet, ersetzt (a newer one was sent), abgelaufen.
 * The one definition; portalStatuses (./service.ts) says the same in SQL for a whole page.
 */
export function invitationState(invitation: Pick<Invitation, 'usedAt' | 'revokedAt' | 'expiresAt'>, now: Date): InvitationState {
  if (invitation.usedAt) return 'used';
  if (invitation.revokedAt) return 'replaced';
  if (invitation.expiresAt <= now) return 'expired';
  return 'open';
}

/**
 * The invitation behind a code, if it can still be used. Looked up before any Verwaltung
 * is known (the code is the secret), so across Verwaltungen.
 */
export async function findUsableInvitation(em: Em, code: string, now: Date): Promise<Invitation | null> {
  const normalized = normalizeCode(code);
  if (normalized.length !== LENGTH) return null;
  const invitation = await em.findOne(
    Invitation,
    { codeHash: hashCode(normalized) },
    { populate: ['organization', 'contact', 'property', 'companyContact'], filters: { tenant: false } },
  );
  if (!invitation || invitationState(invitation, now) !== 'open') return null;
  return invitation;
}

/**
 * Marks an invitation used by `user`. The conditional update makes the code single-use
 * even when two registrations race: only the one that flips usedAt from null wins.
 */
export async function consumeInvitation(em: Em, invitationId: string, user: PortalUser, now: Date): Promise<boolean> {
  const changed = await em.nativeUpdate(
    Invitation,
    { id: invitationId, usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
    { usedAt: now, usedBy: user.id },
  );
  return changed === 1;
}

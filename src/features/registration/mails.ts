import type { Em } from '../../db/orm.ts';
import type { Invitation, Organization } from '../../entities/index.ts';
import { registrationLink } from '../invitations/codes.ts';
import { enqueueMail } from '../mail/outbox.ts';

/**
 * The invitations residents send themselves: "Nachbarn einladen" (template
 * neighbour-invitation) and "Nutzer zum Kontakt hinzufügen" (additional-user-invitation).
 * The console's "Kontakt einladen" mail lives in src/features/invitations/service.ts.
 * German: the invitee's language is not known yet.
 */
export function enqueuePortalInvitationMail(
  em: Em,
  input: {
    organization: Organization;
    invitation: Invitation;
    code: string;
    to: string;
    /** The invitee's name as the inviter typed it (neighbours). */
    name?: string;
    inviterName: string;
    propertyName?: string;
    contactName?: string;
    baseUrl: string;
  },
  now: Date,
) {
  const neighbour = input.invitation.kind === 'neighbour';
  enqueueMail(
    em,
    {
      organization: input.organization,
      to: input.to,
      template: neighbour ? 'neighbour-invitation' : 'additional-user-invitation',
      locale: 'de',
      data: {
        name: input.name ?? null,
        inviterName: input.inviterName,
        propertyName: input.propertyName ?? null,
        contactName: input.contactName ?? null,
        link: registrationLink(input.baseUrl, input.code),
        code: input.code,
        validUntil: input.invitation.expiresAt,
      },
    },
    now,
  );
}

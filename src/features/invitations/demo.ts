import type { Em } from '../../db/orm.ts';
import { InvitationLetterBatch, PortalUser, type Contact, type Organization, type StaffUser } from '../../entities/index.ts';
import type { FileStorage } from '../../storage/files.ts';
import { newInvitation } from './codes.ts';
import { buildLettersPdf } from './letter-pdf.ts';
import { putBytes } from '../../storage/files.ts';
import { letterFor, postalAddresses } from './service.ts';

/** What `npm start` gives the demo seed so the letter PDF can be stored (tests seed without). */
export type DemoSeedOptions = { storage?: FileStorage; baseUrl?: string };

/** The part of the demo world (src/features/demo/seed.ts) the invitations need. */
export type DemoInvitationWorld = {
  organizations: { sonnenschein: Organization };
  staff: { manager: StaffUser };
  contacts: { becker: Contact; nowak: Contact; wagner: Contact };
};

/**
 * Every portal status shows in the Kontakte list: Jonas Becker is invited by e-mail (no
 * mail: the demo starts with an empty outbox), Marta Nowak by letter (the PDF is stored
 * when the seed gets a file storage, as `npm start` gives it), Elena Wagner's login is
 * blocked. Kristina Maiblume and Dr. Eigner are registered. Flushed by the caller.
 */
export async function seedDemoInvitations(tx: Em, world: DemoInvitationWorld, now: Date, options: DemoSeedOptions = {}) {
  const organization = world.organizations.sonnenschein;
  const { becker, nowak, wagner } = world.contacts;
  const invitedByStaff = world.staff.manager;
  newInvitation(tx, { organization, kind: 'contact', channel: 'email', contact: becker, email: becker.email, invitedByStaff }, now);

  const { invitation, code } = newInvitation(tx, { organization, kind: 'contact', channel: 'letter', contact: nowak, invitedByStaff }, now);
  if (options.storage) {
    // Marta Nowak has an address of her own, so this needs no query.
    const address = (await postalAddresses(tx, [nowak])).get(nowak.id)!;
    const letter = letterFor(organization, nowak, address, code, invitation.expiresAt, options.baseUrl ?? 'http://localhost:3000', now);
    const storageKey = await putBytes(options.storage, await buildLettersPdf([letter]));
    invitation.letterBatch = tx.create(InvitationLetterBatch, {
      organization,
      property: null,
      createdBy: invitedByStaff,
      storageKey,
      letterCount: 1,
      createdAt: now,
    });
  }

  tx.create(PortalUser, {
    organization,
    email: wagner.email!,
    name: 'Elena Wagner',
    passwordHash: null,
    createdAt: now,
    onboardedAt: now,
    disabledAt: now,
    contacts: [wagner],
  });
}

import { rm } from 'node:fs/promises';
import { sql, type RawBuilder } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import {
  Contact,
  contactDisplayName,
  type Invitation,
  InvitationLetterBatch,
  PortalUser,
  type InvitationChannel,
  type Organization,
  type Property,
  type StaffUser,
} from '../../entities/index.ts';
import { invalidateUserSessions } from '../../auth/session.ts';
import { translator } from '../../http/i18n.ts';
import { helpers } from '../../http/view-helpers.ts';
import type { PdfWorkers } from '../../pdf/workers.ts';
import { newTempPath, storeThenWrite, type FileStorage } from '../../storage/files.ts';
import { contactsInAccessWindow, contactsWithinAccessWindow } from '../access/service.ts';
import { isEmail, normalizeEmail } from '../login/service.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { createInvitation, generateCode, invitationExpiry, newInvitation, registrationLink, revokeContactInvitations } from './codes.ts';
// Type-only: the letters are drawn in the PDF workers, pdf-lib never loads on the request thread.
import { brandLogoPng } from '../branding/service.ts';
import type { drawLetters } from './letter-jobs.ts';
import type { Letter } from './letter-pdf.ts';
import { auditStaffAction } from '../audit/service.ts';

/** "nicht eingeladen", "eingeladen", "registriert", "gesperrt" in the console. */
export const PORTAL_STATUSES = ['not_invited', 'invited', 'registered', 'disabled'] as const;
export type PortalStatus = (typeof PORTAL_STATUSES)[number];

/**
 * The portal status of each contact, in one query for a whole page of contacts:
 * registered — a linked login with a password that is not disabled; disabled — linked
 * logins exist, all disabled; invited — an open invitation (not used, revoked or expired);
 * otherwise not invited.
 */
export async function portalStatuses(em: Em, contactIds: string[], now: Date): Promise<Map<string, PortalStatus>> {
  const statuses = new Map<string, PortalStatus>();
  if (contactIds.length === 0) return statuses;
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<{ id: string } & PortalStatusFlags>`
    select ct.id, ${portalStatusFlags(organizationId, now, sql.ref('ct.id'))}
    from contact ct
    where ct.organization_id = ${organizationId} and ct.id in (${sql.join(contactIds)})`.execute(em.getKysely());
  for (const row of rows) statuses.set(row.id, portalStatusOf(row));
  return statuses;
}

export type PortalStatusFlags = { enabled: boolean; linked: boolean; invited: boolean };

/**
 * The columns a contact's portal status is made of (`enabled`, `linked`, `invited`), for the
 * contact whose id is `contactId` (a column reference): selected beside other columns by the
 * Kontakte list (src/features/contacts/service.ts), so the list costs no extra statement.
 * The rule itself is portalStatusOf.
 */
export function portalStatusFlags(organizationId: string, now: Date, contactId: RawBuilder<unknown>) {
  return sql`
      exists (select 1 from portal_user_contact puc join portal_user pu on pu.id = puc.portal_user_id
              where puc.contact_id = ${contactId} and pu.password_hash is not null and pu.disabled_at is null) as enabled,
      exists (select 1 from portal_user_contact puc where puc.contact_id = ${contactId}) as linked,
      exists (select 1 from invitation i where i.contact_id = ${contactId} and i.organization_id = ${organizationId}
              and i.used_at is null and i.revoked_at is null and i.expires_at > ${now}) as invited`;
}

/** A contact's portal status from its portalStatusFlags. */
export function portalStatusOf(flags: PortalStatusFlags): PortalStatus {
  return flags.enabled ? 'registered' : flags.linked ? 'disabled' : flags.invited ? 'invited' : 'not_invited';
}

/** Why a contact cannot be invited (i18n keys below invitations:problems). */
export type InviteProblem = 'outsideWindow' | 'alreadyRegistered' | 'disabled' | 'noEmail' | 'noAddress' | 'channelInvalid';

/**
 * Whether a contact may be invited now: a contract inside the access window (seed 002: with
 * the windows switched on, also before the start and after the end), not registered yet.
 * `knownStatus`: the contact's portal status when the caller has it already.
 */
export async function invitationProblem(em: Em, contact: Contact, now: Date, knownStatus?: PortalStatus): Promise<InviteProblem | null> {
  const status = knownStatus ?? (await portalStatuses(em, [contact.id], now)).get(contact.id);
  if (status === 'registered') return 'alreadyRegistered';
  if (status === 'disabled') return 'disabled';
  return (await inAccessWindow(em, contact, now)) ? null : 'outsideWindow';
}

async function inAccessWindow(em: Em, contact: Contact, now: Date): Promise<boolean> {
  return (await contactsWithinAccessWindow(em, [contact], now)).length > 0;
}

type InviteInput = { staff: StaffUser; baseUrl: string; storage: FileStorage; pdf: PdfWorkers; now: Date };

/**
 * "Kontakt einladen": by e-mail (the personal link and the code) or by letter (a stored PDF,
 * see ./letter-pdf.ts). Replaces an open invitation of the contact. The letter is drawn
 * first (withLettersPdf); the rest happens in one transaction, and the stored letter is
 * removed again if it fails.
 */
export async function inviteContact(
  em: Em,
  input: InviteInput & { contact: Contact; channel: string },
): Promise<{ problem: InviteProblem } | { invitation: Invitation; batch: InvitationLetterBatch | null }> {
  const { contact, staff, now } = input;
  if (input.channel !== 'email' && input.channel !== 'letter') return { problem: 'channelInvalid' };
  if (input.channel === 'email' && !contact.email) return { problem: 'noEmail' };
  const problem = await invitationProblem(em, contact, now);
  if (problem) return { problem };
  const organization = staff.organization;
  const address = input.channel === 'letter' ? (await postalAddresses(em, [contact])).get(contact.id) : null;
  if (input.channel === 'letter' && !address) return { problem: 'noAddress' };

  const channel: InvitationChannel = input.channel;
  const code = generateCode();
  const letters = address ? [letterFor(organization, contact, address, code, invitationExpiry(organization, now), input.baseUrl, now)] : [];
  return withLettersPdf(input, letters, (storageKey) =>
    em.transactional(async (tx) => {
      const { invitation } = await createInvitation(
        tx,
        { organization, kind: 'contact', channel, contact, email: channel === 'email' ? contact.email : null, invitedByStaff: staff, code },
        now,
      );
      const batch = storageKey ? newLetterBatch(tx, { organization, staff, property: null, now }, storageKey, [invitation]) : null;
      if (channel === 'email') enqueueInvitationMail(tx, { organization, to: contact.email!, contact, code, invitation, baseUrl: input.baseUrl }, now);
      audit(tx, staff, 'invitation.sent', contact, { channel, invitationId: invitation.id }, now);
      return { invitation, batch };
    }),
  );
}

/** The bulk invitation of a property, before it is sent: who gets what. */
export type PropertyInvitationPlan = {
  /** Contacts with a contract there inside the access window. */
  total: number;
  registered: number;
  /** Not yet invited (or their invitation is no longer open), by channel. */
  fresh: { email: number; letter: number };
  /** With an open invitation, by the channel a new one would take. */
  invited: { email: number; letter: number };
  /** Neither an e-mail address nor a postal address: cannot be invited. */
  unreachable: number;
  targets: Array<{ contact: Contact; status: PortalStatus; channel: InvitationChannel; address: string[] | null }>;
};

/**
 * Who a bulk invitation of the property reaches: every contact with a contract there
 * inside the access window who is not registered; e-mail where the contact has an
 * address, a letter otherwise. A fixed number of queries, however many contacts.
 */
export async function propertyInvitationPlan(em: Em, property: Property, now: Date): Promise<PropertyInvitationPlan> {
  const inWindow = await contactsInAccessWindow(em, scopedOrganization(em), now, { propertyId: property.id });
  const ids = [...new Set(inWindow.map((row) => row.contactId))];
  const contacts = ids.length ? await em.find(Contact, { id: { $in: ids } }, { orderBy: { lastName: 'asc', firstName: 'asc', companyName: 'asc' } }) : [];
  const statuses = await portalStatuses(em, ids, now);
  const addresses = await postalAddresses(
    em,
    contacts.filter((c) => !c.email),
    property,
  );
  const plan: PropertyInvitationPlan = {
    total: contacts.length,
    registered: 0,
    fresh: { email: 0, letter: 0 },
    invited: { email: 0, letter: 0 },
    unreachable: 0,
    targets: [],
  };
  for (const contact of contacts) {
    const status = statuses.get(contact.id) ?? 'not_invited';
    if (status === 'registered' || status === 'disabled') {
      plan.registered++;
      continue;
    }
    const address = contact.email ? null : (addresses.get(contact.id) ?? null);
    if (!contact.email && !address) {
      plan.unreachable++;
      continue;
    }
    const channel: InvitationChannel = contact.email ? 'email' : 'letter';
    plan[status === 'invited' ? 'invited' : 'fresh'][channel]++;
    plan.targets.push({ contact, status, channel, address });
  }
  return plan;
}

/**
 * Sends the bulk invitation of a property: e-mails through the outbox and one combined PDF
 * of letters (one InvitationLetterBatch). The letters are drawn first (withLettersPdf), the
 * invitations and mails written in one transaction. Contacts with an open invitation are
 * invited again only when `reinvite` is set; their old codes stop working.
 */
export async function inviteProperty(em: Em, input: InviteInput & { property: Property; reinvite: boolean }) {
  const { staff, property, now } = input;
  const organization = staff.organization;
  const plan = await propertyInvitationPlan(em, property, now);
  const targets = plan.targets.filter((target) => input.reinvite || target.status !== 'invited').map((target) => ({ ...target, code: generateCode() }));
  if (targets.length === 0) return { emails: 0, letters: 0, batch: null };

  const validUntil = invitationExpiry(organization, now);
  const byLetter = targets.filter((target) => target.channel === 'letter');
  const letters = byLetter.map(({ contact, address, code }) => letterFor(organization, contact, address!, code, validUntil, input.baseUrl, now));
  return withLettersPdf(input, letters, (storageKey) =>
    em.transactional(async (tx) => {
      // One statement revokes the open invitations of all of them (createInvitation would do it one by one).
      await revokeContactInvitations(
        tx,
        targets.map((t) => t.contact.id),
        now,
      );
      const lettered: Invitation[] = [];
      for (const { contact, channel, code } of targets) {
        const { invitation } = newInvitation(
          tx,
          { organization, kind: 'contact', channel, contact, property, email: channel === 'email' ? contact.email : null, invitedByStaff: staff, code },
          now,
        );
        if (channel === 'email') enqueueInvitationMail(tx, { organization, to: contact.email!, contact, code, invitation, baseUrl: input.baseUrl }, now);
        else lettered.push(invitation);
        audit(tx, staff, 'invitation.sent', contact, { channel, invitationId: invitation.id, propertyId: property.id }, now);
      }
      const batch = storageKey ? newLetterBatch(tx, { organization, staff, property, now }, storageKey, lettered) : null;
      return { emails: targets.length - byLetter.length, letters: byLetter.length, batch };
    }),
  );
}

/** Why "Nutzer zum Kontakt hinzufügen" refuses an address (i18n keys below invitations:problems). */
export type AddUserProblem = 'emailInvalid' | 'alreadyLinked' | 'outsideWindow';

/**
 * "Nutzer zum Kontakt hinzufügen" (staff side): the address gets an invitation for the
 * contact. Any other address registers a second login of the same contact (both spouses).
 * When a login exists in the Verwaltung under that address, its owner adds the contact to
 * it (one login for several contacts → object selection) by entering the code under
 * Profil > "Weiteren Zugang hinzufügen": the owner confirms, so a typo in the address never
 * hands a contact's data to someone else's login.
 */
export async function addUserToContact(
  em: Em,
  input: { staff: StaffUser; contact: Contact; email: string; baseUrl: string; now: Date },
): Promise<{ problem: AddUserProblem } | { outcome: 'offered' | 'invited'; email: string }> {
  const { staff, contact, now } = input;
  const email = normalizeEmail(input.email);
  if (!isEmail(email)) return { problem: 'emailInvalid' };
  if (!(await inAccessWindow(em, contact, now))) return { problem: 'outsideWindow' };
  const organization = staff.organization;
  const existing = await em.findOne(PortalUser, { email }, { populate: ['contacts'] });
  if (existing?.contacts.getItems().some((c) => c.id === contact.id)) return { problem: 'alreadyLinked' };

  return em.transactional(async (tx) => {
    const { invitation, code } = await createInvitation(
      tx,
      { organization, kind: 'additional_user', channel: 'email', contact, email, invitedByStaff: staff },
      now,
    );
    if (existing) {
      const data = {
        name: existing.name,
        contactName: contactDisplayName(contact),
        code,
        link: `${input.baseUrl}/portal/profil`,
        validUntil: invitation.expiresAt,
      };
      enqueueMail(tx, { organization, to: existing.email, template: 'contact-link-offer', locale: existing.locale, data }, now);
      audit(tx, staff, 'invitation.sent', contact, { channel: 'email', kind: 'additional_user', invitationId: invitation.id, existingLogin: existing.id }, now);
      return { outcome: 'offered' as const, email };
    }
    enqueueInvitationMail(tx, { organization, to: email, contact, code, invitation, baseUrl: input.baseUrl, additional: true }, now);
    audit(tx, staff, 'invitation.sent', contact, { channel: 'email', kind: 'additional_user', invitationId: invitation.id }, now);
    return { outcome: 'invited' as const, email };
  });
}

/**
 * "Portalzugang sperren" / "entsperren": disables or enables every login linked to the
 * contact, and ends their sessions when disabling. A login shared with other contacts (an
 * owner in several properties) is the login itself, so it is blocked for all of them.
 */
export async function setPortalAccessDisabled(em: Em, input: { staff: StaffUser; contact: Contact; disabled: boolean; now: Date }): Promise<number> {
  const users = await em.find(PortalUser, { contacts: input.contact.id });
  for (const user of users) {
    user.disabledAt = input.disabled ? (user.disabledAt ?? input.now) : null;
    if (input.disabled) await invalidateUserSessions(em, { area: 'portal', user });
  }
  if (users.length)
    audit(
      em,
      input.staff,
      input.disabled ? 'portal_user.disabled' : 'portal_user.enabled',
      input.contact,
      { portalUserIds: users.map((u) => u.id) },
      input.now,
    );
  await em.flush();
  return users.length;
}

// --- Letters, mails and audit rows ------------------------------------------------------

/**
 * Postal addresses for letters: the contact's own, else the address of the unit of their
 * newest contract (preferring `property`): tenants live there. One query for all.
 */
export async function postalAddresses(em: Em, contacts: Contact[], property?: Property): Promise<Map<string, string[]>> {
  const t = translator('de');
  const addresses = new Map<string, string[]>();
  const lacking: Contact[] = [];
  const nameLine = (contact: Contact) =>
    contact.type === 'company' || !['frau', 'herr'].includes(contact.salutation)
      ? contactDisplayName(contact)
      : t(`invitations:letter.addressee.${contact.salutation}`, { name: contactDisplayName(contact) });
  for (const contact of contacts) {
    if (contact.street && contact.postalCode && contact.city) {
      const abroad = contact.country && contact.country !== 'DE' ? [contact.country] : [];
      addresses.set(contact.id, [nameLine(contact), contact.street, `${contact.postalCode} ${contact.city}`, ...abroad]);
    } else {
      lacking.push(contact);
    }
  }
  if (lacking.length === 0) return addresses;
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<{ contact_id: string; street: string; house_number: string; postal_code: string; city: string }>`
    select distinct on (cc.contact_id) cc.contact_id, a.street, a.house_number, a.postal_code, a.city
    from contract_contact cc
    join contract c on c.id = cc.contract_id and c.organization_id = ${organizationId}
    join unit u on u.id = c.unit_id
    join address a on a.id = u.address_id
    where cc.contact_id in (${sql.join(lacking.map((c) => c.id))})
    order by cc.contact_id, (u.property_id = ${property?.id ?? null}) desc nulls last, c.starts_on desc`.execute(em.getKysely());
  const byId = new Map(lacking.map((c) => [c.id, c]));
  for (const row of rows) {
    addresses.set(row.contact_id, [nameLine(byId.get(row.contact_id)!), `${row.street} ${row.house_number}`, `${row.postal_code} ${row.city}`]);
  }
  return addresses;
}

/** "Sehr geehrte Frau Maiblume," — the greeting of letters and invitation mails. */
export function salutationOf(contact: Contact): string {
  const t = translator('de');
  const lastName = [contact.title, contact.lastName].filter(Boolean).join(' ');
  if (contact.type === 'person' && (contact.salutation === 'frau' || contact.salutation === 'herr') && lastName) {
    return t(`invitations:salutation.${contact.salutation}`, { name: lastName });
  }
  if (contact.type === 'person' && contactDisplayName(contact)) return t('invitations:salutation.person', { name: contactDisplayName(contact) });
  return t('invitations:salutation.none');
}

/** A letter's content as plain data for the PDF worker (./letter-pdf.ts). */
export function letterFor(organization: Organization, contact: Contact, address: string[], code: string, validUntil: Date, baseUrl: string, now: Date): Letter {
  const { name, street, postalCode, city, phone, email } = organization;
  return {
    sender: { name, street: street ?? null, postalCode: postalCode ?? null, city: city ?? null, phone: phone ?? null, email: email ?? null },
    recipientLines: address,
    salutation: salutationOf(contact),
    code,
    registrationUrl: `${baseUrl}/portal/registrieren`,
    link: registrationLink(baseUrl, code),
    date: helpers.formatDate(now),
    validUntil: helpers.formatDate(validUntil),
  };
}

function enqueueInvitationMail(
  em: Em,
  input: { organization: Organization; to: string; contact: Contact; code: string; invitation: Invitation; baseUrl: string; additional?: boolean },
  now: Date,
) {
  const { organization } = input;
  enqueueMail(
    em,
    {
      organization,
      to: input.to,
      template: 'contact-invitation',
      locale: 'de',
      data: {
        salutation: input.additional ? translator('de')('invitations:salutation.none') : salutationOf(input.contact),
        additional: input.additional ?? false,
        contactName: contactDisplayName(input.contact),
        link: registrationLink(input.baseUrl, input.code),
        code: input.code,
        validUntil: input.invitation.expiresAt,
        senderLines: [
          organization.name,
          organization.street,
          [organization.postalCode, organization.city].filter(Boolean).join(' '),
          organization.phone,
          organization.email,
        ].filter(Boolean),
      },
    },
    now,
  );
}

function audit(em: Em, staff: StaffUser, action: string, contact: Contact, data: Record<string, unknown>, now: Date) {
  auditStaffAction(em, staff, action, { type: 'Contact', id: contact.id }, data, now);
}

/** The worker module that draws invitation letters (./letter-pdf.ts through ./letter-jobs.ts). */
const LETTER_JOBS = new URL('./letter-jobs.ts', import.meta.url);

/**
 * Draws the letters into one PDF in a PDF worker (src/pdf/workers.ts), off the request
 * thread, then runs `write` with the key of the stored PDF (null without letters): file and
 * rows together or neither (storeThenWrite). Drawing comes before the transaction, so
 * seconds of drawing (or of waiting for a free worker) hold no database connection. A job
 * stopped by a bound throws PdfJobOverLimit (src/http/error-handler.ts answers it).
 */
async function withLettersPdf<T>(
  input: { storage: FileStorage; pdf: PdfWorkers; staff: StaffUser },
  letters: Letter[],
  write: (storageKey: string | null) => Promise<T>,
): Promise<T> {
  if (letters.length === 0) return write(null);
  const tempPath = await newTempPath(input.storage);
  try {
    // The Verwaltung's logo (its PNG copy: PDFs cannot show SVG) in the letterhead, src/features/branding.
    const logoPng = await brandLogoPng(input.storage, input.staff.organization);
    await input.pdf.run<typeof drawLetters>(LETTER_JOBS, 'drawLetters', { letters, path: tempPath, logoPng });
  } catch (error) {
    // A worker stopped half-way may have left part of a file.
    await rm(tempPath, { force: true });
    throw error;
  }
  return storeThenWrite(input.storage, [tempPath], ([storageKey]) => write(storageKey));
}

/** Records a stored letter PDF as a batch its invitations point to. */
function newLetterBatch(
  em: Em,
  input: { organization: Organization; staff: StaffUser; property: Property | null; now: Date },
  storageKey: string,
  invitations: Invitation[],
): InvitationLetterBatch {
  const batch = em.create(InvitationLetterBatch, {
    organization: input.organization,
    property: input.property,
    createdBy: input.staff,
    storageKey,
    letterCount: invitations.length,
    createdAt: input.now,
  });
  for (const invitation of invitations) invitation.letterBatch = batch;
  return batch;
}

/** The letter batch as a stored file for src/http/download.ts. */
export async function letterBatchFile(batch: InvitationLetterBatch, storage: FileStorage) {
  const day = batch.createdAt.toISOString().slice(0, 10);
  return {
    id: batch.id,
    storageKey: batch.storageKey,
    mimeType: 'application/pdf',
    size: await storage.size(batch.storageKey).catch(() => 0),
    fileName: `Einladungsbriefe-${day}.pdf`,
  };
}

/**
 * Removes letter PDFs none of whose codes can be used any more (all used, replaced or
 * expired): they hold codes in clear text and have no use left. Run daily by the
 * 'invitation-letters' task; idempotent. The row goes first, then the file, so a crash in
 * between leaves at most an orphan file, never a row pointing at nothing.
 */
export async function removeSpentLetters(em: Em, storage: FileStorage, now: Date): Promise<number> {
  const spent = await em.execute<Array<{ id: string; storage_key: string }>>(
    `select b.id, b.storage_key from invitation_letter_batch b
     where not exists (select 1 from invitation i where i.letter_batch_id = b.id
                       and i.used_at is null and i.revoked_at is null and i.expires_at > ?)`,
    [now],
    'all',
  );
  for (const batch of spent) {
    await em.execute(`delete from invitation_letter_batch where id = ?`, [batch.id]);
    await storage.remove(batch.storage_key);
  }
  return spent.length;
}

import { readFile, rm } from 'node:fs/promises';
import { sql, type RawBuilder } from 'kysely';
import { oneAtATime } from '../../db/advisory-lock.ts';
import { isEmbedded, type Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { Contact, contactDisplayName, Organization, PostalDelivery, type POSTAL_SUBJECTS, type StaffUser } from '../../entities/index.ts';
import { helpers } from '../../http/view-helpers.ts';
import type { PdfWorkers } from '../../pdf/workers.ts';
import { copyToTempFile, newTempPath, type FileStorage } from '../../storage/files.ts';
import { auditStaffAction } from '../audit/service.ts';
import { postalAddresses, salutationOf } from '../invitations/service.ts';
import { brandLogoPng } from '../branding/service.ts';
import type { drawNoticeLetters } from './letter-jobs.ts';
import type { NoticeLetter } from './letter-pdf.ts';

/**
 * Lesebestätigung and paper fallback (issue 19), for Mitteilungen
 * (src/features/announcements/receipts.ts) and documents (src/features/documents/receipts.ts)
 * alike. Each feature decides which contacts its content addresses and what counts as opened;
 * this module does the rest: per addressed contact whether it has a portal login, when it was
 * first opened by any portal user linked to it, and when it went by post; "Nicht erreicht"
 * after a number of days; and the letters for those not reached, recorded per contact as a
 * PostalDelivery in one transaction.
 */
export type Receipt = {
  contactId: string;
  name: string;
  preference: 'online' | 'post';
  hasLogin: boolean;
  openedAt: Date | null;
  postedAt: Date | null;
};

/** What went by post: a Mitteilung or a document (postal_delivery.subject_type and subject_id). */
export type PostalSubject = { type: (typeof POSTAL_SUBJECTS)[number]; id: string };

/**
 * Every addressed contact with its login, opening and postal delivery, by name. `openings`
 * selects (portal_user_id, opened_at) rows of this subject, the Verwaltung among its
 * conditions; a contact has opened it when any portal user linked to it has.
 */
export async function contactReceipts(em: Em, subject: PostalSubject, contactIds: string[], openings: RawBuilder<unknown>): Promise<Receipt[]> {
  if (contactIds.length === 0) return [];
  const organizationId = scopedOrganization(em);
  const ids = sql`${`{${contactIds.join(',')}}`}::uuid[]`;
  const db = em.getKysely();
  const [contacts, logins, opened, posted] = await Promise.all([
    em.find(Contact, { id: { $in: contactIds } }),
    sql<{ contact_id: string }>`
      select distinct puc.contact_id from portal_user_contact puc join portal_user pu on pu.id = puc.portal_user_id
      where pu.organization_id = ${organizationId} and pu.password_hash is not null and pu.disabled_at is null
        and puc.contact_id = any(${ids})`.execute(db),
    sql<{ contact_id: string; opened_at: Date }>`
      select puc.contact_id, min(o.opened_at) as opened_at from (${openings}) o
      join portal_user_contact puc on puc.portal_user_id = o.portal_user_id
      where puc.contact_id = any(${ids}) group by puc.contact_id`.execute(db),
    sql<{ contact_id: string; sent_at: Date }>`
      select contact_id, max(sent_at) as sent_at from postal_delivery
      where organization_id = ${organizationId} and subject_type = ${subject.type} and subject_id = ${subject.id}
        and contact_id = any(${ids}) group by contact_id`.execute(db),
  ]);
  const withLogin = new Set(logins.rows.map((row) => row.contact_id));
  const openedAt = new Map(opened.rows.map((row) => [row.contact_id, new Date(row.opened_at)]));
  const postedAt = new Map(posted.rows.map((row) => [row.contact_id, new Date(row.sent_at)]));
  const german = new Intl.Collator('de');
  return contacts
    .map((contact) => ({
      contactId: contact.id,
      name: contactDisplayName(contact),
      preference: contact.contactPreference,
      hasLogin: withLogin.has(contact.id),
      openedAt: openedAt.get(contact.id) ?? null,
      postedAt: postedAt.get(contact.id) ?? null,
    }))
    .sort((a, b) => german.compare(a.name, b.name));
}

/** Days a Mitteilung or document must have been published before "Nicht erreicht" lists anyone (1–365). */
export const REACH_DAYS = { min: 1, max: 365, fallback: 7 } as const;

/** Reads "Nach Tagen"; null when it is no whole number in range. */
export function parseReachDays(value: unknown): number | null {
  if (value === undefined || value === '') return REACH_DAYS.fallback;
  if (typeof value !== 'string' || !/^\d{1,3}$/.test(value.trim())) return null;
  const days = Number(value.trim());
  return days >= REACH_DAYS.min && days <= REACH_DAYS.max ? days : null;
}

/** Whether something published at `publishedAt` has been out for `days` days at `now`. */
export function dueForReach(publishedAt: Date, days: number, now: Date): boolean {
  return now.getTime() - new Date(publishedAt).getTime() >= days * 24 * 3600 * 1000;
}

/**
 * "Nicht erreicht": the addressed contacts who have not opened it (with or without a login),
 * once it has been out long enough; and, as SmartPost's "Nach Kontaktpräferenz" does,
 * everyone who prefers post ("Post") even if they opened it. A contact it already went to by
 * post is listed with its date but gets no second letter.
 */
export function notReached(receipts: Receipt[]): Receipt[] {
  return receipts.filter((receipt) => receipt.openedAt === null || receipt.preference === 'post');
}

/**
 * What views/notifications/_receipts.eta shows (the table and "Nicht erreicht"): texts under
 * `ns`, row ids `<idPrefix>-<contact>`, "Nach Tagen" as entered (`days`, checked by the
 * caller into `errors`), `closed` a text key shown instead of the form (a withdrawn document).
 */
export function receiptsView(
  receipts: Receipt[],
  input: {
    ns: string;
    idPrefix: string;
    pageUrl: string;
    printUrl: string;
    days: string;
    publishedAt: Date;
    now: Date;
    errors: Record<string, string>;
    printed: string | null;
    closed?: string | null;
  },
) {
  const days = parseReachDays(input.days);
  const due = days !== null && dueForReach(input.publishedAt, days, input.now);
  return {
    ...input,
    list: receipts,
    opened: receipts.filter((r) => r.openedAt).length,
    days: input.days || String(REACH_DAYS.fallback),
    due,
    notReached: due ? notReached(receipts) : [],
    closed: input.closed ?? null,
  };
}

/** What every letter of one print says; the address block, date and salutation are added per contact. */
export type LetterContent = Pick<NoticeLetter, 'title' | 'body' | 'attachmentsHeading' | 'attachments' | 'note'>;

/** The audit log's subject type of what went by post. */
const AUDIT_SUBJECTS = { announcement: 'Announcement', document: 'Document' } as const;

const NOTICE_JOBS = new URL('./letter-jobs.ts', import.meta.url);

/**
 * One letter per contact of `receipts` still to reach (not reached, not yet posted, with a
 * postal address), drawn in a PDF worker; records "per Post" for each in one transaction and
 * returns the PDF's bytes (null when nobody is left, and then nothing is recorded); the
 * audit log notes how many letters a staff member printed. Contacts
 * without an address are skipped and counted. `appendix`: a stored PDF (a document) whose
 * pages follow every letter, read through the file storage into a temp copy for the worker.
 */
export async function printNoticeLetters(
  em: Em,
  input: {
    storage: FileStorage;
    pdf: PdfWorkers;
    staff: StaffUser;
    subject: PostalSubject;
    receipts: Receipt[];
    content: LetterContent;
    /** The PDF's title (metadata), e.g. "Mitteilung per Post". */
    title: string;
    appendix?: { storageKey: string; fallbackHeading: string } | null;
    now: Date;
  },
): Promise<{ pdf: Uint8Array | null; letters: number; withoutAddress: number }> {
  // Two staff members pressing "Briefe drucken" at once would both print the same letters:
  // one print per subject at a time, and each looks up what went by post meanwhile.
  return oneAtATime(em, `hausportal:letters:${input.subject.type}:${input.subject.id}`, () => printUnposted(em, input), isEmbedded(em));
}

async function printUnposted(
  em: Em,
  input: Parameters<typeof printNoticeLetters>[1],
): Promise<{ pdf: Uint8Array | null; letters: number; withoutAddress: number }> {
  const { subject, now } = input;
  const posted = new Set(
    (await em.find(PostalDelivery, { subjectType: subject.type, subjectId: subject.id }, { fields: ['contact'] })).map((delivery) => delivery.contact.id),
  );
  const due = notReached(input.receipts).filter((receipt) => receipt.postedAt === null && !posted.has(receipt.contactId));
  if (due.length === 0) return { pdf: null, letters: 0, withoutAddress: 0 };
  const contacts = await em.find(Contact, { id: { $in: due.map((receipt) => receipt.contactId) } });
  const addresses = await postalAddresses(em, contacts);
  const organization = await em.findOneOrFail(Organization, scopedOrganization(em));
  const { name, street, postalCode, city, phone, email } = organization;
  const sender = { name, street: street ?? null, postalCode: postalCode ?? null, city: city ?? null, phone: phone ?? null, email: email ?? null };
  const byId = new Map(contacts.map((contact) => [contact.id, contact]));
  const letters: Array<{ contact: Contact; letter: NoticeLetter }> = [];
  for (const receipt of due) {
    const contact = byId.get(receipt.contactId);
    const recipientLines = contact && addresses.get(contact.id);
    if (!contact || !recipientLines) continue;
    letters.push({ contact, letter: { ...input.content, sender, recipientLines, date: helpers.formatDate(now), salutation: salutationOf(contact) } });
  }
  const withoutAddress = due.length - letters.length;
  if (letters.length === 0) return { pdf: null, letters: 0, withoutAddress };
  const path = await newTempPath(input.storage);
  const appendixPath = input.appendix ? await copyToTempFile(input.storage, input.appendix.storageKey) : null;
  try {
    await input.pdf.run<typeof drawNoticeLetters>(NOTICE_JOBS, 'drawNoticeLetters', {
      title: input.title,
      letters: letters.map((l) => l.letter),
      appendix: input.appendix && appendixPath ? { path: appendixPath, fallbackHeading: input.appendix.fallbackHeading } : null,
      path,
      logoPng: await brandLogoPng(input.storage, organization),
    });
    const bytes = await readFile(path);
    await em.transactional(async (tx) => {
      for (const { contact } of letters) {
        tx.create(PostalDelivery, {
          organization: organization.id,
          subjectType: subject.type,
          subjectId: subject.id,
          contact: contact.id,
          staffUser: input.staff.id,
          sentAt: now,
        });
      }
      auditStaffAction(
        tx,
        input.staff,
        `${subject.type}.letters_printed`,
        { type: AUDIT_SUBJECTS[subject.type], id: subject.id },
        { letters: letters.length },
        now,
      );
    });
    return { pdf: bytes, letters: letters.length, withoutAddress };
  } finally {
    await rm(path, { force: true });
    if (appendixPath) await rm(appendixPath, { force: true });
  }
}

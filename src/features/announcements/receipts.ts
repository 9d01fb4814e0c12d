import { readFile, rm } from 'node:fs/promises';
import { berlinDate } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { Contact, Contract, contactDisplayName, Organization, PostalDelivery, type Announcement, type StaffUser } from '../../entities/index.ts';
import { helpers } from '../../http/view-helpers.ts';
import type { PdfWorkers } from '../../pdf/workers.ts';
import { newTempPath, type FileStorage } from '../../storage/files.ts';
import { runningContractOn } from '../access/service.ts';
import { postalAddresses, salutationOf } from '../invitations/service.ts';
import { brandLogoPng } from '../branding/service.ts';
import type { drawNoticeLetters } from './letter-jobs.ts';
import type { NoticeLetter } from './letter-pdf.ts';

/**
 * Lesebestätigung of a Mitteilung (issue 19): per addressed contact whether and when it was
 * opened (./openings.ts records it: the portal page, or the signed link of its mail) and
 * whether it went by post. Addressed are the contacts with a contract running on the day
 * of publication in a property the Mitteilung is shown in (the access module's rule,
 * runningContractOn) — with or without a portal login: often most of a house has none.
 */
export type Receipt = {
  contactId: string;
  name: string;
  preference: 'online' | 'post';
  hasLogin: boolean;
  openedAt: Date | null;
  postedAt: Date | null;
};

/** Every addressed contact of the Mitteilung with its opening and postal delivery, by name. */
export async function announcementReceipts(em: Em, announcement: Announcement): Promise<Receipt[]> {
  const day = berlinDate(announcement.publishedAt ?? announcement.createdAt);
  const propertyIds = announcement.properties.getItems().map((p) => p.id);
  if (!announcement.allProperties && propertyIds.length === 0) return [];
  const contracts = await em.find(
    Contract,
    {
      ...runningContractOn(day),
      unit: { archivedAt: null, property: announcement.allProperties ? { archivedAt: null } : { id: { $in: propertyIds }, archivedAt: null } },
    },
    { populate: ['contacts'] },
  );
  const contacts = new Map<string, Contact>();
  for (const contract of contracts) for (const contact of contract.contacts) contacts.set(contact.id, contact);
  if (contacts.size === 0) return [];
  const ids = `{${[...contacts.keys()].join(',')}}`;
  const organizationId = scopedOrganization(em);
  const [logins, openings, posted] = await Promise.all([
    em.execute<Array<{ contact_id: string }>>(
      `select distinct puc.contact_id from portal_user_contact puc join portal_user pu on pu.id = puc.portal_user_id
       where pu.organization_id = ? and pu.password_hash is not null and puc.contact_id = any(?::uuid[])`,
      [organizationId, ids],
      'all',
    ),
    em.execute<Array<{ contact_id: string; opened_at: Date }>>(
      `select puc.contact_id, min(o.opened_at) as opened_at from announcement_opening o
       join portal_user_contact puc on puc.portal_user_id = o.portal_user_id
       where o.organization_id = ? and o.announcement_id = ? and puc.contact_id = any(?::uuid[]) group by puc.contact_id`,
      [organizationId, announcement.id, ids],
      'all',
    ),
    em.execute<Array<{ contact_id: string; sent_at: Date }>>(
      `select contact_id, max(sent_at) as sent_at from postal_delivery
       where organization_id = ? and subject_type = 'announcement' and subject_id = ? and contact_id = any(?::uuid[]) group by contact_id`,
      [organizationId, announcement.id, ids],
      'all',
    ),
  ]);
  const withLogin = new Set(logins.map((row) => row.contact_id));
  const openedAt = new Map(openings.map((row) => [row.contact_id, new Date(row.opened_at)]));
  const postedAt = new Map(posted.map((row) => [row.contact_id, new Date(row.sent_at)]));
  const german = new Intl.Collator('de');
  return [...contacts.values()]
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

/** Days a Mitteilung must have been published before "Nicht erreicht" lists anyone (1–365). */
export const REACH_DAYS = { min: 1, max: 365, fallback: 7 } as const;

/** Reads "Nach Tagen"; null when it is no whole number in range. */
export function parseReachDays(value: unknown): number | null {
  if (value === undefined || value === '') return REACH_DAYS.fallback;
  if (typeof value !== 'string' || !/^\d{1,3}$/.test(value.trim())) return null;
  const days = Number(value.trim());
  return days >= REACH_DAYS.min && days <= REACH_DAYS.max ? days : null;
}

/** Whether the Mitteilung has been out for `days` days at `now`. */
export function dueForReach(announcement: Announcement, days: number, now: Date): boolean {
  const published = announcement.publishedAt ?? announcement.createdAt;
  return now.getTime() - new Date(published).getTime() >= days * 24 * 3600 * 1000;
}

/**
 * "Nicht erreicht": the addressed contacts who have not opened it (with or without a login),
 * once it has been out `days` days; and, as SmartPost's "Nach Kontaktpräferenz" does,
 * everyone who prefers post ("Post") even if they opened it. A contact it already went to by
 * post is listed with its date but gets no second letter.
 */
export function notReached(receipts: Receipt[]): Receipt[] {
  return receipts.filter((receipt) => receipt.openedAt === null || receipt.preference === 'post');
}

const NOTICE_JOBS = new URL('./letter-jobs.ts', import.meta.url);

/**
 * Draws one letter per contact still to reach (not yet posted, with a postal address) in a
 * PDF worker, records "per Post" for each in one transaction, and returns the PDF's bytes
 * (null when nobody is left). Contacts without an address are skipped and counted.
 */
export async function printNoticeLetters(
  em: Em,
  input: { storage: FileStorage; pdf: PdfWorkers; staff: StaffUser; announcement: Announcement; now: Date },
): Promise<{ pdf: Uint8Array | null; letters: number; withoutAddress: number }> {
  const { announcement, now } = input;
  const due = notReached(await announcementReceipts(em, announcement)).filter((receipt) => receipt.postedAt === null);
  if (due.length === 0) return { pdf: null, letters: 0, withoutAddress: 0 };
  const contacts = await em.find(Contact, { id: { $in: due.map((receipt) => receipt.contactId) } });
  const addresses = await postalAddresses(em, contacts);
  const organization = await em.findOneOrFail(Organization, scopedOrganization(em));
  await announcement.attachments.load();
  const { name, street, postalCode, city, phone, email } = organization;
  const sender = { name, street: street ?? null, postalCode: postalCode ?? null, city: city ?? null, phone: phone ?? null, email: email ?? null };
  const sorted = due.map((receipt) => contacts.find((contact) => contact.id === receipt.contactId)!);
  const letters: Array<{ contact: Contact; letter: NoticeLetter }> = [];
  for (const contact of sorted) {
    const recipientLines = addresses.get(contact.id);
    if (!recipientLines) continue;
    letters.push({
      contact,
      letter: {
        sender,
        recipientLines,
        date: helpers.formatDate(now),
        salutation: salutationOf(contact),
        title: announcement.title,
        body: announcement.body,
        attachments: announcement.attachments.getItems().map((attachment) => attachment.fileName),
      },
    });
  }
  const withoutAddress = sorted.length - letters.length;
  if (letters.length === 0) return { pdf: null, letters: 0, withoutAddress };
  const path = await newTempPath(input.storage);
  try {
    const logoPng = await brandLogoPng(input.storage, organization);
    await input.pdf.run<typeof drawNoticeLetters>(NOTICE_JOBS, 'drawNoticeLetters', { letters: letters.map((l) => l.letter), path, logoPng });
    const bytes = await readFile(path);
    await em.transactional(async (tx) => {
      for (const { contact } of letters) {
        tx.create(PostalDelivery, {
          organization: organization.id,
          subjectType: 'announcement',
          subjectId: announcement.id,
          contact: contact.id,
          staffUser: input.staff.id,
          sentAt: now,
        });
      }
    });
    return { pdf: bytes, letters: letters.length, withoutAddress };
  } finally {
    await rm(path, { force: true });
  }
}

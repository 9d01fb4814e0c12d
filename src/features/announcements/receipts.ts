import { sql } from 'kysely';
import { berlinDate } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { Contract, type Announcement, type StaffUser } from '../../entities/index.ts';
import { translator } from '../../http/i18n.ts';
import type { PdfWorkers } from '../../pdf/workers.ts';
import type { FileStorage } from '../../storage/files.ts';
import { runningContractOn } from '../access/service.ts';
import { contactReceipts, printNoticeLetters, type Receipt } from '../notifications/receipts.ts';

/**
 * Lesebestätigung of a Mitteilung (issue 19): per addressed contact whether and when it was
 * opened (./openings.ts records it: the portal page, or the signed link of its mail) and
 * whether it went by post. Addressed are the contacts with a contract running on the day
 * of publication in a property the Mitteilung is shown in (the access module's rule,
 * runningContractOn) — with or without a portal login: often most of a house has none.
 * Logins, postal deliveries, "Nicht erreicht" and the letters are the shared part
 * (src/features/notifications/receipts.ts).
 */

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
  const contactIds = new Set<string>();
  for (const contract of contracts) for (const contact of contract.contacts) contactIds.add(contact.id);
  const openings = sql`select portal_user_id, opened_at from announcement_opening
    where organization_id = ${scopedOrganization(em)} and announcement_id = ${announcement.id}`;
  return contactReceipts(em, { type: 'announcement', id: announcement.id }, [...contactIds], openings);
}

/** When the Mitteilung went out: what "Nach Tagen" counts from. */
export const announcementPublishedAt = (announcement: Announcement): Date => announcement.publishedAt ?? announcement.createdAt;

/** The letters for the contacts not reached (notifications/receipts.ts printNoticeLetters): the Mitteilung's title, text and attachments. */
export async function printAnnouncementLetters(
  em: Em,
  input: { storage: FileStorage; pdf: PdfWorkers; staff: StaffUser; announcement: Announcement; now: Date },
) {
  const { announcement } = input;
  const t = translator('de');
  await announcement.attachments.load();
  return printNoticeLetters(em, {
    ...input,
    subject: { type: 'announcement', id: announcement.id },
    receipts: await announcementReceipts(em, announcement),
    title: t('announcements:receipts.letterTitle'),
    content: {
      title: announcement.title,
      body: announcement.body,
      attachmentsHeading: t('announcements:receipts.letterAttachments'),
      attachments: announcement.attachments.getItems().map((attachment) => attachment.fileName),
      note: t('announcements:receipts.letterPortal'),
    },
  });
}

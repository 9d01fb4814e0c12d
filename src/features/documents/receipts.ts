import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import type { Document, StaffUser } from '../../entities/index.ts';
import { translator } from '../../http/i18n.ts';
import { helpers } from '../../http/view-helpers.ts';
import type { PdfWorkers } from '../../pdf/workers.ts';
import type { FileStorage } from '../../storage/files.ts';
import { contactReceipts, printNoticeLetters, type Receipt } from '../notifications/receipts.ts';
import { addressedContactIds } from './visibility.ts';

/**
 * Lesebestätigung of a document (issue 19): per addressed contact whether and when it was
 * opened and whether it went by post. Addressed are the contacts the document reaches through
 * its shares on the day of publication, with or without a portal login (./visibility.ts
 * addressedContactIds: the same rule as for portal users). A contact has opened it when any
 * portal user linked to it downloaded it (document_download.first_at, ./downloads.ts).
 * Logins, postal deliveries, "Nicht erreicht" and the letters are the shared part
 * (src/features/notifications/receipts.ts).
 */
export async function documentReceipts(em: Em, document: Document): Promise<Receipt[]> {
  const organizationId = document.organization.id;
  const contactIds = await addressedContactIds(em, organizationId, document);
  const openings = sql`select portal_user_id, first_at as opened_at from document_download
    where organization_id = ${organizationId} and document_id = ${document.id}`;
  return contactReceipts(em, { type: 'document', id: document.id }, contactIds, openings);
}

/**
 * The letters for the contacts not reached: the document's title, a short text that it was
 * provided in the portal, its file name as the attachment — and, for a PDF, its pages after
 * each letter, so the paper copy is complete. A withdrawn document addresses nobody and
 * gets no letters.
 */
export async function printDocumentLetters(em: Em, input: { storage: FileStorage; pdf: PdfWorkers; staff: StaffUser; document: Document; now: Date }) {
  const { document } = input;
  if (document.status !== 'published') return { pdf: null, letters: 0, withoutAddress: 0 };
  const t = translator('de');
  const isPdf = document.mimeType === 'application/pdf';
  return printNoticeLetters(em, {
    ...input,
    subject: { type: 'document', id: document.id },
    receipts: await documentReceipts(em, document),
    title: t('documents:receipts.letterTitle'),
    content: {
      title: document.title,
      body: t('documents:receipts.letterBody', { title: document.title, date: helpers.formatDate(document.publishedAt) }),
      attachmentsHeading: t(isPdf ? 'documents:receipts.letterEnclosed' : 'documents:receipts.letterInPortal'),
      attachments: [document.fileName],
      note: t('documents:receipts.letterPortal'),
    },
    appendix: isPdf ? { storageKey: document.storageKey, fallbackHeading: t('documents:receipts.letterInPortal') } : null,
  });
}

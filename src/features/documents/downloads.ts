import { berlinDate } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';

/**
 * Counts a resident's download: one row per user, document and Berlin day (the primary key
 * of document_download), so opening a file twice a day counts once and the console's
 * totals and read receipts ("wer hat es geöffnet") read plain rows. One statement, safe
 * against two downloads at the same moment. The preview never counts.
 */
export async function countDownload(em: Em, download: { organizationId: string; documentId: string; portalUserId: string; at: Date }) {
  await em.execute(
    `insert into document_download (document_id, portal_user_id, day, organization_id, first_at) values (?, ?, ?::date, ?, ?)
     on conflict do nothing`,
    [download.documentId, download.portalUserId, berlinDate(download.at), download.organizationId, download.at],
  );
}

import type { Response } from 'express';
import { ticketReference, type Ticket, type TicketAttachment } from '../../entities/index.ts';
import { sendStoredFile } from '../../http/download.ts';
import { NotFoundError } from '../../http/errors.ts';
import type { FileStorage } from '../../storage/files.ts';
import type { TimelineAudience } from './timeline.ts';

/**
 * Sends a ticket's photo or PDF, or the photo's thumbnail. The row holds the size of the
 * full file only, so a thumbnail's size is read from the store. Which attachment a user may
 * fetch is decided before: portal: access.ts visibleFile; console: ticketAttachmentScope.
 */
export async function sendTicketFile(res: Response, storage: FileStorage, attachment: TicketAttachment, version: 'full' | 'thumbnail') {
  if (version === 'full') return sendStoredFile(res, storage, attachment, 'viewable');
  if (!attachment.thumbKey) throw new NotFoundError(`attachment ${attachment.id} has no thumbnail`);
  const size = await storage.size(attachment.thumbKey).catch(() => {
    throw new NotFoundError(`thumbnail of ${attachment.id} is missing`);
  });
  await sendStoredFile(
    res,
    storage,
    { id: attachment.id, storageKey: attachment.thumbKey, mimeType: attachment.mimeType, size, fileName: attachment.fileName },
    'viewable',
  );
}

/** Sends a ticket's PDF (src/features/tickets/pdf.ts) as "Vorgang-2026-00042.pdf" to staff, "Anliegen-2026-00042.pdf" to residents, never cached. */
export function sendTicketPdf(res: Response, ticket: Ticket, bytes: Uint8Array, audience: TimelineAudience) {
  res.set({
    'Content-Type': 'application/pdf',
    'Content-Disposition': `attachment; filename="${audience === 'resident' ? 'Anliegen' : 'Vorgang'}-${ticketReference(ticket)}.pdf"`,
    'Content-Length': String(bytes.length),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
}

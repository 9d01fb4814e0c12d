import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
import { Organization } from './organization.ts';

/**
 * A file to attach to an outgoing mail: a stored file (storageKey), or a small generated
 * text carried in the row itself (content: a booking's .ics, src/features/bookings/notify.ts).
 */
export type MailAttachment = { fileName: string; mimeType: string } & (
  | { storageKey: string; content?: undefined }
  | { content: string; storageKey?: undefined }
);

export const OUTBOX_STATUSES = ['pending', 'sent', 'failed'] as const;

/**
 * One e-mail in the outbox. Written in the same transaction as the change that causes it;
 * delivered by the mail-outbox job (src/features/mail/deliver.ts). The Message-ID is fixed
 * at enqueue time, so a retry after a crash is recognisable as the same mail.
 */
export const OutboxMail = defineEntity({
  name: 'OutboxMail',
  indexes: [{ properties: ['status', 'nextAttemptAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization).nullable(),
    messageId: p.string().length(200).unique(),
    fromName: p.string().length(200).nullable(),
    to: p.string().length(254),
    subject: p.string().length(300),
    text: p.text(),
    html: p.text(),
    /** Files from the file storage sent along (forwarding a Vorgang with its photos); rare. */
    attachments: p.json<MailAttachment[]>().nullable(),
    /** Extra header lines (List-Unsubscribe and List-Unsubscribe-Post of notification mails, RFC 8058). */
    headers: p.json<Record<string, string>>().nullable(),
    status: p.enum(OUTBOX_STATUSES).default('pending'),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime(),
    lastError: p.text().nullable(),
    sentAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type OutboxMail = InferEntity<typeof OutboxMail>;

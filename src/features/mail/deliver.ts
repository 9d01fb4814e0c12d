import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import type { MailAttachment } from '../../entities/index.ts';
import { log } from '../../log.ts';
import type { FileStorage } from '../../storage/files.ts';
import { composeMail, type MailTransport } from './transport.ts';

/** Waits before the n-th retry: 1 min, 5 min, 15 min, 1 h, then every 6 h; gives up after MAX_ATTEMPTS. */
const BACKOFF_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 6 * 60 * 60_000];
export const MAX_ATTEMPTS = 10;

export type DeliverOptions = {
  em: Em;
  transport: MailTransport;
  now: () => Date;
  from: string;
  /** Where the files of mails with attachments are read from (OutboxMail.attachments). */
  storage?: FileStorage;
  /** Mails read (and marked sent) together; a crash resends at most one batch. */
  batchSize?: number;
  /** SMTP messages in flight at once (the pooled transport keeps as many connections). */
  concurrency?: number;
  /** A run stops taking new batches after this long; the next run carries on. */
  maxRunMs?: number;
};

type Due = {
  id: string;
  message_id: string;
  from_name: string | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: MailAttachment[] | null;
  attempts: number;
};

/**
 * Delivers due mails from the outbox until none is due (or the run has taken `maxRunMs`).
 * Runs under the job's advisory lock, so no two instances deliver at once. A batch is sent
 * with a few messages in flight over the pooled SMTP transport, and its accepted mails are
 * marked sent in one UPDATE when the batch is done; if the process dies before that, the
 * next run sends them again with the same Message-ID (at-least-once, and recognisable as a
 * duplicate). A refused mail keeps its own attempts and backoff.
 *
 * Plain SQL (Kysely), not entities: the outbox belongs to no Verwaltung, and 100,000 mails
 * of a digest morning must not pile up in an identity map.
 */
export async function deliverOutbox({ em, transport, now, from, storage, batchSize = 500, concurrency = 8, maxRunMs = 10 * 60_000 }: DeliverOptions) {
  const db = em.getKysely();
  const sender = addressOf(from);
  const started = Date.now();
  let sent = 0;
  let failed = 0;
  for (;;) {
    // The index (status, next_attempt_at) serves this order without sorting the backlog.
    const { rows: due } = await sql<Due>`
      select id, message_id, from_name, "to", subject, text, html, attachments, attempts from outbox_mail
      where status = 'pending' and next_attempt_at <= ${now()}
      order by next_attempt_at, created_at limit ${batchSize}`.execute(db);
    if (due.length === 0) break;

    const accepted: string[] = [];
    const refused: Array<{ mail: Due; error: string; permanent: boolean }> = [];
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const mail = due[next++];
        try {
          const message = {
            from: mail.from_name ? { name: mail.from_name, address: sender } : from,
            to: mail.to,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
            messageId: mail.message_id,
          };
          if (mail.attachments?.length) {
            // Rare (a Vorgang forwarded with its photos): nodemailer builds the message and
            // streams the files from the store; everything else takes the raw path below.
            const attachments = attachmentsOf(mail, storage);
            try {
              await transport.sendMail({ ...message, textEncoding: 'base64', attachments });
            } finally {
              // A refused mail may leave a file unread: close it rather than wait for the GC.
              for (const file of attachments) file.content.destroy();
            }
            accepted.push(mail.id);
            continue;
          }
          // The MIME message built here in one go (see composeMail), the fields kept for
          // transports that look at them (the development mailbox).
          const raw = composeMail(message);
          await transport.sendMail(
            raw === null
              ? // Base64 is encoded natively; quoted-printable is a JavaScript loop over every byte.
                { ...message, textEncoding: 'base64' }
              : { ...message, raw, envelope: { from: sender, to: [mail.to] } },
          );
          accepted.push(mail.id);
        } catch (error) {
          // A 5xx answer or a recipient nodemailer cannot address will not get better by waiting.
          const { responseCode, code } = error as { responseCode?: number; code?: string };
          const permanent = (responseCode !== undefined && responseCode >= 500) || code === 'EENVELOPE';
          refused.push({ mail, error: String((error as Error).message ?? error).slice(0, 2000), permanent });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));

    if (accepted.length > 0) {
      await sql`update outbox_mail set status = 'sent', sent_at = ${now()}, attempts = attempts + 1
        where id = any(${`{${accepted.join(',')}}`}::uuid[])`.execute(db);
    }
    for (const { mail, error, permanent } of refused) {
      const attempts = mail.attempts + 1;
      const giveUp = permanent || attempts >= MAX_ATTEMPTS;
      const nextAttemptAt = giveUp ? null : new Date(now().getTime() + BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]);
      await sql`update outbox_mail set attempts = ${attempts}, last_error = ${error},
          status = ${giveUp ? 'failed' : 'pending'}, next_attempt_at = coalesce(${nextAttemptAt}::timestamptz, next_attempt_at)
        where id = ${mail.id}`.execute(db);
      log.warn(`mail ${mail.message_id} to ${mail.to} failed (attempt ${attempts}): ${error}`);
    }
    sent += accepted.length;
    failed += refused.length;
    if (due.length < batchSize || Date.now() - started > maxRunMs) break;
  }
  return { sent, failed };
}

/** A mail's stored files as nodemailer attachments, each a stream from the file storage. */
function attachmentsOf(mail: Due, storage: FileStorage | undefined) {
  if (!storage) throw new Error(`mail ${mail.message_id} has attachments, but the outbox was given no file storage`);
  return mail.attachments!.map((file) => ({ filename: file.fileName, contentType: file.mimeType, content: storage.open(file.storageKey) }));
}

function addressOf(from: string): string {
  const match = /<([^>]+)>/.exec(from);
  return match ? match[1] : from;
}

import { Readable } from 'node:stream';
import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import type { MailAttachment } from '../../entities/index.ts';
import { log } from '../../log.ts';
import type { FileStorage } from '../../storage/files.ts';
import { composeMail, MAILS_IN_FLIGHT, type MailTransport } from './transport.ts';

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
  /** Mails read from the outbox at a time. */
  batchSize?: number;
  /**
   * SMTP messages in flight at once (the pooled transport keeps as many connections); also
   * the most a crash can send twice, as each mail is marked sent before its sender goes on.
   */
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
  headers: Record<string, string> | null;
  attempts: number;
};

/**
 * Delivers due mails from the outbox until none is due (or the run has taken `maxRunMs`).
 * Runs under the job's advisory lock, so no two instances deliver at once. Mails are sent a
 * few at a time over the pooled SMTP transport, and each accepted mail is marked sent
 * before its sender takes the next one: if the process dies, the next run sends again at
 * most the `concurrency` mails that were in flight or not yet marked, with the same
 * Message-ID (at-least-once, and recognisable as a duplicate), and loses none. The marks
 * are written in groups (`markSentInGroups`), so the senders do not wait for one UPDATE
 * per mail. A refused mail keeps its own attempts and backoff.
 *
 * Plain SQL (Kysely), not entities: the outbox belongs to no Verwaltung, and 100,000 mails
 * of a digest morning must not pile up in an identity map.
 */
export async function deliverOutbox({
  em,
  transport,
  now,
  from,
  storage,
  batchSize = 500,
  concurrency = MAILS_IN_FLIGHT,
  maxRunMs = 10 * 60_000,
}: DeliverOptions) {
  const db = em.getKysely();
  const sender = addressOf(from);
  const started = Date.now();
  const markSent = markSentInGroups((ids) =>
    sql`update outbox_mail set status = 'sent', sent_at = ${now()}, attempts = attempts + 1
      where id = any(${`{${ids.join(',')}}`}::uuid[])`.execute(db),
  );
  let sent = 0;
  let failed = 0;
  for (;;) {
    // The index (status, next_attempt_at) serves this order without sorting the backlog.
    const { rows: due } = await sql<Due>`
      select id, message_id, from_name, "to", subject, text, html, attachments, headers, attempts from outbox_mail
      where status = 'pending' and next_attempt_at <= ${now()}
      order by next_attempt_at, created_at limit ${batchSize}`.execute(db);
    if (due.length === 0) break;

    let accepted = 0;
    const refused: Array<{ mail: Due; error: string; permanent: boolean }> = [];
    let next = 0;
    // Set when a mark could not be written: the other senders stop before their next mail.
    let stopped = false;
    const worker = async () => {
      while (!stopped && next < due.length) {
        const mail = due[next++];
        try {
          await send(mail);
        } catch (error) {
          // A 5xx answer or a recipient nodemailer cannot address will not get better by waiting.
          const { responseCode, code } = error as { responseCode?: number; code?: string };
          const permanent = (responseCode !== undefined && responseCode >= 500) || code === 'EENVELOPE';
          refused.push({ mail, error: String((error as Error).message ?? error).slice(0, 2000), permanent });
          continue;
        }
        // Marked before this sender takes its next mail, so a crash resends at most the
        // mails in flight (one per sender); the other senders go on meanwhile.
        try {
          await markSent(mail.id);
        } catch (error) {
          stopped = true;
          throw error;
        }
        accepted++;
      }
    };
    const workers = await Promise.allSettled(Array.from({ length: Math.min(concurrency, due.length) }, worker));
    const crashed = workers.find((result) => result.status === 'rejected');
    if (crashed) throw crashed.reason;

    for (const { mail, error, permanent } of refused) {
      const attempts = mail.attempts + 1;
      const giveUp = permanent || attempts >= MAX_ATTEMPTS;
      const nextAttemptAt = giveUp ? null : new Date(now().getTime() + BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]);
      await sql`update outbox_mail set attempts = ${attempts}, last_error = ${error},
          status = ${giveUp ? 'failed' : 'pending'}, next_attempt_at = coalesce(${nextAttemptAt}::timestamptz, next_attempt_at)
        where id = ${mail.id}`.execute(db);
      log.warn(`mail ${mail.message_id} to ${mail.to} failed (attempt ${attempts}): ${error}`);
    }
    sent += accepted;
    failed += refused.length;
    if (due.length < batchSize || Date.now() - started > maxRunMs) break;
  }
  return { sent, failed };

  /** Hands one mail to the transport; throws when it is refused. */
  async function send(mail: Due) {
    const message = {
      from: mail.from_name ? { name: mail.from_name, address: sender } : from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.message_id,
      headers: mail.headers ?? undefined,
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
      return;
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
  }
}

/**
 * A group commit of "sent" marks: `mark(id)` resolves once the id is written. The first id
 * starts a write at the end of the event loop's turn; ids that come in while it runs go
 * together in the next one. So the senders never queue behind one UPDATE per mail, and one
 * UPDATE runs at a time.
 */
function markSentInGroups(write: (ids: string[]) => Promise<unknown>): (id: string) => Promise<void> {
  let waiting: Array<{ id: string; written: PromiseWithResolvers<void> }> = [];
  let writing = false;
  const writeWaiting = async () => {
    while (waiting.length > 0) {
      const group = waiting;
      waiting = [];
      try {
        await write(group.map((entry) => entry.id));
        for (const entry of group) entry.written.resolve();
      } catch (error) {
        for (const entry of group) entry.written.reject(error);
      }
    }
    writing = false;
  };
  return (id) => {
    const written = Promise.withResolvers<void>();
    waiting.push({ id, written });
    // After the current turn of the event loop: answers that arrived together go in one UPDATE.
    if (!writing) {
      writing = true;
      setImmediate(writeWaiting);
    }
    return written.promise;
  };
}

/** A mail's stored files as nodemailer attachments, each a stream from the file storage. */
function attachmentsOf(mail: Due, storage: FileStorage | undefined) {
  return mail.attachments!.map((file) => {
    // A generated text (a booking's .ics) travels in the row; stored files stream from the storage.
    if (file.content !== undefined) return { filename: file.fileName, contentType: file.mimeType, content: Readable.from([file.content]) };
    if (!storage) throw new Error(`mail ${mail.message_id} has attachments, but the outbox was given no file storage`);
    return { filename: file.fileName, contentType: file.mimeType, content: storage.open(file.storageKey) };
  });
}

function addressOf(from: string): string {
  const match = /<([^>]+)>/.exec(from);
  return match ? match[1] : from;
}

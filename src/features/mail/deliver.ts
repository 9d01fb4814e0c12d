import type { Em } from '../../db/orm.ts';
import { OutboxMail } from '../../entities/index.ts';
import { log } from '../../log.ts';
import type { MailTransport } from './transport.ts';

/** Waits before the n-th retry: 1 min, 5 min, 15 min, 1 h, then every 6 h; gives up after MAX_ATTEMPTS. */
const BACKOFF_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 6 * 60 * 60_000];
export const MAX_ATTEMPTS = 10;

export type DeliverOptions = { em: Em; transport: MailTransport; now: () => Date; from: string; batchSize?: number };

/**
 * Delivers due mails from the outbox, oldest first. Runs under the job's advisory lock, so
 * no two instances deliver at once. Each mail is marked sent right after the SMTP server
 * accepted it; if the process dies in between, the next run sends it again with the same
 * Message-ID (at-least-once, and recognisable as a duplicate).
 */
export async function deliverOutbox({ em, transport, now, from, batchSize = 50 }: DeliverOptions) {
  const due = await em.find(
    OutboxMail,
    { status: 'pending', nextAttemptAt: { $lte: now() } },
    { orderBy: { createdAt: 'asc' }, limit: batchSize },
  );
  let sent = 0;
  let failed = 0;
  for (const mail of due) {
    try {
      await transport.sendMail({
        from: mail.fromName ? { name: mail.fromName, address: addressOf(from) } : from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      });
      mail.status = 'sent';
      mail.sentAt = now();
      mail.attempts += 1;
      sent++;
    } catch (error) {
      mail.attempts += 1;
      mail.lastError = String((error as Error).message ?? error).slice(0, 2000);
      if (mail.attempts >= MAX_ATTEMPTS) mail.status = 'failed';
      else mail.nextAttemptAt = new Date(now().getTime() + BACKOFF_MS[Math.min(mail.attempts - 1, BACKOFF_MS.length - 1)]);
      failed++;
      log.warn(`mail ${mail.messageId} to ${mail.to} failed (attempt ${mail.attempts}): ${mail.lastError}`);
    }
    // One flush per mail: a crash later in the batch must not undo what was already sent.
    await em.flush();
  }
  return { sent, failed };
}

function addressOf(from: string): string {
  const match = /<([^>]+)>/.exec(from);
  return match ? match[1] : from;
}

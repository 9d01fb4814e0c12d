import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Em } from '../db/orm.ts';
import { deleteExpiredSessions } from '../auth/session.ts';
import { pruneThrottle } from '../auth/throttle.ts';
import { applyAccessWindows } from '../features/access/windows.ts';
import { removeSpentLetters } from '../features/invitations/service.ts';
import { deliverOutbox } from '../features/mail/deliver.ts';
import { sendNotificationDigests } from '../features/notifications/digest.ts';
import { configureNotificationLinks } from '../features/notifications/links.ts';
import { discardStalePreviews } from '../features/masterdata/import-service.ts';
import type { MailTransport } from '../features/mail/transport.ts';
import { fileStorageFor } from '../storage/configured.ts';

export type TaskDeps = { config: Config; clock: Clock; transport: MailTransport };

/**
 * The scheduled tasks by job name: jobs/<name>.ts is the Bree worker, the function here
 * does the work (each belongs to its feature). Every task is idempotent.
 */
export const TASKS: Record<string, { interval: string; run: (em: Em, deps: TaskDeps) => Promise<unknown> }> = {
  'mail-outbox': {
    interval: '15s',
    run: (em, deps) =>
      deliverOutbox({
        em,
        transport: deps.transport,
        now: () => deps.clock.now(),
        from: deps.config.mailFrom,
        storage: fileStorageFor(deps.config),
      }),
  },
  // Access windows open and close with the Berlin calendar day. Hourly rather than at
  // midnight: the task is idempotent, so a day's windows take effect within the hour after
  // Berlin midnight, and a missed run (restart, deploy) is made up an hour later.
  'access-windows': {
    interval: '1h',
    run: (em, deps) => applyAccessWindows(em, deps.clock.now(), undefined, { baseUrl: deps.config.baseUrl }),
  },
  // The daily and weekly digest of every notification kind (src/features/notifications/digest.ts;
  // it replaced the document digest): acts once Berlin's clock shows DOCUMENT_DIGEST_TIME (07:00);
  // every later run finds everyone done (notification_digest).
  'notification-digest': {
    interval: '15m',
    run: (em, deps) => {
      configureNotificationLinks(deps.config.secret, deps.config.baseUrl);
      return sendNotificationDigests(em, deps.clock.now(), { baseUrl: deps.config.baseUrl, digestTime: deps.config.documentDigestTime });
    },
  },
  // Clean-up of what has expired: sessions, throttle counters, letter PDFs whose codes are
  // spent, CSV imports left unconfirmed for a week.
  'session-cleanup': {
    interval: '1h',
    run: async (em, deps) => {
      await deleteExpiredSessions(em, deps.clock.now());
      await pruneThrottle(em, deps.clock.now());
      await removeSpentLetters(em, fileStorageFor(deps.config), deps.clock.now());
      await discardStalePreviews(em, fileStorageFor(deps.config), deps.clock.now());
    },
  },
};

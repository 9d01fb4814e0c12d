import type { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/entities/index.ts';
import { enqueueMail } from '../../src/features/mail/outbox.ts';
import { createMailTransport } from '../../src/features/mail/transport.ts';
import { startScheduler } from '../../src/scheduler/bree.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

/** Polls until `done()` holds, for at most `ms`; returns whether it did. */
async function eventually(done: () => boolean, ms = 10_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (done()) return true;
  return done();
}

async function queueMail(to: string) {
  const em = app.em();
  const mail = enqueueMail(em, { organization: null, to, template: 'password-reset', data: { name: 'Bree', link: `${app.baseUrl}/x` } }, app.clock.now());
  await em.flush();
  return mail;
}

/**
 * Runs the real scheduler around `work` and returns every worker thread started meanwhile
 * (Bree's job workers), after `stop()` has resolved.
 */
async function withScheduler(work: (scheduler: Awaited<ReturnType<typeof startScheduler>>) => Promise<void>) {
  const workers: Worker[] = [];
  const track = (worker: Worker) => workers.push(worker);
  process.on('worker', track);
  const transport = createMailTransport(app.config);
  try {
    const scheduler = await startScheduler(app.orm, { config: app.config, clock: app.clock, transport });
    try {
      await work(scheduler);
    } finally {
      await scheduler.stop();
    }
  } finally {
    process.off('worker', track);
    transport.close?.();
  }
  return workers;
}

/** A worker's threadId turns -1 once its thread has exited. */
const allExited = (workers: Worker[]) => eventually(() => workers.every((w) => w.threadId === -1), 5_000);

describe('the Bree scheduler', () => {
  it('delivers a queued mail through the mail-outbox worker, and stops without leaving a worker', async () => {
    const mail = await queueMail('bree@example.de');

    const workers = await withScheduler(async (scheduler) => {
      await scheduler.runNow('mail-outbox');
      expect(await eventually(() => app.smtp.to('bree@example.de').length > 0)).toBe(true);
    });

    // The worker only asked; the server process sent the mail and marked it.
    expect(workers.length).toBeGreaterThanOrEqual(1);
    expect(app.smtp.to('bree@example.de').map((m) => m.messageId)).toEqual([mail.messageId]);
    expect((await app.em().findOneOrFail(OutboxMail, { id: mail.id })).status).toBe('sent');
    expect(await allExited(workers)).toBe(true);
  });

  it('lets a job that has started finish before stop() resolves', async () => {
    const mail = await queueMail('kurz-vor-schluss@example.de');

    const workers = await withScheduler(async (scheduler) => {
      await scheduler.runNow('mail-outbox');
    });

    expect(workers.length).toBeGreaterThanOrEqual(1);
    expect(app.smtp.to('kurz-vor-schluss@example.de').map((m) => m.messageId)).toEqual([mail.messageId]);
    expect((await app.em().findOneOrFail(OutboxMail, { id: mail.id })).status).toBe('sent');
    expect(await allExited(workers)).toBe(true);
  });
});

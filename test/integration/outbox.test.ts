import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { Em } from '../../src/db/orm.ts';
import { Organization, OutboxMail, StaffUser } from '../../src/entities/index.ts';
import { MAX_ATTEMPTS } from '../../src/features/mail/deliver.ts';
import { enqueueMail, insertOutboxMails, newLayoutCache, renderMail } from '../../src/features/mail/outbox.ts';
import { createMailTransport, MAILS_IN_FLIGHT, type MailTransport } from '../../src/features/mail/transport.ts';
import { inviteStaff } from '../../src/features/staff/service.ts';
import { runTask } from '../../src/scheduler/bree.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { startSmtpReceiver } from '../support/smtp.ts';

let app: TestApp;
let transport: MailTransport;
beforeAll(async () => {
  app = await startTestApp();
  transport = createMailTransport(app.config);
});
afterAll(async () => {
  transport?.close?.();
  await app?.close();
});

beforeEach(async () => {
  await app.em().nativeDelete(OutboxMail, {});
  app.smtp.clear();
  app.smtp.failNext(0);
});

/** Queues a password-reset mail as the login feature would, committed on its own. */
async function queueMail(to: string) {
  const em = app.em();
  const mail = enqueueMail(em, { organization: null, to, template: 'password-reset', data: { name: 'Test', link: `${app.baseUrl}/x` } }, app.clock.now());
  await em.flush();
  return { id: mail.id, messageId: mail.messageId };
}

function outboxRow(id: string) {
  return app.em().findOneOrFail(OutboxMail, { id });
}

/** One run of the real outbox task, as the scheduler starts it, with a transport of the test's choosing. */
function runOutbox(using: MailTransport = transport) {
  return runTask(app.orm, 'mail-outbox', { config: app.config, clock: app.clock, transport: using });
}

describe('delivering the outbox', () => {
  it('sends each mail exactly once, however often the job runs', async () => {
    const first = await queueMail('eins@example.de');
    const second = await queueMail('zwei@example.de');

    expect(await runOutbox()).toBe(true);
    expect(await runOutbox()).toBe(true);

    expect(app.smtp.messages.map((m) => m.messageId).sort()).toEqual([first.messageId, second.messageId].sort());
    expect(app.smtp.to('eins@example.de')[0].subject).toBe('Passwort zurücksetzen');
    for (const { id } of [first, second]) {
      const row = await outboxRow(id);
      expect(row.status).toBe('sent');
      expect(row.attempts).toBe(1);
      expect(row.sentAt).toEqual(app.clock.now());
    }
  });

  it('keeps a refused mail pending and retries it only when its backoff is over', async () => {
    const { id, messageId } = await queueMail('spaeter@example.de');
    app.smtp.failNext(1);

    await runOutbox();
    expect(app.smtp.messages).toHaveLength(0);
    const refused = await outboxRow(id);
    expect(refused.status).toBe('pending');
    expect(refused.attempts).toBe(1);
    expect(refused.lastError).toMatch(/451/);
    expect(refused.nextAttemptAt.getTime()).toBeGreaterThan(app.clock.now().getTime());

    // Not before its time, however often the job runs.
    await runOutbox();
    app.clock.set(new Date(refused.nextAttemptAt.getTime() - 1000));
    await runOutbox();
    expect(app.smtp.messages).toHaveLength(0);
    expect((await outboxRow(id)).attempts).toBe(1);

    app.clock.set(refused.nextAttemptAt);
    await runOutbox();
    expect(app.smtp.messages.map((m) => m.messageId)).toEqual([messageId]);
    const sent = await outboxRow(id);
    expect(sent.status).toBe('sent');
    expect(sent.attempts).toBe(2);
  });

  it('gives a mail up at once when the server refuses it for good (5xx)', async () => {
    const { id } = await queueMail('unbekannt@example.de');
    app.smtp.failNext(1, 550);
    await runOutbox();
    const row = await outboxRow(id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/550/);
  });

  it('never sends to an address that would say more in the To header than in the envelope', async () => {
    const { id } = await queueMail('opfer@example.de\r\nBcc: alle@example.de');
    await runOutbox();
    const row = await outboxRow(id);
    expect(row.status).toBe('failed');
    expect(row.lastError).toMatch(/invalid recipient/);
    expect(app.smtp.messages).toHaveLength(0);
  });

  it(`gives a mail up as failed after ${MAX_ATTEMPTS} refused attempts`, async () => {
    const { id } = await queueMail('nie@example.de');
    app.smtp.failNext(MAX_ATTEMPTS);

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await runOutbox();
      const row = await outboxRow(id);
      expect(row.attempts).toBe(attempt);
      expect(row.status).toBe(attempt < MAX_ATTEMPTS ? 'pending' : 'failed');
      if (row.status === 'pending') app.clock.set(row.nextAttemptAt);
    }

    // The receiver would accept it now, but a failed mail is not tried again.
    app.clock.advance(7 * 24 * 60 * 60 * 1000);
    await runOutbox();
    expect(app.smtp.messages).toHaveLength(0);
    expect((await outboxRow(id)).status).toBe('failed');
  });

  it('sends a mail again with the same Message-ID when the process died after sending', async () => {
    const { id, messageId } = await queueMail('doppelt@example.de');
    // The SMTP server accepts the mail, then sending "fails" before the row is marked sent, as
    // when the process dies there. (deliverOutbox counts it as a failed attempt, so the retry
    // waits for its backoff; after a real crash the row would be due at once.)
    const diesAfterSending: MailTransport = {
      async sendMail(message) {
        await transport.sendMail(message);
        throw new Error('process died before the outbox row was marked');
      },
    };

    await runOutbox(diesAfterSending);
    expect(app.smtp.messages).toHaveLength(1);
    const unmarked = await outboxRow(id);
    expect(unmarked.status).toBe('pending');

    // A later normal run delivers it again: at least once, recognisable as the same mail.
    app.clock.set(unmarked.nextAttemptAt);
    await runOutbox();
    expect(app.smtp.messages).toHaveLength(2);
    expect(app.smtp.messages.map((m) => m.messageId)).toEqual([messageId, messageId]);
    expect((await outboxRow(id)).status).toBe('sent');
  });
});

describe('the outbox and the change that causes a mail', () => {
  const invitation = (email: string) => ({ name: 'Tina Transaktion', email, role: 'staff' });

  async function inTransaction(work: (tx: Em, admin: StaffUser) => Promise<unknown>) {
    await app.em().transactional(async (tx) => {
      const admin = await tx.findOneOrFail(StaffUser, { email: 'verwalter@sonnenschein-hv.de' }, { filters: { tenant: false } });
      await work(tx, admin);
    });
  }

  async function saved(email: string) {
    const em = app.em();
    return { staff: await em.count(StaffUser, { email }, { filters: { tenant: false } }), mails: await em.count(OutboxMail, { to: email }) };
  }

  it('commits the invited staff member and the invitation mail together', async () => {
    await inTransaction((tx, admin) => inviteStaff(tx, admin, invitation('tina.ok@sonnenschein-hv.de'), app.baseUrl, app.clock.now()));
    expect(await saved('tina.ok@sonnenschein-hv.de')).toEqual({ staff: 1, mails: 1 });
  });

  it('leaves neither the staff member nor the mail when the transaction fails after the invitation was flushed', async () => {
    const failing = inTransaction(async (tx, admin) => {
      await inviteStaff(tx, admin, invitation('tina.weg@sonnenschein-hv.de'), app.baseUrl, app.clock.now());
      throw new Error('a later step of the same change failed');
    });
    await expect(failing).rejects.toThrow('a later step of the same change failed');

    expect(await saved('tina.weg@sonnenschein-hv.de')).toEqual({ staff: 0, mails: 0 });
    await runOutbox();
    expect(app.smtp.messages).toHaveLength(0);
  });
});

describe('mails written in bulk (the digest)', () => {
  const digest = (name: string, locale: string) => ({
    template: 'document-shared',
    locale,
    data: {
      name,
      day: '2026-11-23',
      count: 1,
      title: 'Hausordnung',
      documents: [
        { title: 'Hausordnung <2026>', typeName: 'Hausordnung', propertyName: 'Rosenweg 24', link: 'https://p.example/d', folderLink: 'https://p.example/f' },
      ],
      link: 'https://p.example/l',
    },
  });

  it('renders the layout once per language and Verwaltung, with the same result as rendering each mail', async () => {
    const organization = await app.em().findOneOrFail(Organization, { name: 'Hausverwaltung Sonnenschein GmbH' });
    const layouts = newLayoutCache();
    for (const [name, locale] of [
      ['Anna Ämter', 'de'],
      ['Bob & Co', 'en'],
      ['Carla "C"', 'de'],
    ]) {
      const request = { ...digest(name, locale), organization };
      expect(renderMail(request, layouts)).toEqual(renderMail(request));
    }
    expect(layouts.size).toBe(2);
  });

  it("inserts rendered mails with one statement in the caller's transaction, delivered like any other", async () => {
    const organization = await app.em().findOneOrFail(Organization, { name: 'Hausverwaltung Sonnenschein GmbH' });
    const layouts = newLayoutCache();
    const mails = ['bulk.1@example.de', 'bulk.2@example.de'].map((to, i) => ({
      ...renderMail({ ...digest(`Nummer ${i}`, 'de'), organization }, layouts),
      organization,
      to,
      // A notification mail's one-click unsubscribe (RFC 8058) goes along as header lines.
      headers: { 'List-Unsubscribe': `<https://p.example/abbestellen/${i}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    }));

    // Rolled back with the transaction.
    await expect(
      app.em().transactional(async (tx) => {
        await insertOutboxMails(tx, mails, app.clock.now());
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await app.em().count(OutboxMail, {})).toBe(0);

    await app.em().transactional((tx) => insertOutboxMails(tx, mails, app.clock.now()));
    const rows = await app.em().find(OutboxMail, {}, { orderBy: { to: 'asc' } });
    expect(rows.map((r) => [r.to, r.status, r.attempts, r.fromName])).toEqual([
      ['bulk.1@example.de', 'pending', 0, 'Hausverwaltung Sonnenschein GmbH'],
      ['bulk.2@example.de', 'pending', 0, 'Hausverwaltung Sonnenschein GmbH'],
    ]);

    await runOutbox();
    const received = app.smtp.to('bulk.1@example.de')[0];
    expect(received.messageId).toBe(rows[0].messageId);
    expect(received.subject).toBe('Neues Dokument: Hausordnung');
    expect(received.headers.get('list-unsubscribe')).toBe('<https://p.example/abbestellen/0>');
    expect(received.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(received.text).toBe(mails[0].text);
    expect(received.html).toBe(mails[0].html);
    expect(received.html).toContain('Hausordnung &lt;2026&gt;');
    expect(received.text).toContain('Hallo Nummer 0,');
    expect(app.smtp.messages).toHaveLength(2);
  });
});

describe('the job lock', () => {
  it('lets only one of two concurrent runs deliver, and no mail goes out twice', async () => {
    const queued = [await queueMail('a@example.de'), await queueMail('b@example.de'), await queueMail('c@example.de')];

    const results = await Promise.all([runOutbox(), runOutbox()]);

    expect(results.sort()).toEqual([false, true]);
    expect(app.smtp.messages.map((m) => m.messageId).sort()).toEqual(queued.map((m) => m.messageId).sort());
  });

  it.skipIf(inject('testDatabase').kind === 'embedded')(
    'keeps a second server instance out while the first holds the lock (PostgreSQL only: the embedded database belongs to one process)',
    async () => {
      const { messageId } = await queueMail('instanz@example.de');

      // The second instance: its own modules (so its own in-process guard) and its own ORM on the same database.
      vi.resetModules();
      const secondScheduler = await import('../../src/scheduler/bree.ts');
      const { openOrm } = await import('../../src/db/orm.ts');
      expect(secondScheduler.runTask).not.toBe(runTask);
      const secondOrm = await openOrm({ kind: 'postgres', url: app.databaseUrl! });
      try {
        // The first instance is in the middle of sending: its transport waits until released.
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        let sending!: () => void;
        const isSending = new Promise<void>((resolve) => (sending = resolve));
        const slow: MailTransport = {
          async sendMail(message) {
            sending();
            await released;
            return transport.sendMail(message);
          },
        };
        const first = runOutbox(slow);
        await isSending;

        const deps = { config: app.config, clock: app.clock, transport };
        expect(await secondScheduler.runTask(secondOrm, 'mail-outbox', deps)).toBe(false);

        release();
        expect(await first).toBe(true);
        // Once the first has finished, the second may run; there is nothing left to send.
        expect(await secondScheduler.runTask(secondOrm, 'mail-outbox', deps)).toBe(true);
        expect(app.smtp.messages.map((m) => m.messageId)).toEqual([messageId]);
      } finally {
        await secondOrm.close();
      }
    },
  );
});

describe.skipIf(inject('testDatabase').kind === 'embedded')(
  'a delivery process killed in the middle of a run (PostgreSQL only: a second process cannot open the embedded in-memory database)',
  () => {
    const MAILS = 10_000;
    /** Messages in flight at once (deliverOutbox's default concurrency). */
    const CONCURRENCY = MAILS_IN_FLIGHT;

    /** Runs test/support/deliver-outbox.ts in a child process; resolves with its exit. */
    function deliverInChild(smtpUrl: string) {
      const child = spawn(process.execPath, [path.join(import.meta.dirname, '../support/deliver-outbox.ts')], {
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: app.databaseUrl!, SMTP_URL: smtpUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal, output })),
      );
      return { child, exited };
    }

    it(`resends at most the ${CONCURRENCY} mails in flight, with their Message-ID, and loses none`, async () => {
      const now = new Date();
      const mails = Array.from({ length: MAILS }, (_, i) => ({
        organization: null,
        to: `absturz.${i}@example.de`,
        subject: `Mail ${i}`,
        text: `Mail ${i}`,
        html: `<p>Mail ${i}</p>`,
      }));
      await app.em().transactional((tx) => insertOutboxMails(tx, mails, now));
      const queued = (await app.em().execute<{ message_id: string }[]>('select message_id from outbox_mail')).map((row) => row.message_id);
      expect(queued).toHaveLength(MAILS);

      // Its own receiver, not parsing MIME: it keeps up with the sender and still reads each Message-ID.
      const smtp = await startSmtpReceiver({ parse: false });
      try {
        const first = deliverInChild(smtp.url);
        // Killed in the middle of the run, when about a third has been received.
        while (smtp.messages.length < 3_250 && first.child.exitCode === null) await sleep(5);
        first.child.kill('SIGKILL');
        const killed = await first.exited;
        expect(killed.signal, killed.output).toBe('SIGKILL');
        expect(smtp.messages.length).toBeLessThan(MAILS);

        const second = await deliverInChild(smtp.url).exited;
        expect(second.code, second.output).toBe(0);

        const timesReceived = new Map<string, number>();
        for (const { messageId } of smtp.messages) timesReceived.set(messageId, (timesReceived.get(messageId) ?? 0) + 1);
        // Every queued mail arrived, and nothing else did.
        expect(queued.filter((id) => !timesReceived.has(id))).toEqual([]);
        expect(timesReceived.size).toBe(MAILS);
        // What arrived twice are the mails in flight at the kill, sent again with the same Message-ID.
        const twice = [...timesReceived.values()].filter((n) => n === 2).length;
        expect([...timesReceived.values()].every((n) => n <= 2)).toBe(true);
        expect(twice).toBeLessThanOrEqual(CONCURRENCY);
        expect(smtp.messages).toHaveLength(MAILS + twice);

        const statuses = await app.em().execute<{ status: string; count: string }[]>('select status, count(*) from outbox_mail group by status');
        expect(statuses.map((row) => [row.status, Number(row.count)])).toEqual([['sent', MAILS]]);
      } finally {
        await smtp.close();
      }
    }, 240_000);
  },
);

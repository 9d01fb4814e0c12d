/**
 * `npm run bench:digest`: the daily notification digest at full size (issue 5; since issue 19
 * with every kind in play: the one digest of src/features/notifications/digest.ts).
 *
 * 1. Recreates a PostgreSQL database (BENCH_DIGEST_DATABASE_URL, default
 *    postgres://postgres@127.0.0.1:5432/hausportal_bench_digest), migrates it, seeds the demo
 *    world and adds, in set-based SQL (generate_series), 1,000 properties with 100 flats each,
 *    100,000 contacts with a running tenancy and a registered portal login, and 2,000
 *    documents shared yesterday (two per property: one with the whole property, one with
 *    its Mieter), and for every resident one queued item of each other kind (Mitteilung,
 *    Termin, Schwarzes Brett, Vorgang) from yesterday; the Verwaltung's default for every kind
 *    is "täglich", so each resident's one mail lists all five kinds.
 * 2. Starts the real SMTP receiver (test/support/smtp.ts) in a child process, so its parsing
 *    does not share this process's event loop and its memory does not count as ours.
 * 3. Runs the 'notification-digest' task at 07:05 Berlin time, then the 'mail-outbox' task until
 *    the outbox is empty, through the real (pooled) nodemailer transport.
 * 4. Prints the time of each step, the peak RSS of this process (digest + delivery) and of
 *    the receiver, and the mails received; checks that every recipient got exactly one mail
 *    and that a second run sends nothing. Target: digest + delivery < 2 minutes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { addDays, berlinDate, fixedClock, startOfBerlinDay } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { migrate, openOrm, type Em, type Orm } from '../../src/db/orm.ts';
import { seedDemo } from '../../src/features/demo/seed.ts';
import { createMailTransport } from '../../src/features/mail/transport.ts';
import { TASKS } from '../../src/scheduler/tasks.ts';
import { adminExecute, databaseUrl } from '../support/db.ts';
import { startSmtpReceiver } from '../support/smtp.ts';

const DATABASE_URL = process.env.BENCH_DIGEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hausportal_bench_digest';
const PROPERTIES = 1000;
// BENCH_DIGEST_UNITS narrows the world for a quick look (residents = 1,000 × units).
const UNITS_PER_PROPERTY = Number(process.env.BENCH_DIGEST_UNITS ?? 100);
const RESIDENTS = PROPERTIES * UNITS_PER_PROPERTY;
const TARGET_MS = 120_000;

type ReceiverReport = { received: number; recipients: number; maxPerRecipient: number; peakRssMb: number; cpuSeconds: number };

/** Child mode: the SMTP receiver, tallying and forgetting what arrives (100,000 parsed mails would not fit). */
async function receiver() {
  // Received in full but not parsed (BENCH_DIGEST_PARSE=on parses as the tests do): the
  // receiver shares the machine's cores with the app, and only the envelope is counted here.
  const smtp = await startSmtpReceiver({ parse: process.env.BENCH_DIGEST_PARSE === 'on' });
  const perRecipient = new Map<string, number>();
  let received = 0;
  const tally = () => {
    for (const mail of smtp.messages) for (const to of mail.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    received += smtp.messages.length;
    smtp.clear();
  };
  const timer = setInterval(tally, 200);
  process.send!({ url: smtp.url });
  process.on('message', async (message: { report?: boolean; close?: boolean }) => {
    tally();
    if (message.report) {
      const report: ReceiverReport = {
        received,
        recipients: perRecipient.size,
        maxPerRecipient: Math.max(0, ...perRecipient.values()),
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      };
      process.send!(report);
    }
    if (message.close) {
      clearInterval(timer);
      await smtp.close();
      process.exit(0);
    }
  });
}

function startReceiver(): Promise<{ child: ChildProcess; url: string; report(): Promise<ReceiverReport>; close(): void }> {
  const child = fork(fileURLToPath(import.meta.url), ['--receiver'], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (message: { url: string }) =>
      resolve({
        child,
        url: message.url,
        report: () =>
          new Promise((done) => {
            child.once('message', (m) => done(m as ReceiverReport));
            child.send({ report: true });
          }),
        close: () => child.send({ close: true }),
      }),
    );
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** The large world of the digest, in set-based SQL around the ORM (bench only). */
async function seed(orm: Orm, yesterday: string) {
  const em = orm.em.fork() as Em;
  const [{ id: org }] = await em.execute<{ id: string }[]>(`select id from organization where name = 'Hausverwaltung Sonnenschein GmbH'`);
  const [{ id: staff }] = await em.execute<{ id: string }[]>(`select id from staff_user where email = 'verwalter@sonnenschein-hv.de'`);
  const sharedAt = new Date(startOfBerlinDay(yesterday).getTime() + 12 * 3600 * 1000).toISOString();
  await em.transactional(async (tx) => {
    const run = (sql: string, params: unknown[] = []) => tx.execute(sql, params);
    await run(
      `create temp table dp on commit drop as select g as n, gen_random_uuid() as id, gen_random_uuid() as address_id from generate_series(1, ${PROPERTIES}) g`,
    );
    await run(
      `insert into property (id, organization_id, external_id, name, kind, created_at, updated_at)
      select id, ?, 'DG-' || n, 'Digeststraße ' || n, 'rental', now(), now() from dp`,
      [org],
    );
    await run(
      `insert into address (id, organization_id, property_id, street, house_number, postal_code, city, created_at, updated_at)
      select address_id, ?, id, 'Digeststraße', n::text, '80331', 'München', now(), now() from dp`,
      [org],
    );
    await run(`create temp table du on commit drop as
      select row_number() over (order by dp.n, k)::int as n, gen_random_uuid() as id, dp.id as property_id, dp.address_id, k,
             gen_random_uuid() as contact_id, gen_random_uuid() as contract_id, gen_random_uuid() as user_id
      from dp cross join generate_series(1, ${UNITS_PER_PROPERTY}) k`);
    await run(
      `insert into unit (id, organization_id, property_id, address_id, number, kind, created_at, updated_at)
      select id, ?, property_id, address_id, 'Wohnung ' || lpad(k::text, 3, '0'), 'apartment', now(), now() from du`,
      [org],
    );
    await run(
      `insert into contact (id, organization_id, type, salutation, first_name, last_name, email, created_at, updated_at)
      select contact_id, ?, 'person', 'none', 'Mieterin', 'Nummer ' || n, 'digest.' || n || '@example.de', now(), now() from du`,
      [org],
    );
    await run(
      `insert into contract (id, organization_id, kind, unit_id, starts_on, created_at, updated_at)
      select contract_id, ?, 'rental', id, current_date - 400, now(), now() from du`,
      [org],
    );
    await run(`insert into contract_contact (contract_id, contact_id) select contract_id, contact_id from du`);
    await run(
      `insert into portal_user (id, organization_id, email, name, password_hash, locale, created_at, onboarded_at)
      select user_id, ?, 'digest.' || n || '@example.de', 'Mieterin Nummer ' || n, 'bench-not-a-hash', case when n % 10 = 0 then 'en' else 'de' end, now(), now() from du`,
      [org],
    );
    await run(`insert into portal_user_contact (portal_user_id, contact_id) select user_id, contact_id from du`);
    // Two documents per property, shared yesterday at noon: one with everyone, one with the Mieter.
    await run(
      `create temp table dd on commit drop as
      select gen_random_uuid() as id, dp.id as property_id, dp.n, g,
             (select id from document_type t where t.organization_id = ? and t.name = case when g = 1 then 'Hausordnung' else 'Betriebskostenabrechnung' end) as type_id
      from dp cross join generate_series(1, 2) g`,
      [org],
    );
    await run(
      `insert into document (id, organization_id, property_id, type_id, title, status, file_name, mime_type, size, storage_key, version, published_at, created_by_id, created_at, updated_at)
      select id, ?, property_id, type_id, case when g = 1 then 'Hausordnung ' else 'Betriebskostenabrechnung ' end || n, 'published',
             'dokument-' || n || '-' || g || '.pdf', 'application/pdf', 123456, '00/' || repeat('0', 40), 1, ?::timestamptz, ?, ?::timestamptz, ?::timestamptz
      from dd`,
      [org, sharedAt, staff, sharedAt, sharedAt],
    );
    await run(
      `insert into document_share (id, organization_id, document_id, kind, property_id, "group", created_at)
      select gen_random_uuid(), ?, id, case when g = 1 then 'property' else 'group' end, property_id, case when g = 2 then 'tenant' end, ?::timestamptz from dd`,
      [org, sharedAt],
    );
    // Every other kind in play (issue 19): "täglich" for all, and one queued item per resident
    // and kind, as the features' notify calls write them for residents who chose a digest.
    await run(
      `insert into notification_default (organization_id, kind, frequency)
      select ?, kind, 'daily' from unnest(array['announcements', 'appointments', 'documents', 'bulletin', 'tickets']) as kind
      on conflict (organization_id, kind) do update set frequency = 'daily'`,
      [org],
    );
    await run(
      `insert into notification_item (id, organization_id, portal_user_id, kind, property_id, title, link, created_at, digested_at)
      select gen_random_uuid(), ?, du.user_id, k.kind, du.property_id, k.title || ' ' || du.n,
             'https://portal.example.de/portal/liegenschaften/' || du.property_id || '/' || k.path, ?::timestamptz, null
      from du cross join (values ('announcements', 'Wasserabstellung', 'mitteilungen'), ('appointments', 'Ablesung der Heizkostenverteiler', 'termine'),
                                 ('bulletin', 'Flohmarkt im Hof', 'schwarzes-brett'), ('tickets', '2026-00042 Heizung fällt aus', 'vorgaenge')) as k(kind, title, path)`,
      [org, sharedAt],
    );
  });
  await em.execute('vacuum analyze');
}

async function main() {
  const now = new Date(startOfBerlinDay(berlinDate(new Date())).getTime() + (7 * 60 + 5) * 60_000);
  const yesterday = addDays(berlinDate(now), -1);
  const name = decodeURIComponent(new URL(DATABASE_URL).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  console.log(
    `Digest bench: ${RESIDENTS.toLocaleString('en')} residents, ${PROPERTIES * 2} documents shared on ${yesterday} across ${PROPERTIES} properties, ${(RESIDENTS * 4).toLocaleString('en')} queued Mitteilungen, Termine, Schwarzes-Brett posts and Vorgänge`,
  );

  await adminExecute(databaseUrl(DATABASE_URL, 'postgres'), [`drop database if exists "${name}" with (force)`, `create database "${name}"`]);
  const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL });
  const receiver = await startReceiver();
  try {
    const seeding = performance.now();
    await migrate(orm);
    await seedDemo(orm.em.fork());
    await seed(orm, yesterday);
    console.log(`  seeded in ${seconds(performance.now() - seeding)}`);

    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL,
      SMTP_URL: receiver.url,
      BASE_URL: 'https://portal.example.de',
      JOBS: 'off',
      LOG_LEVEL: 'warn',
    });
    const transport = createMailTransport(config);
    const deps = { config, clock: fixedClock(now), transport };
    const rssBefore = process.memoryUsage().rss;

    const cpu = () => (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
    const receiverCpuBefore = (await receiver.report()).cpuSeconds;
    const cpuStart = cpu();
    // As in production, the two jobs run side by side under their own locks: the outbox job
    // delivers the first batches of digest mails while the digest task writes the next ones.
    const started = performance.now();
    let digested = 0;
    let cpuDigested = 0;
    const digestRun = (TASKS['notification-digest'].run(orm.em.fork() as Em, deps) as Promise<{ mails: number }>).then((result) => {
      digested = performance.now();
      cpuDigested = cpu();
      return result;
    });
    const delivered = { sent: 0, failed: 0 };
    for (let digestDone = false; ; ) {
      const run = (await TASKS['mail-outbox'].run(orm.em.fork() as Em, deps)) as { sent: number; failed: number };
      delivered.sent += run.sent;
      delivered.failed += run.failed;
      if (digestDone && run.sent + run.failed === 0) break;
      digestDone = digested > 0;
      if (run.sent === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const digest = await digestRun;
    const finished = performance.now();
    const cpuFinished = cpu();
    transport.close?.();

    const report = await receiver.report();
    const [{ pending }] = await orm.em.fork().execute<{ pending: string }[]>(`select count(*) as pending from outbox_mail where status <> 'sent'`);
    const again = (await TASKS['notification-digest'].run(orm.em.fork() as Em, { ...deps, clock: fixedClock(new Date(now.getTime() + 15 * 60_000)) })) as {
      mails: number;
    };

    const total = finished - started;
    console.log(`  digest task:    done after ${seconds(digested - started)} (${digest.mails.toLocaleString('en')} mails into the outbox)`);
    console.log(
      `  outbox delivery: last mail after ${seconds(finished - started)} (${delivered.sent.toLocaleString('en')} sent, ${delivered.failed} failed, ${Math.round(delivered.sent / ((finished - started) / 1000))} mails/s overall)`,
    );
    console.log(
      `  CPU time:       ${seconds((cpuFinished - cpuStart) * 1000)} in this process (${seconds((cpuDigested - cpuStart) * 1000)} until the digest was done); ${seconds((report.cpuSeconds - receiverCpuBefore) * 1000)} in the SMTP receiver`,
    );
    console.log(`  total:          ${seconds(total)} (target < ${seconds(TARGET_MS)}) ${total < TARGET_MS ? 'PASS' : 'FAIL'}`);
    console.log(
      `  peak RSS:       ${mb(process.resourceUsage().maxRSS * 1024)} in this process (digest + delivery; ${mb(rssBefore)} before), ${report.peakRssMb.toFixed(0)} MB in the SMTP receiver`,
    );
    console.log(
      `  received:       ${report.received.toLocaleString('en')} mails for ${report.recipients.toLocaleString('en')} recipients, at most ${report.maxPerRecipient} per recipient; outbox not sent: ${pending}; second run: ${again.mails} mails`,
    );
    const ok = report.received === RESIDENTS && report.recipients === RESIDENTS && report.maxPerRecipient === 1 && Number(pending) === 0 && again.mails === 0;
    console.log(ok ? 'Exactly one mail per recipient.' : 'FAILED: not exactly one mail per recipient.');
    if (!ok) process.exitCode = 1;
  } finally {
    receiver.close();
    await orm.close();
  }
}

if (process.argv.includes('--receiver')) await receiver();
else await main();

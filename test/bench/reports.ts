/**
 * `npm run bench:reports`: the Berichte (issue 18) of one property with 500 units and 60,000
 * Buchungen in one Wirtschaftsjahr.
 *
 * 1. Recreates a PostgreSQL database (BENCH_REPORTS_DATABASE_URL, default
 *    postgres://postgres@127.0.0.1:5432/hausportal_bench_reports), migrates it and seeds the
 *    demo world.
 * 2. Starts the real server (production mode) and pushes through the sync API with the demo
 *    key: the property, 500 units, 500 tenants with rental contracts (every tenth ends in
 *    June: vacancies), a Wirtschaftsjahr, 10 Sachkonten, 500 personal accounts, 1,000
 *    Sollstellungen and 60,000 Buchungen in batches of 1,000 — the Buchungen are timed
 *    (wall time and server CPU).
 * 3. Logs in as the demo manager and requests each report page of the console's Berichte
 *    (BENCH_REPORTS_RUNS, default 10, after 2 warm-up requests), printing p50/max and the
 *    server process's CPU time per request.
 * Timings depend on the machine; no target turns into an exit code.
 */
import { readFileSync } from 'node:fs';
import { migrate, openOrm } from '../../src/db/orm.ts';
import { DEMO_API_KEY, DEMO_PASSWORD, seedDemo } from '../../src/features/demo/seed.ts';
import { adminExecute, databaseUrl } from '../support/db.ts';
import { logIn, startServer, stopServer, type RunningServer } from './server.ts';

const DATABASE_URL = process.env.BENCH_REPORTS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hausportal_bench_reports';
const RUNS = Number(process.env.BENCH_REPORTS_RUNS ?? 10);
const WARMUP = 2;
const UNITS = 500;
const ENTRIES = 60_000;
const YEAR = 2026;
const MANAGER = { email: 'verwalter@sonnenschein-hv.de', password: DEMO_PASSWORD };

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(1)} ms`);
const money = (cents: number) => `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

async function prepareDatabase() {
  const name = new URL(DATABASE_URL).pathname.slice(1);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  await adminExecute(databaseUrl(DATABASE_URL, 'postgres'), [`drop database if exists "${name}" with (force)`, `create database "${name}"`]);
  const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL });
  try {
    await migrate(orm);
    await seedDemo(orm.em.fork());
  } finally {
    await orm.close();
  }
}

async function put(baseUrl: string, kind: string, items: unknown[]) {
  for (let i = 0; i < items.length; i += 1000) {
    const response = await fetch(`${baseUrl}/api/v1/${kind}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: items.slice(i, i + 1000) }),
    });
    const body = (await response.json()) as { summary?: { refused: number } };
    if (response.status !== 200 || body.summary?.refused) throw new Error(`${kind}: HTTP ${response.status} ${JSON.stringify(body).slice(0, 500)}`);
  }
}

async function seedThroughApi(running: RunningServer) {
  const url = running.baseUrl;
  const n = Array.from({ length: UNITS }, (_, i) => i + 1);
  await put(url, 'properties', [{ externalId: 'BR-P', name: 'Berichtsweg 500', kind: 'rental' }]);
  await put(
    url,
    'units',
    n.map((i) => ({ externalId: `BR-U${i}`, propertyExternalId: 'BR-P', number: `Wohnung ${String(i).padStart(3, '0')}`, areaSqm: 40 + (i % 60) })),
  );
  await put(
    url,
    'contacts',
    n.map((i) => ({ externalId: `BR-K${i}`, lastName: `Mieter ${i}`, firstName: 'Bench' })),
  );
  await put(
    url,
    'contracts',
    n.map((i) => ({
      externalId: `BR-V${i}`,
      unitExternalId: `BR-U${i}`,
      contactExternalIds: [`BR-K${i}`],
      kind: 'rental',
      startsOn: '2024-01-01',
      endsOn: i % 10 === 0 ? `${YEAR}-06-30` : null,
    })),
  );
  await put(url, 'fiscal-years', [{ externalId: 'BR-WJ', propertyExternalId: 'BR-P', startsOn: `${YEAR}-01-01`, endsOn: `${YEAR}-12-31` }]);
  const accounts = [
    ['4000', 'Mieteinnahmen', 'income'],
    ['4100', 'Nebenkostenvorauszahlungen', 'income'],
    ['5000', 'Hausmeister', 'expense'],
    ['5100', 'Versicherung', 'expense'],
    ['5200', 'Allgemeinstrom', 'expense'],
    ['5300', 'Instandhaltung', 'expense'],
    ['5400', 'Wasser', 'expense'],
    ['5500', 'Müllabfuhr', 'expense'],
    ['5600', 'Gartenpflege', 'expense'],
    ['1800', 'Rücklage', 'reserve'],
  ];
  await put(
    url,
    'ledger-accounts',
    accounts.map(([number, name, kind]) => ({ externalId: `BR-SK${number}`, propertyExternalId: 'BR-P', number, name, kind })),
  );
  await put(
    url,
    'personal-accounts',
    n.map((i) => ({ externalId: `BR-PK${i}`, contractExternalId: `BR-V${i}` })),
  );
  const until = (i: number) => (i % 10 === 0 ? `${YEAR}-06-30` : null);
  await put(url, 'target-charges', [
    ...n.map((i) => ({
      externalId: `BR-SM${i}`,
      personalAccountExternalId: `BR-PK${i}`,
      kind: 'rent',
      monthlyAmount: money((40 + (i % 60)) * 1000),
      validFrom: '2024-01-01',
      validUntil: until(i),
    })),
    ...n.map((i) => ({
      externalId: `BR-SN${i}`,
      personalAccountExternalId: `BR-PK${i}`,
      kind: 'operating_costs',
      monthlyAmount: money((40 + (i % 60)) * 200),
      validFrom: '2024-01-01',
      validUntil: until(i),
    })),
  ]);
  // 12,000 payments (rent and costs of 500 tenants over 12 months, fewer for those who left) and expenses up to 60,000.
  const entries: unknown[] = [];
  let e = 0;
  for (let m = 1; m <= 12; m++)
    for (const i of n) {
      if (i % 10 === 0 && m > 6) continue;
      const day = `${YEAR}-${String(m).padStart(2, '0')}-0${1 + (i % 5)}`;
      entries.push({
        externalId: `BR-B${++e}`,
        bookedOn: day,
        amount: money((40 + (i % 60)) * 1000),
        text: 'Miete',
        ledgerAccountExternalId: 'BR-SK4000',
        personalAccountExternalId: `BR-PK${i}`,
      });
      entries.push({
        externalId: `BR-B${++e}`,
        bookedOn: day,
        amount: money((40 + (i % 60)) * 200),
        text: 'NK',
        ledgerAccountExternalId: 'BR-SK4100',
        personalAccountExternalId: `BR-PK${i}`,
      });
    }
  const expenseAccounts = accounts.filter(([, , kind]) => kind !== 'income').map(([number]) => number);
  while (entries.length < ENTRIES) {
    const k = entries.length;
    const day = `${YEAR}-${String(1 + (k % 12)).padStart(2, '0')}-${String(1 + (k % 28)).padStart(2, '0')}`;
    entries.push({
      externalId: `BR-B${++e}`,
      bookedOn: day,
      amount: money(1000 + ((k * 7919) % 50000)),
      text: 'Rechnung',
      documentNumber: `RE-${k}`,
      ledgerAccountExternalId: `BR-SK${expenseAccounts[k % expenseAccounts.length]}`,
    });
  }
  const pid = running.child.pid!;
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  await put(url, 'ledger-entries', entries);
  const wall = performance.now() - t0;
  console.log(
    `API import of ${entries.length.toLocaleString('de-DE')} Buchungen in batches of 1,000: ${ms(wall)} wall, server CPU ${ms(cpuMs(pid) - cpu0)} (${((entries.length / wall) * 1000).toFixed(0)} items/s)`,
  );
}

async function main() {
  await prepareDatabase();
  let running: RunningServer | undefined;
  try {
    running = await startServer(DATABASE_URL);
    await seedThroughApi(running);
    const { cookie } = await logIn(running.baseUrl, 'verwaltung', MANAGER.email, MANAGER.password);
    const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL });
    const em = orm.em.fork();
    const [{ id: propertyId }] = await em.execute<{ id: string }[]>(`select id from property where external_id = 'BR-P'`);
    const [{ id: income }] = await em.execute<{ id: string }[]>(`select id from ledger_account where external_id = 'BR-SK4000'`);
    const [{ id: personal }] = await em.execute<{ id: string }[]>(`select id from personal_account where external_id = 'BR-PK7'`);
    await em.execute('vacuum analyze');
    await orm.close();
    const base = `/verwaltung/liegenschaften/${propertyId}/berichte`;
    const cases = [
      ['Betrag m² aus Sollwerten', `${base}/betrag-m2`],
      ['Einnahme/Überschuss', `${base}/einnahme-ueberschuss`],
      ['Hausabrechnung', `${base}/hausabrechnung`],
      ['Kontoauszug Mieter', `${base}/hausabrechnung/personenkonten/${personal}`],
      ['Kontoauszug Sachkonto 4000 (page 1, 200 of 6,000 rows)', `${base}/hausabrechnung/sachkonten/${income}`],
      ['Kontoauszug Sachkonto 4000 CSV (6,000 rows)', `${base}/hausabrechnung/sachkonten/${income}/csv`],
      ['Leerstandsliste', `${base}/leerstandsliste`],
      ['Leerstandsliste am Stichtag', `${base}/leerstandsliste?stichtag=${YEAR}-09-30`],
      ['Hausabrechnung CSV', `${base}/hausabrechnung/csv`],
    ];
    console.log(
      `\nBerichte of one property (${UNITS} units, ${ENTRIES.toLocaleString('de-DE')} Buchungen), ${RUNS} sequential requests after ${WARMUP} warm-up (ms):`,
    );
    console.log(`${'page'.padEnd(42)} ${'p50'.padStart(7)} ${'max'.padStart(7)} ${'cpu'.padStart(7)} ${'KiB'.padStart(6)}`);
    const pid = running.child.pid!;
    for (const [name, path] of cases) {
      const times: number[] = [];
      let cpuBefore = 0;
      let size = 0;
      for (let i = 0; i < WARMUP + RUNS; i++) {
        if (i === WARMUP) cpuBefore = cpuMs(pid);
        const t0 = performance.now();
        const response = await fetch(`${running.baseUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
        size = (await response.arrayBuffer()).byteLength;
        if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status}`);
        if (i >= WARMUP) times.push(performance.now() - t0);
      }
      const cpu = (cpuMs(pid) - cpuBefore) / RUNS;
      times.sort((a, b) => a - b);
      console.log(
        `${name.padEnd(42)} ${times[Math.floor(times.length / 2)].toFixed(1).padStart(7)} ${times.at(-1)!.toFixed(1).padStart(7)} ${cpu.toFixed(1).padStart(7)} ${(size / 1024).toFixed(0).padStart(6)}`,
      );
    }
  } finally {
    await stopServer(running);
  }
}

await main();

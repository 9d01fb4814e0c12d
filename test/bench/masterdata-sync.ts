/**
 * `npm run bench:sync`: loading a portfolio of 1,000 properties, 50,000 units and 100,000
 * contacts into Hausportal, once through the sync API and once through the CSV import
 * (issue 7; target: each under 2 minutes and under 500 MB, memory flat as the file grows).
 *
 * 1. Recreates a PostgreSQL database (BENCH_SYNC_DATABASE_URL, default
 *    postgres://postgres@127.0.0.1:5432/hausportal_bench_sync), migrates it and seeds the demo
 *    world (its API key belongs to Sonnenschein; the CSV import runs as Nordhaus's admin, so
 *    the two loads do not meet).
 * 2. Starts the real server (`node src/server.ts`, production mode) and samples its RSS from
 *    /proc every 20 ms.
 * 3. API: PUT /api/v1/{properties,units,contacts} in batches of 1,000, one request at a time as
 *    an ERP would, then the same again (everything "unchanged": the idempotent re-sync).
 * 4. CSV: writes properties.csv, units.csv and contacts.csv (`;`, German numbers), uploads each
 *    to /verwaltung/stammdaten/import (preview) and confirms it (one transaction per file).
 *    Contacts are imported in three sizes (25,000 / 50,000 / 100,000 rows, fresh external ids
 *    each time) to show that the server's memory does not grow with the file.
 *
 * Prints time and peak RSS per step; exits 1 when a target is missed or a count is wrong.
 */
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { migrate, openOrm } from '../../src/db/orm.ts';
import { DEMO_API_KEY, DEMO_PASSWORD, seedDemo } from '../../src/features/demo/seed.ts';
import { adminExecute, databaseUrl } from '../support/db.ts';
import { logIn, startServer, stopServer, type RunningServer } from './server.ts';

const DATABASE_URL = process.env.BENCH_SYNC_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hausportal_bench_sync';
const PROPERTIES = 1000;
const UNITS = 50_000;
const CONTACTS = 100_000;
const BATCH = 1000;
const TARGET_SECONDS = 120;
const TARGET_MB = 500;
const NORDHAUS_ADMIN = 'verwalter@nordhaus-verwaltung.de';

const FIRST = ['Anna', 'Peter', 'Maria', 'Thomas', 'Sabine', 'Michael', 'Julia', 'Andreas', 'Petra', 'Stefan', 'Laura', 'Jonas', 'Jürgen', 'Björn'];
const LAST = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Koch', 'Bauer', 'Größer', 'Weiß'];
const CITIES = ['Berlin', 'München', 'Hamburg', 'Köln', 'Düsseldorf', 'Nürnberg'];

/** The portfolio, generated on the fly so no step holds all of it. */
const property = (n: number, prefix: string) => ({ externalId: `${prefix}L-${n}`, name: `Lindenallee ${n}`, kind: n % 3 === 0 ? 'weg' : 'rental' });
const unit = (n: number, prefix: string) => ({
  externalId: `${prefix}E-${n}`,
  propertyExternalId: `${prefix}L-${(n % PROPERTIES) + 1}`,
  number: `Wohnung ${String(Math.floor(n / PROPERTIES) + 1).padStart(3, '0')}`,
  kind: 'apartment',
  areaSqm: 40 + (n % 80) + 0.5,
  floor: `${n % 6}. OG`,
});
const contact = (n: number, prefix: string) => ({
  externalId: `${prefix}K-${n}`,
  salutation: n % 2 ? 'frau' : 'herr',
  firstName: FIRST[n % FIRST.length],
  lastName: `${LAST[n % LAST.length]}-${n}`,
  email: `kontakt${n}@example.org`,
  phone: `030 ${1000000 + n}`,
  street: `Lindenallee ${(n % PROPERTIES) + 1}`,
  postalCode: String(10000 + (n % 80000)).padStart(5, '0'),
  city: CITIES[n % CITIES.length],
});

type Sample = { peak: number; stop: () => Promise<number> };

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Samples the server's RSS until stopped; returns the peak in bytes. */
function sampleRss(pid: number): Sample {
  const sample = { peak: 0, running: true };
  const loop = (async () => {
    while (sample.running) {
      sample.peak = Math.max(sample.peak, await rssOf(pid).catch(() => 0));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    get peak() {
      return sample.peak;
    },
    stop: async () => {
      sample.running = false;
      await loop;
      return sample.peak;
    },
  };
}

const mb = (bytes: number) => bytes / 1024 / 1024;
const problems: string[] = [];

/** Runs one measured step and prints "<name>: <s> s, peak RSS <MB> MB". */
async function step<T>(server: RunningServer, name: string, work: () => Promise<T>): Promise<T> {
  const sample = sampleRss(server.child.pid!);
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const peak = mb(await sample.stop());
  const ok = seconds < TARGET_SECONDS && peak < TARGET_MB;
  console.log(`${name}: ${seconds.toFixed(1)} s, server peak RSS ${peak.toFixed(0)} MB ${ok ? '' : '(over target)'}`);
  if (!ok) problems.push(name);
  return result;
}

/** PUTs `count` items of a kind in batches of 1,000; returns the summed summary. */
async function syncKind(baseUrl: string, kind: string, count: number, make: (n: number) => object) {
  const total: Record<string, number> = { created: 0, updated: 0, unchanged: 0, refused: 0 };
  for (let start = 1; start <= count; start += BATCH) {
    const items = Array.from({ length: Math.min(BATCH, count - start + 1) }, (_, i) => make(start + i));
    const response = await fetch(`${baseUrl}/api/v1/${kind}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items }),
    });
    const body = (await response.json()) as { summary?: Record<string, number>; results?: Array<{ status: string; errors?: unknown }> };
    if (response.status !== 200 || !body.summary) throw new Error(`PUT /api/v1/${kind} answered ${response.status}: ${JSON.stringify(body).slice(0, 500)}`);
    for (const [key, value] of Object.entries(body.summary)) total[key] = (total[key] ?? 0) + value;
    const refused = body.results?.find((r) => r.status === 'refused');
    if (refused) throw new Error(`refused ${kind}: ${JSON.stringify(refused)}`);
  }
  return total;
}

/** Writes a CSV file the way a spreadsheet exports it: `;`, German decimal commas, CRLF. */
async function writeCsv(file: string, header: string[], count: number, row: (n: number) => Array<string | number>) {
  const out = createWriteStream(file);
  const cell = (value: string | number) =>
    typeof value === 'number' ? String(value).replace('.', ',') : /[;"\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  out.write(`${header.join(';')}\r\n`);
  for (let n = 1; n <= count; n++) {
    if (!out.write(`${row(n).map(cell).join(';')}\r\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Uploads a CSV file for the preview, then confirms it; returns the import page's text. */
async function importCsv(baseUrl: string, session: { cookie: string; token: string }, kind: string, file: string) {
  const form = new FormData();
  form.append('art', kind);
  form.append('datei', await openAsBlob(file, { type: 'text/csv' }), path.basename(file));
  const csrf = `_csrf=${encodeURIComponent(session.token)}`;
  const headers = { cookie: session.cookie, origin: baseUrl };
  const uploaded = await fetch(`${baseUrl}/verwaltung/stammdaten/import?${csrf}`, { method: 'POST', body: form, redirect: 'manual', headers });
  await uploaded.arrayBuffer();
  const location = uploaded.headers.get('location');
  if (uploaded.status !== 303 || !location) throw new Error(`upload of ${file} answered ${uploaded.status}`);
  const confirmed = await fetch(`${baseUrl}${location}/bestaetigen?${csrf}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: session.token }),
  });
  await confirmed.arrayBuffer();
  if (confirmed.status !== 303) throw new Error(`confirming ${location} answered ${confirmed.status}`);
  return (await fetch(`${baseUrl}${location}`, { headers })).text();
}

async function count(table: string, organization: string): Promise<number> {
  const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL });
  try {
    const [{ n }] = await orm.em
      .fork()
      .execute<{ n: string }[]>(`select count(*) as n from ${table} t join organization o on o.id = t.organization_id where o.name = ?`, [organization]);
    return Number(n);
  } finally {
    await orm.close();
  }
}

function expectCount(what: string, actual: number, expected: number) {
  console.log(`  ${what}: ${actual} (expected ${expected})`);
  if (actual !== expected) problems.push(what);
}

async function main() {
  const name = decodeURIComponent(new URL(DATABASE_URL).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  await adminExecute(databaseUrl(DATABASE_URL, 'postgres'), [`drop database if exists "${name}" with (force)`, `create database "${name}"`]);
  const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL });
  try {
    await migrate(orm);
    await seedDemo(orm.em.fork());
  } finally {
    await orm.close();
  }

  const sonnenschein = 'Hausverwaltung Sonnenschein GmbH';
  const nordhaus = 'Nordhaus Immobilienverwaltung KG';
  // The demo world's own rows, so the checks below count only what the bench added.
  const demo = {
    sonnenscheinUnits: await count('unit', sonnenschein),
    nordhausUnits: await count('unit', nordhaus),
    nordhausContacts: await count('contact', nordhaus),
  };

  const work = await mkdtemp(path.join(tmpdir(), 'hausportal-sync-bench-'));
  // A fresh server for each way in, so each is measured on its own (and the API's heap does
  // not count against the import).
  let server = await startServer(DATABASE_URL, { STORAGE_DIR: path.join(work, 'storage') });
  try {
    console.log(`Server RSS at rest: ${mb(await rssOf(server.child.pid!)).toFixed(0)} MB`);
    console.log(`\nSync API (PUT /api/v1/<kind>, batches of ${BATCH}):`);
    await step(server, `API: ${PROPERTIES} properties, ${UNITS} units, ${CONTACTS} contacts`, async () => {
      await syncKind(server.baseUrl, 'properties', PROPERTIES, (n) => property(n, 'A'));
      await syncKind(server.baseUrl, 'units', UNITS, (n) => unit(n, 'A'));
      await syncKind(server.baseUrl, 'contacts', CONTACTS, (n) => contact(n, 'A'));
    });
    const resync = await step(server, 'API: the same again (idempotent re-sync)', async () => {
      const summaries = [
        await syncKind(server.baseUrl, 'properties', PROPERTIES, (n) => property(n, 'A')),
        await syncKind(server.baseUrl, 'units', UNITS, (n) => unit(n, 'A')),
        await syncKind(server.baseUrl, 'contacts', CONTACTS, (n) => contact(n, 'A')),
      ];
      return summaries.reduce((sum, s) => sum + s.unchanged, 0);
    });
    expectCount('unchanged on re-sync', resync, PROPERTIES + UNITS + CONTACTS);
    expectCount('Sonnenschein units', await count('unit', sonnenschein), UNITS + demo.sonnenscheinUnits);

    await stopServer(server);
    server = await startServer(DATABASE_URL, { STORAGE_DIR: path.join(work, 'storage') });
    console.log(
      `\nCSV import (upload → preview → confirm, one transaction per file), fresh server, RSS at rest ${mb(await rssOf(server.child.pid!)).toFixed(0)} MB:`,
    );
    const session = await logIn(server.baseUrl, 'verwaltung', NORDHAUS_ADMIN, DEMO_PASSWORD);
    const files = {
      properties: path.join(work, 'liegenschaften.csv'),
      units: path.join(work, 'einheiten.csv'),
    };
    await writeCsv(files.properties, ['Externe ID', 'Name', 'Art'], PROPERTIES, (n) => {
      const p = property(n, 'C');
      return [p.externalId, p.name, p.kind === 'weg' ? 'WEG' : 'Miete'];
    });
    await writeCsv(files.units, ['Externe ID', 'Liegenschaft (Externe ID)', 'Nummer', 'Art', 'Fläche (m²)', 'Lage'], UNITS, (n) => {
      const u = unit(n, 'C');
      return [u.externalId, u.propertyExternalId, u.number, 'Wohnung', u.areaSqm, u.floor];
    });
    const contactsFile = async (rows: number, prefix: string) => {
      const file = path.join(work, `kontakte-${rows}.csv`);
      await writeCsv(file, ['Externe ID', 'Anrede', 'Vorname', 'Nachname', 'E-Mail', 'Telefon', 'Straße und Hausnummer', 'PLZ', 'Ort'], rows, (n) => {
        const k = contact(n, prefix);
        return [k.externalId, k.salutation === 'frau' ? 'Frau' : 'Herr', k.firstName, k.lastName, k.email, k.phone, k.street, k.postalCode, k.city];
      });
      return file;
    };
    const big = await contactsFile(CONTACTS, 'C');
    await step(server, `CSV: ${PROPERTIES} properties, ${UNITS} units, ${CONTACTS} contacts`, async () => {
      await importCsv(server.baseUrl, session, 'properties', files.properties);
      await importCsv(server.baseUrl, session, 'units', files.units);
      await importCsv(server.baseUrl, session, 'contacts', big);
    });
    expectCount('Nordhaus units', await count('unit', nordhaus), UNITS + demo.nordhausUnits);
    expectCount('Nordhaus contacts', await count('contact', nordhaus), CONTACTS + demo.nordhausContacts);

    console.log('\nMemory as the file grows (contacts, fresh external ids each time):');
    for (const rows of [25_000, 50_000, 100_000]) {
      const file = await contactsFile(rows, `G${rows}-`);
      await step(server, `CSV: ${rows} contacts`, () => importCsv(server.baseUrl, session, 'contacts', file));
    }
  } finally {
    await stopServer(server);
    await rm(work, { recursive: true, force: true });
  }
  if (problems.length) {
    console.log(`\nFAIL: ${problems.join('; ')}`);
    process.exitCode = 1;
  } else {
    console.log('\nPASS: every step under 2 minutes and 500 MB, counts as expected');
  }
}

await main();

/**
 * `npm run bench:tickets`: the console list of Vorgänge at 100,000 tickets (issue 6).
 *
 * 1. Recreates a PostgreSQL database (BENCH_TICKETS_DATABASE_URL, default
 *    postgres://postgres@127.0.0.1:5432/hausportal_bench_tickets), migrates it, seeds the demo
 *    world and adds, in set-based SQL (generate_series), 1,000 properties (one address, one
 *    flat each) and 100,000 tickets of the first Verwaltung over the last ~3 years: recent
 *    ones in every status, older ones mostly done; four Themen, assigned to the demo manager,
 *    the clerk or nobody; titles from a list of everyday concerns; numbers per year without
 *    gaps (the counter set to match). Then VACUUM ANALYZE.
 * 2. Starts the real server (`node src/server.ts`, production mode), logs in as the demo
 *    manager like a browser, and requests each case of the list over HTTP, one at a time
 *    (BENCH_TICKETS_RUNS, default 30, after 3 warm-up requests), printing p50/p95/max per
 *    case, the server process's CPU time per request, how many tickets it found, and the total.
 *
 * The database is left in place for EXPLAIN; BENCH_REUSE_DATABASE=1 keeps it (migrations
 * only, no seeding). Timings depend on the machine; no target turns into an exit code.
 */
import { readFileSync } from 'node:fs';
import { berlinDate } from '../../src/clock.ts';
import { migrate, openOrm, type Orm } from '../../src/db/orm.ts';
import { DEMO_PASSWORD, seedDemo } from '../../src/features/demo/seed.ts';
import { adminExecute, databaseUrl } from '../support/db.ts';
import { logIn, startServer, stopServer, type RunningServer } from './server.ts';

const DATABASE_URL = process.env.BENCH_TICKETS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hausportal_bench_tickets';
const RUNS = Number(process.env.BENCH_TICKETS_RUNS ?? 30);
const WARMUP = 3;
const REUSE = process.env.BENCH_REUSE_DATABASE === '1';
const TICKETS = 100_000;
const PROPERTIES = 1000;
const MANAGER = { email: 'verwalter@sonnenschein-hv.de', password: DEMO_PASSWORD };

const TITLES = [
  'Heizung fällt aus',
  'Heizkörper wird nicht warm',
  'Wasserhahn tropft',
  'Toilettenspülung läuft nach',
  'Abfluss verstopft',
  'Schimmel im Badezimmer',
  'Fenster schließt nicht',
  'Rollladen klemmt',
  'Klingel defekt',
  'Briefkasten beschädigt',
  'Licht im Treppenhaus defekt',
  'Haustür schließt nicht',
  'Aufzug steht still',
  'Kellertür defekt',
  'Müllabholung ausgefallen',
  'Frage zur Nebenkostenabrechnung',
  'Schlüssel verloren',
  'Zusätzlicher Schlüssel benötigt',
  'Lärmbelästigung durch Nachbarn',
  'Rauchmelder piept',
  'Feuchtigkeit im Keller',
  'Dachrinne verstopft',
  'Garagentor öffnet nicht',
  'Graffiti an der Fassade',
  'Hecke zu hoch',
  'Warmwasser zu kalt',
  'Gegensprechanlage rauscht',
  'Balkontür undicht',
  'Parkettboden beschädigt',
  'Steckdose ohne Strom',
];
const FIRST = ['Anna', 'Peter', 'Maria', 'Thomas', 'Sabine', 'Michael', 'Julia', 'Andreas', 'Petra', 'Stefan', 'Laura', 'Jonas'];
const LAST = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Koch',
  'Bauer',
  'Richter',
  'Klein',
  'Wolf',
  'Neumann',
  'Schwarz',
  'Braun',
];
const AREAS = ['staircase', 'basement', 'outdoor', 'parking', 'roof_facade', 'elevator', 'heating', 'other'];
/** The title word and the reporter name the bench searches for. */
const TITLE_WORD = 'Heizung';
const REPORTER_WORD = 'Schwarz';

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;
const textArray = (values: string[]) => `(array[${values.map(literal).join(',')}]::text[])`;

type World = { organization: string; property: { id: string; name: string }; year: number };

/** The 100,000 tickets, around the ORM on purpose (bench only). */
async function seedTickets(orm: Orm) {
  const em = orm.em.fork();
  const [{ id: org }] = await em.execute<{ id: string }[]>(`select id from organization where name = 'Hausverwaltung Sonnenschein GmbH'`);
  const staff = await em.execute<{ id: string; email: string }[]>(`select id, email from staff_user where organization_id = ? order by email`, [org]);
  const manager = staff.find((s) => s.email === MANAGER.email)!.id;
  const clerk = staff.find((s) => s.email === 'sachbearbeitung@sonnenschein-hv.de')!.id;
  await em.transactional(async (tx) => {
    const run = (sql: string, params: unknown[] = []) => tx.execute(sql, params);
    await run(`create temp table bp on commit drop as
      select g as n, gen_random_uuid() as id, gen_random_uuid() as address_id, gen_random_uuid() as unit_id from generate_series(1, ${PROPERTIES}) g`);
    await run(
      `insert into property (id, organization_id, external_id, name, kind, created_at, updated_at)
      select id, ?, 'VG-' || n, 'Vorgangsweg ' || lpad(n::text, 4, '0'), 'rental', now(), now() from bp`,
      [org],
    );
    await run(
      `insert into address (id, organization_id, property_id, street, house_number, postal_code, city, created_at, updated_at)
      select address_id, ?, id, 'Vorgangsweg', n::text, '80331', 'München', now(), now() from bp`,
      [org],
    );
    await run(
      `insert into unit (id, organization_id, property_id, address_id, number, kind, created_at, updated_at)
      select unit_id, ?, id, address_id, 'Wohnung 001', 'apartment', now(), now() from bp`,
      [org],
    );
    // Ticket n was reported n × 15 minutes ago (give or take): ~1,040 days back.
    await run(`create temp table bt on commit drop as
      select g as n, now() - g * interval '15 minutes' - (g * 7919 % 600) * interval '1 second' as created_at from generate_series(1, ${TICKETS}) g`);
    await run(`alter table bt add column year int`);
    await run(`update bt set year = extract(year from created_at at time zone 'Europe/Berlin')::int`);
    const categories = (await run(`select id from ticket_category where organization_id = ? and archived_at is null order by position`, [org])) as {
      id: string;
    }[];
    const reporters = (await run(`select id from portal_user where organization_id = ? order by email`, [org])) as { id: string }[];
    await run(
      `insert into ticket (id, organization_id, year, number, property_id, unit_id, common_area, category_id, title, description, status,
         reporter_id, reporter_name, assignee_id, version, last_activity_at, closed_at, created_at)
       select gen_random_uuid(), ?, bt.year,
         coalesce((select last_number from ticket_counter c where c.organization_id = ? and c.year = bt.year), 0)
           + row_number() over (partition by bt.year order by bt.created_at, bt.n),
         bp.id, case when bt.n % 2 = 0 then bp.unit_id end, case when bt.n % 2 = 1 then ${textArray(AREAS)}[1 + bt.n % ${AREAS.length}] end,
         (array[${categories.map((c) => literal(c.id)).join(',')}]::uuid[])[1 + (bt.n * 31) % ${categories.length}],
         ${textArray(TITLES)}[1 + (bt.n * 7) % ${TITLES.length}], 'Bitte prüfen Sie das. Vielen Dank.',
         s.status,
         (array[${reporters.map((r) => literal(r.id)).join(',')}]::uuid[])[1 + bt.n % ${reporters.length}],
         ${textArray(FIRST)}[1 + bt.n % ${FIRST.length}] || ' ' || ${textArray(LAST)}[1 + (bt.n * 13) % ${LAST.length}],
         (array[null, ?, ?, ?]::uuid[])[1 + bt.n % 4],
         1 + bt.n % 3,
         least(now() - (bt.n % 997) * interval '1 second', bt.created_at + (bt.n * 13 % 30) * interval '1 day'),
         case when s.status = 'done' then least(now() - (bt.n % 997) * interval '1 second', bt.created_at + (bt.n * 13 % 30) * interval '1 day') end,
         bt.created_at
       from bt
       join bp on bp.n = 1 + (bt.n * 37) % ${PROPERTIES}
       cross join lateral (select case
         -- The last month: every status; before that, one in twenty still open.
         when bt.created_at > now() - interval '30 days' then (array['new','in_progress','waiting','reopened','done'])[1 + bt.n % 5]
         when bt.n % 20 = 0 then (array['new','in_progress','waiting','reopened'])[1 + (bt.n / 20) % 4]
         else 'done' end as status) s`,
      [org, org, manager, clerk, manager],
    );
    await run(
      `insert into ticket_counter (organization_id, year, last_number)
      select organization_id, year, max(number) from ticket where organization_id = ? group by organization_id, year
      on conflict (organization_id, year) do update set last_number = excluded.last_number`,
      [org],
    );
  });
  await em.execute('vacuum analyze');
}

async function describeWorld(orm: Orm): Promise<World> {
  const em = orm.em.fork();
  const [row] = await em.execute<{ organization: string; id: string; name: string }[]>(
    `select o.id as organization, p.id, p.name from organization o join property p on p.organization_id = o.id
     where o.name = 'Hausverwaltung Sonnenschein GmbH' and p.name = 'Vorgangsweg 0500'`,
  );
  if (!row) throw new Error('no bench tickets in the database');
  return { organization: row.organization, property: { id: row.id, name: row.name }, year: Number(berlinDate(new Date()).slice(0, 4)) };
}

async function prepareDatabase(): Promise<World> {
  const name = decodeURIComponent(new URL(DATABASE_URL).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  if (REUSE) {
    const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL }).catch(() => undefined);
    if (orm) {
      try {
        await migrate(orm);
        const world = await describeWorld(orm);
        console.log('Seeding: skipped, reusing the database (BENCH_REUSE_DATABASE=1)');
        return world;
      } catch {
        // not seeded yet: start over
      } finally {
        await orm.close();
      }
    }
  }
  await adminExecute(databaseUrl(DATABASE_URL, 'postgres'), [`drop database if exists "${name}" with (force)`, `create database "${name}"`]);
  const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL });
  try {
    await migrate(orm);
    const started = performance.now();
    await seedDemo(orm.em.fork());
    await seedTickets(orm);
    const em = orm.em.fork();
    const counts = await em.execute<{ status: string; n: number }[]>(`select status, count(*)::int as n from ticket group by status order by status`);
    console.log(
      `Seeding: ${ms(performance.now() - started)} (incl. VACUUM ANALYZE); tickets by status: ${counts.map((c) => `${c.status} ${c.n.toLocaleString('de-DE')}`).join(', ')}`,
    );
    return await describeWorld(orm);
  } finally {
    await orm.close();
  }
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(1)} ms`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

type Case = { name: string; path: string };

/** CPU time (user + system) of a process so far, in ms (Linux /proc; 100 ticks per second): stays meaningful when other work shares the machine. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main() {
  const world = await prepareDatabase();
  let running: RunningServer | undefined;
  try {
    running = await startServer(DATABASE_URL);
    const { cookie } = await logIn(running.baseUrl, 'verwaltung', MANAGER.email, MANAGER.password);
    const cases: Case[] = [
      { name: 'default page (open, last activity)', path: '/verwaltung/vorgaenge' },
      { name: 'page 1000 of all (offset 49,950)', path: '/verwaltung/vorgaenge?status=alle&seite=1000' },
      { name: 'status "Wartet auf Rückmeldung"', path: '/verwaltung/vorgaenge?status=waiting' },
      { name: 'status "Erledigt"', path: '/verwaltung/vorgaenge?status=done' },
      { name: `search title word "${TITLE_WORD}" (open)`, path: `/verwaltung/vorgaenge?q=${encodeURIComponent(TITLE_WORD)}` },
      { name: `search title word "${TITLE_WORD}" (all)`, path: `/verwaltung/vorgaenge?status=alle&q=${encodeURIComponent(TITLE_WORD)}` },
      { name: `search reporter "${REPORTER_WORD}" (all)`, path: `/verwaltung/vorgaenge?status=alle&q=${REPORTER_WORD}` },
      { name: `search number "${world.year}-00042"`, path: `/verwaltung/vorgaenge?status=alle&q=${world.year}-00042` },
      { name: 'search number "42" (any year)', path: '/verwaltung/vorgaenge?status=alle&q=42' },
      { name: 'assignee "Mir zugewiesen" (open)', path: '/verwaltung/vorgaenge?zustaendig=ich' },
      { name: 'assignee "Nicht zugewiesen" (all)', path: '/verwaltung/vorgaenge?status=alle&zustaendig=niemand' },
      { name: `property ${world.property.name} (all)`, path: `/verwaltung/vorgaenge?status=alle&liegenschaft=${world.property.id}` },
      { name: 'older than 30 days (open)', path: '/verwaltung/vorgaenge?alter=30' },
      { name: 'sort by created (all)', path: '/verwaltung/vorgaenge?status=alle&sortierung=erstellt' },
      { name: 'sort by number (all)', path: '/verwaltung/vorgaenge?status=alle&sortierung=nummer' },
      { name: 'sort by status (all)', path: '/verwaltung/vorgaenge?status=alle&sortierung=status' },
      { name: 'htmx fragment, default', path: '/verwaltung/vorgaenge' },
    ];
    console.log(`\nVorgänge list, ${TICKETS.toLocaleString('de-DE')} tickets, ${RUNS} sequential requests per case after ${WARMUP} warm-up (ms):`);
    console.log(`${'case'.padEnd(44)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)} ${'cpu'.padStart(6)}  rows  found`);
    const pid = running.child.pid!;
    let total = 0;
    const started = performance.now();
    for (const c of cases) {
      const headers: Record<string, string> = { cookie, ...(c.name.startsWith('htmx') && { 'hx-request': 'true' }) };
      const times: number[] = [];
      let text = '';
      let cpuBefore = 0;
      for (let i = 0; i < WARMUP + RUNS; i++) {
        if (i === WARMUP) cpuBefore = cpuMs(pid);
        const t0 = performance.now();
        const response = await fetch(`${running.baseUrl}${c.path}`, { headers, redirect: 'manual' });
        text = await response.text();
        const elapsed = performance.now() - t0;
        if (response.status !== 200) throw new Error(`${c.path}: HTTP ${response.status}`);
        if (i >= WARMUP) times.push(elapsed);
      }
      const cpu = (cpuMs(pid) - cpuBefore) / RUNS;
      times.sort((a, b) => a - b);
      total += times.reduce((a, b) => a + b, 0);
      const rows = (text.match(/<tr id="ticket-/g) ?? []).length;
      const found = text.match(/aria-current="page"[^>]*>[^<]*<span class="count">(\d+)<\/span>/)?.[1] ?? '?';
      console.log(
        `${c.name.padEnd(44)} ${percentile(times, 50).toFixed(1).padStart(7)} ${percentile(times, 95).toFixed(1).padStart(7)} ${times.at(-1)!.toFixed(1).padStart(7)} ${cpu.toFixed(1).padStart(6)}  ${String(rows).padStart(4)}  ${found}`,
      );
    }
    console.log(
      `Total: ${cases.length * RUNS} requests in ${ms(performance.now() - started)} wall time (incl. warm-up), ${ms(total)} measured; mean ${ms(total / (cases.length * RUNS))} per request`,
    );
  } finally {
    await stopServer(running);
  }
}

await main();

/**
 * `npm run bench`: the list pages under a realistic load.
 *
 * 1. Recreates a PostgreSQL database (BENCH_DATABASE_URL, default
 *    postgres://postgres@127.0.0.1:5432/hausportal_bench), migrates it, seeds the demo
 *    world and the large data set (test/bench/large-world.ts).
 * 2. Starts the real server (`node src/server.ts`, production mode) on a free port.
 * 3. Logs in as the demo manager and as the bench's resident, over HTTP like a browser.
 * 4. Drives each page with autocannon (BENCH_CONNECTIONS, default 32; BENCH_SECONDS,
 *    default 10) and compares it with a static file served by the same server.
 *
 * Targets per page: p99 < 50 ms and at least a quarter of the static file's requests/s.
 * A missed target is reported (FAIL), not turned into an exit code: the numbers depend on
 * the machine. The database is left in place for EXPLAIN; the next run replaces it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import autocannon, { type Result } from 'autocannon';
import { berlinDate } from '../../src/clock.ts';
import { migrate, openOrm } from '../../src/db/orm.ts';
import { DEMO_PASSWORD, seedDemo } from '../../src/features/demo/seed.ts';
import { adminExecute, databaseUrl } from '../support/db.ts';
import { BENCH_PORTAL_USER, CONTACT_QUERY, PROPERTY_QUERY, seedLargeWorld, type LargeWorld } from './large-world.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hausportal_bench';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const P99_TARGET_MS = 50;
const STATIC_RATIO_TARGET = 0.25;
const MANAGER = { email: 'verwalter@sonnenschein-hv.de', password: DEMO_PASSWORD };

async function prepareDatabase(): Promise<LargeWorld> {
  const url = new URL(DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name in BENCH_DATABASE_URL: ${name}`);
  await adminExecute(databaseUrl(DATABASE_URL, 'postgres'), [`drop database if exists "${name}" with (force)`, `create database "${name}"`]);

  const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL });
  try {
    await migrate(orm);
    const started = performance.now();
    await seedDemo(orm.em.fork());
    const demoDone = performance.now();
    const world = await seedLargeWorld(orm, berlinDate(new Date()));
    const done = performance.now();
    console.log(`Seeding: demo world ${ms(demoDone - started)}, large data set ${ms(done - demoDone)} (incl. VACUUM ANALYZE)`);
    console.log(`  rows in the first Verwaltung: ${Object.entries(world.counts).map(([t, n]) => `${t} ${n.toLocaleString('de-DE')}`).join(', ')}`);
    return world;
  } finally {
    await orm.close();
  }
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

type Running = { child: ChildProcess; baseUrl: string; output: () => string };

async function startServer(): Promise<Running> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, ['src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL,
      JOBS: 'off',
      SEED_DEMO: 'off',
      NODE_ENV: 'production',
      SESSION_SECRET: 'bench-only-session-secret-0123456789abcd',
      BASE_URL: baseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      // Required in production; never used, as JOBS=off means no mail is delivered.
      SMTP_URL: 'smtp://127.0.0.1:1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) return { child, baseUrl, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not answer /healthz within 30 s:\n${output}`);
}

async function stopServer(running: Running | undefined) {
  if (!running || running.child.exitCode !== null) return;
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Logs in like a browser: CSRF cookie and token from a page, then the form with Origin. */
async function logIn(baseUrl: string, area: 'verwaltung' | 'portal', email: string, password: string): Promise<string> {
  const page = await fetch(`${baseUrl}/${area}/anmelden`);
  const csrfCookie = page.headers.getSetCookie().find((c) => c.startsWith('hp_csrf='))!.split(';')[0];
  const hxHeaders = (await page.text()).match(/hx-headers='([^']+)'/)?.[1];
  if (!hxHeaders) throw new Error('no hx-headers attribute with the CSRF token on the login page');
  const token = JSON.parse(hxHeaders.replace(/&quot;|&#34;/g, '"'))['X-CSRF-Token'] as string;
  const response = await fetch(`${baseUrl}/${area}/anmelden`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie, origin: baseUrl },
    body: new URLSearchParams({ email, password, _csrf: token }),
  });
  const session = response.headers.getSetCookie().find((c) => c.startsWith(area === 'verwaltung' ? 'hp_staff_session=' : 'hp_portal_session='));
  if (response.status !== 303 || !session) throw new Error(`login as ${email} failed: HTTP ${response.status}`);
  return `${csrfCookie}; ${session.split(';')[0]}`;
}

type Target = { name: string; path: string; headers: Record<string, string>; expect: string };

/** One request as a browser sends it (gzip accepted): status, bytes on the wire, decoded text. */
function fetchRaw(url: string, headers: Record<string, string>): Promise<{ status: number; wire: number; encoding: string; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': 'gzip', ...headers } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          const encoding = String(response.headers['content-encoding'] ?? 'identity');
          const text = (encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');
          resolve({ status: response.statusCode ?? 0, wire: body.length, encoding, text });
        });
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

function kb(bytes: number): string {
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}

async function main() {
  console.log(`Hausportal bench: ${CONNECTIONS} connections, ${SECONDS} s per target, database ${new URL(DATABASE_URL).host}${new URL(DATABASE_URL).pathname}`);
  const world = await prepareDatabase();
  console.log(`  search "${PROPERTY_QUERY}" matches ${world.propertyMatches} properties; "${CONTACT_QUERY}" matches ${world.contactMatches} contacts`);
  console.log(`  largest property: ${world.largestProperty.name} (${world.largestProperty.units} units); bench resident sees ${world.portalProperties} properties`);

  let running: Running | undefined;
  const stop = () => {
    running?.child.kill('SIGKILL');
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    running = await startServer();
    const { baseUrl } = running;
    const staff = await logIn(baseUrl, 'verwaltung', MANAGER.email, MANAGER.password);
    const portal = await logIn(baseUrl, 'portal', BENCH_PORTAL_USER.email, BENCH_PORTAL_USER.password);
    const browser = { 'accept-encoding': 'gzip, deflate, br', accept: 'text/html' };

    const targets: Target[] = [
      { name: 'static /static/app.css', path: '/static/app.css', headers: { ...browser, accept: 'text/css' }, expect: '{' },
      { name: 'Liegenschaften', path: '/verwaltung/liegenschaften', headers: { ...browser, cookie: staff }, expect: 'id="property-results"' },
      { name: 'Liegenschaften ?q', path: `/verwaltung/liegenschaften?q=${encodeURIComponent(PROPERTY_QUERY)}`, headers: { ...browser, cookie: staff }, expect: PROPERTY_QUERY },
      {
        name: 'Liegenschaften ?q (htmx)',
        path: `/verwaltung/liegenschaften?q=${encodeURIComponent(PROPERTY_QUERY)}`,
        headers: { ...browser, cookie: staff, 'hx-request': 'true', 'hx-target': 'property-results', 'hx-current-url': `${baseUrl}/verwaltung/liegenschaften` },
        expect: PROPERTY_QUERY,
      },
      { name: `Einheiten (${world.largestProperty.units})`, path: `/verwaltung/liegenschaften/${world.largestProperty.id}/einheiten`, headers: { ...browser, cookie: staff }, expect: 'Wohnung 003' },
      { name: 'Kontakte ?q', path: `/verwaltung/kontakte?q=${encodeURIComponent(CONTACT_QUERY)}`, headers: { ...browser, cookie: staff }, expect: CONTACT_QUERY },
      { name: 'Portal start page', path: `/portal/liegenschaften/${world.portalProperty.id}`, headers: { ...browser, cookie: portal }, expect: world.portalProperty.name },
    ];

    // Each page once, to check it is the real page (not a login redirect) and weigh it.
    const weights = new Map<string, string>();
    for (const target of targets) {
      const page = await fetchRaw(baseUrl + target.path, target.headers);
      if (page.status !== 200 || !page.text.includes(target.expect)) {
        throw new Error(`${target.name}: HTTP ${page.status}, expected text ${JSON.stringify(target.expect)} ${page.text.includes(target.expect) ? 'found' : 'missing'}`);
      }
      const decoded = Buffer.byteLength(page.text);
      weights.set(target.name, page.encoding === 'identity' ? kb(page.wire) : `${kb(page.wire)} ${page.encoding} (${kb(decoded)})`);
    }

    const results = new Map<string, Result>();
    for (const target of targets) {
      // A short warm-up so JIT and the connection pool are hot for every target alike.
      await autocannon({ url: baseUrl + target.path, connections: CONNECTIONS, duration: 1, headers: target.headers });
      const result = await autocannon({ url: baseUrl + target.path, connections: CONNECTIONS, duration: SECONDS, headers: target.headers });
      results.set(target.name, result);
      console.log(`  ${target.name}: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms`);
    }

    const staticRate = results.get(targets[0].name)!.requests.average;
    const header = ['Target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs static', 'page weight', 'result'];
    const rows = targets.map((target, i) => {
      const r = results.get(target.name)!;
      const ratio = r.requests.average / staticRate;
      const pass = r.latency.p99 < P99_TARGET_MS && ratio >= STATIC_RATIO_TARGET && r.non2xx === 0 && r.errors === 0;
      return [
        target.name,
        r.requests.average.toFixed(0),
        String(r.latency.p50),
        String(r.latency.p99),
        String(r.non2xx),
        String(r.errors + r.timeouts),
        i === 0 ? '1.00 (base)' : ratio.toFixed(2),
        weights.get(target.name)!,
        i === 0 ? '' : pass ? 'PASS' : 'FAIL',
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 7 || i === 8 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(`\nTargets: p99 < ${P99_TARGET_MS} ms, req/s >= ${STATIC_RATIO_TARGET} x static, no errors\n`);
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) console.log(line(row));
    const failed = rows.filter((r) => r[8] === 'FAIL').length;
    console.log(`\n${failed === 0 ? 'All targets met.' : `${failed} of ${rows.length - 1} pages miss a target.`}`);
    const serverOutput = running.output().trim();
    if (serverOutput) console.log(`\nServer output:\n${serverOutput}`);
  } finally {
    await stopServer(running);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

await main();

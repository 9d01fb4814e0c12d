/**
 * `npm run bench:profile [-- <page> ...]`: where one page's server CPU goes.
 *
 * Recreates a PostgreSQL database with the demo world only (PROFILE_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/hausportal_profile; PROFILE_REUSE_DATABASE=1 keeps an
 * existing one, e.g. the bench's large world with PROFILE_DATABASE_URL pointing at it and
 * PROFILE_PORTAL_USER=<email>), starts the real server in production mode with a V8 CPU
 * profile (`--cpu-prof`), logs in as the demo manager and a demo resident, and per page
 * drives PROFILE_REQUESTS (default 3000, after PROFILE_WARMUP, default 500) requests over
 * PROFILE_CONNECTIONS (default 32) with autocannon.
 *
 * It prints, per page, the CPU ms per finished request of the server process (from /proc,
 * around exactly those requests) and of the database backends, and the functions with the
 * most self time among the profile's samples taken during that run (the warm-up and the
 * other pages left out), grouped by function and by package. A share of the samples is shown
 * as that share of the measured CPU ms per request: an estimate, as the samples see the main
 * thread only (zlib's thread pool and GC helper threads count in the CPU, not the samples). PROFILE_ROUNDS=n repeats the
 * pages n times, alternating (the load of a shared machine drifts); PROFILE_CPU_PROF=off
 * measures without the profiler, whose sampling costs some CPU itself.
 *
 * Pages: `empty` (the form "Kontakt anlegen", the issue's empty authenticated page),
 * `portal` (the resident's start page of their first property), `static`, or any path,
 * fetched as the manager (/verwaltung/…) or the resident (/portal/…). Default: empty portal.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { migrate, openOrm } from '../../src/db/orm.ts';
import { DEMO_PASSWORD, seedDemo } from '../../src/features/demo/seed.ts';
import { adminExecute, databaseUrl } from '../support/db.ts';
import { benchPages, cpuTicksOf, startServer, stopServer, type RunningServer } from './server.ts';

const DATABASE_URL = process.env.PROFILE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hausportal_profile';
const REQUESTS = Number(process.env.PROFILE_REQUESTS ?? 3000);
const WARMUP = Number(process.env.PROFILE_WARMUP ?? 500);
const CONNECTIONS = Number(process.env.PROFILE_CONNECTIONS ?? 32);
const TOP = Number(process.env.PROFILE_TOP ?? 30);
/** Rounds over the pages, alternating them (the machine's load drifts); the profile covers every round. */
const ROUNDS = Number(process.env.PROFILE_ROUNDS ?? 1);
/** PROFILE_CPU_PROF=off: no V8 profile, for CPU figures without the profiler's own cost. */
const SAMPLING = process.env.PROFILE_CPU_PROF !== 'off';
const RESIDENT = process.env.PROFILE_PORTAL_USER ?? 'kristina.maiblume@example.de';
const TICKS_PER_SECOND = 100;

async function prepareDatabase() {
  const name = decodeURIComponent(new URL(DATABASE_URL).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name in PROFILE_DATABASE_URL: ${name}`);
  const reuse = process.env.PROFILE_REUSE_DATABASE === '1';
  if (!reuse) await adminExecute(databaseUrl(DATABASE_URL, 'postgres'), [`drop database if exists "${name}" with (force)`, `create database "${name}"`]);
  const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL });
  try {
    await migrate(orm);
    if (!reuse) await seedDemo(orm.em.fork());
  } finally {
    await orm.close();
  }
  return name;
}

/** CPU ticks of the database backends serving this database (their process title names it). */
function databaseTicks(database: string): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title.startsWith('postgres:') && title.split(' ').includes(database)) ticks += cpuTicksOf(entry);
    } catch {
      // ended meanwhile
    }
  }
  return ticks;
}

/** V8's profile clock is the monotonic clock in microseconds, as process.hrtime here. */
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

/** Where a function lives: its package, or the project file, or V8's own bucket. */
function placeOf(url: string): string {
  if (!url) return '(native/V8)';
  const inModules = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (inModules) return inModules[1];
  if (url.startsWith('node:')) return 'node core';
  const project = url.match(/\/(src|views|test)\/.*$/);
  return project ? project[0].slice(1) : url;
}

/**
 * Self time per function and per package, and total time (self and callees) per function of
 * the project's own files, of the samples within the runs' windows (µs).
 */
function summarize(profile: Profile, windows: Array<{ from: number; to: number }>) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const keyOf = ({ callFrame: { functionName, url, lineNumber } }: ProfileNode) =>
    `${functionName || '(anonymous)'}  ${placeOf(url)}${url ? `:${lineNumber + 1}` : ''}`;
  const selfByFunction = new Map<string, number>();
  const selfByPlace = new Map<string, number>();
  const totalByOwnFunction = new Map<string, number>();
  let time = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    if (!windows.some((w) => time >= w.from && time <= w.to)) continue;
    // Each sample counts once: on a busy machine the gap to the next one includes time the
    // thread waited for a core, which would weigh whatever ran before a system call.
    const delta = 1;
    const node = byId.get(profile.samples[i])!;
    if (node.callFrame.functionName === '(idle)') continue;
    const key = keyOf(node);
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + delta);
    const place = placeOf(node.callFrame.url);
    selfByPlace.set(place, (selfByPlace.get(place) ?? 0) + delta);
    total += delta;
    // Each project function on the stack once (recursion counted once).
    const seen = new Set<string>();
    for (let at: number | undefined = node.id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)!;
      if (!/\/(src|views)\//.test(frame.callFrame.url)) continue;
      const own = keyOf(frame);
      if (seen.has(own)) continue;
      seen.add(own);
      totalByOwnFunction.set(own, (totalByOwnFunction.get(own) ?? 0) + delta);
    }
  }
  return { total, selfByFunction, selfByPlace, totalByOwnFunction };
}

/** The largest shares of the samples, and what they are of the CPU ms per request measured. */
function printTop(title: string, map: Map<string, number>, total: number, cpuPerRequest: number, count: number) {
  console.log(`  ${title}`);
  for (const [key, samples] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`    ${((100 * samples) / total).toFixed(1).padStart(5)} %  ${((cpuPerRequest * samples) / total).toFixed(3)} ms/req  ${key}`);
  }
}

async function main() {
  const pages = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['empty', 'portal'];
  const database = await prepareDatabase();
  const profileDir = mkdtempSync(path.join(tmpdir(), 'hausportal-profile-'));
  let running: RunningServer | undefined;
  const runs: Array<{ page: string; from: number; to: number; requests: number; serverCpu: number }> = [];
  try {
    running = await startServer(
      DATABASE_URL,
      SAMPLING ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim() } : {},
    );
    const { baseUrl } = running;
    const requestOf = await benchPages(baseUrl, { email: RESIDENT, password: process.env.PROFILE_PORTAL_PASSWORD ?? DEMO_PASSWORD });

    for (let round = 0; round < ROUNDS; round++)
      for (const page of pages) {
        const { url, path: pagePath, headers } = requestOf(page);
        const check = await fetch(url, { headers, redirect: 'manual' });
        if (check.status !== 200) throw new Error(`${page}: HTTP ${check.status} for ${url}`);
        await autocannon({ url, connections: CONNECTIONS, amount: WARMUP, headers });
        const server = cpuTicksOf(running.child.pid!);
        const db = databaseTicks(database);
        const from = nowMicros();
        const result = await autocannon({ url, connections: CONNECTIONS, amount: REQUESTS, headers });
        const to = nowMicros();
        const finished = Math.max(1, result.requests.total);
        const perRequest = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND / finished;
        const serverCpu = perRequest(cpuTicksOf(running.child.pid!) - server);
        console.log(
          `${page} (${pagePath}): ${finished} requests, ${((CONNECTIONS * 1000) / result.latency.mean).toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
            `non-2xx ${result.non2xx}, CPU ms/req server ${serverCpu.toFixed(2)} + db ${perRequest(databaseTicks(database) - db).toFixed(2)}`,
        );
        runs.push({ page, from, to, requests: finished, serverCpu });
      }
  } finally {
    // The profile is written when the server exits (SIGTERM ends it cleanly).
    await stopServer(running);
  }
  if (!SAMPLING) return;
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${profileDir} (did the server exit cleanly?)`);
  const profile = JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')) as Profile;
  for (const page of pages) {
    const ofPage = runs.filter((r) => r.page === page);
    const requests = ofPage.reduce((sum, r) => sum + r.requests, 0);
    const { total, selfByFunction, selfByPlace, totalByOwnFunction } = summarize(profile, ofPage);
    // The server's CPU (all its threads: zlib's pool, GC helpers) per request over the page's runs.
    const cpu = ofPage.reduce((sum, r) => sum + r.serverCpu * r.requests, 0) / requests;
    console.log(`\n${page}: ${cpu.toFixed(2)} ms server CPU per request, ${total} samples of the main thread (not idle)`);
    printTop('by package or file', selfByPlace, total, cpu, 15);
    printTop('by function (self time)', selfByFunction, total, cpu, TOP);
    printTop("the project's functions (total time, with what they call)", totalByOwnFunction, total, cpu, TOP);
  }
  console.log(`\nProfile: ${path.join(profileDir, file)} (open in Chrome DevTools > Performance)`);
}

await main();

/**
 * `npm run bench:compare -- <commit> [<page> …]`: a change's server CPU per request against an
 * earlier commit, measured side by side.
 *
 * On this shared machine one page's CPU per request moves by up to a third between runs, so a
 * change of 10–20 % cannot be read off two runs an hour apart. This starts the server of the
 * working tree and the server of `<commit>` (checked out with `git worktree` into a temporary
 * directory, this checkout's node_modules linked in) side by side, one process each, in
 * production mode on the database `npm run bench:profile` leaves behind (PROFILE_DATABASE_URL,
 * default …/hausportal_profile, the demo world; both checkouts must run on its schema), logs in
 * as the demo manager and resident, and drives each page on the two servers in turn,
 * COMPARE_ROUNDS times (default 6, the order alternating), COMPARE_REQUESTS requests a run
 * (default 8000, 32 connections, after a warm-up). It prints each run and, per page and
 * server, the median and the least CPU ms per request (from /proc). No profiler runs.
 *
 * Pages as for bench:profile (benchPages in ./server.ts): `empty` (default), `portal`, `static`, or a path.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { DEMO_PASSWORD } from '../../src/features/demo/seed.ts';
import { benchPages, cpuTicksOf, startServer, stopServer, type RunningServer } from './server.ts';

const DATABASE_URL = process.env.PROFILE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hausportal_profile';
const ROUNDS = Number(process.env.COMPARE_ROUNDS ?? 6);
const REQUESTS = Number(process.env.COMPARE_REQUESTS ?? 8000);
const WARMUP = 2000;
const CONNECTIONS = 32;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TICK_MS = 10;

type Contender = { name: string; server: RunningServer; requestOf: Awaited<ReturnType<typeof benchPages>> };

async function contender(name: string, root: string): Promise<Contender> {
  const server = await startServer(DATABASE_URL, { WEB_CONCURRENCY: '1' }, root);
  return { name, server, requestOf: await benchPages(server.baseUrl, { email: 'kristina.maiblume@example.de', password: DEMO_PASSWORD }) };
}

/** Drives `amount` requests of a page on one server; its CPU ms per finished request. */
async function drive(side: Contender, page: string, amount: number): Promise<number> {
  const { url, headers } = side.requestOf(page);
  const check = await fetch(url, { headers, redirect: 'manual' });
  if (check.status !== 200) throw new Error(`${side.name} ${page}: HTTP ${check.status} for ${url}`);
  const before = cpuTicksOf(side.server.child.pid!);
  const result = await autocannon({ url, connections: CONNECTIONS, amount, headers });
  return ((cpuTicksOf(side.server.child.pid!) - before) * TICK_MS) / Math.max(1, result.requests.total);
}

async function main() {
  const [commit, ...pageArgs] = process.argv.slice(2);
  if (!commit) throw new Error('usage: npm run bench:compare -- <commit> [<page> …]');
  const pages = pageArgs.length > 0 ? pageArgs : ['empty'];
  const checkout = path.join(mkdtempSync(path.join(tmpdir(), 'hausportal-compare-')), 'checkout');
  execFileSync('git', ['worktree', 'add', '--detach', checkout, commit], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
  const sides: Contender[] = [];
  try {
    sides.push(await contender(commit, checkout), await contender('working tree', ROOT));
    for (const page of pages) {
      for (const side of sides) await drive(side, page, WARMUP);
      const cpu = new Map<string, number[]>(sides.map((side) => [side.name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
          const ms = await drive(side, page, REQUESTS);
          cpu.get(side.name)!.push(ms);
          console.log(`  ${page}, round ${round + 1}: ${side.name} ${ms.toFixed(3)} ms/req`);
        }
      }
      for (const [name, values] of cpu) {
        const sorted = [...values].sort((a, b) => a - b);
        console.log(`${page}: ${name}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(3)}, least ${sorted[0].toFixed(3)} ms server CPU per request`);
      }
    }
  } finally {
    for (const side of sides) await stopServer(side.server);
    execFileSync('git', ['worktree', 'remove', '--force', checkout], { cwd: ROOT, stdio: 'ignore' });
  }
}

await main();

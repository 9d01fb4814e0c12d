/**
 * `npm run bench:alloc [-- <path>]`: what one page allocates per request, and where.
 *
 * Runs the app in this process (production mode: NODE_ENV=production, templates cached) on
 * the database `npm run bench:profile` leaves behind (PROFILE_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/hausportal_profile, the demo world), logs in as the
 * demo manager, warms the page up, then drives ALLOC_REQUESTS (default 5000) requests over 32
 * connections from an autocannon child process while V8's sampling heap profiler records
 * every allocation, the ones collected since included. It prints the KB allocated per
 * request by package and by function. Default page: the empty authenticated page
 * (/verwaltung/kontakte/neu). Allocation drives the young-generation GC pauses behind the
 * bench's tail latency (README, "Performance").
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { openOrm } from '../../src/db/orm.ts';
import { DEMO_PASSWORD } from '../../src/features/demo/seed.ts';
import { logIn } from './server.ts';

const DATABASE_URL = process.env.PROFILE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hausportal_profile';
const REQUESTS = Number(process.env.ALLOC_REQUESTS ?? 5000);
const PATH = process.argv[2] ?? '/verwaltung/kontakte/neu';

type ProfileNode = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: ProfileNode[] };

/** A script's package (node_modules), project file, Node's own code, or none (V8's built-ins; Eta's compiled templates have no URL). */
function ownerOf(url: string): string {
  const local = url.replace(/^file:\/\/.*?\/(?=src\/|node_modules\/)/, '');
  if (local.includes('node_modules/')) {
    const parts = local.split('node_modules/').at(-1)!.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (local.startsWith('src/')) return local;
  return url.startsWith('node:') ? 'node core' : '(no script: V8 built-ins, compiled templates)';
}

/** autocannon as a child process, so its own allocations stay out of the profile. */
function drive(url: string, cookie: string, amount: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'node_modules/.bin/autocannon',
      ['-c', '32', '-a', String(amount), '-H', `cookie=${cookie}`, '-H', 'accept-encoding=gzip, deflate, br', url],
      {
        stdio: 'ignore',
      },
    );
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`autocannon exited with ${code}`))));
  });
}

function printTop(title: string, sizes: Map<string, number>, count: number) {
  console.log(`  ${title}`);
  for (const [key, bytes] of [...sizes].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`    ${(bytes / REQUESTS / 1024).toFixed(1).padStart(6)} KB  ${key}`);
  }
}

async function main() {
  if (process.env.NODE_ENV !== 'production') throw new Error('run it as `npm run bench:alloc` (NODE_ENV=production: templates cached as in production)');
  const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    BASE_URL: baseUrl,
    DATABASE_URL,
    SESSION_SECRET: 'bench-only-session-secret-0123456789abcd',
    SMTP_URL: 'smtp://127.0.0.1:1',
    JOBS: 'off',
    LOG_LEVEL: 'warn',
  });
  const app = createApp({ orm, config, clock: systemClock });
  const session = new Session();
  try {
    await app.cachesReady();
    server.on('request', app);
    const { cookie } = await logIn(baseUrl, 'verwaltung', 'verwalter@sonnenschein-hv.de', DEMO_PASSWORD);
    await drive(baseUrl + PATH, cookie, 2000);

    session.connect();
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await drive(baseUrl + PATH, cookie, REQUESTS);
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };

    const byFunction = new Map<string, number>();
    const byOwner = new Map<string, number>();
    let total = 0;
    const walk = (node: ProfileNode) => {
      const owner = ownerOf(node.callFrame.url);
      const name = `${node.callFrame.functionName || '(anonymous)'}  ${owner}:${node.callFrame.lineNumber + 1}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
      byOwner.set(owner, (byOwner.get(owner) ?? 0) + node.selfSize);
      total += node.selfSize;
      for (const child of node.children) walk(child);
    };
    walk(profile.head);
    console.log(
      `${PATH}: ${(total / REQUESTS / 1024).toFixed(1)} KB allocated per request (${REQUESTS} requests, sampled every 4 KB, collected objects included)`,
    );
    printTop('by package or file', byOwner, 12);
    printTop('by function (self)', byFunction, 25);
  } finally {
    session.disconnect();
    await new Promise((resolve) => server.close(resolve));
    await app.closeCaches();
    await orm.close();
  }
}

await main();

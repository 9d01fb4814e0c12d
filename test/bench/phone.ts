/**
 * `npm run bench:phone`: the resident portal on a cheap phone (issue 17).
 *
 * 1. Recreates a PostgreSQL database (BENCH_PHONE_DATABASE_URL, default
 *    postgres://postgres@127.0.0.1:5432/hausportal_bench_phone), migrates it and seeds the demo world.
 * 2. Starts the real server (`node src/server.ts`, production mode) and Debian's Chromium
 *    (CHROMIUM_PATH, default /usr/bin/chromium) at 360 × 740, logs in as Kristina Maiblume.
 * 3. Opens each portal page of Max-Planck-Straße 12 (her house) with an empty cache, the network slowed through the
 *    DevTools protocol (Network.emulateNetworkConditions: 150 ms round trip, 1.6 Mbit/s down,
 *    750 kbit/s up) and the CPU slowed 4× (Emulation.setCPUThrottlingRate), and prints per page:
 *    bytes over the wire (HTML, CSS, htmx, icons: Network.loadingFinished's encodedDataLength),
 *    the same with every body gzip-compressed (an estimate for when the server compresses), and
 *    first contentful paint. Targets: ≤ 60 KB over the wire, FCP < 1.5 s; a miss is marked, no exit code.
 *
 * Each page is opened BENCH_PHONE_RUNS times (default 3), each time in a fresh browser context
 * with the session cookie; the median FCP is shown.
 */
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext } from 'playwright-core';
import { migrate, openOrm } from '../../src/db/orm.ts';
import { DEMO_PASSWORD, seedDemo } from '../../src/features/demo/seed.ts';
import { adminExecute, databaseUrl } from '../support/db.ts';
import { startServer, stopServer, type RunningServer } from './server.ts';

const DATABASE_URL = process.env.BENCH_PHONE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hausportal_bench_phone';
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const RUNS = Number(process.env.BENCH_PHONE_RUNS ?? 3);
const KRISTINA = { email: 'kristina.maiblume@example.de', password: DEMO_PASSWORD };
const TARGET_BYTES = 60 * 1024;
const TARGET_FCP_MS = 1500;
const NETWORK = { offline: false, latency: 150, downloadThroughput: (1.6e6 / 8) | 0, uploadThroughput: (750e3 / 8) | 0 };
const PORTAL_PAGES = ['', '/vorgaenge/neu', '/vorgaenge', '/mitteilungen', '/termine', '/dokumente', '/fragen', '/ansprechpartner', '/schwarzes-brett'];

type Measure = { wire: number; gzipEstimate: number; fcp: number; requests: number };

async function prepareDatabase(): Promise<string> {
  const name = decodeURIComponent(new URL(DATABASE_URL).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  await adminExecute(databaseUrl(DATABASE_URL, 'postgres'), [`drop database if exists "${name}" with (force)`, `create database "${name}"`]);
  const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL });
  try {
    await migrate(orm);
    await seedDemo(orm.em.fork());
    const [row] = await orm.em.fork().execute<{ id: string }[]>(`select id from property where name = 'Max-Planck-Straße 12'`);
    return row.id;
  } finally {
    await orm.close();
  }
}

/** One first view of `url` in a fresh context (empty cache) on the emulated phone. */
async function measure(context: BrowserContext, url: string): Promise<Measure> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const mimeTypes = new Map<string, string>();
  let wire = 0;
  let gzipEstimate = 0;
  const pending: Promise<void>[] = [];
  cdp.on('Network.responseReceived', (e) => mimeTypes.set(e.requestId, e.response.mimeType));
  cdp.on('Network.loadingFinished', (e) => {
    wire += e.encodedDataLength;
    // The body as it would travel gzip-compressed, plus what of the transfer was not body (headers).
    pending.push(
      cdp
        .send('Network.getResponseBody', { requestId: e.requestId })
        .then(({ body, base64Encoded }) => {
          const bytes = Buffer.from(body, base64Encoded ? 'base64' : 'utf8');
          const overhead = Math.max(0, e.encodedDataLength - bytes.length);
          // Text compresses; photos and other binaries are sent as they are.
          const compressible = /^text\/|svg|json|javascript|manifest/.test(mimeTypes.get(e.requestId) ?? '');
          gzipEstimate += overhead + (compressible ? Math.min(bytes.length, gzipSync(bytes, { level: 6 }).length) : bytes.length);
        })
        .catch(() => {
          gzipEstimate += e.encodedDataLength;
        }),
    );
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  const fcp = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const entry = performance.getEntriesByName('first-contentful-paint')[0];
        if (entry) return resolve(entry.startTime);
        new PerformanceObserver((list) => resolve(list.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN)).observe({
          type: 'paint',
          buffered: true,
        });
      }),
  );
  await Promise.all(pending);
  const requests = mimeTypes.size;
  await page.close();
  return { wire, gzipEstimate, fcp, requests };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  let server: RunningServer | undefined;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const propertyId = await prepareDatabase();
    server = await startServer(DATABASE_URL);
    const login = await browser.newContext({ baseURL: server.baseUrl });
    const page = await login.newPage();
    await page.goto('/portal/anmelden');
    await page.getByLabel('E-Mail-Adresse').fill(KRISTINA.email);
    await page.getByLabel('Passwort', { exact: true }).fill(KRISTINA.password);
    await Promise.all([page.waitForURL(/\/portal(?!\/anmelden)/), page.getByRole('button', { name: 'Anmelden' }).click()]);
    const state = await login.storageState();
    await login.close();

    console.log(
      `Portal pages of Max-Planck-Straße 12 as Kristina (Wohnung 002), 360 × 740, 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up, CPU 4× slower, empty cache; median of ${RUNS}`,
    );
    console.log(`${'page'.padEnd(64)} ${'requests'.padStart(8)} ${'wire'.padStart(10)} ${'gzip est.'.padStart(10)} ${'FCP'.padStart(9)}`);
    const pages = [...PORTAL_PAGES.map((p) => `/portal/liegenschaften/${propertyId}${p}`), '/portal/anmelden', '/portal/barrierefreiheit'];
    for (const path of pages) {
      const runs: Measure[] = [];
      for (let i = 0; i < RUNS; i++) {
        const context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 360, height: 740 }, storageState: state, locale: 'de-DE' });
        runs.push(await measure(context, path));
        await context.close();
      }
      const last = runs.at(-1)!;
      const fcp = median(runs.map((r) => r.fcp));
      const flag = (miss: boolean) => (miss ? ' ✗' : '  ');
      console.log(
        `${path.replace(propertyId, ':id').padEnd(64)} ${String(last.requests).padStart(8)} ${kb(last.wire).padStart(10)}${flag(last.wire > TARGET_BYTES)}${kb(last.gzipEstimate).padStart(8)}${flag(last.gzipEstimate > TARGET_BYTES)} ${`${fcp.toFixed(0)} ms`.padStart(7)}${flag(!(fcp < TARGET_FCP_MS))}`,
      );
    }
    console.log(`Targets: ≤ ${kb(TARGET_BYTES)} over the wire, FCP < ${TARGET_FCP_MS} ms (✗ marks a miss).`);
  } finally {
    await browser.close();
    await stopServer(server);
  }
}

await main();

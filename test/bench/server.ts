import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD } from '../../src/features/demo/seed.ts';
import { freePort } from '../support/server-process.ts';

export { freePort };

// The real server as the benchmarks run it: a child process started as `npm start` starts it,
// in production mode, on a free port, logged into like a browser.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type RunningServer = { child: ChildProcess; baseUrl: string; output: () => string };

/**
 * Starts `node --expose-gc src/server.ts` on `databaseUrl` (no jobs, no seeding) and waits for
 * /healthz; `root` is the checkout it runs from (another commit's, for bench:compare).
 */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}, root = ROOT): Promise<RunningServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, ['--expose-gc', 'src/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      // Passed through, to try V8 flags on the server (e.g. --max-semi-space-size).
      ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
      DATABASE_URL: databaseUrl,
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
      ...env,
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

export async function stopServer(running: RunningServer | undefined) {
  if (!running || running.child.exitCode !== null) return;
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Logs in like a browser: CSRF cookie and token from a page, then the form with Origin. Returns the cookies and the CSRF token. */
export async function logIn(baseUrl: string, area: 'verwaltung' | 'portal', email: string, password: string): Promise<{ cookie: string; token: string }> {
  const page = await fetch(`${baseUrl}/${area}/anmelden`);
  const csrfCookie = page.headers
    .getSetCookie()
    .find((c) => c.startsWith('hp_csrf='))!
    .split(';')[0];
  const hxHeaders = (await page.text()).match(/data-hx-headers='([^']+)'/)?.[1];
  if (!hxHeaders) throw new Error('no data-hx-headers attribute with the CSRF token on the login page');
  const token = JSON.parse(hxHeaders.replace(/&quot;|&#34;/g, '"'))['X-CSRF-Token'] as string;
  const response = await fetch(`${baseUrl}/${area}/anmelden`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie, origin: baseUrl },
    body: new URLSearchParams({ email, password, _csrf: token }),
  });
  const session = response.headers.getSetCookie().find((c) => c.startsWith(area === 'verwaltung' ? 'hp_staff_session=' : 'hp_portal_session='));
  if (response.status !== 303 || !session) throw new Error(`login as ${email} failed: HTTP ${response.status}`);
  return { cookie: `${csrfCookie}; ${session.split(';')[0]}`, token };
}

/** CPU time (user + system) a process has used so far, in clock ticks (1/100 s) from /proc. */
export function cpuTicksOf(pid: number | string): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * The pages bench:profile and bench:compare drive, each with a browser's headers and the cookie
 * of its area: `empty` (the form "Kontakt anlegen", the empty authenticated page),
 * `portal` (the resident's start page), `static`, or any path. Logs in as the demo manager and
 * the resident named.
 */
export async function benchPages(baseUrl: string, resident: { email: string; password: string }) {
  const staff = (await logIn(baseUrl, 'verwaltung', 'verwalter@sonnenschein-hv.de', DEMO_PASSWORD)).cookie;
  const residentCookie = (await logIn(baseUrl, 'portal', resident.email, resident.password)).cookie;
  // The resident's start page: /portal sends one to the (first) property's page.
  const home = await fetch(`${baseUrl}/portal`, { headers: { cookie: residentCookie }, redirect: 'manual' });
  const portalStart = new URL(home.headers.get('location') ?? '/portal', baseUrl).pathname;
  return (page: string) => {
    const path = ({ empty: '/verwaltung/kontakte/neu', portal: portalStart, static: '/static/app.css' } as Record<string, string>)[page] ?? page;
    const headers = { 'accept-encoding': 'gzip, deflate, br', accept: 'text/html', cookie: path.startsWith('/portal') ? residentCookie : staff };
    return { url: baseUrl + path, path, headers };
  };
}

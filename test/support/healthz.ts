import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { TestApp } from './app.ts';
import { pageFrom, type Client, type Page } from './client.ts';

// Issue 14: work that can run long (reading or drawing PDFs) never blocks the server for
// other users. A test posts its form from another process, which times /healthz meanwhile
// (./upload-watching-healthz.ts), and asserts on those times with expectHealthzAnswering.

/**
 * How fast /healthz must answer meanwhile: the 100 ms for the typical answer, and no
 * answer ever near a second. With the PDF work in the workers: 5–70 ms on the 2-core machine,
 * with single answers of 150–300 ms when other test files and browsers kept both cores busy
 * (a load of 7–11): the machine's scheduling, which a bound on every single answer would fail on.
 */
export const HEALTHZ_TYPICAL_MS = 100;
export const HEALTHZ_ANY_MS = 1000;

export type HealthzAnswer = { status: number; ms: number };
export type WatchedPost = { page: Page; ms: number; healthz: HealthzAnswer[] };

const run = promisify(execFile);
const WATCHER = fileURLToPath(new URL('./upload-watching-healthz.ts', import.meta.url));

/**
 * Posts a form as `client` from another process, which asks /healthz every 200 ms until the
 * answer is in: an upload when `file` is given (the CSRF token in the URL, as upload forms
 * send it), a plain form otherwise. Returns the answer's page, how long it took and each
 * /healthz answer's status and time.
 */
export async function postWatchingHealthz(app: TestApp, client: Client, pathname: string, fields: Record<string, string>, file?: Buffer): Promise<WatchedPost> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hausportal-upload-'));
  try {
    const csrf = await client.csrfToken();
    let filePath = '-';
    if (file) {
      filePath = path.join(dir, 'Rundschreiben.pdf');
      await writeFile(filePath, file);
    }
    const url = new URL(file ? `${pathname}?_csrf=${encodeURIComponent(csrf)}` : pathname, app.baseUrl).href;
    const { cookie, origin } = client.browserHeaders();
    const sentFields = JSON.stringify(file ? fields : { ...fields, _csrf: csrf });
    const { stdout } = await run(process.execPath, [WATCHER, url, new URL('/healthz', app.baseUrl).href, cookie, origin, filePath, sentFields], {
      maxBuffer: 10 * 1024 * 1024,
    });
    const answer = JSON.parse(stdout) as { status: number; location: string | null; ms: number; text: string; healthz: HealthzAnswer[] };
    const headers: Record<string, string> = answer.location ? { location: answer.location } : {};
    return { page: await pageFrom(new Response(answer.text, { status: answer.status, headers })), ms: answer.ms, healthz: answer.healthz };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The median /healthz answer under HEALTHZ_TYPICAL_MS, none over HEALTHZ_ANY_MS, all 200; the times are shown when it fails. */
export function expectHealthzAnswering(healthz: HealthzAnswer[]) {
  const times = healthz.map((answer) => Math.round(answer.ms));
  const sorted = [...times].sort((a, b) => a - b);
  expect(sorted[Math.floor(sorted.length / 2)], `the median /healthz answer, of these (ms): ${times.join(', ')}`).toBeLessThan(HEALTHZ_TYPICAL_MS);
  expect(sorted[sorted.length - 1], `the slowest /healthz answer, of these (ms): ${times.join(', ')}`).toBeLessThan(HEALTHZ_ANY_MS);
  expect(healthz.map((answer) => answer.status)).toEqual(healthz.map(() => 200));
}

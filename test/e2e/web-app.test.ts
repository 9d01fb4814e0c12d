import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, describeInBrowser, startBrowserTest, type BrowserTest } from './harness.ts';

/**
 * The portal as an installed app (src/features/web-app, static/sw.js) in Chromium: no
 * installability error, the last pages readable offline from the resident's own cache, the
 * offline page for the others, and the cache gone at logout and when someone else logs in.
 * (127.0.0.1 counts as a secure context, so the worker runs over plain HTTP here.)
 */
const KRISTINA = 'kristina.maiblume@example.de';
const EIGNER = 'heinrich.eigner@example.de';
const PAGES = 'hausportal-pages-';

let t: BrowserTest;

/** Every cache of the page's origin with the paths it holds. */
function cachesOf(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      const keys = await (await caches.open(name)).keys();
      out[name] = keys.map((r) => {
        const url = new URL(r.url);
        return url.pathname + url.search;
      });
    }
    return out;
  });
}

const pageCaches = (all: Record<string, string[]>) => Object.entries(all).filter(([name]) => name.startsWith(PAGES));

/** Logs in and waits until the service worker controls the page (it claims on activation). */
async function loginWithWorker(page: Page, email: string): Promise<string> {
  await t.loginPortal(page, email);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  if (!(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) await page.reload();
  expect(await page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  return new URL(page.url()).pathname;
}

/** Waits until the worker has kept `path` in a page cache (it writes after answering). */
async function waitUntilKept(page: Page, path: string) {
  await expect.poll(async () => pageCaches(await cachesOf(page)).some(([, paths]) => paths.includes(path)), { timeout: 10_000 }).toBe(true);
}

async function portalSessionCookie(context: BrowserContext) {
  const cookie = (await context.cookies()).find((c) => c.name === 'hp_portal_session');
  if (!cookie) throw new Error('no portal session cookie');
  return cookie;
}

describeInBrowser('Portal as an installable app', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
  });
  afterAll(() => t?.close());

  it('is installable: Chromium reports no installability error for the portal page', async () => {
    // Chromium never installs from an incognito profile, which every newContext() is: a
    // profile on disk for this check.
    const profile = await mkdtemp(path.join(tmpdir(), 'hausportal-e2e-profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      baseURL: t.baseUrl,
      viewport: { width: 390, height: 844 },
      locale: 'de-DE',
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await loginWithWorker(page, KRISTINA);
      const cdp = await context.newCDPSession(page);
      const manifest = await cdp.send('Page.getAppManifest');
      expect(manifest.errors).toEqual([]);
      expect(manifest.url).toMatch(/\/verwaltungen\/[0-9a-f-]{36}\/manifest\.webmanifest\?v=\d+&sprache=de$/);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      expect(installabilityErrors).toEqual([]);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  });

  it('reads a visited page offline from the resident cache, shows the offline page for others, and drops the cache at logout', async () => {
    const page = await t.newPage({ width: 390, height: 844 });
    const start = await loginWithWorker(page, KRISTINA);
    await page.goto(`${start}/mitteilungen`);
    const heading = await page.locator('main h1').textContent();
    await waitUntilKept(page, `${start}/mitteilungen`);
    // The console is outside the worker's scope and the shell holds no page.
    const all = await cachesOf(page);
    expect(pageCaches(all)).toHaveLength(1);
    expect(
      Object.values(all)
        .flat()
        .some((path) => path.startsWith('/verwaltung')),
    ).toBe(false);
    expect(t.problemsOf(page)).toEqual([]);

    await page.context().setOffline(true);
    await page.goto(`${start}/mitteilungen`);
    expect(await page.locator('main h1').textContent()).toBe(heading);
    await page.goto(`${start}/termine`);
    expect(await page.locator('h1').textContent()).toBe('Keine Internetverbindung');
    await page.context().setOffline(false);

    // Logout: the form posts, the login page it leads to names no reader, the pages are gone.
    await page.goto(start);
    await page.locator('.portal-menu summary').click();
    await Promise.all([page.waitForURL(/\/portal\/anmelden/), page.getByRole('button', { name: 'Abmelden' }).click()]);
    expect(pageCaches(await cachesOf(page))).toEqual([]);
    await page.context().setOffline(true);
    await page.goto(`${start}/mitteilungen`);
    expect(await page.locator('h1').textContent()).toBe('Keine Internetverbindung');
    await page.context().setOffline(false);
  });

  it("another resident logging in on the same browser never sees the first one's kept pages", async () => {
    const page = await t.newPage({ width: 390, height: 844 });
    const start = await loginWithWorker(page, KRISTINA);
    await page.goto(`${start}/mitteilungen`);
    await waitUntilKept(page, `${start}/mitteilungen`);
    const [[kristinaCache]] = pageCaches(await cachesOf(page));

    // Heinrich Eigner's session replaces Kristina's in this browser without a logout (a shared
    // tablet, a cookie taken over): the first page he gets names another reader.
    const other = await t.newPage();
    await t.loginPortal(other, EIGNER);
    const cookie = await portalSessionCookie(other.context());
    await page.context().addCookies([cookie]);
    await page.goto('/portal');
    // His object selection (he owns in two properties), not her page.
    expect(await page.locator('main h1').textContent()).toBe('Objektauswahl');
    const after = pageCaches(await cachesOf(page));
    expect(after.map(([name]) => name)).not.toContain(kristinaCache);
    expect(after.flatMap(([, paths]) => paths)).not.toContain(`${start}/mitteilungen`);

    await page.context().setOffline(true);
    await page.goto(`${start}/mitteilungen`);
    expect(await page.locator('h1').textContent()).toBe('Keine Internetverbindung');
    await page.context().setOffline(false);
  });

  it('drops the kept pages when an htmx request answers 401 (the login ended elsewhere)', async () => {
    const page = await t.newPage({ width: 390, height: 844 });
    const start = await loginWithWorker(page, KRISTINA);
    await page.goto(`${start}/mitteilungen`);
    await waitUntilKept(page, `${start}/mitteilungen`);
    await page.context().clearCookies();
    const status = await page.evaluate((path) => fetch(path, { headers: { 'HX-Request': 'true' } }).then((r) => r.status), `${start}/termine`);
    expect(status).toBe(401);
    expect(pageCaches(await cachesOf(page))).toEqual([]);
  });
});

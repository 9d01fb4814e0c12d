import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { describe } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

/**
 * Browser flows run in Debian's Chromium (`apt-get install -y chromium`), driven by
 * playwright-core, which never downloads a browser of its own. CHROMIUM_PATH overrides
 * where it is looked for.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

// Playwright adds a fresh temporary --user-data-dir itself (and removes it on close); it
// refuses one in args. These keep the browser off the network and quiet.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const onCi = () => !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());
const missingBrowser = () => (existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);

/**
 * describe() for browser flows. Without Chromium the suite is skipped with the reason on a
 * developer's machine; on CI (CI set) it runs and fails, since CI installs Chromium.
 */
export function describeInBrowser(name: string, body: () => void) {
  const missing = missingBrowser();
  if (missing && !onCi()) {
    console.warn(`[e2e] skipping "${name}": ${missing}`);
    return describe.skip(`${name} (skipped: ${missing})`, body);
  }
  return describe(name, body);
}

/** What went wrong inside a page: console errors/warnings (CSP violations land here) and uncaught errors. */
export type PageProblems = string[];

export type BrowserTest = Awaited<ReturnType<typeof startBrowserTest>>;

/** The real app (own database, SMTP, server) and one Chromium for a test file. */
export async function startBrowserTest(options: Parameters<typeof startTestApp>[0] = {}) {
  const missing = missingBrowser();
  if (missing) throw new Error(`browser tests need Chromium: ${missing}`);
  const [app, browser] = await Promise.all([startTestApp(options), chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 })]);
  const contexts = new Set<BrowserContext>();
  const problems = new WeakMap<Page, PageProblems>();

  return {
    app,
    browser,
    baseUrl: app.baseUrl,

    /**
     * A page in its own context (own cookies), German, at the given width. Every console
     * error or warning and every uncaught error is recorded for problemsOf(page).
     */
    async newPage(opts: { width?: number; height?: number; javaScript?: boolean } = {}): Promise<Page> {
      const context = await browser.newContext({
        baseURL: app.baseUrl,
        viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
        javaScriptEnabled: opts.javaScript ?? true,
        locale: 'de-DE',
        timezoneId: 'Europe/Berlin',
      });
      context.setDefaultTimeout(15_000);
      contexts.add(context);
      const page = await context.newPage();
      const list: PageProblems = [];
      problems.set(page, list);
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') list.push(`console.${message.type()}: ${message.text()} (${message.location().url})`);
      });
      page.on('pageerror', (error) => list.push(`pageerror: ${error.message}`));
      return page;
    },

    /** Console errors, warnings and uncaught errors seen on this page so far. */
    problemsOf(page: Page): PageProblems {
      return problems.get(page) ?? [];
    },

    /** Logs in through the real staff login form and waits for the page after it. */
    async loginStaff(page: Page, email: string, password = app.world.password) {
      await loginThroughForm(page, '/verwaltung/anmelden', email, password, /\/verwaltung(?!\/anmelden)([/?#]|$)/);
    },

    /** Logs in through the real portal login form and waits for the page after it. */
    async loginPortal(page: Page, email: string, password = app.world.password) {
      await loginThroughForm(page, '/portal/anmelden', email, password, /\/portal(?!\/anmelden)/);
    },

    /** A full-page PNG in test/e2e/screenshots/ (gitignored), for people to look at. */
    async screenshot(page: Page, name: string) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      return file;
    },

    async close() {
      await Promise.allSettled([...contexts].map((c) => c.close()));
      await browser.close();
      await app.close();
    },
  };
}

async function loginThroughForm(page: Page, loginPath: string, email: string, password: string, after: RegExp) {
  await page.goto(loginPath);
  await page.getByLabel('E-Mail-Adresse').fill(email);
  await page.getByLabel('Passwort', { exact: true }).fill(password);
  await Promise.all([page.waitForURL(after), page.getByRole('button', { name: 'Anmelden' }).click()]);
}

/** Horizontal overflow of the page in CSS pixels (0 when nothing sticks out sideways). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

export type { TestApp };

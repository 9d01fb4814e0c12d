import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Announcement, Appointment, BookingResource, Ticket, Unit } from '../../src/entities/index.ts';
import type { MountedRoute } from '../../src/http/routes.ts';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

/**
 * Issue 17, measured in the browser: every GET page the route registry lists (src/http/routes.ts),
 * for the console (an admin), the portal (a resident) and the preview, is
 *  - checked by axe-core at 1,280 px and again at 360 px (same document, resized): no serious or
 *    critical violation of WCAG 2.1 A/AA;
 *  - not wider than a 360 px phone (portal pages);
 *  - valid HTML: the server's HTML of every page goes to the W3C Nu HTML Checker (vnu-jar) in
 *    one batch at the end, no errors.
 * The main screens are photographed at both widths into test/e2e/screenshots/ (gitignored).
 * Then two keyboard-only walks with a visible focus at every step.
 */

const MANAGER = 'verwalter@sonnenschein-hv.de';
const KRISTINA = 'kristina.maiblume@example.de';
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const ZERO = '00000000-0000-4000-8000-000000000000';

/**
 * axe-core as @axe-core/playwright pins it. Its AxeBuilder costs 2–6 s a call here (it opens a
 * page for every finishRun and injects into every frame again), too slow for ~140 pages at two
 * widths; so the walk's browser contexts get it as an init script (compiled once, then from
 * Chromium's code cache), and it runs in each document at both widths.
 */
const requireFromAxePlaywright = createRequire(createRequire(import.meta.url).resolve('@axe-core/playwright'));
const AXE_SOURCE = readFileSync(requireFromAxePlaywright.resolve('axe-core/axe.min.js'), 'utf8');

async function axeViolations(page: Page): Promise<AxeResults['violations']> {
  return page.evaluate(
    (tags) =>
      (window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<AxeResults> } }).axe
        .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
        .then((r) => r.violations),
    WCAG,
  );
}

/** Paths that are no pages to look at: files, feeds, redirects that change state, the health check. */
const NOT_A_PAGE = [
  /\/healthz$/,
  /^\/sprache\//,
  /^\/portal\/sprache\//,
  /\.(ics|pdf|csv)$/,
  /\/datei$/,
  /\/anhaenge\//,
  /\/dateien\//,
  /\/fotos\//,
  /\/vorschau$/,
];

/** Screens photographed at both widths, by a name for the file. */
const MAIN_SCREENS: Record<string, RegExp> = {
  'portal-start': /^\/portal\/liegenschaften\/[^/]+$/,
  'portal-report': /^\/portal\/liegenschaften\/[^/]+\/vorgaenge\/neu$/,
  'portal-announcements': /^\/portal\/liegenschaften\/[^/]+\/mitteilungen$/,
  'portal-appointments': /^\/portal\/liegenschaften\/[^/]+\/termine$/,
  'portal-documents': /^\/portal\/liegenschaften\/[^/]+\/dokumente$/,
  'portal-login': /^\/portal\/anmelden$/,
  'portal-accessibility': /^\/portal\/barrierefreiheit$/,
  'console-overview': /^\/verwaltung\/?$/,
  'console-ticket': /^\/verwaltung\/vorgaenge\/[0-9a-f-]{36}$/,
  'console-property': /^\/verwaltung\/liegenschaften\/[0-9a-f-]{36}$/,
  'console-contact': /^\/verwaltung\/kontakte\/[0-9a-f-]{36}$/,
};

let t: BrowserTest;
let htmlDir: string;
const ids: Record<string, string> = {};

describeInBrowser('accessibility, valid HTML and the phone layout of every page', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
    htmlDir = mkdtempSync(path.join(tmpdir(), 'hausportal-html-'));
    const all = { filters: { tenant: false } } as const;
    const em = t.app.em();
    const [announcement, appointment, ticket, unit, resource] = await Promise.all([
      em.findOne(Announcement, { title: 'Treppenhausreinigung' }, all),
      em.findOne(Appointment, { title: 'Ordentliche Eigentümerversammlung 2026' }, all),
      em.findOne(Ticket, { title: 'Kellertür schließt nicht mehr' }, all),
      em.findOne(Unit, { property: t.app.world.properties.rosenweg.id }, all),
      // Buchungen: the Waschküche of Max-Planck-Straße 12, Kristina's property (src/features/bookings/demo.ts).
      em.findOne(BookingResource, { name: 'Waschküche' }, all),
    ]);
    Object.assign(ids, {
      announcement: announcement?.id ?? ZERO,
      appointment: appointment?.id ?? ZERO,
      ticket: ticket?.id ?? ZERO,
      unit: unit?.id ?? ZERO,
      resource: resource?.id ?? ZERO,
    });
  });
  afterAll(async () => {
    await t?.close();
    if (htmlDir) rmSync(htmlDir, { recursive: true, force: true });
  });

  /** What a path parameter becomes: a record of the Sonnenschein world that exists where easy, else an unknown id (the 404 page). */
  const paramValue = (name: string, guard: MountedRoute['guard']): string => {
    const w = t.app.world;
    const known: Record<string, string | undefined> = {
      // Kristina lives in Max-Planck-Straße 12; staff and the preview look at Rosenweg 24.
      propertyId: guard === 'portal' ? w.properties.maxPlanck.id : w.properties.rosenweg.id,
      contactId: w.contacts.kristina.id,
      staffId: w.staff.clerk.id,
      unitId: ids.unit,
      announcementId: ids.announcement,
      appointmentId: ids.appointment,
      ticketId: ids.ticket,
      resourceId: guard === 'portal' ? ids.resource : undefined,
      kind: 'properties',
      recordId: w.properties.rosenweg.id,
      lang: 'de',
      token: 'unbekannt',
      file: 'nope',
    };
    return known[name] ?? ZERO;
  };
  const urlFor = (route: MountedRoute) =>
    route.path.replace(/[:*](\w+)/g, (_, name: string) => encodeURIComponent(paramValue(name, route.guard))).replace(/[{}]/g, '');
  const getPages = (...guards: MountedRoute['guard'][]) => [
    ...new Set(
      t.app.app.registry
        .list()
        .filter((r) => r.method === 'GET' && guards.includes(r.guard))
        .map(urlFor)
        .filter((url) => !NOT_A_PAGE.some((re) => re.test(url))),
    ),
  ];

  const problems: string[] = [];
  const timing = { load: 0, axeDesktop: 0, axePhone: 0 };
  const seen = new Set<string>();
  let saved = 0;

  /**
   * Opens a page (following redirects), saves the server's HTML for the Nu checker, runs axe at
   * desktop width and at 360 px, and checks the phone width. A page reached twice (redirects, the
   * 404 page) is looked at once.
   */
  async function checkPage(page: Page, url: string, area: string) {
    await page.setViewportSize(DESKTOP);
    const started = performance.now();
    // A download (CSV template, file) is no page: Chromium says so instead of loading it.
    const response = await page.goto(url).catch((error: Error) => (/Download is starting/.test(error.message) ? null : Promise.reject(error)));
    timing.load += performance.now() - started;
    if (!response) return;
    const type = response.headers()['content-type'] ?? '';
    if (!type.startsWith('text/html')) return;
    const finalPath = new URL(page.url()).pathname;
    const html = await response.text();
    // htmx-only answers (search suggestions) are fragments, checked inside the pages that load them.
    if (!/^<!doctype html>/i.test(html.trimStart())) return;
    const key = response.status() === 404 ? `404 ${area}` : finalPath;
    if (seen.has(key)) return;
    seen.add(key);
    writeFileSync(path.join(htmlDir, `${String(++saved).padStart(3, '0')}.html`), html);
    for (const [width, viewport] of [
      ['1280', DESKTOP],
      ['360', PHONE],
    ] as const) {
      if (viewport !== DESKTOP) await page.setViewportSize(viewport);
      const started = performance.now();
      const violations = await axeViolations(page);
      timing[viewport === DESKTOP ? 'axeDesktop' : 'axePhone'] += performance.now() - started;
      for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
        problems.push(`${finalPath} @${width}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      }
      if (viewport === PHONE && area !== 'console') {
        const overflow = await horizontalOverflow(page);
        if (overflow > 0) problems.push(`${finalPath} @360: ${overflow}px wider than the screen`);
      }
      const screen = Object.entries(MAIN_SCREENS).find(([, re]) => re.test(finalPath))?.[0];
      if (screen && !seen.has(`shot ${screen} ${width}`)) {
        seen.add(`shot ${screen} ${width}`);
        await t.screenshot(page, `${screen}-${width}`);
      }
    }
  }

  it('finds no serious axe violation and nothing too wide on any page of the console, the portal and the preview', async () => {
    const withAxe = async () => {
      const page = await t.newPage();
      await page.context().addInitScript({ content: AXE_SOURCE });
      return page;
    };
    const publicPage = await withAxe();
    for (const url of getPages('public')) await checkPage(publicPage, url, 'public');

    const staff = await withAxe();
    await t.loginStaff(staff, MANAGER);
    for (const url of getPages('staff', 'admin')) await checkPage(staff, url, 'console');

    const resident = await withAxe();
    await t.loginPortal(resident, KRISTINA);
    for (const url of getPages('portal')) await checkPage(resident, url, 'portal');

    await staff.goto(`/verwaltung/liegenschaften/${t.app.world.properties.rosenweg.id}/vorschau`);
    for (const url of getPages('preview')) await checkPage(staff, url, 'preview');

    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`[a11y] ${saved} pages: loading ${s(timing.load)}, axe at 1280 px ${s(timing.axeDesktop)}, at 360 px ${s(timing.axePhone)}`);
    expect(saved).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  }, 300_000);

  it('serves HTML the W3C Nu checker accepts, on every page', async () => {
    expect(saved).toBeGreaterThan(50);
    const jar = path.join(path.dirname(createRequire(import.meta.url).resolve('vnu-jar/package.json')), 'build/dist/vnu.jar');
    const run = promisify(execFile);
    const output = await run('java', ['-Xss8m', '-jar', jar, '--errors-only', '--format', 'json', '--exit-zero-always', htmlDir], {
      maxBuffer: 32 * 1024 * 1024,
    })
      .then((r) => r.stderr || r.stdout)
      .catch((error: { stderr?: string; message: string }) => error.stderr || error.message);
    const { messages } = JSON.parse(output) as { messages: Array<{ type: string; url: string; message: string; extract?: string }> };
    const errors = messages.filter((m) => m.type === 'error').map((m) => `${path.basename(m.url)}: ${m.message} ${m.extract ?? ''}`.trim());
    expect(errors).toEqual([]);
  }, 120_000);

  it('shows a resident on a 360 px phone the property, one row of navigation and the content within 200 px', async () => {
    const page = await t.newPage(PHONE);
    await t.loginPortal(page, KRISTINA);
    await page.goto(`/portal/liegenschaften/${t.app.world.properties.maxPlanck.id}`);
    await expect(page.locator('.portal-head .brand').textContent()).resolves.toContain('Max-Planck-Straße 12');
    const head = await page.locator('.portal-head').boundingBox();
    expect(head!.height).toBeLessThan(60);
    const tabs = page.getByRole('navigation', { name: 'Schnellzugriff' }).getByRole('link');
    expect((await tabs.allTextContents()).map((s) => s.trim())).toEqual(['Start', 'Anliegen melden', 'Mitteilungen', 'Dokumente']);
    const tops = await tabs.evaluateAll((links) => links.map((a) => Math.round(a.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    const heading = await page.locator('main h1').boundingBox();
    expect(heading!.y).toBeLessThan(200);

    // The menu opens without JavaScript (<details>) and lists the other sections.
    const menu = page.locator('.portal-menu');
    await menu.locator('summary').click();
    await expect(menu.getByRole('link', { name: 'Schwarzes Brett' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('contentinfo').getByRole('link', { name: 'Erklärung zur Barrierefreiheit' }).isVisible()).resolves.toBe(true);
    await t.screenshot(page, 'portal-menu-open-360');
    expect(t.problemsOf(page)).toEqual([]);
  });

  it('reports a concern with the keyboard only, the focus visible at every step', async () => {
    const page = await t.newPage(PHONE);
    await t.loginPortal(page, KRISTINA);
    await page.goto(`/portal/liegenschaften/${t.app.world.properties.maxPlanck.id}`);
    await tabTo(page, (f) => f.tag === 'A' && f.text === 'Anliegen melden');
    await Promise.all([page.waitForURL(/\/vorgaenge\/neu$/), page.keyboard.press('Enter')]);
    await tabTo(page, (f) => f.id === 'ticket-category');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, (f) => f.id === 'ticket-location');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, (f) => f.id === 'ticket-title');
    await page.keyboard.type('Licht im Keller flackert');
    await tabTo(page, (f) => f.id === 'ticket-description');
    await page.keyboard.type('Die Lampe am Kellerabgang flackert seit gestern.');
    await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === 'Anliegen melden');
    await Promise.all([page.waitForURL(/\?hinweis=gemeldet$/), page.keyboard.press('Enter')]);
    await expect(page.locator('main h1').textContent()).resolves.toBe('Licht im Keller flackert');
    expect(t.problemsOf(page)).toEqual([]);
  });

  it('publishes a Mitteilung with the keyboard only, the focus visible at every step', async () => {
    const page = await t.newPage();
    await t.loginStaff(page, MANAGER);
    await page.goto('/verwaltung/mitteilungen');
    await tabTo(page, (f) => f.tag === 'A' && f.text === 'Neue Mitteilung');
    await Promise.all([page.waitForURL(/\/mitteilungen\/neu$/), page.keyboard.press('Enter')]);
    await tabTo(page, (f) => f.type === 'checkbox' && f.label === 'Alle Liegenschaften');
    await page.keyboard.press('Space');
    await tabTo(page, (f) => f.id === 'announcement-title');
    await page.keyboard.type('Aufzugswartung am Montag');
    await tabTo(page, (f) => f.id === 'announcement-body');
    await page.keyboard.type('Der Aufzug steht am Montag von 8 bis 12 Uhr still.');
    await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === 'Mitteilung veröffentlichen');
    await Promise.all([page.waitForURL(/\?gespeichert=published$/), page.keyboard.press('Enter')]);
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('Die Mitteilung ist veröffentlicht.');
    expect(t.problemsOf(page)).toEqual([]);
  });
});

type Focused = { tag: string; id: string; type: string; text: string; label: string; visible: boolean; describe: string };

/**
 * Presses Tab until the focused element matches, checking at every stop that the focus is
 * visible (an outline of at least 2 px or a box shadow, as static/app.css draws :focus-visible).
 */
async function tabTo(page: Page, matches: (f: Focused) => boolean, max = 80) {
  const invisible: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate((): Focused => {
      const el = document.activeElement as HTMLElement & { labels?: NodeListOf<HTMLLabelElement>; type?: string };
      const s = getComputedStyle(el);
      const visible = (s.outlineStyle !== 'none' && Number.parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
      const text = (el.textContent ?? '').trim();
      const label = (el.labels?.[0]?.textContent ?? el.getAttribute('aria-label') ?? '').trim();
      return {
        tag: el.tagName,
        id: el.id,
        type: el.type ?? '',
        text,
        label,
        visible,
        describe: `${el.tagName}${el.id ? `#${el.id}` : ''} "${(label || text).slice(0, 40)}"`,
      };
    });
    if (f.tag !== 'BODY' && !f.visible) invisible.push(f.describe);
    if (matches(f)) {
      expect(invisible, 'focus without a visible outline').toEqual([]);
      return;
    }
  }
  throw new Error(`no focusable element matched after ${max} presses of Tab`);
}

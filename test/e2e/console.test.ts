import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

const MANAGER = 'verwalter@sonnenschein-hv.de';
const KRISTINA = 'kristina.maiblume@example.de';

let t: BrowserTest;
const resultNames = (page: Page) => page.locator('#property-results tbody a').allTextContents();

describeInBrowser('console in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
  });
  afterAll(() => t?.close());

  it('logs in through the form, searches live with htmx and opens a property with its tabs', async () => {
    const page = await t.newPage();
    await t.loginStaff(page, MANAGER);
    expect(new URL(page.url()).pathname).toBe('/verwaltung');
    await expect(page.locator('main h1').textContent()).resolves.toBe('Übersicht');
    await Promise.all([
      page.waitForURL(/\/verwaltung\/liegenschaften$/),
      page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Liegenschaften' }).click(),
    ]);
    await expect(page.locator('main h1').textContent()).resolves.toBe('Liegenschaften');
    expect(await resultNames(page)).toContain('TESTLIEGENSCHAFT');

    // A full page load would drop this marker; the htmx swap keeps it.
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same document'));
    const fragment = page.waitForResponse((r) => r.url().includes('q=Rosen') && r.request().headers()['hx-request'] === 'true');
    await page.getByRole('searchbox', { name: 'Liegenschaften durchsuchen' }).pressSequentially('Rosen', { delay: 20 });
    expect((await fragment).status()).toBe(200);
    await page.locator('#property-results').getByText('TESTLIEGENSCHAFT').waitFor({ state: 'detached' });
    await page.waitForURL(/\/verwaltung\/liegenschaften\?q=Rosen$/);
    expect(await resultNames(page)).toEqual(['Rosenweg 24']);
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same document');
    await t.screenshot(page, 'console-list-search-1280');

    await Promise.all([
      page.waitForURL(`/verwaltung/liegenschaften/${t.app.world.properties.rosenweg.id}`),
      page.getByRole('link', { name: 'Rosenweg 24' }).click(),
    ]);
    await expect(page.locator('main h1').textContent()).resolves.toBe('Rosenweg 24');
    const tabs = page.getByRole('navigation', { name: 'Bereiche der Liegenschaft' }).getByRole('link');
    expect((await tabs.allTextContents()).map((s) => s.trim())).toEqual(['Übersicht', 'Einheiten', 'Kontakte', 'Inhalte', 'Dokumente', 'Berichte']);
    await expect(tabs.filter({ hasText: 'Übersicht' }).getAttribute('aria-current')).resolves.toBe('page');

    await Promise.all([page.waitForURL(/\/einheiten$/), tabs.filter({ hasText: 'Einheiten' }).click()]);
    await expect(page.locator('main h1').textContent()).resolves.toBe('Rosenweg 24');
    expect(await page.locator('.tab-panel tbody th[scope=row]').allTextContents()).toContain('Wohnung 001');
    expect(t.problemsOf(page)).toEqual([]);
  });

  it('searches with JavaScript turned off: the form submits on Enter', async () => {
    const page = await t.newPage({ javaScript: false });
    await t.loginStaff(page, MANAGER);
    await page.goto('/verwaltung/liegenschaften');
    const search = page.getByRole('searchbox', { name: 'Liegenschaften durchsuchen' });
    await search.fill('Rosen');
    await Promise.all([page.waitForURL(/\/verwaltung\/liegenschaften\?q=Rosen$/), search.press('Enter')]);
    expect(await resultNames(page)).toEqual(['Rosenweg 24']);
    await expect(search.inputValue()).resolves.toBe('Rosen');
  });

  it('runs htmx under the strict CSP without violations or console errors', async () => {
    const page = await t.newPage();
    await t.loginStaff(page, MANAGER);
    const response = await page.goto('/verwaltung/liegenschaften');
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(await page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx)).toBe('object');

    await page.getByRole('searchbox', { name: 'Liegenschaften durchsuchen' }).pressSequentially('Max', { delay: 20 });
    await page.waitForURL(/\?q=Max$/);
    await page.locator('#property-results').getByRole('link', { name: 'Max-Planck-Straße 12' }).waitFor();
    for (const tab of ['', '/einheiten', '/kontakte', '/dokumente']) await page.goto(`/verwaltung/liegenschaften/${t.app.world.properties.maxPlanck.id}${tab}`);
    expect(t.problemsOf(page)).toEqual([]);

    // The listener does see a violation: an inline script is refused and reported.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'void 0';
      document.head.append(script);
    });
    await expect.poll(() => t.problemsOf(page).join('\n')).toMatch(/Content Security Policy/);
  });

  it('saves a Termin through htmx and shows the page after it in the address bar: a reload shows the same page', async () => {
    const page = await t.newPage();
    await t.loginStaff(page, MANAGER);
    await page.goto('/verwaltung/termine/neu');
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same document'));
    await page.getByLabel('Titel').fill('Treppenhausreinigung über htmx');
    await page.getByLabel('Datum').fill('2026-12-10');
    await page.getByLabel('Beginn').fill('10:00');
    await page.getByLabel('Ende', { exact: true }).fill('11:00');
    await page.getByLabel('Max-Planck-Straße 12').check();
    await Promise.all([page.waitForURL(/\/verwaltung\/termine\?gespeichert=0$/), page.getByRole('button', { name: 'Termin speichern' }).click()]);
    // Swapped in by htmx (the marker survived), not loaded whole.
    await expect(page.evaluate(() => (window as unknown as { marker?: string }).marker)).resolves.toBe('same document');
    await expect(page.locator('main').textContent()).resolves.toContain('Treppenhausreinigung über htmx');
    await page.reload();
    await expect(page.locator('main').textContent()).resolves.toContain('Treppenhausreinigung über htmx');
    expect(t.problemsOf(page)).toEqual([]);
  });

  it('reaches the skip link first with Tab and shows it while focused', async () => {
    const page = await t.newPage();
    await t.loginStaff(page, MANAGER);
    await page.goto('/verwaltung/liegenschaften');
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    await expect(focused.textContent()).resolves.toBe('Zum Inhalt springen');
    const box = (await focused.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.width).toBeGreaterThan(20);
    await t.screenshot(page, 'console-skip-link-focused');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');
  });

  for (const width of [1280, 360]) {
    it(`fits the Übersicht, the list, the property and the contact page at ${width}px (screenshots)`, async () => {
      const page = await t.newPage({ width });
      await t.loginStaff(page, MANAGER);
      expect(await horizontalOverflow(page)).toBe(0);
      await t.screenshot(page, `console-overview-${width}`);
      await page.goto('/verwaltung/liegenschaften');
      expect(await horizontalOverflow(page)).toBe(0);
      await t.screenshot(page, `console-list-${width}`);
      await page.goto(`/verwaltung/liegenschaften/${t.app.world.properties.rosenweg.id}`);
      expect(await horizontalOverflow(page)).toBe(0);
      await t.screenshot(page, `console-property-${width}`);
      await page.goto(`/verwaltung/liegenschaften/${t.app.world.properties.rosenweg.id}/einheiten`);
      expect(await horizontalOverflow(page)).toBe(0);
      await t.screenshot(page, `console-property-einheiten-${width}`);
      await page.goto(`/verwaltung/kontakte/${t.app.world.contacts.kristina.id}`);
      expect(await horizontalOverflow(page)).toBe(0);
      await t.screenshot(page, `console-contact-${width}`);
      expect(t.problemsOf(page)).toEqual([]);
    });
  }

  it("shows Kristina Maiblume's portal start page at 360px (screenshot)", async () => {
    const page = await t.newPage({ width: 360 });
    await t.loginPortal(page, KRISTINA);
    expect(new URL(page.url()).pathname).toBe(`/portal/liegenschaften/${t.app.world.properties.maxPlanck.id}`);
    await expect(page.locator('main h1').textContent()).resolves.toContain('Max-Planck-Straße 12');
    expect(await horizontalOverflow(page)).toBe(0);
    await t.screenshot(page, 'portal-start-360');
    expect(t.problemsOf(page)).toEqual([]);
  });
});

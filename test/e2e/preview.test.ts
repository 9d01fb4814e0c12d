import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

/** The Vorschau as the quick-start guide (seed 000) walks it: src/features/preview. */
const MANAGER = 'verwalter@sonnenschein-hv.de';
const KRISTINA = 'kristina.maiblume@example.de';

let t: BrowserTest;

describeInBrowser('Vorschau in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
  });
  afterAll(() => t?.close());

  /** Opens a property page from the Liegenschaften list and clicks "Vorschau"; returns the new tab. */
  async function openPreview(page: Page, propertyName: string): Promise<Page> {
    await page.goto('/verwaltung/liegenschaften');
    await page.locator('#property-results').getByRole('link', { name: propertyName, exact: true }).click();
    await page.waitForURL(/\/verwaltung\/liegenschaften\/[0-9a-f-]{36}$/);
    await expect(page.locator('main h1').textContent()).resolves.toBe(propertyName);
    const button = page.getByRole('link', { name: 'Vorschau', exact: true });
    await expect(button.getAttribute('target')).resolves.toBe('_blank');
    const [tab] = await Promise.all([page.waitForEvent('popup'), button.click()]);
    await tab.waitForLoadState();
    expect(new URL(tab.url()).pathname).toMatch(/^\/portal\/vorschau\/liegenschaften\/[0-9a-f-]{36}$/);
    return tab;
  }

  it('opens the preview of Rosenweg 24 in a new tab: banner, no personal data, nothing to change (360px screenshot)', async () => {
    const page = await t.newPage();
    await t.loginStaff(page, MANAGER);
    const tab = await openPreview(page, 'Rosenweg 24');
    await t.screenshot(page, 'preview-button-1280');
    await tab.setViewportSize({ width: 360, height: 800 });

    await expect(tab.getByRole('status').filter({ hasText: 'Vorschau' }).isVisible()).resolves.toBe(true);
    await expect(tab.locator('main h1').textContent()).resolves.toContain('Rosenweg 24');
    const main = (await tab.locator('main').textContent()) ?? '';
    expect(main).not.toContain('Ihre Einheiten');
    expect(main).not.toContain('Ihre Rolle');
    await expect(tab.getByRole('button', { name: 'Abmelden' }).count()).resolves.toBe(0);
    // Whatever forms a portal page has are shown disabled in the preview.
    const enabledControls = tab.locator('main form[method="post" i]').locator('button:enabled, input:enabled, textarea:enabled, select:enabled');
    await expect(enabledControls.count()).resolves.toBe(0);
    expect(await horizontalOverflow(tab)).toBe(0);
    await t.screenshot(tab, 'preview-start-360');

    // Every section opens, and stays inside the preview.
    for (const section of ['Mitteilungen', 'Termine', 'Ansprechpartner', 'Schwarzes Brett']) {
      // Every section is in the menu (a <details> in the header, issue 17).
      await tab.locator('.portal-menu summary').click();
      await Promise.all([
        tab.waitForURL(/\/portal\/vorschau\/liegenschaften\/[0-9a-f-]{36}\/.+/),
        tab.getByRole('navigation', { name: 'Portalnavigation' }).getByRole('link', { name: section, exact: true }).click(),
      ]);
      await expect(tab.getByRole('status').filter({ hasText: 'Vorschau' }).isVisible(), section).resolves.toBe(true);
      await expect(enabledControls.count(), section).resolves.toBe(0);
      expect(await horizontalOverflow(tab), section).toBe(0);
    }
    expect(t.problemsOf(tab)).toEqual([]);

    // The server refuses a change even when the page is bypassed.
    const refused = await tab.evaluate(async () => {
      const token = JSON.parse(document.body.getAttribute('data-hx-headers') ?? '{}')['X-CSRF-Token'];
      const response = await fetch(location.pathname, {
        method: 'POST',
        headers: { 'x-csrf-token': token, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'title=x',
      });
      return { status: response.status, text: await response.text() };
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('In der Vorschau können keine Änderungen vorgenommen werden.');
  });

  it('walks the guide: a Mitteilung to TESTLIEGENSCHAFT shows in its preview, not for Kristina', async () => {
    const title = 'Willkommen in Ihrem neuen Kundenportal';
    const page = await t.newPage();
    await t.loginStaff(page, MANAGER);

    await Promise.all([
      page.waitForURL('/verwaltung/neuer-inhalt'),
      page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Neuer Inhalt' }).click(),
    ]);
    await Promise.all([page.waitForURL('/verwaltung/mitteilungen/neu'), page.getByRole('link', { name: 'Neue Mitteilung' }).click()]);
    await expect(page.locator('main h1').textContent()).resolves.toBe('Neue Mitteilung');
    await page.getByLabel('Liegenschaft suchen').pressSequentially('TEST', { delay: 20 });
    await page.getByLabel('TESTLIEGENSCHAFT', { exact: true }).check();
    await page.getByLabel('Titel', { exact: true }).fill(title);
    await page.getByLabel('Inhalt', { exact: true }).fill('Liebe Bewohnerinnen und Bewohner,\n\nab sofort finden Sie hier alle Neuigkeiten.');
    await Promise.all([
      page.waitForURL(/\/verwaltung\/mitteilungen\/[0-9a-f-]{36}\?gespeichert=published$/),
      page.getByRole('button', { name: 'Mitteilung veröffentlichen' }).click(),
    ]);

    const tab = await openPreview(page, 'TESTLIEGENSCHAFT');
    await expect(tab.getByRole('status').filter({ hasText: 'Vorschau' }).isVisible()).resolves.toBe(true);
    const link = tab.locator('#start-announcements').getByRole('link', { name: title });
    await Promise.all([tab.waitForURL(/\/portal\/vorschau\/liegenschaften\/[0-9a-f-]{36}\/mitteilungen\/[0-9a-f-]{36}$/), link.click()]);
    await expect(tab.locator('main').textContent()).resolves.toContain('ab sofort finden Sie hier alle Neuigkeiten.');
    await t.screenshot(tab, 'preview-announcement-1280');
    expect(t.problemsOf(tab)).toEqual([]);

    // The preview of another property does not show it.
    const rosenweg = await openPreview(page, 'Rosenweg 24');
    await expect(rosenweg.locator('main').textContent()).resolves.not.toContain(title);

    // Kristina lives in the Max-Planck-Straße 12: not a recipient.
    const resident = await t.newPage({ width: 360 });
    await t.loginPortal(resident, KRISTINA);
    await expect(resident.locator('main').textContent()).resolves.not.toContain(title);
    await Promise.all([
      resident.waitForURL(/\/mitteilungen$/),
      resident.getByRole('navigation', { name: 'Schnellzugriff' }).getByRole('link', { name: 'Mitteilungen', exact: true }).click(),
    ]);
    await expect(resident.locator('main').textContent()).resolves.not.toContain(title);
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureContentDemo } from '../support/content-demo.ts';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

let t: BrowserTest;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describeInBrowser('Schwarzes Brett, Fragen & Antworten and Ansprechpartner in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
    await ensureContentDemo(t.app);
  });
  afterAll(() => t?.close());

  it('publishes a notice with an attachment without JavaScript; a resident reads and downloads it on a phone', async () => {
    const page = await t.newPage({ javaScript: false });
    await t.loginStaff(page, 'verwalter@sonnenschein-hv.de');
    await page.goto('/verwaltung/schwarzes-brett/neu');
    await page.getByLabel('Liegenschaft').selectOption({ label: 'Max-Planck-Straße 12' });
    await page.getByLabel('Titel').fill('Heizungswartung');
    await page.getByLabel('Inhalt').fill('Am Mittwoch wird die Heizung gewartet.\n\nDetails: https://example.de/heizung');
    await page.getByLabel('Anhänge').setInputFiles({ name: 'Wartungsplan.pdf', mimeType: 'application/pdf', buffer: PDF });
    await t.screenshot(page, 'bulletin-new-1280');
    await Promise.all([
      page.waitForURL(/\/verwaltung\/schwarzes-brett\?hinweis=veroeffentlicht/),
      page.getByRole('button', { name: 'Veröffentlichen' }).click(),
    ]);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Der Aushang wurde veröffentlicht.');
    await t.screenshot(page, 'bulletin-list-1280');
    expect(t.problemsOf(page)).toEqual([]);

    const resident = await t.newPage({ width: 360, height: 740 });
    await t.loginPortal(resident, 'kristina.maiblume@example.de');
    const base = `/portal/liegenschaften/${t.app.world.properties.maxPlanck.id}`;
    await resident.goto(`${base}/schwarzes-brett`);
    await expect(resident.locator('article h2').first().textContent()).resolves.toBe('Heizungswartung');
    const [download] = await Promise.all([resident.waitForEvent('download'), resident.getByRole('link', { name: 'Wartungsplan.pdf' }).click()]);
    expect(download.suggestedFilename()).toBe('Wartungsplan.pdf');
    expect(await horizontalOverflow(resident)).toBe(0);
    await t.screenshot(resident, 'bulletin-portal-360');

    await resident.goto(`${base}/fragen`);
    await resident.getByText('Wie melde ich einen Schaden?').click();
    await expect(resident.getByText('Melden Sie Schäden am einfachsten', { exact: false }).isVisible()).resolves.toBe(true);
    expect(await horizontalOverflow(resident)).toBe(0);
    await t.screenshot(resident, 'faq-portal-360');

    await resident.goto(`${base}/ansprechpartner`);
    await expect(resident.getByRole('link', { name: '089 123456-21' }).getAttribute('href')).resolves.toBe('tel:08912345621');
    expect(await horizontalOverflow(resident)).toBe(0);
    await t.screenshot(resident, 'contact-persons-portal-360');
    expect(t.problemsOf(resident)).toEqual([]);
  });

  it('orders FAQ entries in the console with the buttons', async () => {
    const page = await t.newPage();
    await t.loginStaff(page, 'verwalter@sonnenschein-hv.de');
    await page.goto('/verwaltung/fragen');
    const general = page.locator('#faq-group-all .question');
    const before = await general.allTextContents();
    await Promise.all([page.waitForURL(/\/verwaltung\/fragen/), page.locator('#faq-group-all li').nth(1).getByRole('button', { name: 'nach oben' }).click()]);
    await page.waitForLoadState();
    expect(await page.locator('#faq-group-all .question').allTextContents()).toEqual([before[1], before[0], ...before.slice(2)]);
    await t.screenshot(page, 'faq-console-1280');
    expect(t.problemsOf(page)).toEqual([]);
  });
});

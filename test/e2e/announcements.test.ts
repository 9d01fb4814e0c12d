import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

let t: BrowserTest;

describeInBrowser('Mitteilungen in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
  });
  afterAll(() => t?.close());

  it('picks "Senden an" through the htmx suggestions with the keyboard, keeps the choice, publishes; Kristina reads it', async () => {
    const page = await t.newPage();
    await t.loginStaff(page, 'verwalter@sonnenschein-hv.de');
    await page.goto('/verwaltung/mitteilungen/neu');
    const options = page.locator('#recipient-options label');
    expect(await options.allTextContents()).toEqual(expect.arrayContaining(['TESTLIEGENSCHAFT', 'Max-Planck-Straße 12', 'Rosenweg 24'].map((n) => ` ${n}`)));

    const search = page.getByRole('searchbox', { name: 'Liegenschaft suchen' });
    await search.focus();
    const rosen = page.waitForResponse((r) => r.url().includes('/empfaenger?') && r.url().includes('q=Max'));
    await search.pressSequentially('Max', { delay: 20 });
    await rosen;
    await page.locator('#recipient-options').getByText('Rosenweg 24').waitFor({ state: 'detached' });
    expect((await options.allTextContents()).map((s) => s.trim())).toEqual(['Max-Planck-Straße 12']);
    // Keyboard: Tab from the search field to the checkbox, Space ticks it.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await expect(page.getByRole('checkbox', { name: 'Max-Planck-Straße 12' }).isChecked()).resolves.toBe(true);

    // Searching on keeps the chosen property.
    const more = page.waitForResponse((r) => r.url().includes('/empfaenger?') && r.url().includes('q=Rosen'));
    await search.fill('');
    await search.pressSequentially('Rosen', { delay: 20 });
    await more;
    await page.locator('#recipient-options').getByText('Rosenweg 24').waitFor();
    expect((await options.allTextContents()).map((s) => s.trim())).toEqual(['Max-Planck-Straße 12', 'Rosenweg 24']);
    await expect(page.getByRole('checkbox', { name: 'Max-Planck-Straße 12' }).isChecked()).resolves.toBe(true);

    await page.getByLabel('Titel').fill('Wasserabstellung am Freitag');
    await page.getByLabel('Inhalt').fill('Am Freitag wird von 9 bis 11 Uhr das Wasser abgestellt.\n\nMehr unter https://example.de/wasser');
    await t.screenshot(page, 'announcement-new-1280');
    await Promise.all([
      page.waitForURL(/\/verwaltung\/mitteilungen\/[0-9a-f-]{36}\?gespeichert=published$/),
      page.getByRole('button', { name: 'Mitteilung veröffentlichen' }).click(),
    ]);
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('Die Mitteilung ist veröffentlicht.');
    expect(t.problemsOf(page)).toEqual([]);

    const resident = await t.newPage({ width: 360, height: 740 });
    await t.loginPortal(resident, 'kristina.maiblume@example.de');
    await resident.goto(`/portal/liegenschaften/${t.app.world.properties.maxPlanck.id}/mitteilungen`);
    await expect(resident.locator('article h2').first().textContent()).resolves.toBe('Wasserabstellung am Freitag');
    await expect(resident.locator('article .rich-text a').first().getAttribute('href')).resolves.toBe('https://example.de/wasser');
    expect(await horizontalOverflow(resident)).toBe(0);
    await t.screenshot(resident, 'announcement-portal-360');
    expect(t.problemsOf(resident)).toEqual([]);
  });
});

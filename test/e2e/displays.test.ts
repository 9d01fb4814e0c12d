import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_DISPLAY_TOKEN } from '../../src/features/displays/demo.ts';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

/**
 * Digitaler Hausaushang in Chromium (src/features/displays): the demo screen of Rosenweg 24
 * on a 1920×1080 television and a screen set up in the console on an 800×1280 tablet; large
 * type, everything inside the screen, pages that turn with and without JavaScript, and the
 * last content kept when the network drops.
 */

let t: BrowserTest;

/** Where the screen's parts sit, and whether any card reaches below the visible main area. */
function layoutOf(page: Page) {
  return page.evaluate(() => {
    const box = (el: Element | null) => (el ? el.getBoundingClientRect() : null);
    const main = box(document.querySelector('.screen-main'))!;
    const cards = [...document.querySelectorAll('.card')].map((el) => box(el)!);
    const qr = box(document.querySelector('.screen-qr img'));
    const h1 = document.querySelector('h1')!;
    return {
      cards: cards.length,
      cardsBelowMain: cards.filter((c) => c.bottom > main.bottom + 1).length,
      qrInside: qr ? qr.top >= 0 && qr.bottom <= window.innerHeight && qr.right <= window.innerWidth && qr.width >= 100 : false,
      bodyFontPx: Number.parseFloat(getComputedStyle(document.querySelector('.card p:not(.card-meta), .card li')!).fontSize),
      titleFontPx: Number.parseFloat(getComputedStyle(h1).fontSize),
      scrollHeight: document.documentElement.scrollHeight,
      innerHeight: window.innerHeight,
    };
  });
}

describeInBrowser('Digitaler Hausaushang in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
  });
  afterAll(() => t?.close());

  it('shows the demo screen of Rosenweg 24 on a 1920×1080 television: large type, everything inside, no overflow', async () => {
    const page = await t.newPage({ width: 1920, height: 1080 });
    const response = await page.goto(`/aushang/${DEMO_DISPLAY_TOKEN}`);
    expect(response?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('Rosenweg 24');
    await expect(page.getByRole('heading', { name: 'Treppenhausreinigung' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('.screen-management').getByText('Hausverwaltung Sonnenschein GmbH').isVisible()).resolves.toBe(true);
    const layout = await layoutOf(page);
    expect(layout.cards).toBeGreaterThan(0);
    expect(layout.cardsBelowMain).toBe(0);
    expect(layout.qrInside).toBe(true);
    // Readable from two metres: body text at least 28 px on a 1920 px wide television.
    expect(layout.bodyFontPx).toBeGreaterThanOrEqual(28);
    expect(layout.titleFontPx).toBeGreaterThanOrEqual(40);
    expect(layout.scrollHeight).toBe(layout.innerHeight);
    expect(await horizontalOverflow(page)).toBe(0);
    await t.screenshot(page, 'aushang-quer-1920x1080');

    // The second page has the Termine and Ansprechpartner, inside the screen too.
    const next = await page.locator('#aushang').getAttribute('data-next');
    await page.goto(next!);
    await expect(page.getByRole('heading', { name: 'Nächste Termine' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Ordentliche Eigentümerversammlung 2026').isVisible()).resolves.toBe(true);
    await expect(page.locator('.card-contacts').getByText('Hausmeisterservice Huber').isVisible()).resolves.toBe(true);
    expect((await layoutOf(page)).cardsBelowMain).toBe(0);
    expect(await horizontalOverflow(page)).toBe(0);
    await t.screenshot(page, 'aushang-quer-1920x1080-seite-2');
    expect(t.problemsOf(page)).toEqual([]);
  }, 60_000);

  it('sets up a portrait screen in the console and shows it on an 800×1280 tablet', async () => {
    const staff = await t.newPage();
    await t.loginStaff(staff, 'sachbearbeitung@sonnenschein-hv.de');
    await staff.goto(`/verwaltung/liegenschaften/${t.app.world.properties.rosenweg.id}`);
    await staff.getByRole('link', { name: 'Hausaushang', exact: true }).click();
    await expect(staff.locator('main h1').textContent()).resolves.toBe('Digitaler Hausaushang');
    await staff.getByLabel('Name').fill('Tablet im Eingang');
    await staff.getByLabel('Hoch (z. B. Tablet, 800 × 1280)').check();
    await staff.getByRole('button', { name: 'Bildschirm anlegen' }).click();
    const url = await staff.locator('#new-display-url-value').inputValue();
    expect(url).toMatch(/\/aushang\/[A-Za-z0-9_-]{43}$/);
    await t.screenshot(staff, 'aushang-console-neu');

    const tablet = await t.newPage({ width: 800, height: 1280 });
    await tablet.goto(url);
    await expect(tablet.locator('h1').textContent()).resolves.toBe('Rosenweg 24');
    await expect(tablet.getByRole('heading', { name: 'Treppenhausreinigung' }).isVisible()).resolves.toBe(true);
    const layout = await layoutOf(tablet);
    expect(layout.cardsBelowMain).toBe(0);
    expect(layout.qrInside).toBe(true);
    expect(layout.bodyFontPx).toBeGreaterThanOrEqual(24);
    expect(layout.scrollHeight).toBe(layout.innerHeight);
    expect(await horizontalOverflow(tablet)).toBe(0);
    await t.screenshot(tablet, 'aushang-hoch-800x1280');
    // Every page of it fits too.
    const first = new URL(url).pathname;
    let next = await tablet.locator('#aushang').getAttribute('data-next');
    for (let n = 2; next && next !== first && n < 10; n++) {
      await tablet.goto(next);
      expect((await layoutOf(tablet)).cardsBelowMain, `page ${n}`).toBe(0);
      expect(await horizontalOverflow(tablet)).toBe(0);
      await t.screenshot(tablet, `aushang-hoch-800x1280-seite-${n}`);
      next = await tablet.locator('#aushang').getAttribute('data-next');
    }
    expect(t.problemsOf(tablet)).toEqual([]);
    // A 3:4 tablet held upright gets slightly smaller type; everything still fits.
    await tablet.setViewportSize({ width: 768, height: 1024 });
    await tablet.goto(url);
    expect((await layoutOf(tablet)).cardsBelowMain).toBe(0);
    expect((await layoutOf(tablet)).qrInside).toBe(true);
    expect(await horizontalOverflow(tablet)).toBe(0);
    await t.screenshot(tablet, 'aushang-hoch-768x1024');

    // Staff see that it was online.
    await staff.goto(`/verwaltung/liegenschaften/${t.app.world.properties.rosenweg.id}/hausaushang`);
    const row = staff.getByRole('row').filter({ hasText: 'Tablet im Eingang' });
    await expect(row.locator('.display-last-seen').textContent()).resolves.toMatch(/^zuletzt online: \d\d\.\d\d\.\d{4}, \d\d:\d\d$/);
  }, 90_000);

  it('is accessible (axe, WCAG 2.1 AA) and valid HTML (W3C Nu checker): the screen and its console pages', async () => {
    const page = await t.newPage({ width: 1920, height: 1080 });
    await page.goto(`/aushang/${DEMO_DISPLAY_TOKEN}`);
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);

    const staff = t.app.client();
    await staff.loginStaff('verwalter@sonnenschein-hv.de', t.app.world.password);
    const list = `/verwaltung/liegenschaften/${t.app.world.properties.rosenweg.id}/hausaushang`;
    const created = await staff.post(list, { name: 'Prüfung', orientation: 'portrait', showAnnouncements: '1', showQrCode: '1' });
    const invalid = await staff.post(list, { name: '', orientation: 'x' });
    const pages: Record<string, string> = {
      'screen.html': (await t.app.client().get(`/aushang/${DEMO_DISPLAY_TOKEN}`)).text,
      'screen-part.html': `<!doctype html><html lang="de"><head><title>x</title></head><body>${(await t.app.client().get(`/aushang/${DEMO_DISPLAY_TOKEN}`, { 'hx-request': 'true' })).text}</body></html>`,
      'list.html': (await staff.get(list)).text,
      'created.html': created.text,
      'invalid.html': invalid.text,
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'hausportal-aushang-html-'));
    try {
      for (const [name, html] of Object.entries(pages)) writeFileSync(path.join(dir, name), html);
      const jar = path.join(path.dirname(createRequire(import.meta.url).resolve('vnu-jar/package.json')), 'build/dist/vnu.jar');
      const output = await promisify(execFile)('java', ['-Xss8m', '-jar', jar, '--errors-only', '--format', 'json', '--exit-zero-always', dir], {
        maxBuffer: 8 * 1024 * 1024,
      })
        .then((r) => r.stderr || r.stdout)
        .catch((error: { stderr?: string; message: string }) => error.stderr || error.message);
      const { messages } = JSON.parse(output) as { messages: Array<{ type: string; url: string; message: string; extract?: string }> };
      expect(messages.filter((m) => m.type === 'error').map((m) => `${path.basename(m.url)}: ${m.message} ${m.extract ?? ''}`.trim())).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('turns the page without JavaScript by the meta refresh', async () => {
    const page = await t.newPage({ width: 1920, height: 1080, javaScript: false });
    await page.goto(`/aushang/${DEMO_DISPLAY_TOKEN}`);
    await expect(page.locator('.screen-page').textContent()).resolves.toMatch(/^Seite 1 von \d$/);
    await page.waitForURL(/\?seite=2$/, { timeout: 40_000 });
    await expect(page.locator('.screen-page').textContent()).resolves.toMatch(/^Seite 2 von \d$/);
  }, 60_000);

  it('with JavaScript turns the page in place and keeps the last page when the network drops', async () => {
    const page = await t.newPage({ width: 1920, height: 1080 });
    const address = `/aushang/${DEMO_DISPLAY_TOKEN}`;
    await page.goto(address);
    await expect(page.locator('.screen-page').textContent()).resolves.toMatch(/^Seite 1 von \d$/);
    await page.locator('.screen-page', { hasText: 'Seite 2 von' }).waitFor({ timeout: 40_000 });
    // In place: the address did not change.
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(address);
    await page.context().setOffline(true);
    await page.locator('#aushang-offline').waitFor({ state: 'visible', timeout: 40_000 });
    await expect(page.locator('.screen-page').textContent()).resolves.toMatch(/^Seite 2 von \d$/);
    await expect(page.getByRole('heading', { name: 'Nächste Termine' }).isVisible()).resolves.toBe(true);
    await t.screenshot(page, 'aushang-quer-offline');
    await page.context().setOffline(false);
    // Back online, the next fetch clears the note.
    await page.locator('#aushang-offline').waitFor({ state: 'hidden', timeout: 40_000 });
    expect(t.problemsOf(page).filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p))).toEqual([]);
  }, 120_000);
});

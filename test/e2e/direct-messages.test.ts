import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

/**
 * Direktnachrichten (issue 21) in two browsers: Kristina and Heinrich opt in to "Eigentümer /
 * Nachbarn" of Max-Planck-Straße 12, Kristina starts a conversation from the list, and her
 * message appears on Heinrich's open page without a reload (htmx's SSE extension).
 */
let t: BrowserTest;

describeInBrowser('Direktnachrichten in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
  });
  afterAll(() => t?.close());

  it('a message appears live in the second browser', async () => {
    const base = `/portal/liegenschaften/${t.app.world.properties.maxPlanck.id}`;
    const kristina = await t.newPage({ width: 360, height: 740 });
    const heinrich = await t.newPage();
    await t.loginPortal(kristina, 'kristina.maiblume@example.de');
    await t.loginPortal(heinrich, 'heinrich.eigner@example.de');
    for (const page of [kristina, heinrich]) {
      await page.goto(`${base}/nachbarn/meine-angaben`);
      await page.getByLabel('In der Liste „Eigentümer / Nachbarn“ erscheinen').check();
      await Promise.all([page.waitForURL(/gespeichert/), page.getByRole('button', { name: 'Speichern' }).click()]);
    }

    await kristina.goto(`${base}/nachbarn`);
    expect(await horizontalOverflow(kristina)).toBe(0);
    await Promise.all([
      kristina.waitForURL(/\/nachrichten\/[0-9a-f-]{36}/),
      kristina.getByRole('button', { name: 'Nachricht an Nachbar/in schreiben' }).click(),
    ]);
    const conversation = new URL(kristina.url()).pathname;

    await heinrich.goto(conversation);
    // The stream is open once the extension has connected it.
    await heinrich.waitForFunction(() => {
      const list = document.getElementById('messages') as (HTMLElement & { 'htmx-internal-data'?: { sseEventSource?: EventSource } }) | null;
      return list?.['htmx-internal-data']?.sseEventSource?.readyState === 1;
    });

    await kristina.getByLabel('Nachricht').fill('Hallo <b>Heinrich</b>, kommst du zum Hoffest?');
    await Promise.all([kristina.waitForURL(/#neueste/), kristina.getByRole('button', { name: 'Senden' }).click()]);

    const arrived = heinrich.locator('#messages .message-body', { hasText: 'kommst du zum Hoffest?' });
    await arrived.waitFor();
    expect(await arrived.textContent()).toBe('Hallo <b>Heinrich</b>, kommst du zum Hoffest?');
    expect(await heinrich.locator('#messages b').count()).toBe(0);
    expect(t.problemsOf(heinrich)).toEqual([]);
    expect(t.problemsOf(kristina)).toEqual([]);
  });
});

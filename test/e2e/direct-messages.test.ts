import { afterAll, beforeAll, expect, it } from 'vitest';
import { Conversation, NeighbourProfile } from '../../src/entities/index.ts';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

/**
 * The community of issue 21 in three browsers, as its "Done when" tells it: in Max-Planck-Straße
 * 12 Kristina posts on the Schwarzes Brett from a phone (360 px), Heinrich comments, both opt in
 * to "Eigentümer / Nachbarn", they exchange Direktnachrichten (sent through htmx, seen live on
 * the other's open page through htmx's SSE extension), Heinrich reports a message and staff
 * handle the report under Meldungen › Direktnachrichten.
 */
let t: BrowserTest;

describeInBrowser('the community in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
    // The demo lists both and has them talk (src/features/community/demo.ts): start from nobody listed.
    const em = t.app.em();
    const all = { filters: { tenant: false } } as const;
    await em.nativeDelete(NeighbourProfile, {}, all);
    await em.nativeDelete(Conversation, {}, all);
    t.app.forgetCaches();
  });
  afterAll(() => t?.close());

  it('a post, a comment, both opt in, messages live in the second browser, a report handled by staff', async () => {
    const base = `/portal/liegenschaften/${t.app.world.properties.maxPlanck.id}`;
    const kristina = await t.newPage({ width: 360, height: 740 });
    const heinrich = await t.newPage();
    await t.loginPortal(kristina, 'kristina.maiblume@example.de');
    await t.loginPortal(heinrich, 'heinrich.eigner@example.de');

    // Kristina posts from her phone.
    await kristina.goto(`${base}/schwarzes-brett`);
    expect(await horizontalOverflow(kristina)).toBe(0);
    await kristina.getByRole('link', { name: 'Neuer Beitrag' }).click();
    await kristina.getByLabel('Titel').fill('Fahrradanhänger zu verleihen');
    await kristina.getByLabel('Text', { exact: true }).fill('Wer ihn braucht, klingelt einfach bei mir.');
    await Promise.all([kristina.waitForURL(/hinweis=veroeffentlicht/), kristina.getByRole('button', { name: 'Veröffentlichen' }).click()]);
    expect(await horizontalOverflow(kristina)).toBe(0);
    const postUrl = new URL(kristina.url()).pathname;

    // Heinrich comments.
    await heinrich.goto(postUrl);
    await heinrich.getByLabel('Ihr Kommentar').fill('Danke, den leihe ich mir am Wochenende!');
    await Promise.all([heinrich.waitForLoadState('load'), heinrich.getByRole('button', { name: 'Kommentieren' }).click()]);
    await kristina.reload();
    await kristina.getByText('Danke, den leihe ich mir am Wochenende!').waitFor();

    // Both opt in, with their display names.
    for (const page of [kristina, heinrich]) {
      await page.goto(`${base}/nachbarn/meine-angaben`);
      await page.getByLabel('In der Liste „Eigentümer / Nachbarn“ erscheinen').check();
      await page.getByLabel('Meinen Anzeigenamen zeigen').check();
      await Promise.all([page.waitForURL(/gespeichert/), page.getByRole('button', { name: 'Speichern' }).click()]);
    }
    await kristina.goto(`${base}/nachbarn`);
    expect(await horizontalOverflow(kristina)).toBe(0);
    // Both appear in the list now, each by the display name they chose.
    expect(await kristina.locator('.neighbour h2').allTextContents()).toEqual(['Heinrich E.', 'Kristina M. (Sie)']);
    await Promise.all([
      kristina.waitForURL(/\/nachrichten\/[0-9a-f-]{36}/),
      kristina.getByRole('button', { name: 'Nachricht an Heinrich E. schreiben' }).click(),
    ]);
    const conversation = new URL(kristina.url()).pathname;

    await heinrich.goto(conversation);
    const streamOpen = () =>
      (document.getElementById('messages') as (HTMLElement & { 'htmx-internal-data'?: { sseEventSource?: EventSource } }) | null)?.['htmx-internal-data']
        ?.sseEventSource?.readyState === 1;
    await heinrich.waitForFunction(streamOpen);
    await kristina.waitForFunction(streamOpen);

    // Kristina sends through htmx: no reload, the message at the end of her list once, the field empty.
    await kristina.evaluate(() => {
      (window as unknown as { unreloaded: boolean }).unreloaded = true;
    });
    await kristina.getByLabel('Nachricht').fill('Hallo <b>Heinrich</b>, kommst du zum Hoffest?');
    await kristina.getByRole('button', { name: 'Senden' }).click();
    const mine = kristina.locator('#messages .message.mine .message-body', { hasText: 'kommst du zum Hoffest?' });
    await mine.waitFor();
    await kristina.waitForFunction(() => (document.getElementById('body') as HTMLTextAreaElement | null)?.value === '');
    expect(await kristina.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);

    // Heinrich sees it live, escaped, and answers; Kristina sees the answer live.
    const arrived = heinrich.locator('#messages .message-body', { hasText: 'kommst du zum Hoffest?' });
    await arrived.waitFor();
    expect(await arrived.textContent()).toBe('Hallo <b>Heinrich</b>, kommst du zum Hoffest?');
    expect(await heinrich.locator('#messages b').count()).toBe(0);
    await heinrich.getByLabel('Nachricht').fill('Gern, ich bringe Kuchen mit.');
    await heinrich.getByRole('button', { name: 'Senden' }).click();
    await kristina.locator('#messages .message-body', { hasText: 'ich bringe Kuchen mit' }).waitFor();
    // Each message once on both pages, though it came both as the answer to sending and through the stream.
    for (const page of [kristina, heinrich]) expect(await page.locator('#messages .message').count()).toBe(2);
    expect(await horizontalOverflow(kristina)).toBe(0);

    // Heinrich reports Kristina's message.
    await Promise.all([
      heinrich.waitForURL(/\/melden\//),
      heinrich.locator('#messages .message', { hasText: 'Hoffest' }).getByRole('link', { name: 'Melden' }).click(),
    ]);
    await heinrich.getByLabel('Grund').fill('Nur ein Test der Meldung.');
    await Promise.all([heinrich.waitForURL(/gesendet/), heinrich.getByRole('button', { name: 'Nachricht melden' }).click()]);

    // Staff handle it under Meldungen › Direktnachrichten: the message and its neighbourhood only.
    const staff = await t.newPage();
    await t.loginStaff(staff, 'verwalter@sonnenschein-hv.de');
    await staff.getByRole('link', { name: 'Meldungen' }).first().click();
    await staff.getByRole('link', { name: 'Direktnachrichten' }).click();
    await staff.locator('table.list tbody tr', { hasText: 'Nur ein Test der Meldung.' }).getByRole('link').click();
    await staff.locator('.message.reported', { hasText: 'Hoffest' }).waitFor();
    await Promise.all([staff.waitForURL(/\/verwaltung\/meldungen\/nachrichten$/), staff.getByRole('button', { name: 'Als erledigt markieren' }).click()]);
    expect(await staff.locator('table.list tbody tr', { hasText: 'Nur ein Test der Meldung.' }).textContent()).toContain('erledigt');

    for (const page of [kristina, heinrich, staff]) expect(t.problemsOf(page)).toEqual([]);
  }, 120_000);
});

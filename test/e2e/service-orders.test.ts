import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

/**
 * Issue 23's "done when" in the browser: staff forward "Licht im Treppenhaus defekt" to
 * Hausmeisterservice Huber; the provider, on a 360 px phone, accepts, sets a date, uploads a
 * photo and marks it done; staff see each step on the Vorgang; Kristina sees the appointment.
 */
let t: BrowserTest;
const TITLE = 'Licht im Treppenhaus defekt';

describeInBrowser('Aufträge an Dienstleister (issue 23) in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
  });
  afterAll(() => t?.close());

  it('runs an Auftrag from the forward to "Erledigt" on a phone, staff seeing each step', async () => {
    const manager = await t.newPage();
    await t.loginStaff(manager, 'verwalter@sonnenschein-hv.de');
    await manager.goto('/verwaltung/vorgaenge');
    await manager.getByRole('link', { name: TITLE }).click();
    const ticketPath = new URL(manager.url()).pathname;
    await manager.getByLabel('Dienstleister', { exact: true }).selectOption({ label: 'Hausmeisterservice Huber (Hausmeister) · service@hausmeister-huber.de' });
    await Promise.all([manager.waitForURL(/uebergabe=weitergeleitet/), manager.getByRole('button', { name: 'Weiterleiten' }).click()]);

    const phone = await t.newPage({ width: 360, height: 740 });
    await t.loginPortal(phone, 'huber@hausmeister-huber.de');
    await phone.goto('/portal');
    expect(new URL(phone.url()).pathname).toBe('/portal/auftraege');
    await phone.getByRole('link', { name: TITLE }).click();
    expect(await horizontalOverflow(phone)).toBe(0);

    const step = async (label: string, fill?: () => Promise<void>) => {
      await phone.getByLabel(label, { exact: true }).check();
      if (fill) await fill();
      await Promise.all([phone.waitForURL(/gespeichert=1/), phone.getByRole('button', { name: 'Status speichern' }).click()]);
      t.app.clock.advance(60_000);
    };
    await step('Angenommen');
    await manager.goto(ticketPath);
    await expect(manager.locator('#auftraege').textContent()).resolves.toContain('Angenommen');

    await step('Termin vereinbart', async () => {
      await phone.getByLabel('Datum des Termins').fill('2026-12-14');
      await phone.getByLabel('Uhrzeit').fill('09:30');
    });
    await manager.goto(ticketPath);
    await expect(manager.locator('#auftraege').textContent()).resolves.toContain('Termin vereinbart');

    const photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#fc3' } })
      .jpeg()
      .toBuffer();
    await phone.getByLabel('Dateien auswählen').setInputFiles({ name: 'lampe.jpg', mimeType: 'image/jpeg', buffer: photo });
    await Promise.all([phone.waitForURL(/gespeichert=1/), phone.getByRole('button', { name: 'Hochladen' }).click()]);
    expect(await horizontalOverflow(phone)).toBe(0);
    await manager.goto(ticketPath);
    await expect(manager.locator('#auftraege .order-files').textContent()).resolves.toContain('lampe.jpg');

    await step('Erledigt');
    await expect(phone.locator('main').textContent()).resolves.toContain('Dieser Auftrag ist abgeschlossen.');
    await manager.goto(ticketPath);
    await expect(manager.locator('#auftraege').textContent()).resolves.toContain('Erledigt');

    // Staff share the appointment; Kristina sees it on her Vorgang.
    await Promise.all([manager.waitForLoadState('load'), manager.getByRole('button', { name: 'Termin den Bewohnern zeigen' }).click()]);
    const kristina = await t.newPage({ width: 360, height: 740 });
    await t.loginPortal(kristina, 'kristina.maiblume@example.de');
    await kristina.goto(`/portal/liegenschaften/${t.app.world.properties.maxPlanck.id}/vorgaenge`);
    await kristina.getByRole('link', { name: TITLE }).click();
    await expect(kristina.locator('.provider-appointment').textContent()).resolves.toContain('Termin mit Handwerker am');
  });
});

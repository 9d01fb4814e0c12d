import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readPdf } from '../support/pdf.ts';
import { renderPdfInBrowser } from './pdf.ts';
import { describeInBrowser, horizontalOverflow, SCREENSHOT_DIR, startBrowserTest, type BrowserTest } from './harness.ts';

/**
 * "Bearbeitung von Anliegen/Vorgängen" (seed 000, all six steps) in the browser, with two
 * people at once: Kristina Maiblume reports on her phone, Max Verwalter handles it in the
 * console, the mails go through the real SMTP receiver, and the PDF is drawn by pdf.js.
 */
let t: BrowserTest;
const TITLE = 'Heizung in Wohnung 002 fällt aus';
const KRISTINA = 'kristina.maiblume@example.de';
const MANAGER = 'verwalter@sonnenschein-hv.de';

describeInBrowser('Vorgänge (seed 000) in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
  });
  afterAll(() => t?.close());

  /** The Vorgang of the first test, on the console, for the layout test after it. */
  let consoleTicketPath = '';

  /** The test clock stands still; each step happens a minute after the one before, as it would. */
  const later = () => t.app.clock.advance(60_000);

  it('runs a concern from the report to the reopening, with every step in the history, the mails and the PDF', async () => {
    const maxPlanck = t.app.world.properties.maxPlanck.id;
    await t.app.deliverMail();
    t.app.smtp.messages.length = 0;

    // Kristina reports on a 360 px phone, with a photo.
    const kristina = await t.newPage({ width: 360, height: 740 });
    await t.loginPortal(kristina, KRISTINA);
    await kristina.goto(`/portal/liegenschaften/${maxPlanck}`);
    await kristina.getByRole('link', { name: 'Anliegen melden' }).first().click();
    await kristina.getByLabel('Thema').selectOption({ label: 'Schaden/Reparatur' });
    await kristina.getByLabel('Wo?').selectOption({ label: 'Einheit Wohnung 002' });
    await kristina.getByLabel('Titel').fill(TITLE);
    await kristina.getByLabel('Beschreibung', { exact: true }).fill('Seit heute Morgen bleiben alle Heizkörper kalt. Das Thermostat zeigt einen Fehler.');
    const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#8a9' } })
      .jpeg()
      .toBuffer();
    await kristina.getByLabel('Fotos', { exact: true }).setInputFiles({ name: 'heizung.jpg', mimeType: 'image/jpeg', buffer: photo });
    expect(await horizontalOverflow(kristina)).toBe(0);
    await t.screenshot(kristina, 'tickets-report-360');
    await Promise.all([kristina.waitForURL(/hinweis=gemeldet/), kristina.getByRole('button', { name: 'Anliegen melden' }).click()]);
    later();
    const notice = await kristina.getByRole('status').first().textContent();
    const reference = /Nr\. (\d{4}-\d{5})/.exec(notice ?? '')?.[1];
    expect(reference).toBeTruthy();
    const ticketUrl = new URL(kristina.url()).pathname;
    await expect(kristina.locator('.ticket-files img').count()).resolves.toBe(1);
    expect(await horizontalOverflow(kristina)).toBe(0);

    // Max Verwalter finds it in Vorgänge (step 1), assigns himself (4), comments (2), sets the status (3).
    const manager = await t.newPage();
    await t.loginStaff(manager, MANAGER);
    await manager.goto('/verwaltung/vorgaenge');
    expect(await horizontalOverflow(manager)).toBe(0);
    await manager.getByRole('link', { name: TITLE }).click();
    await expect(manager.locator('h1').textContent()).resolves.toContain(reference!);
    await Promise.all([manager.waitForURL(/\/verwaltung\/vorgaenge\/[^/?#]+([?#].*)?$/), manager.getByRole('button', { name: 'Mir zuweisen' }).click()]);
    later();
    await manager.getByLabel('Text').fill('Der Heizungsdienst Keller kommt morgen zwischen 8 und 10 Uhr.');
    await manager.getByLabel('Öffentlicher Kommentar (Melder wird benachrichtigt)').check();
    await Promise.all([manager.waitForLoadState('load'), manager.getByRole('button', { name: 'Speichern' }).click()]);
    later();
    await manager.getByLabel('Text').fill('Intern: Wartungsvertrag prüfen, ggf. Kosten an Eigentümer.');
    await manager.getByLabel('Interne Notiz (nur für Mitarbeiter)').check();
    await Promise.all([manager.waitForLoadState('load'), manager.getByRole('button', { name: 'Speichern' }).click()]);
    later();
    await manager.getByLabel('Neuer Status').selectOption({ label: 'In Bearbeitung' });
    await Promise.all([manager.waitForLoadState('load'), manager.getByRole('button', { name: 'Status ändern' }).click()]);
    later();
    await expect(manager.locator('.timeline-entry.internal').last().textContent()).resolves.toContain('Wartungsvertrag prüfen');

    consoleTicketPath = new URL(manager.url()).pathname;

    // Kristina sees the responsible staff member, the comment and the status — not the note.
    await kristina.goto(ticketUrl);
    const seen = (await kristina.locator('main').textContent())!.replace(/\s+/g, ' ');
    expect(seen).toContain('Max Verwalter');
    expect(seen).toContain('Der Heizungsdienst Keller kommt morgen zwischen 8 und 10 Uhr.');
    expect(seen).toContain('In Bearbeitung');
    expect(seen).not.toContain('Wartungsvertrag');

    // The mails arrived: the new concern to the responsible staff, comment and status to her.
    const mails = await t.app.deliverMail();
    const to = (address: string) => mails.filter((m) => m.to.includes(address));
    expect(to(MANAGER).map((m) => m.subject)).toContain(`Neuer Vorgang ${reference}: ${TITLE}`);
    const hers = to(KRISTINA);
    expect(hers).toHaveLength(2);
    expect(hers.some((m) => m.text.includes('Der Heizungsdienst Keller kommt morgen'))).toBe(true);
    expect(hers.some((m) => m.text.includes('„In Bearbeitung“'))).toBe(true);
    expect(hers.every((m) => !m.text.includes('Wartungsvertrag'))).toBe(true);

    // Staff close it; she reopens it (step 6); the history keeps every step.
    await manager.reload();
    await manager.getByLabel('Neuer Status').selectOption({ label: 'Erledigt' });
    await Promise.all([manager.waitForLoadState('load'), manager.getByRole('button', { name: 'Status ändern' }).click()]);
    later();
    await kristina.goto(ticketUrl);
    await Promise.all([kristina.waitForURL(/hinweis=wiedergeoeffnet/), kristina.getByRole('button', { name: 'Anliegen erneut öffnen' }).click()]);
    later();
    const history = (await kristina.locator('.timeline').textContent())!.replace(/\s+/g, ' ');
    const steps = [
      'hat das Anliegen gemeldet',
      'hat Max Verwalter als zuständigen Mitarbeiter eingetragen',
      'Der Heizungsdienst Keller kommt morgen',
      'hat den Status von „Neu“ auf „In Bearbeitung“ geändert',
      'hat den Status von „In Bearbeitung“ auf „Erledigt“ geändert',
      'hat das Anliegen erneut geöffnet',
    ];
    let at = -1;
    for (const step of steps) {
      const found = history.indexOf(step, at + 1);
      expect(found, `history shows "${step}" after the step before`).toBeGreaterThan(at);
      at = found;
    }
    await t.screenshot(kristina, 'tickets-history-360');
    expect(await horizontalOverflow(kristina)).toBe(0);
    await expect(kristina.locator('.badge.ticket-status').first().textContent()).resolves.toBe('Wieder geöffnet');
    const reopenedMail = (await t.app.deliverMail()).filter((m) => m.to.includes(MANAGER) && m.subject.includes(reference!));
    expect(reopenedMail.length).toBeGreaterThanOrEqual(1);

    // "Als PDF speichern" (step 5): her copy renders, and holds the history without the note.
    const pdf = await kristina.request.get(`${ticketUrl}/pdf`);
    expect(pdf.status()).toBe(200);
    const bytes = new Uint8Array(await pdf.body());
    const { texts } = await readPdf(bytes);
    const text = texts.join('\n');
    expect(text).toContain(TITLE);
    expect(text).toContain('Der Heizungsdienst Keller kommt morgen');
    expect(text).not.toContain('Wartungsvertrag');
    // The photo is drawn, not only named.
    expect(text).not.toContain('heizung.jpg');
    const image = await renderPdfInBrowser(t.browser, bytes, path.join(SCREENSHOT_DIR, 'tickets-pdf-resident.png'));
    expect(image.png.length).toBeGreaterThan(10_000);

    for (const page of [kristina, manager]) expect(t.problemsOf(page)).toEqual([]);
    // Two people, six steps, mails and a PDF: longer than one page's flow on a busy machine.
  }, 90_000);

  it('shows the Vorgang page with its actions in view on a 1,280 × 800 screen, kept in view while the timeline scrolls, the photo once', async () => {
    expect(consoleTicketPath).toMatch(/^\/verwaltung\/vorgaenge\//);
    const manager = await t.newPage({ width: 1280, height: 800 });
    await t.loginStaff(manager, MANAGER);
    await manager.goto(consoleTicketPath);
    const statusFormInView = () =>
      manager.locator('#status form').evaluate((form) => {
        const box = form.getBoundingClientRect();
        return box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
      });
    expect(await statusFormInView()).toBe(true);
    // The report's photo stands beside the description, not again in the timeline.
    await expect(manager.locator('.ticket-files img').count()).resolves.toBe(1);
    await t.screenshot(manager, 'tickets-console-detail');
    await manager.locator('#protokoll').scrollIntoViewIfNeeded();
    expect(await manager.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    expect(await statusFormInView()).toBe(true);
    expect(t.problemsOf(manager)).toEqual([]);
  });
});

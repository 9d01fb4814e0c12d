import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

// SmartPost in the browser: upload through the real form, confirm the mapping, publish;
// the pages fit a phone.

let t: BrowserTest;
beforeAll(async () => {
  t = await startBrowserTest();
});
afterAll(() => t?.close());

async function serialLetterFile(): Promise<string> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const letters = [
    ['Frau', 'Kristina Maiblume', 'Max-Planck-Straße 12', '80638 München'],
    ['Frau', 'Marta Nowak', 'Rosenweg 24', '81675 München'],
    ['Herrn', 'Walter Krause', 'Hauptstraße 3', '85354 Freising'],
    ['Frau', 'Erika Mustermann', 'Unbekannte Gasse 5', '12345 Nirgendwo'],
  ];
  for (const to of letters) {
    for (const n of [1, 2]) {
      const page = pdf.addPage([595.28, 841.89]);
      const lines = n === 1 ? ['Hausverwaltung Sonnenschein GmbH · Sonnenallee 1 · 80331 München', ...to, '', 'Abrechnung 2026'] : ['Seite 2 von 2'];
      lines.forEach((line, i) => {
        page.drawText(line, { x: 70, y: 720 - i * 14, size: 10, font });
      });
    }
  }
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'smartpost-')), 'Hausgeldabrechnung 2026.pdf');
  await writeFile(file, await pdf.save());
  return file;
}

describeInBrowser('SmartPost', () => {
  it('uploads a serial letter, shows the mapping with the unmatched letter, publishes with the post dispatch', async () => {
    const page = await t.newPage();
    await t.loginStaff(page, 'verwalter@sonnenschein-hv.de');
    await page.goto('/verwaltung/neuer-inhalt');
    await page.getByRole('link', { name: 'SmartPost' }).click();
    await page.getByRole('link', { name: 'Neuer Serienbrief' }).click();
    await page.getByLabel('Nach Kontaktpräferenz').check();
    await page.getByLabel('Serienbrief (PDF)').setInputFiles(await serialLetterFile());
    await t.screenshot(page, 'smartpost-new-1280');
    await Promise.all([
      page.waitForURL(/\/verwaltung\/smartpost\/[0-9a-f-]{36}$/),
      page.getByRole('button', { name: 'Hochladen und Briefe zuordnen' }).click(),
    ]);

    expect((await page.locator('h1').textContent())?.trim()).toBe('Hausgeldabrechnung 2026');
    expect((await page.locator('#unmatched h2').textContent())?.trim()).toBe('1 Brief ist keinem Kontakt zugeordnet');
    expect(await page.getByRole('group', { name: 'Kontakt für Brief 1' }).getByRole('radio', { checked: true }).inputValue()).toMatch(/[0-9a-f-]{36}/);

    // "Kontakt für Brief": a search, not a list of every contact. With htmx the matches come as one types, without a reload.
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same document'));
    const fourth = page.getByRole('group', { name: 'Kontakt für Brief 4' });
    await fourth.getByLabel('Kontakt suchen für Brief 4').fill('Hoffm');
    await expect(fourth.getByRole('radio', { name: /Lukas Hoffmann/ }).waitFor()).resolves.toBeUndefined();
    await expect(page.evaluate(() => (window as unknown as { marker?: string }).marker)).resolves.toBe('same document');
    await t.screenshot(page, 'smartpost-mapping-1280');

    // Without JavaScript, Enter in the search field searches (the form's default button), keeping the page a draft.
    const plain = await t.newPage({ javaScript: false });
    await t.loginStaff(plain, 'verwalter@sonnenschein-hv.de');
    await plain.goto(page.url());
    const search = plain.getByRole('group', { name: 'Kontakt für Brief 4' }).getByLabel('Kontakt suchen für Brief 4');
    await search.fill('Hoffm');
    await Promise.all([plain.waitForLoadState('load'), search.press('Enter')]);
    await expect(
      plain
        .getByRole('group', { name: 'Kontakt für Brief 4' })
        .getByRole('radio', { name: /Lukas Hoffmann/ })
        .count(),
    ).resolves.toBe(1);
    expect((await plain.locator('#serial-letter-status').textContent())?.trim()).toBe('Entwurf');

    await Promise.all([page.waitForURL(/hinweis=veroeffentlicht/), page.getByRole('button', { name: 'Veröffentlichen' }).click()]);
    expect((await page.locator('#serial-letter-status').textContent())?.trim()).toBe('veröffentlicht');
    expect(await page.getByRole('link', { name: 'Druck-PDF herunterladen (2 Briefe)' }).isVisible()).toBe(true);
    await t.screenshot(page, 'smartpost-published-1280');
    expect(t.problemsOf(page)).toEqual([]);

    const phone = await t.newPage({ width: 360 });
    await t.loginStaff(phone, 'verwalter@sonnenschein-hv.de');
    await phone.goto(page.url());
    expect(await horizontalOverflow(phone)).toBe(0);
    await t.screenshot(phone, 'smartpost-published-360');
    await phone.goto('/verwaltung/smartpost');
    expect(await horizontalOverflow(phone)).toBe(0);
    await t.screenshot(phone, 'smartpost-list-360');
    await phone.goto('/verwaltung/smartpost/neu');
    expect(await horizontalOverflow(phone)).toBe(0);
    await t.screenshot(phone, 'smartpost-new-360');
    expect(t.problemsOf(phone)).toEqual([]);
    // Three browsers (with and without JavaScript, a phone), an upload and a publish.
  }, 90_000);
});

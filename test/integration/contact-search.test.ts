import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Page } from '../support/client.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let app: TestApp;
let staff: Client;
beforeAll(async () => {
  app = await startTestApp();
  staff = app.client();
  await staff.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});
afterAll(() => app?.close());

const names = (page: Page) =>
  page
    .$('#contact-results tbody th')
    .map((_, th) => page.$(th).text().trim())
    .get();

describe('Kontakte search', () => {
  it('lists contacts whose name starts with the term first, then the other matches by name', async () => {
    // "wa": Wagner starts with it; Walter Krause (first name), Nowak and the logistics
    // company (e-mail verwaltung@…) contain it, in name order, companies last.
    const page = await staff.get('/verwaltung/kontakte?q=wa');
    expect(names(page)).toEqual(['Elena Wagner', 'Walter Krause', 'Marta Nowak', 'Hafenlogistik Süd GmbH']);
  });

  it('finds companies by the start of their name too', async () => {
    const page = await staff.get('/verwaltung/kontakte?q=b%C3%A4ckerei');
    expect(names(page)).toEqual(['Bäckerei Brotzeit GmbH']);
  });

  it('takes % and _ literally', async () => {
    for (const q of ['%', '_', 'a%e']) {
      const page = await staff.get(`/verwaltung/kontakte?q=${encodeURIComponent(q)}`);
      expect(page.status, q).toBe(200);
      expect(names(page), q).toEqual([]);
    }
  });

  it('lists everyone by last name without a term', async () => {
    const page = await staff.get('/verwaltung/kontakte');
    const lastNames = names(page)
      .filter((n) => !n.endsWith('GmbH'))
      .map((n) => n.split(' ').at(-1)!);
    expect(lastNames).toEqual([...lastNames].sort((a, b) => a.localeCompare(b, 'de')));
    expect(lastNames).toContain('Wagner');
  });
});

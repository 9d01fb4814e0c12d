import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Announcement, Appointment, BulletinPost } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';

let app: TestApp;
let manager: Client;

/** A few items of each kind, written directly so this test depends on no content form. */
async function seedContent() {
  const em = app.em();
  const { sonnenschein, nordhaus } = app.world.organizations;
  const { manager: author, nordAdmin } = app.world.staff;
  const { test, rosenweg, maxPlanck, hafenstrasse } = app.world.properties;
  // In 2020, so the demo content (relative to today) never falls into the periods tested here.
  const at = (day: string) => new Date(`${day.replace(/^2026/, '2020')}T10:00:00Z`);
  em.create(Announcement, {
    organization: sonnenschein,
    title: 'Willkommen',
    body: 'Hallo',
    status: 'published',
    allProperties: true,
    publishedAt: at('2026-10-01'),
    createdBy: author,
    createdAt: at('2026-10-01'),
    updatedAt: at('2026-10-01'),
  });
  em.create(Announcement, {
    organization: sonnenschein,
    title: 'Heizungswartung',
    body: 'Am Montag',
    status: 'published',
    properties: [maxPlanck],
    publishedAt: at('2026-11-10'),
    createdBy: author,
    createdAt: at('2026-11-10'),
    updatedAt: at('2026-11-10'),
  });
  em.create(Announcement, {
    organization: sonnenschein,
    title: 'Entwurf Rosenweg',
    body: '…',
    status: 'draft',
    properties: [rosenweg],
    createdBy: author,
    createdAt: at('2026-11-12'),
    updatedAt: at('2026-11-12'),
  });
  em.create(Appointment, {
    organization: sonnenschein,
    title: 'Eigentümerversammlung',
    startsAt: at('2026-12-03'),
    endsAt: at('2026-12-03'),
    properties: [rosenweg],
    createdBy: author,
    createdAt: at('2026-11-01'),
    updatedAt: at('2026-11-01'),
  });
  em.create(BulletinPost, {
    organization: sonnenschein,
    property: test,
    title: 'Fahrradkeller',
    body: 'Bitte aufräumen',
    publishedAt: at('2026-11-05'),
    createdBy: author,
    createdAt: at('2026-11-05'),
    updatedAt: at('2026-11-05'),
  });
  em.create(Announcement, {
    organization: nordhaus,
    title: 'Nordhaus intern',
    body: 'geheim',
    status: 'published',
    allProperties: true,
    publishedAt: at('2026-11-11'),
    createdBy: nordAdmin,
    createdAt: at('2026-11-11'),
    updatedAt: at('2026-11-11'),
  });
  em.create(Announcement, {
    organization: nordhaus,
    title: 'Hafenstraße',
    body: 'geheim',
    status: 'published',
    properties: [hafenstrasse],
    publishedAt: at('2026-11-11'),
    createdBy: nordAdmin,
    createdAt: at('2026-11-11'),
    updatedAt: at('2026-11-11'),
  });
  await em.flush();
}

beforeAll(async () => {
  app = await startTestApp();
  await seedContent();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});
afterAll(() => app?.close());

const MINE = new Set(['Willkommen', 'Heizungswartung', 'Entwurf Rosenweg', 'Eigentümerversammlung', 'Fahrradkeller', 'Nordhaus intern', 'Hafenstraße']);
/** The titles this test wrote, in page order (the demo content is there too). */
const titles = (page: Page) =>
  page
    .$('#content-results tbody tr td a')
    .map((_, a) => page.$(a).text())
    .get()
    .filter((t) => MINE.has(t));

describe('Neuer Inhalt', () => {
  it('offers every kind of content and lists all of it, newest first', async () => {
    const page = await manager.get('/verwaltung/neuer-inhalt');
    expect(
      page
        .$('.actions a')
        .map((_, a) => page.$(a).text())
        .get(),
    ).toEqual(['Neue Mitteilung', 'Neuer Termin', 'Fragen & Antworten', 'Ansprechpartner', 'Schwarzes Brett', 'SmartPost']);
    expect(titles(page)).toEqual(['Eigentümerversammlung', 'Entwurf Rosenweg', 'Heizungswartung', 'Fahrradkeller', 'Willkommen']);
    const welcome = page.$('#content-results tr').filter((_, tr) => page.$(tr).text().includes('Willkommen'));
    expect(welcome.text()).toContain('Alle Liegenschaften');
  });

  it('filters by type, property (including content for all properties) and period', async () => {
    expect(titles(await manager.get('/verwaltung/neuer-inhalt?typ=appointment'))).toEqual(['Eigentümerversammlung']);
    expect(titles(await manager.get(`/verwaltung/neuer-inhalt?liegenschaft=${app.world.properties.maxPlanck.id}`))).toEqual(['Heizungswartung', 'Willkommen']);
    expect(titles(await manager.get('/verwaltung/neuer-inhalt?von=2020-11-05&bis=2020-11-10'))).toEqual(['Heizungswartung', 'Fahrradkeller']);
  });

  it('answers the htmx filter with the results only', async () => {
    const page = await manager.get('/verwaltung/neuer-inhalt?typ=bulletin', { 'HX-Request': 'true', 'HX-Target': 'content-results' });
    expect(page.text).not.toContain('<html');
    expect(
      page
        .$('tbody a')
        .map((_, a) => page.$(a).text())
        .get(),
    ).toContain('Fahrradkeller');
    expect(
      page
        .$('tbody td:first-child')
        .map((_, td) => page.$(td).text())
        .get()
        .every((t) => t === 'Schwarzes Brett'),
    ).toBe(true);
  });

  it('ignores malformed filters instead of failing', async () => {
    const page = await manager.get('/verwaltung/neuer-inhalt?typ=x&liegenschaft=1%27%20or&von=gestern');
    expect(page.status).toBe(200);
    expect(titles(page)).toHaveLength(5);
  });

  it('never shows another Verwaltung its content', async () => {
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect(titles(await nord.get('/verwaltung/neuer-inhalt'))).toEqual(['Hafenstraße', 'Nordhaus intern']);
    expect(titles(await manager.get(`/verwaltung/neuer-inhalt?liegenschaft=${app.world.properties.hafenstrasse.id}`))).toEqual([]);
  });

  it('shows the content of a property on its page', async () => {
    const page = await manager.get(`/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/inhalte`);
    expect(
      page
        .$('tbody td a')
        .map((_, a) => page.$(a).text())
        .get()
        .filter((t) => MINE.has(t)),
    ).toEqual(['Eigentümerversammlung', 'Entwurf Rosenweg', 'Willkommen']);
  });
});

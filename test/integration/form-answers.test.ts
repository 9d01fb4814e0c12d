import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Appointment } from '../../src/entities/index.ts';
import type { MountedRoute } from '../../src/http/routes.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';

/**
 * After every successful form the address bar shows the page displayed, with and without
 * JavaScript (src/http/form-answers.ts). Without JavaScript a form answers success with a 303
 * the browser follows; through htmx the same answer becomes HX-Location (htmx loads the page
 * into the form's target and pushes its URL) — a 3xx must never reach htmx, whose
 * XMLHttpRequest would follow it silently and leave the form's URL in the address bar.
 */
let app: TestApp;
let manager: Client;
let resident: Client;
const ZERO = '00000000-0000-4000-8000-000000000000';
const HTMX = { 'HX-Request': 'true', 'HX-Target': 'main' };
/**
 * Forms whose success shows a secret once, of which only a hash is kept: no page could show
 * it again, so the answer is the page itself (not cached, like every console and portal page).
 */
const SHOWN_ONCE: Record<string, string> = {
  '/portal/kalender-abo': 'the personal calendar subscription URL',
  '/verwaltung/administration/api-schluessel/': 'the new API key',
};
/** Forms whose success is a download (Content-Disposition: attachment): the browser stays on the page. */
const DOWNLOADS: Record<string, string> = {
  '/portal/profil/meine-daten': 'the ZIP of Meine Daten (src/features/privacy)',
};

beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  resident = app.client();
  await resident.loginPortal('kristina.maiblume@example.de', app.world.password);
});
afterAll(() => app?.close());

/** A route's path with its parameters filled: the TESTLIEGENSCHAFT, Jonas Schulz, else an id that does not exist (a 404 behind the scope). */
function pathOf(route: MountedRoute): string {
  const values: Record<string, string> = {
    propertyId: app.world.properties.test.id,
    contactId: app.world.contacts.schulz.id,
    kind: 'contacts',
    token: 'unbekannt',
  };
  return route.path.replace(/:(\w+)/g, (_, name: string) => values[name] ?? ZERO);
}

/** The logged-in client for a route's guard (the preview and /dev are not forms of this kind). */
function clientFor(route: MountedRoute): Client | null {
  if (route.guard === 'staff' || route.guard === 'admin') return manager;
  if (route.guard === 'portal') return resident;
  if (route.guard === 'public') return app.client();
  return null;
}

/** Whether the answer tells htmx where to go, or is no redirect at all. */
function htmxAnswerProblem(page: Page): string | null {
  if (page.status >= 300 && page.status < 400) return `a ${page.status} to ${page.location} reached htmx`;
  const location = page.headers.get('hx-location');
  if (location) {
    const { path, target } = JSON.parse(location) as { path: string; target: string };
    if (!path.startsWith('/') || path.startsWith('//')) return `HX-Location leaves the site: ${path}`;
    if (target !== '#main') return `HX-Location swaps into ${target}, not the form's target`;
  }
  if (page.status === 204 && !location && !page.headers.get('hx-redirect')) return 'an empty answer without a next page';
  return null;
}

describe('form answers', () => {
  it('never lets a redirect reach htmx: every POST route of the registry, logout last', async () => {
    const routes = app.app.registry
      .list()
      .filter((route) => route.method === 'POST' && clientFor(route))
      // Logging out ends the session the other routes need.
      .sort((a, b) => Number(a.path.endsWith('/abmelden')) - Number(b.path.endsWith('/abmelden')));
    expect(routes.length).toBeGreaterThan(80);
    const told: string[] = [];
    for (const route of routes) {
      const page = await clientFor(route)!.post(pathOf(route), {}, { headers: HTMX });
      expect(htmxAnswerProblem(page), `POST ${route.path}`).toBeNull();
      if (page.headers.get('hx-location') || page.headers.get('hx-redirect')) told.push(route.path);
    }
    // Some forms succeed even empty (archive, restore, log out): the walk saw real successes.
    expect(told.length).toBeGreaterThanOrEqual(4);
    expect(told).toContain('/verwaltung/abmelden');
  });

  it('answers the same forms without JavaScript with a 303 or their form again, never a page left at the POST address', async () => {
    await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    await resident.loginPortal('kristina.maiblume@example.de', app.world.password);
    const routes = app.app.registry.list().filter((route) => route.method === 'POST' && clientFor(route) && !route.path.endsWith('/abmelden'));
    for (const route of routes) {
      const page = await clientFor(route)!.post(pathOf(route), {});
      if (route.path in SHOWN_ONCE && page.status === 200) {
        expect(page.headers.get('cache-control'), route.path).toBe('no-store');
        continue;
      }
      if (route.path in DOWNLOADS && page.status === 200) {
        expect(page.headers.get('content-disposition'), route.path).toMatch(/^attachment;/);
        continue;
      }
      expect(page.status === 303 || (page.status >= 400 && page.status < 500), `POST ${route.path} answered ${page.status}`).toBe(true);
    }
  });

  it('saves a Termin through htmx and puts the list it shows into the address bar (a reload shows it, not an empty form)', async () => {
    await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    const form = await manager.get('/verwaltung/termine/neu');
    expect(form.$('form[data-hx-post]').attr('data-hx-target')).toBe('#main');
    const title = 'Heizungswartung über htmx';
    const answer = await manager.post(
      '/verwaltung/termine',
      { date: '2026-12-10', startTime: '10:00', endTime: '11:00', propertyIds: app.world.properties.maxPlanck.id, title },
      { headers: HTMX },
    );
    expect(answer.status).toBe(204);
    const { path } = JSON.parse(answer.headers.get('hx-location')!) as { path: string };
    expect(path).toBe('/verwaltung/termine?gespeichert=0');
    const appointment = await app.em().findOneOrFail(Appointment, { title }, { filters: { tenant: false } });
    // What htmx then loads (and a reload shows) is the list with the new Termin.
    const shown = await manager.get(path);
    expect(shown.$(`#appointment-${appointment.id} a`).text()).toBe(title);

    // A refused form stays where it is: its form again with the message, nothing for the address bar.
    const refused = await manager.post('/verwaltung/termine', { date: '', title: '' }, { headers: HTMX });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('hx-location')).toBeNull();
    expect(refused.$('form').length).toBeGreaterThan(0);

    // Without JavaScript the same form answers with the 303 the browser follows.
    const plain = await manager.post('/verwaltung/termine', {
      date: '2026-12-11',
      startTime: '10:00',
      endTime: '11:00',
      propertyIds: app.world.properties.maxPlanck.id,
      title: 'Ohne JavaScript',
    });
    expect(plain.status).toBe(303);
    expect(plain.location).toBe('/verwaltung/termine?gespeichert=0');
  });
});

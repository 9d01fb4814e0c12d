import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { Announcement, Appointment } from '../../src/entities/index.ts';
import { BulletinPost, ContactPerson, Contract, FaqEntry, LedgerAccount, PersonalAccount, ServiceProvider } from '../../src/entities/index.ts';
import { loadConfig } from '../../src/config.ts';
import express from 'express';
import { RouteRegistry, type MountedRoute } from '../../src/http/routes.ts';
import * as notifications from '../../src/features/notifications/routes.ts';
import * as registration from '../../src/features/registration/routes.ts';
import * as privacy from '../../src/features/privacy/routes.ts';
import * as profile from '../../src/features/profile/routes.ts';
import * as commercial from '../../src/features/commercial/routes.ts';
import * as orders from '../../src/features/orders/portal-routes.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { Client, type Page } from '../support/client.ts';

/**
 * Walks every route the app registers (src/http/routes.ts) and checks its guard from the
 * outside. A new feature gets these checks for free; a new path parameter must be added to
 * PARAM_VALUES below, or this file fails.
 */
const common = JSON.parse(readFileSync(new URL('../../locales/de/common.json', import.meta.url), 'utf8'));

let app: TestApp;
const sonnenscheinIds = {
  faq: '00000000-0000-4000-8000-000000000000',
  contactPerson: '00000000-0000-4000-8000-000000000000',
  post: '00000000-0000-4000-8000-000000000000',
  contract: '',
  serviceProvider: '',
  personalAccount: '00000000-0000-4000-8000-000000000000',
  ledgerAccount: '00000000-0000-4000-8000-000000000000',
};
const demoIds = { announcement: '00000000-0000-4000-8000-000000000000', appointment: '00000000-0000-4000-8000-000000000000' };
beforeAll(async () => {
  app = await startTestApp();
  // A Mitteilung of Rosenweg 24 from the demo data (src/features/announcements/demo.ts), when seeded.
  const demoAnnouncement = await app.em().findOne(Announcement, { title: 'Treppenhausreinigung' }, { filters: { tenant: false } });
  if (demoAnnouncement) demoIds.announcement = demoAnnouncement.id;
  // A Termin of Rosenweg 24 from the demo data (src/features/appointments/demo.ts), when seeded.
  const demoAppointment = await app.em().findOne(Appointment, { title: 'Ordentliche Eigentümerversammlung 2026' }, { filters: { tenant: false } });
  if (demoAppointment) demoIds.appointment = demoAppointment.id;
  // FAQ, Ansprechpartner and a notice board post of Sonnenschein from the demo data (src/features/{faq,contact-persons,bulletin}/demo.ts), when seeded.
  const all = { filters: { tenant: false } } as const;
  const [faq, contactPerson, post] = await Promise.all([
    app.em().findOne(FaqEntry, { question: 'Wie melde ich einen Schaden?' }, all),
    app.em().findOne(ContactPerson, { name: 'Hausmeisterservice Huber' }, all),
    app.em().findOne(BulletinPost, { title: 'Treppenhausreinigung im Dezember' }, all),
  ]);
  Object.assign(sonnenscheinIds, { ...(faq && { faq: faq.id }), ...(contactPerson && { contactPerson: contactPerson.id }), ...(post && { post: post.id }) });
  // Verträge and Dienstleister (src/features/contracts, src/features/service-providers): a contract of Rosenweg 24 and a Sonnenschein Dienstleister.
  const [contract, provider] = await Promise.all([
    app.em().findOneOrFail(Contract, { unit: { property: app.world.properties.rosenweg.id } }, all),
    app.em().findOneOrFail(ServiceProvider, { name: 'Hausmeisterservice Huber' }, all),
  ]);
  Object.assign(sonnenscheinIds, { contract: contract.id, serviceProvider: provider.id });
  // Berichte (src/features/reports): a personal account and a Sachkonto of Rosenweg 24 from the demo accounting, when seeded.
  const [personal, ledger] = await Promise.all([
    app.em().findOne(PersonalAccount, { contract: { unit: { property: app.world.properties.rosenweg.id } } }, all),
    app.em().findOne(LedgerAccount, { property: app.world.properties.rosenweg.id }, all),
  ]);
  Object.assign(sonnenscheinIds, { ...(personal && { personalAccount: personal.id }), ...(ledger && { ledgerAccount: ledger.id }) });
});
afterAll(() => app?.close());

/** What each path parameter is replaced with: ids of the Sonnenschein world (Rosenweg 24, the clerk). */
const PARAM_VALUES: Record<string, () => string> = {
  propertyId: () => app.world.properties.rosenweg.id,
  personalAccountId: () => sonnenscheinIds.personalAccount,
  ledgerAccountId: () => sonnenscheinIds.ledgerAccount,
  membershipId: () => '00000000-0000-4000-8000-000000000000',
  // Buchungen (src/features/bookings): the demo resources belong to Max-Planck-Straße 12, so with Rosenweg 24 these are a 404 too.
  resourceId: () => '00000000-0000-4000-8000-000000000000',
  bookingId: () => '00000000-0000-4000-8000-000000000000',
  staffId: () => app.world.staff.clerk.id,
  token: () => randomBytes(24).toString('base64url'),
  // A Verwaltung's company sign-in address (src/features/staff-signin): none is configured in the demo.
  slug: () => 'kein-kuerzel',
  // Signed links of notification mails (src/features/notifications/links.ts): a user and a signature that is not theirs.
  userId: () => app.world.portalUsers.kristina.id,
  signature: () => randomBytes(32).toString('base64url'),
  file: () => 'nope',
  lang: () => 'de',
  announcementId: () => demoIds.announcement,
  appointmentId: () => demoIds.appointment,
  attachmentId: () => '00000000-0000-4000-8000-000000000000',
  // The residents' Schwarzes Brett (test/integration/community-board.test.ts has the real ones).
  commentId: () => '00000000-0000-4000-8000-000000000000',
  photoId: () => '00000000-0000-4000-8000-000000000000',
  reportId: () => '00000000-0000-4000-8000-000000000000',
  barId: () => '00000000-0000-4000-8000-000000000000',
  faqId: () => sonnenscheinIds.faq,
  contactPersonId: () => sonnenscheinIds.contactPerson,
  postId: () => sonnenscheinIds.post,
  // Kristina Maiblume; letter batches exist only after an invitation by letter (none in the test seed).
  contactId: () => app.world.contacts.kristina.id,
  ownerLinkId: () => '00000000-0000-4000-8000-000000000000',
  // A resident's proposed phone and address (src/features/profile/contact-changes.ts): none open in the seed, a 404 behind the guard.
  changeId: () => '00000000-0000-4000-8000-000000000000',
  letterBatchId: () => '00000000-0000-4000-8000-000000000000',
  // Abwesenheit (src/features/absence): none in the demo data; an unknown one is a 404 behind the guard.
  absenceId: () => '00000000-0000-4000-8000-000000000000',
  // A Verwaltung's public brand files and legal pages (src/features/branding): Sonnenschein.
  organizationId: () => app.world.organizations.sonnenschein.id,
  // Dokumente console (src/features/documents/console-routes.ts, types-routes.ts): Wohnung 002
  // lies in Max-Planck-Straße 12, so with Rosenweg 24 its unit routes are a 404 too.
  unitId: () => app.world.units.wohnung002.id,
  // Adressen of a property (src/features/properties/edit-routes.ts): an unknown address is a 404 behind the guard.
  addressId: () => '00000000-0000-4000-8000-000000000000',
  documentTypeId: () => '00000000-0000-4000-8000-000000000000',
  versionId: () => '00000000-0000-4000-8000-000000000000',
  // SmartPost: no serial letter in the demo data.
  serialLetterId: () => '00000000-0000-4000-8000-000000000000',
  // No document in the test seed: every document route answers 404 for the zero id, which the guards' checks accept.
  documentId: () => '00000000-0000-4000-8000-000000000000',
  // Vorgänge: a ticket id that does not exist is a 404 behind every guard.
  ticketId: () => '00000000-0000-4000-8000-000000000000',
  // Vorgangsthemen (src/features/tickets/categories-routes.ts): an unknown Thema is a 404 behind the admin guard.
  categoryId: () => '00000000-0000-4000-8000-000000000000',
  // Stammdaten (src/features/masterdata/ownership-routes.ts): Rosenweg 24, released from the ERP by an admin only.
  kind: () => 'properties',
  recordId: () => app.world.properties.rosenweg.id,
  // Verträge and Dienstleister (src/features/contracts, src/features/service-providers).
  contractId: () => sonnenscheinIds.contract,
  serviceProviderId: () => sonnenscheinIds.serviceProvider,
  // CSV import (src/features/masterdata/import-routes.ts): no import in the test seed, a 404 behind the admin guard.
  importId: () => '00000000-0000-4000-8000-000000000000',
  // Administration › API-Schlüssel (src/features/api-keys/routes.ts): an unknown key is a 404 behind the admin guard.
  apiKeyId: () => '00000000-0000-4000-8000-000000000000',
  // Direktnachrichten (src/features/community): no conversation or report in the test seed, a 404 behind every guard (reportId above serves both kinds of report).
  conversationId: () => '00000000-0000-4000-8000-000000000000',
  messageId: () => '00000000-0000-4000-8000-000000000000',
  // Hausaushang (src/features/displays): an unknown screen is a 404 behind the guard.
  displayId: () => '00000000-0000-4000-8000-000000000000',
  // Aufträge an Dienstleister (src/features/orders): none in the demo data until staff forward a Vorgang; an unknown one is a 404 behind every guard.
  orderId: () => '00000000-0000-4000-8000-000000000000',
  fileId: () => '00000000-0000-4000-8000-000000000000',
  entryId: () => '00000000-0000-4000-8000-000000000000',
  memberId: () => '00000000-0000-4000-8000-000000000000',
};

const PARAM = /[:*](\w+|"[^"]+")/g;

function paramsOf(route: MountedRoute): string[] {
  return [...route.path.matchAll(PARAM)].map((m) => m[1].replace(/"/g, ''));
}

/** The route's path with every parameter filled in (and optional groups taken). */
function urlFor(route: MountedRoute): string {
  return route.path
    .replace(PARAM, (_, name: string) => {
      const value = PARAM_VALUES[name.replace(/"/g, '')];
      if (!value) throw new Error(`no value for path parameter ${name} in ${route.method} ${route.path}: add it to PARAM_VALUES`);
      return encodeURIComponent(value());
    })
    .replace(/[{}]/g, '');
}

const describeRoute = (route: MountedRoute) => `${route.method} ${route.path}`;

/** Sends the route's method as a browser would: non-GETs as a form with a valid CSRF token and our Origin. */
async function send(client: Client, route: MountedRoute): Promise<Page> {
  const url = urlFor(route);
  if (route.method === 'GET') return client.get(url);
  const body = new URLSearchParams({ _csrf: await client.csrfToken() });
  return client.request(route.method, url, {
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(client.baseUrl).origin },
  });
}

/** Runs a check on each route and reports all routes that fail it at once. */
async function problemsOf(routes: MountedRoute[], check: (route: MountedRoute) => Promise<string | null>): Promise<string[]> {
  const problems: string[] = [];
  for (const route of routes) {
    const problem = await check(route);
    if (problem) problems.push(`${describeRoute(route)}: ${problem}`);
  }
  return problems;
}

const show = (page: Page) => `${page.status} ${page.location ?? ''}`.trim();

async function staffClient(email: string): Promise<Client> {
  const client = app.client();
  await client.loginStaff(email, app.world.password);
  return client;
}

async function portalClient(email: string): Promise<Client> {
  const client = app.client();
  await client.loginPortal(email, app.world.password);
  return client;
}

/** A staff member looking at the preview of a property (src/features/preview). */
async function previewClient(email: string, propertyId: string): Promise<Client> {
  const client = await staffClient(email);
  const opened = await client.get(`/verwaltung/liegenschaften/${propertyId}/vorschau`);
  if (opened.status !== 303) throw new Error(`preview of ${propertyId} failed for ${email}: ${opened.status}`);
  return client;
}

const routes = (): MountedRoute[] => app.app.registry.list();
const guarded = (...guards: MountedRoute['guard'][]) => routes().filter((r) => guards.includes(r.guard));

describe('the route registry', () => {
  it('lists the routes with their guards', () => {
    const list = routes();
    expect(list.length).toBeGreaterThan(10);
    expect(list).toContainEqual(expect.objectContaining({ method: 'GET', path: '/verwaltung/liegenschaften/:propertyId', guard: 'staff' }));
    expect(list).toContainEqual(expect.objectContaining({ method: 'GET', path: '/portal/liegenschaften/:propertyId', guard: 'portal' }));
    expect(list).toContainEqual(expect.objectContaining({ method: 'POST', path: '/verwaltung/administration/mitarbeiter', guard: 'admin' }));
    expect(list).toContainEqual(expect.objectContaining({ method: 'POST', path: '/verwaltung/anmelden', guard: 'public' }));
    expect(list.some((r) => r.guard === 'dev')).toBe(true);
  });

  // Every handler loads what it touches through a scope (src/scopes): the console's from the
  // staff member's Verwaltung, the portal's through the access module, and a route's scope
  // starts where its guard does.
  it('runs every route in a scope that starts where its guard does', () => {
    const ROOTS: Record<MountedRoute['guard'], string[]> = {
      staff: ['staff', 'admin'],
      admin: ['admin'],
      portal: ['portal', 'resident'],
      preview: ['portal', 'resident'],
      public: ['public'],
      dev: ['public'],
    };
    const unscoped = routes()
      .filter((route) => !route.scope)
      .map(describeRoute);
    expect(unscoped, 'wrap the handler in scoped(…) (src/scopes/scope.ts)').toEqual([]);
    const misplaced = routes()
      .filter((route) => !ROOTS[route.guard].includes(route.scope!.split(' › ')[0]))
      .map((route) => `${describeRoute(route)}: ${route.scope}`);
    expect(misplaced).toEqual([]);
    expect(routes()).toContainEqual(
      expect.objectContaining({ path: '/verwaltung/liegenschaften/:propertyId/einheiten/:unitId', scope: 'staff › property › unit' }),
    );
  });

  it('knows a value for every path parameter of every route', () => {
    const unknown = routes().flatMap((route) =>
      paramsOf(route)
        .filter((p) => !(p in PARAM_VALUES))
        .map((p) => `${p} in ${describeRoute(route)}`),
    );
    expect(unknown, 'extend PARAM_VALUES in test/integration/routes.test.ts').toEqual([]);
  });
});

describe('anonymous visitors', () => {
  it('are sent to the console login by every staff and admin route', async () => {
    const list = guarded('staff', 'admin');
    expect(list.length).toBeGreaterThan(0);
    const problems = await problemsOf(list, async (route) => {
      const page = await send(app.client(), route);
      return page.status === 303 && /^\/verwaltung\/anmelden(\?|$)/.test(page.location ?? '') ? null : show(page);
    });
    expect(problems).toEqual([]);
  });

  it('get 404 on every preview route, so nothing reveals what exists', async () => {
    const list = guarded('preview');
    expect(list.length).toBeGreaterThan(0);
    const problems = await problemsOf(list, async (route) => {
      const page = await send(app.client(), route);
      return page.status === 404 && !page.text.includes('Rosenweg 24') ? null : show(page);
    });
    expect(problems).toEqual([]);
  });

  it('are sent to the portal login by every portal route', async () => {
    const list = guarded('portal');
    expect(list.length).toBeGreaterThan(0);
    const problems = await problemsOf(list, async (route) => {
      const page = await send(app.client(), route);
      return page.status === 303 && /^\/portal\/anmelden(\?|$)/.test(page.location ?? '') ? null : show(page);
    });
    expect(problems).toEqual([]);
  });
});

describe('logged-in users outside the guard', () => {
  it('a staff member who is no admin gets 403 on every admin route', async () => {
    const clerk = await staffClient('sachbearbeitung@sonnenschein-hv.de');
    const list = guarded('admin');
    expect(list.length).toBeGreaterThan(0);
    const problems = await problemsOf(list, async (route) => {
      const page = await send(clerk, route);
      return page.status === 403 && page.$('[role=alert]').text() === common.errors.adminOnly ? null : show(page);
    });
    expect(problems).toEqual([]);
  });

  it('the other Verwaltung gets 404 on every route of a Sonnenschein property', async () => {
    const visitors: Partial<Record<MountedRoute['guard'], Client>> = {
      staff: await staffClient('verwalter@nordhaus-verwaltung.de'),
      admin: await staffClient('verwalter@nordhaus-verwaltung.de'),
      portal: await portalClient('frieda.friesen@example.de'),
      preview: await previewClient('verwalter@nordhaus-verwaltung.de', app.world.properties.hafenstrasse.id),
      // Public routes naming such a record are signed links of mails (src/features/notifications/links.ts):
      // anyone without the right signature, a visitor of the other Verwaltung included, gets a 404.
      public: await portalClient('frieda.friesen@example.de'),
    };
    const list = routes().filter((route) =>
      paramsOf(route).some((p) =>
        [
          'propertyId',
          'announcementId',
          'appointmentId',
          'faqId',
          'contactPersonId',
          'postId',
          'contactId',
          'contractId',
          'serviceProviderId',
          'orderId',
        ].includes(p),
      ),
    );
    expect(list.length).toBeGreaterThan(0);
    const problems = await problemsOf(list, async (route) => {
      const visitor = visitors[route.guard];
      if (!visitor) return `no visitor from the other Verwaltung for guard '${route.guard}': decide who must not see it`;
      const page = await send(visitor, route);
      // The preview guard refuses every non-GET before looking at the URL: a 403 that names nothing.
      if (route.guard === 'preview' && route.method !== 'GET') return page.status === 403 && !page.text.includes('Rosenweg 24') ? null : show(page);
      return page.status === 404 && !page.text.includes('Rosenweg 24') ? null : show(page);
    });
    expect(problems).toEqual([]);
  });
});

describe('the preview of Rosenweg 24', () => {
  const readOnly = JSON.parse(readFileSync(new URL('../../locales/de/preview.json', import.meta.url), 'utf8')).errors.readOnly;

  it('serves the same portal routes as the resident portal', () => {
    // Residents only, never in the preview: first-login questions, profile, "Nachbarn einladen",
    // Profil › Benachrichtigungen, the profile's own sections and photos, Meine Daten and Konto löschen,
    // a commercial tenant's "Mitarbeiter" (src/features/commercial).
    const residentOnly = new RouteRegistry();
    residentOnly.mount(express(), '/portal', 'portal', [], registration.portalRoutes());
    residentOnly.mount(express(), '/portal', 'portal', [], notifications.portalRoutes());
    residentOnly.mount(express(), '/portal', 'portal', [], profile.portalRoutes());
    residentOnly.mount(express(), '/portal', 'portal', [], privacy.portalRoutes());
    residentOnly.mount(express(), '/portal', 'portal', [], commercial.portalRoutes());
    // A Dienstleister's login works on its Aufträge (src/features/orders): no preview of that.
    residentOnly.mount(express(), '/portal', 'portal', [], orders.portalRoutes());
    const own = new Set(residentOnly.list().map(describeRoute));
    const portal = guarded('portal')
      .filter((r) => !own.has(describeRoute(r)))
      .map((r) => `${r.method} ${r.path.replace(/^\/portal/, '')}`);
    const preview = guarded('preview').map((r) => `${r.method} ${r.path.replace(/^\/portal\/vorschau/, '')}`);
    expect(preview).toEqual(portal);
  });

  it('refuses every non-GET with 403, and opens every GET without a server error', async () => {
    const visitor = await previewClient('verwalter@sonnenschein-hv.de', app.world.properties.rosenweg.id);
    const problems = await problemsOf(guarded('preview'), async (route) => {
      const page = await send(visitor, route);
      if (route.method !== 'GET') return page.status === 403 && page.$('[role=alert]').text() === readOnly ? null : show(page);
      return page.status < 500 ? null : show(page);
    });
    expect(problems).toEqual([]);
  });
});

describe('caching', () => {
  it('lets no browser or proxy keep any answer of the console, the portal or the preview, whole page or htmx fragment', async () => {
    const admin = await staffClient('verwalter@sonnenschein-hv.de');
    const visitors: Record<MountedRoute['guard'], Client> = {
      staff: admin,
      admin,
      // Heinrich Eigner owns a flat in Rosenweg 24, the property every :propertyId stands for.
      portal: await portalClient('heinrich.eigner@example.de'),
      preview: await previewClient('verwalter@sonnenschein-hv.de', app.world.properties.rosenweg.id),
      // The login and registration forms carry the browser's CSRF token.
      public: app.client(),
      dev: app.client(),
    };
    const list = routes().filter((r) => r.method === 'GET' && /^\/(verwaltung|portal)(\/|$)/.test(r.path));
    const shown = { pages: 0, fragments: 0, redirects: 0 };
    const problems = await problemsOf(list, async (route) => {
      const found: string[] = [];
      for (const htmx of [false, true]) {
        const page = await visitors[route.guard].get(urlFor(route), htmx ? { 'hx-request': 'true' } : {});
        const html = page.status === 200 && (page.headers.get('content-type') ?? '').startsWith('text/html');
        if (html) shown[htmx ? 'fragments' : 'pages']++;
        if (page.status === 303) shown.redirects++;
        const cacheControl = page.headers.get('cache-control') ?? '';
        if (!/\bno-store\b/.test(cacheControl)) found.push(`${htmx ? 'htmx ' : ''}${show(page)} Cache-Control: ${cacheControl || '(none)'}`);
      }
      return found.length ? found.join('; ') : null;
    });
    expect(problems).toEqual([]);
    // The walk reached real pages of every kind, not just 404s.
    expect(shown.pages).toBeGreaterThan(60);
    expect(shown.fragments).toBeGreaterThan(60);
    expect(shown.redirects).toBeGreaterThan(0);
  });
});

describe('in production', () => {
  it('does not register the /dev routes', async () => {
    expect(routes().filter((r) => r.path.startsWith('/dev/')).length).toBeGreaterThan(0);

    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const config = loadConfig({
        NODE_ENV: 'production',
        BASE_URL: baseUrl,
        SESSION_SECRET: randomBytes(32).toString('hex'),
        SMTP_URL: app.smtp.url,
        JOBS: 'off',
        LOG_LEVEL: 'error',
      });
      const production = createApp({ orm: app.orm, config, clock: app.clock });
      server.on('request', production);

      const list: MountedRoute[] = production.registry.list();
      expect(list.length).toBeGreaterThan(0);
      expect(list.filter((r) => r.guard === 'dev' || r.path.startsWith('/dev'))).toEqual([]);
      expect(list).toContainEqual(expect.objectContaining({ method: 'GET', path: '/verwaltung/liegenschaften/:propertyId', guard: 'staff' }));

      const mailbox = await new Client(baseUrl).get('/dev/mails');
      expect(mailbox.status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { csrfProtection } from './auth/csrf.ts';
import { loadSession, noStore, requireAdmin, requirePortalUser, requireStaff, requireStaffAccount } from './auth/middleware.ts';
import * as staffSignIn from './features/staff-signin/routes.ts';
import { apiRequestListener } from './api/app.ts';
import { counted, withStatementCounter } from './db/statement-count.ts';
import { processCaches } from './db/process-cache.ts';
import { AfterResponse } from './http/after-response.ts';
import type { AppDeps } from './http/context.ts';
import { compressResponses, precompressedStatic } from './http/compression.ts';
import { errorHandler, notFoundHandler } from './http/error-handler.ts';
import { htmxFollowsRedirects } from './http/form-answers.ts';
import { inputGuard } from './http/input.ts';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGE_COOKIE, translator } from './http/i18n.ts';
import { loopbackOnly } from './http/loopback.ts';
import { RouteRegistry } from './http/routes.ts';
import { pdfWorkers } from './pdf/workers.ts';
import { fileStorageFor } from './storage/configured.ts';
import { consoleRoutes as contactRoutes } from './features/contacts/routes.ts';
import { contractRoutes } from './features/contracts/routes.ts';
import { serviceProviderRoutes } from './features/service-providers/routes.ts';
import { homeRoutes } from './features/home/routes.ts';
import { loginRoutes } from './features/login/routes.ts';
import { devMailRoutes } from './features/mail/routes.ts';
import { portalRoutes } from './features/portal/routes.ts';
import * as community from './features/community/routes.ts';
import { closeLiveStreams } from './features/community/live.ts';
import { propertyRoutes } from './features/properties/routes.ts';
import { propertyEditRoutes } from './features/properties/edit-routes.ts';
import { addressListRoutes } from './features/addresses/routes.ts';
import { unitListRoutes, unitPageRoutes } from './features/units/routes.ts';
import { consoleSectionRoutes } from './features/console/routes.ts';
import * as announcements from './features/announcements/routes.ts';
import * as appointments from './features/appointments/routes.ts';
import * as bulletin from './features/bulletin/routes.ts';
import * as communityBoard from './features/community/board-routes.ts';
import * as reports from './features/reports/routes.ts';
import * as bookings from './features/bookings/routes.ts';
import * as displays from './features/displays/routes.ts';
import * as contactPersons from './features/contact-persons/routes.ts';
import * as content from './features/content/routes.ts';
import * as faq from './features/faq/routes.ts';
import * as preview from './features/preview/routes.ts';
import { accessibilityRoutes } from './features/accessibility/routes.ts';
import { staffAdminRoutes } from './features/staff/routes.ts';
import * as invitations from './features/invitations/routes.ts';
import * as portalSettings from './features/portal-settings/routes.ts';
import * as branding from './features/branding/routes.ts';
import * as webApp from './features/web-app/routes.ts';
import { portalReader } from './features/web-app/reader.ts';
import * as absence from './features/absence/routes.ts';
import { brandOf } from './features/branding/service.ts';
import * as registration from './features/registration/routes.ts';
import * as documentConsole from './features/documents/console-routes.ts';
import * as documentPortal from './features/documents/portal-routes.ts';
import { typeAdminRoutes as documentTypeAdminRoutes } from './features/documents/types-routes.ts';
import * as serialLetters from './features/serial-letters/routes.ts';
import * as ticketConsole from './features/tickets/console-routes.ts';
import * as ticketDetail from './features/tickets/detail-routes.ts';
import * as ticketHandover from './features/tickets/handover-routes.ts';
import * as ticketPortal from './features/tickets/portal-routes.ts';
import * as orderConsole from './features/orders/console-routes.ts';
import * as orderPortal from './features/orders/portal-routes.ts';
import { categoryAdminRoutes as ticketCategoryAdminRoutes } from './features/tickets/categories-routes.ts';
import { ownershipRoutes as masterDataOwnershipRoutes } from './features/masterdata/ownership-routes.ts';
import { importRoutes as masterDataImportRoutes } from './features/masterdata/import-routes.ts';
import { overviewRoutes as masterDataOverviewRoutes } from './features/masterdata/overview.ts';
import { apiKeyAdminRoutes } from './features/api-keys/routes.ts';
import * as commercial from './features/commercial/routes.ts';
import * as notifications from './features/notifications/routes.ts';
import * as privacy from './features/privacy/routes.ts';
import * as profile from './features/profile/routes.ts';
import { configureNotificationLinks } from './features/notifications/links.ts';

const STATIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../static');

/**
 * SQL_STATEMENT_COUNT=on: the response names the SQL statements serving it cost in
 * `X-SQL-Statements`, set when the headers go out (test/bench, src/db/statement-count.ts).
 */
function statementCountHeader(_req: Request, res: Response, next: NextFunction) {
  withStatementCounter(() => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
      if (!this.headersSent) this.setHeader('X-SQL-Statements', String(counted()));
      return writeHead.apply(this, args);
    } as Response['writeHead'];
    next();
  });
}

/** Builds the one Express server: console, portal, machine API and static files. */
export function createApp(deps: AppDeps) {
  const app = express();
  const registry = new RouteRegistry();
  const storage = fileStorageFor(deps.config);
  configureNotificationLinks(deps.config.secret, deps.config.baseUrl);
  const afterResponse = new AfterResponse(deps.orm);
  // Threads start with the first PDF job; whoever owns the server closes the pool (server.ts).
  const pdf = pdfWorkers(deps.config.pdfJobs);
  // Sessions and portal access are cached in this process; on PostgreSQL they hear evictions
  // from every other process through LISTEN (src/db/process-cache.ts). Caches stay off until it listens.
  const caches = processCaches(deps.orm);
  const listening = caches.listen();
  // X-Forwarded-* (client address for throttling, https) counts only from the reverse proxy (TRUST_PROXY, README).
  app.set('trust proxy', deps.config.trustProxy);
  app.disable('x-powered-by');
  if (deps.config.sqlStatementCount) app.use(statementCountHeader);

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
          ...(deps.config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: deps.config.secureCookies,
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  const staticMaxAgeSeconds = deps.config.env === 'production' ? 7 * 24 * 3600 : 0;
  // The portal's service worker, with the header that lets it control /portal (src/features/web-app).
  app.get(webApp.SERVICE_WORKER_PATH, webApp.serviceWorker(STATIC_DIR));
  app.use('/static', precompressedStatic(STATIC_DIR, { maxAgeSeconds: staticMaxAgeSeconds, watch: deps.config.env === 'development' }));
  app.use('/static', express.static(STATIC_DIR, { maxAge: staticMaxAgeSeconds * 1000, index: false }));
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/favicon.svg'));

  // Pages, fragments and JSON compressed when worth it; files sent as downloads never (src/http/compression.ts).
  app.use(compressResponses());

  // The machine API speaks JSON with its own API-key auth: before cookies, CSRF and forms.
  app.use('/api', apiRequestListener(deps));

  app.use(cookieParser());
  // Language and request services first, so even a body the parser refuses gets a German page.
  app.use((req: Request, res: Response, next: NextFunction) => {
    req.deps = deps;
    req.storage = storage;
    req.afterResponse = afterResponse;
    req.pdfWorkers = pdf;
    req.em = deps.orm.em.fork() as typeof req.em;
    const cookieLang = req.cookies?.[LANGUAGE_COOKIE];
    req.lang = isLanguage(cookieLang) ? cookieLang : DEFAULT_LANGUAGE;
    req.t = translator(req.lang);
    res.locals.t = req.t;
    res.locals.lang = req.lang;
    res.locals.path = req.path;
    res.locals.originalUrl = req.originalUrl;
    res.locals.devMode = deps.config.env !== 'production';
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: '200kb' }));
  // Control characters, undecodable paths and bodies that are no form stop here (src/http/input.ts).
  app.use(inputGuard);
  app.use(
    csrfProtection({
      secret: deps.config.secret,
      baseUrl: deps.config.baseUrl,
      secureCookies: deps.config.secureCookies,
      exemptPrefixes: [notifications.UNSUBSCRIBE_PATH],
    }),
  );
  // A form's 303 to the next page, sent through htmx, lands in the address bar too (src/http/form-answers.ts).
  app.use(htmxFollowsRedirects);

  // Never kept by a browser or proxy cache: the console, the portal, and the signed Auftrag pages
  // (/auftrag, src/features/orders), which may show a reporter's contact data.
  app.use(['/verwaltung', '/portal', '/auftrag'], noStore);
  app.use('/verwaltung', loadSession('staff'), (_req, res, next) => {
    res.locals.layout = 'console';
    next();
  });
  app.use('/portal', (req, res, next) => {
    res.locals.layout = 'portal';
    res.locals.portalBase = '/portal';
    // The preview (/portal/vorschau) never sees a resident's session, even in the same browser.
    if (req.path.startsWith('/vorschau')) return next();
    // The resident's Verwaltung's Erscheinungsbild on every portal page (views/shared/_brand.eta).
    return loadSession('portal')(req, res, (error?: unknown) => {
      res.locals.brand = brandOf(req.viewer?.organization);
      if (error) return next(error);
      // Whose pages the service worker may keep offline (src/features/web-app/reader.ts).
      portalReader(req, res, next);
    });
  });

  registry.mount(app, '', 'public', [], homeRoutes());
  // Calendar subscriptions are fetched by calendar apps with the secret in the URL, no session.
  registry.mount(app, '', 'public', [], appointments.feedRoutes());
  // A Hausaushang's screen opens its page with the secret in the URL, no session (src/features/displays).
  registry.mount(app, '', 'public', [], displays.publicRoutes());
  // The second factor and the company sign-in first: "/anmelden/<kürzel>" must not shadow them.
  registry.mount(app, '/verwaltung', 'public', [], staffSignIn.signInRoutes());
  registry.mount(app, '/verwaltung', 'public', [], loginRoutes('staff'));
  // Open while the Verwaltung requires a second factor the staff member has yet to set up.
  registry.mount(app, '/verwaltung/konto/sicherheit', 'staff', [requireStaffAccount], staffSignIn.securityRoutes());
  registry.mount(app, '/portal', 'public', [], loginRoutes('portal'));
  registry.mount(app, '/portal', 'public', [], registration.publicRoutes());
  registry.mount(app, '/portal', 'public', [], accessibilityRoutes());
  registry.mount(app, '/portal', 'public', [], profile.publicRoutes());
  registry.mount(app, '/portal', 'public', [], privacy.publicRoutes());
  registry.mount(app, '/verwaltung/administration', 'admin', [requireAdmin], staffAdminRoutes());
  registry.mount(app, '/verwaltung/administration', 'admin', [requireAdmin], absence.adminRoutes());
  registry.mount(app, '/verwaltung/administration/kundenportal', 'admin', [requireAdmin], portalSettings.adminRoutes());
  registry.mount(app, '/verwaltung/administration/dokumententypen', 'admin', [requireAdmin], documentTypeAdminRoutes());
  registry.mount(app, '/verwaltung/administration/vorgangsthemen', 'admin', [requireAdmin], ticketCategoryAdminRoutes());
  registry.mount(app, '/verwaltung/administration/anmeldung', 'admin', [requireAdmin], staffSignIn.adminRoutes());
  registry.mount(app, '/verwaltung/administration/api-schluessel', 'admin', [requireAdmin], apiKeyAdminRoutes());
  registry.mount(app, '/verwaltung/administration/kundenportal', 'admin', [requireAdmin], notifications.adminRoutes());
  registry.mount(app, '/verwaltung/administration/kundenportal', 'admin', [requireAdmin], branding.adminRoutes());
  // A Verwaltung's brand stylesheet and logo, Impressum and Datenschutz: public, no personal data.
  registry.mount(app, '', 'public', [], branding.publicRoutes());
  // The portal as an app: manifest and icons per Verwaltung, the offline page.
  registry.mount(app, '', 'public', [], webApp.publicRoutes());
  registry.mount(app, '', 'public', [], notifications.publicRoutes());
  // The Stammdaten overview (staff) first: the admin guard below covers all of /verwaltung/stammdaten.
  registry.mount(app, '/verwaltung/stammdaten', 'staff', [requireStaff], masterDataOverviewRoutes());
  registry.mount(app, '/verwaltung/stammdaten/import', 'admin', [requireAdmin], masterDataImportRoutes());
  registry.mount(app, '/verwaltung/stammdaten', 'admin', [requireAdmin], masterDataOwnershipRoutes());
  // Routers under the same prefix and guard are mounted as one group (RouteRegistry.mountGroup), in this order.
  registry.mountGroup(app, '/verwaltung', 'staff', [requireStaff], [consoleSectionRoutes(), profile.consoleRoutes(), absence.ownRoutes()]);
  // Create/edit/archive first, so "/neu" is not read as a property id by the property pages.
  registry.mountGroup(
    app,
    '/verwaltung/liegenschaften',
    'staff',
    [requireStaff],
    [propertyEditRoutes(), propertyRoutes(), reports.consoleRoutes(), bookings.consoleRoutes(), displays.consoleRoutes(), unitPageRoutes()],
  );
  registry.mount(app, '/verwaltung/adressen', 'staff', [requireStaff], addressListRoutes());
  registry.mount(app, '/verwaltung/einheiten', 'staff', [requireStaff], unitListRoutes());
  registry.mount(app, '/verwaltung/kontakte', 'staff', [requireStaff], contactRoutes());
  registry.mount(app, '/verwaltung/vertraege', 'staff', [requireStaff], contractRoutes());
  registry.mount(app, '/verwaltung/dienstleister', 'staff', [requireStaff], serviceProviderRoutes());
  registry.mountGroup(
    app,
    '/verwaltung',
    'staff',
    [requireStaff],
    [
      invitations.consoleRoutes(),
      documentConsole.consoleRoutes(),
      serialLetters.consoleRoutes(),
      ticketConsole.consoleRoutes(),
      ticketDetail.detailRoutes(),
      ticketHandover.handoverRoutes(),
      // Aufträge an Dienstleister (issue 23): the console here, the provider login and the signed link of the mail below.
      orderConsole.consoleRoutes(),
    ],
  );
  registry.mount(app, '', 'public', [], orderPortal.linkRoutes());
  registry.mountGroup(
    app,
    '/verwaltung',
    'staff',
    [requireStaff],
    [
      ...[content, announcements, appointments, faq, contactPersons, bulletin, communityBoard].map((feature) => feature.consoleRoutes()),
      community.consoleRoutes(),
      commercial.consoleRoutes(),
    ],
  );
  registry.mount(app, '/verwaltung/liegenschaften', 'staff', [requireStaff], preview.consoleRoutes());
  // The same portal routers serve residents and the read-only preview (src/features/preview).
  // The preview comes first and ends in a 404, so no path under /portal/vorschau falls
  // through to the resident routes.
  const portalRouters = () => [
    portalRoutes(),
    announcements.portalRoutes(),
    appointments.portalRoutes(),
    faq.portalRoutes(),
    contactPersons.portalRoutes(),
    bulletin.portalRoutes(),
    communityBoard.portalRoutes(),
    documentPortal.portalRoutes(),
    ticketPortal.portalRoutes(),
    reports.portalRoutes(),
    bookings.portalRoutes(),
    community.portalRoutes(),
  ];
  registry.mountGroup(app, preview.PREVIEW_BASE, 'preview', [preview.requirePreview], portalRouters());
  app.use(preview.PREVIEW_BASE, preview.requirePreview, notFoundHandler);
  // Residents only (never the preview): first-login questions, profile, "Nachbarn einladen".
  registry.mount(app, '/portal', 'portal', [requirePortalUser], registration.portalRoutes());
  registry.mountGroup(
    app,
    '/portal',
    'portal',
    [requirePortalUser, registration.requireOnboarded],
    [notifications.portalRoutes(), profile.portalRoutes(), privacy.portalRoutes(), commercial.portalRoutes(), orderPortal.portalRoutes(), ...portalRouters()],
  );
  if (deps.config.env !== 'production') registry.mount(app, '/dev', 'dev', [loopbackOnly], devMailRoutes());

  app.use(notFoundHandler);
  app.use(errorHandler);
  return Object.assign(app, {
    registry,
    afterResponse,
    pdfWorkers: pdf,
    /** Resolves once the cache listener's first connection attempt ended (tests wait for it). */
    cachesReady: () => listening,
    /** Ends the cache listener's connection; whoever owns the server calls it before closing the ORM. */
    closeCaches: () => caches.close(),
    /** Ends the open Direktnachrichten event streams (src/features/community/live.ts): before the HTTP server closes, which waits for them. */
    closeLiveStreams: () => closeLiveStreams(deps.orm),
  });
}

export type App = ReturnType<typeof createApp>;

import { Router, type Request, type Response } from 'express';
import { Organization, type Property, type ReportCode } from '../../entities/index.ts';
import { pageNumber } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import {
  portalLedgerAccountScope,
  portalPersonalAccountScope,
  portalReportScope,
  portalReportsScope,
  propertyBase,
  type PortalPropertyScope,
} from '../../scopes/portal.ts';
import { scoped, type Scope } from '../../scopes/scope.ts';
import { consoleLedgerAccountScope, consolePersonalAccountScope, consoleReportScope } from '../../scopes/staff.ts';
import { sendReportCsv, sendReportPdf } from './output.ts';
import { buildReport, type openLedgerAccount, REPORT_SLUGS, type ReportsContext } from './service.ts';
import type { PersonalAccountInfo } from './data.ts';

// Berichte (seed 004): the same pages in the portal (/portal/liegenschaften/:id/berichte, for
// owners and Hausbesitzer) and in the console (/verwaltung/liegenschaften/:id/berichte/...,
// reached from the property's "Berichte" tab), each as a page, a CSV file and a PDF.

type Target = { code: ReportCode } | { personal: PersonalAccountInfo } | { ledger: Awaited<ReturnType<typeof openLedgerAccount>> };
type Area = {
  prefix: string;
  base: (req: Request, reports: ReportsContext, scope: unknown) => string;
  reportScope: (code: ReportCode) => Scope<{ reports: ReportsContext }>;
  personalScope: Scope<{ reports: ReportsContext; personalAccount: PersonalAccountInfo }>;
  ledgerScope: Scope<{ reports: ReportsContext; ledgerAccount: Awaited<ReturnType<typeof openLedgerAccount>> }>;
  extra: Record<string, unknown>;
};

/** ?jahr=… of the chosen Wirtschaftsjahr, to keep it on every link. */
function yearQuery(reports: ReportsContext): string {
  return reports.year ? `?jahr=${reports.year.id}` : '';
}

async function show(req: Request, res: Response, area: Area, scope: { reports: ReportsContext }, target: Target, path: string, format: 'page' | 'csv' | 'pdf') {
  const { reports } = scope;
  const base = area.base(req, reports, scope);
  const query = yearQuery(reports);
  const built = await buildReport(
    req.em,
    req.t,
    reports,
    target,
    { base, query },
    {
      day: req.query.stichtag,
      // The page shows a long Kontoauszug Sachkonto in pages (?seite=); the downloads have every row.
      page: format === 'page' ? pageNumber(req.query.seite) : null,
    },
  );
  if (format !== 'page' && built.document) {
    if (format === 'csv') return sendReportCsv(res, built.document);
    return sendReportPdf(res, built.document, {
      t: req.t,
      organization: (await req.em.findOneOrFail(Organization, reports.property.organization.id)).name,
      property: reports.property.name,
      storage: req.storage,
      pdf: req.pdfWorkers,
    });
  }
  const title = 'code' in target ? req.t(`reports:titles.${target.code}`) : built.document?.title;
  // A Stichtag (Betrag m² aus Sollwerten, Leerstandsliste) goes with the downloads.
  const day = typeof req.query.stichtag === 'string' ? req.query.stichtag.trim() : '';
  const downloadParam = day && !built.dayError ? `${query}${query ? '&' : '?'}stichtag=${encodeURIComponent(day)}` : query;
  render(
    req,
    res,
    'reports/report',
    {
      ...area.extra,
      title: title ?? req.t('reports:title'),
      section: 'reports',
      reports,
      document: built.document,
      empty: built.empty,
      base,
      yearParam: query,
      path: `${base}/${path}`,
      back: 'code' in target ? `${base}${query}` : `${base}/hausabrechnung${query}`,
      downloadParam,
      // The Leerstandsliste on a chosen date: a GET form with a date field (works without JavaScript).
      dayForm:
        'code' in target && target.code === 'vacancy' && reports.year
          ? { value: day, error: built.dayError ? req.t(built.dayError) : null, min: reports.year.startsOn, max: reports.year.endsOn }
          : null,
    },
    built.dayError ? 422 : 200,
  );
}

function addPages(router: Router, area: Area) {
  const formats = [
    ['', 'page'],
    ['/csv', 'csv'],
    ['/pdf', 'pdf'],
  ] as const;
  for (const [code, slug] of Object.entries(REPORT_SLUGS) as Array<[ReportCode, string]>)
    for (const [suffix, format] of formats)
      router.get(
        `${area.prefix}/${slug}${suffix}`,
        scoped(area.reportScope(code), (req, res, scope) => show(req, res, area, scope, { code }, slug, format)),
      );
  for (const [suffix, format] of formats) {
    router.get(
      `${area.prefix}/hausabrechnung/personenkonten/:personalAccountId${suffix}`,
      scoped(area.personalScope, (req, res, scope) =>
        show(req, res, area, scope, { personal: scope.personalAccount }, `hausabrechnung/personenkonten/${scope.personalAccount.id}`, format),
      ),
    );
    router.get(
      `${area.prefix}/hausabrechnung/sachkonten/:ledgerAccountId${suffix}`,
      scoped(area.ledgerScope, (req, res, scope) =>
        show(req, res, area, scope, { ledger: scope.ledgerAccount }, `hausabrechnung/sachkonten/${scope.ledgerAccount.id}`, format),
      ),
    );
  }
}

/** Portal routes (residents at /portal; the preview has no Berichte and answers 404). */
export function portalRoutes() {
  const router = Router();
  const prefix = '/liegenschaften/:propertyId/berichte';
  router.get(
    prefix,
    scoped(portalReportsScope, (req, res, scope) => {
      const base = `${propertyBase(scope)}/berichte`;
      render(req, res, 'reports/index', {
        title: req.t('reports:title'),
        section: 'reports',
        reports: scope.reports,
        base,
        yearParam: yearQuery(scope.reports),
        slugs: REPORT_SLUGS,
      });
    }),
  );
  addPages(router, {
    prefix,
    base: (_req, _reports, scope) => `${propertyBase(scope as PortalPropertyScope)}/berichte`,
    reportScope: portalReportScope,
    personalScope: portalPersonalAccountScope,
    ledgerScope: portalLedgerAccountScope,
    extra: {},
  });
  return router;
}

/** Console routes, mounted at /verwaltung/liegenschaften (the list of reports is the property's "Berichte" tab). */
export function consoleRoutes() {
  const router = Router();
  addPages(router, {
    prefix: '/:propertyId/berichte',
    base: (_req, reports) => consoleBase(reports.property),
    reportScope: consoleReportScope,
    personalScope: consolePersonalAccountScope,
    ledgerScope: consoleLedgerAccountScope,
    extra: { console: true },
  });
  return router;
}

export function consoleBase(property: Pick<Property, 'id'>): string {
  return `/verwaltung/liegenschaften/${property.id}/berichte`;
}

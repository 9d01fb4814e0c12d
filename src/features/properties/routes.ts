import { Router, type Request, type Response } from 'express';
import { berlinDate } from '../../clock.ts';
import type { Property } from '../../entities/index.ts';
import { field, fieldMessages, type FieldMessage } from '../../http/forms.ts';
import { listQuery } from '../../http/paging.ts';
import { receiveUploads } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import {
  consoleReportsScope,
  membershipScope,
  ownerCandidateScope,
  propertyOwnerLinkScope,
  propertyScope,
  staffScope,
  type StaffScope,
} from '../../scopes/staff.ts';
import { activeMemberships, endMembership } from '../access/memberships.ts';
import { listContent } from '../content/service.ts';
import { boardContactIds, documentsPanel, uploadedCount, type PanelPlace } from '../documents/console-service.ts';
import { DOCUMENT_FILES_FIELD, publishUploadedDocuments } from '../documents/upload-service.ts';
import { REPORT_SLUGS, reportSettingForm, saveReportSetting } from '../reports/service.ts';
import { reportsOfProperty } from '../reports/access.ts';
import { propertyProvidersPanel } from '../orders/panels.ts';
import { linkOwner, ownerCandidates, ownerLinksOf, unlinkOwner } from './owner-links.ts';
import { PROPERTY_SORT_DEFAULT, PROPERTY_SORTS, propertyContacts, propertyOverview, propertyUnits, searchProperties } from './service.ts';

export const PROPERTY_TABS = ['uebersicht', 'einheiten', 'kontakte', 'inhalte', 'dokumente', 'berichte'] as const;
type PropertyTab = (typeof PROPERTY_TABS)[number];
type PropertyPageScope = StaffScope & { property: Property };
/** Notices of the Hausbesitzer section after linking / removing (?hausbesitzer=…, properties-edit:owners.<notice>). */
const OWNER_NOTICES = ['verknuepft', 'entfernt'] as const;

/** A tab of the property page (views/properties/show.eta with views/properties/_tab-<tab>.eta). */
function showTab(req: Request, res: Response, property: Property, tab: PropertyTab, data: Record<string, unknown>, status = 200) {
  render(req, res, 'properties/show', { title: property.name, property, tab, tabs: PROPERTY_TABS, ...data }, status);
}

/** Console: the Liegenschaften list with live search, and a property page with tabs. */
export function propertyRoutes() {
  const router = Router();

  router.get(
    '/',
    scoped(staffScope, async (req, res) => {
      const { q, archived, sort, page, params } = listQuery(req, PROPERTY_SORTS, PROPERTY_SORT_DEFAULT);
      const result = await searchProperties(req.em, q, page, { sort, archived });
      // The live search (htmx) replaces only the results; the page itself is the same template.
      const view = req.get('hx-target') === 'property-results' ? 'properties/_results' : 'properties/index';
      render(req, res, view, { title: req.t('console:properties.title'), q, sort, archived, params, ...result });
    }),
  );

  const tab = (name: PropertyTab, load: (req: Request, scope: PropertyPageScope) => Promise<Record<string, unknown>>) =>
    router.get(
      `/:propertyId${name === 'uebersicht' ? '' : `/${name}`}`,
      scoped(propertyScope, async (req, res, scope) => {
        showTab(req, res, scope.property, name, await load(req, scope));
      }),
    );

  tab('uebersicht', async (req, { property }) => ({ overview: await propertyOverview(req.em, property, berlinDate(req.deps.clock.now())) }));
  tab('einheiten', async (req, { property }) => ({ units: await propertyUnits(req.em, property.id), today: berlinDate(req.deps.clock.now()) }));
  tab('kontakte', async (req, { property }) => ({
    contacts: await propertyContacts(req.em, property),
    memberships: await activeMemberships(req.em, property),
    // The Beirat toggle of owners (src/features/documents/console-routes.ts).
    boardContactIds: await boardContactIds(req.em, property),
    today: berlinDate(req.deps.clock.now()),
    // Its Dienstleister (src/features/orders/console-routes.ts).
    propertyProviders: await propertyProvidersPanel(req.em, property),
    providerProblem: ['erp', 'fehlt'].find((p) => p === req.query.dienstleister) ?? null,
  }));
  tab('inhalte', async (req, { property }) => ({ rows: await listContent(req.em, { propertyId: property.id }, req.t('content:allProperties')) }));
  // Dokumente (src/features/documents): the list and "Dokument hochladen", received below.
  tab('dokumente', async (req, { organizationId, property }) => ({
    docs: await documentsPanel(req.em, organizationId, { kind: 'property', property }, undefined, {}, uploadedCount(req.query.hochgeladen)),
  }));

  // Berichte (src/features/reports): the reports as the owners see them, what is published to
  // them, and the property's Hausbesitzer (./owner-links.ts), who see all of them.
  const reportsTab = async (
    req: Request,
    property: Property,
    reports: unknown,
    options: { form?: unknown; errors?: Record<string, string>; ownerError?: FieldMessage } = {},
  ) => {
    const setting = await reportSettingForm(req.em, property);
    const ownerSearch = field(req.body?.kontaktsuche ?? req.query.kontaktsuche).trim();
    return {
      reports,
      offered: reportsOfProperty(property),
      slugs: REPORT_SLUGS,
      settingForm: options.form ?? setting.form,
      allYears: setting.years,
      errors: fieldMessages(req.t, options.errors ?? {}),
      saved: req.query.gespeichert === '1',
      owners: {
        links: await ownerLinksOf(req.em, property),
        search: ownerSearch,
        candidates: await ownerCandidates(req.em, ownerSearch),
        error: options.ownerError ? fieldMessages(req.t, { owner: options.ownerError }).owner : null,
        notice: OWNER_NOTICES.find((notice) => notice === req.query.hausbesitzer) ?? null,
      },
    };
  };
  router.get(
    '/:propertyId/berichte',
    scoped(consoleReportsScope, async (req, res, { property, reports }) => {
      showTab(req, res, property, 'berichte', await reportsTab(req, property, reports));
    }),
  );
  router.post(
    '/:propertyId/berichte/einstellungen',
    scoped(consoleReportsScope, async (req, res, { property, reports }) => {
      const outcome = await saveReportSetting(req.em, property, req.body);
      if ('errors' in outcome)
        return showTab(req, res, property, 'berichte', await reportsTab(req, property, reports, { form: req.body, errors: outcome.errors }), 422);
      res.redirect(303, `/verwaltung/liegenschaften/${property.id}/berichte?gespeichert=1`);
    }),
  );
  // "Als Hausbesitzer verknüpfen" of a contact found by the search field; "Entfernen" of a link.
  router.post(
    '/:propertyId/hausbesitzer/kontakte/:contactId',
    scoped(ownerCandidateScope, async (req, res, { staff, property, reports, contact }) => {
      const outcome = await linkOwner(req.em, staff, property, contact, req.deps.clock.now());
      if ('error' in outcome) return showTab(req, res, property, 'berichte', await reportsTab(req, property, reports, { ownerError: outcome.error }), 422);
      await req.em.flush();
      res.redirect(303, `/verwaltung/liegenschaften/${property.id}/berichte?hausbesitzer=verknuepft#hausbesitzer`);
    }),
  );
  router.post(
    '/:propertyId/hausbesitzer/:ownerLinkId/entfernen',
    scoped(propertyOwnerLinkScope, async (req, res, { staff, property, ownerLink }) => {
      unlinkOwner(req.em, staff, ownerLink, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `/verwaltung/liegenschaften/${property.id}/berichte?hausbesitzer=entfernt#hausbesitzer`);
    }),
  );

  router.post(
    '/:propertyId/dokumente',
    scoped(propertyScope, async (req, res, { staff, organizationId, property }) => {
      const place: PanelPlace = { kind: 'property', property };
      const received = await receiveUploads(req, res, req.storage, DOCUMENT_FILES_FIELD);
      const outcome = await publishUploadedDocuments(req.em, req.storage, staff, place, { ...received, body: req.body }, req.deps.clock.now());
      if ('errors' in outcome) {
        const docs = await documentsPanel(req.em, organizationId, place, outcome.form, fieldMessages(req.t, outcome.errors));
        return showTab(req, res, property, 'dokumente', { docs }, 422);
      }
      res.redirect(303, `/verwaltung/liegenschaften/${property.id}/dokumente?hochgeladen=${outcome.published}`);
    }),
  );

  // "Zugang beenden" for a Bewohner (or another login without contract) of this property.
  router.post(
    '/:propertyId/bewohner/:membershipId/beenden',
    scoped(membershipScope, async (req, res, { staff, property, membership }) => {
      if (!membership.endedAt) await endMembership(req.em, staff, membership, req.deps.clock.now());
      res.redirect(303, `/verwaltung/liegenschaften/${property.id}/kontakte`);
    }),
  );

  return router;
}

import { Router, type NextFunction, type Request, type Response } from 'express';
import { berlinDate } from '../../clock.ts';
import { AdvisoryBoardMember, PortalMembership, Property } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { findByIdOr404 } from '../../http/find.ts';
import { listSort, pageNumber, sortParam } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { activeMemberships, endMembership } from '../access/memberships.ts';
import { listContent } from '../content/service.ts';
import { documentsPanel, uploadedCount } from '../documents/console-service.ts';
import { PROPERTY_SORT_DEFAULT, PROPERTY_SORTS, propertyContacts, propertyOverview, propertyUnits, searchProperties } from './service.ts';

export const PROPERTY_TABS = ['uebersicht', 'einheiten', 'kontakte', 'inhalte', 'dokumente'] as const;

/** Loads the property of the URL through the Verwaltung-scoped EntityManager (404 otherwise). */
export async function loadProperty(req: Request, res: Response, next: NextFunction) {
  res.locals.property = await findByIdOr404(req.em, Property, req.params.propertyId);
  next();
}

/** Console: the Liegenschaften list with live search, and a property page with tabs. */
export function propertyRoutes() {
  const router = Router();

  router.get('/', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const sort = listSort(req.query.sortierung, PROPERTY_SORTS, PROPERTY_SORT_DEFAULT);
    const archived = req.query.archivierte === '1';
    const result = await searchProperties(req.em, q, pageNumber(req.query.seite), { sort, archived });
    // The live search (htmx) replaces only the results; the page itself is the same template.
    const view = req.get('hx-target') === 'property-results' ? 'properties/_results' : 'properties/index';
    render(req, res, view, { title: req.t('console:properties.title'), q, sort, archived, params: { q, archivierte: archived ? '1' : '', sortierung: sort.key === PROPERTY_SORT_DEFAULT.key && !sort.descending ? '' : sortParam(sort) }, ...result });
  });

  const tab = (name: (typeof PROPERTY_TABS)[number], load: (req: Request, res: Response) => Promise<Record<string, unknown>>) =>
    router.get(`/:propertyId${name === 'uebersicht' ? '' : `/${name}`}`, loadProperty, async (req, res) => {
      render(req, res, `properties/show`, { title: res.locals.property.name, tab: name, tabs: PROPERTY_TABS, ...(await load(req, res)) });
    });

  tab('uebersicht', async (req, res) => ({ overview: await propertyOverview(req.em, res.locals.property, berlinDate(req.deps.clock.now())) }));
  tab('einheiten', async (req, res) => ({ units: await propertyUnits(req.em, res.locals.property.id), today: berlinDate(req.deps.clock.now()) }));
  tab('kontakte', async (req, res) => ({
    contacts: await propertyContacts(req.em, res.locals.property),
    memberships: await activeMemberships(req.em, res.locals.property),
    // The Beirat toggle of owners (src/features/documents/console-routes.ts).
    boardContactIds: new Set((await req.em.find(AdvisoryBoardMember, { property: res.locals.property }, { fields: ['contact'] })).map((m) => m.contact.id)),
    today: berlinDate(req.deps.clock.now()),
  }));
  tab('inhalte', async (req, res) => ({ rows: await listContent(req.em, { propertyId: res.locals.property.id }, req.t('content:allProperties')) }));
  // Dokumente (src/features/documents): the list and "Dokument hochladen"; the upload is received there.
  tab('dokumente', async (req, res) => ({
    docs: await documentsPanel(req.em, req.staff!.organization.id, { kind: 'property', property: res.locals.property }, undefined, {}, uploadedCount(req.query.hochgeladen)),
  }));

  // "Zugang beenden" for a Bewohner (or another login without contract) of this property.
  router.post('/:propertyId/bewohner/:membershipId/beenden', loadProperty, async (req, res) => {
    const membership = await findByIdOr404(req.em, PortalMembership, req.params.membershipId);
    if (membership.property.id !== res.locals.property.id) throw new NotFoundError('membership of another property');
    if (!membership.endedAt) await endMembership(req.em, req.staff!, membership, req.deps.clock.now());
    res.redirect(303, `/verwaltung/liegenschaften/${res.locals.property.id}/kontakte`);
  });

  return router;
}

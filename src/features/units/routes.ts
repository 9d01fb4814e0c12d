import { Router, type NextFunction, type Request, type Response } from 'express';
import { berlinDate } from '../../clock.ts';
import { Property, Unit } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { isUuid } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { documentsPanel, uploadedCount, type PanelPlace } from '../documents/console-service.ts';
import { listQuery } from '../masterdata/console-routes.ts';
import { loadProperty } from '../properties/routes.ts';
import { searchUnits, unitContracts, UNIT_SORT_DEFAULT, UNIT_SORTS } from './service.ts';

/** Console: the Einheiten list across all properties (Stammdaten), mounted at /verwaltung/einheiten (staff). */
export function unitListRoutes() {
  const router = Router();
  router.get('/', async (req, res) => {
    const { q, archived, sort, page, params: list } = listQuery(req, UNIT_SORTS, UNIT_SORT_DEFAULT);
    // The filter takes the id of the Verwaltung's own properties only (the query names the Verwaltung: scopedOrganization).
    const propertyId = isUuid(req.query.liegenschaft) ? req.query.liegenschaft : null;
    const result = await searchUnits(req.em, { q, page, sort, propertyId, archived });
    const params = { q, liegenschaft: propertyId ?? '', archivierte: list.archivierte, sortierung: list.sortierung };
    if (req.get('hx-target') === 'unit-results') return render(req, res, 'units/_results', { q, sort, params, ...result });
    const properties = await req.em.find(Property, { archivedAt: null }, { fields: ['id', 'name'], orderBy: { name: 'asc', id: 'asc' } });
    render(req, res, 'units/index', { title: req.t('properties-edit:units.title'), q, sort, archived, propertyId, properties, params, ...result });
  });
  return router;
}

/** Loads a unit of the URL's property, archived ones too (404 for any other). */
export async function loadAnyUnit(req: Request, res: Response, next: NextFunction) {
  if (!isUuid(req.params.unitId)) throw new NotFoundError('malformed unit id');
  const unit = await req.em.findOne(Unit, { id: req.params.unitId, property: res.locals.property }, { populate: ['address'] });
  if (!unit) throw new NotFoundError(`unit ${req.params.unitId} not in property`);
  res.locals.unit = unit;
  next();
}

/**
 * The unit page (views/units/show.eta): facts, contracts and contacts, and the Dokumente
 * panel (src/features/documents/console-service.ts). Also shown by the unit page's upload
 * (src/features/documents/console-routes.ts) with the upload's messages (422).
 */
export async function unitPage(req: Request, res: Response, docs: Awaited<ReturnType<typeof documentsPanel>>, status = 200) {
  const unit: Unit = res.locals.unit;
  const today = berlinDate(req.deps.clock.now());
  render(req, res, 'units/show', { title: `${unit.number} · ${res.locals.property.name}`, unit, ...(await unitContracts(req.em, unit, today)), today, docs }, status);
}

/**
 * Console: the unit page, /verwaltung/liegenschaften/:propertyId/einheiten/:unitId (staff),
 * mounted after the property routes (src/features/properties/edit-routes.ts takes
 * ".../einheiten/neu" first). An archived unit keeps its page (marked, with
 * "Wiederherstellen"); its Dokumente upload is src/features/documents/console-routes.ts.
 */
export function unitPageRoutes() {
  const router = Router();
  router.get('/:propertyId/einheiten/:unitId', loadProperty, loadAnyUnit, async (req, res) => {
    const place: PanelPlace = { kind: 'unit', property: res.locals.property, unit: res.locals.unit };
    await unitPage(req, res, await documentsPanel(req.em, req.staff!.organization.id, place, undefined, {}, uploadedCount(req.query.hochgeladen)));
  });
  return router;
}

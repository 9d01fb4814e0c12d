import { Router } from 'express';
import { Property } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { listQuery } from '../masterdata/console-routes.ts';
import { searchUnits, UNIT_SORT_DEFAULT, UNIT_SORTS } from './service.ts';

/** Console: the Einheiten list across all properties (Stammdaten), mounted at /verwaltung/einheiten (staff). */
export function unitListRoutes() {
  const router = Router();
  router.get('/', async (req, res) => {
    const { q, archived, sort, page, params: list } = listQuery(req, UNIT_SORTS, UNIT_SORT_DEFAULT);
    // The filter takes the id of the Verwaltung's own properties only (the query names the Verwaltung).
    const propertyId = isUuid(req.query.liegenschaft) ? req.query.liegenschaft : null;
    const result = await searchUnits(req.em, req.staff!.organization.id, { q, page, sort, propertyId, archived });
    const params = { q, liegenschaft: propertyId ?? '', archivierte: list.archivierte, sortierung: list.sortierung };
    if (req.get('hx-target') === 'unit-results') return render(req, res, 'units/_results', { q, sort, params, ...result });
    const properties = await req.em.find(Property, { archivedAt: null }, { fields: ['id', 'name'], orderBy: { name: 'asc', id: 'asc' } });
    render(req, res, 'units/index', { title: req.t('properties-admin:units.title'), q, sort, archived, propertyId, properties, params, ...result });
  });
  return router;
}

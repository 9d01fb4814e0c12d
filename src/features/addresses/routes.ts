import { Router } from 'express';
import { listSort, pageNumber, sortParam } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { ADDRESS_SORT_DEFAULT, ADDRESS_SORTS, searchAddresses } from './service.ts';

/**
 * Console: the Adressen list across all properties (Stammdaten), mounted at
 * /verwaltung/adressen (staff). Addresses are edited on their property's Übersicht
 * (src/features/properties/admin-routes.ts).
 */
export function addressListRoutes() {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const sort = listSort(req.query.sortierung, ADDRESS_SORTS, ADDRESS_SORT_DEFAULT);
    const archived = req.query.archivierte === '1';
    const result = await searchAddresses(req.em, req.staff!.organization.id, { q, page: pageNumber(req.query.seite), sort, archived });
    const params = { q, archivierte: archived ? '1' : '', sortierung: sort.key === ADDRESS_SORT_DEFAULT.key && !sort.descending ? '' : sortParam(sort) };
    const view = req.get('hx-target') === 'address-results' ? 'addresses/_results' : 'addresses/index';
    render(req, res, view, { title: req.t('properties-admin:addresses.title'), q, sort, archived, params, ...result });
  });
  return router;
}

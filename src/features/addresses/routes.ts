import { Router } from 'express';
import { listQuery } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { staffScope } from '../../scopes/staff.ts';
import { ADDRESS_SORT_DEFAULT, ADDRESS_SORTS, searchAddresses } from './service.ts';

/**
 * Console: the Adressen list across all properties (Stammdaten), mounted at
 * /verwaltung/adressen (staff). Addresses are edited on their property's Übersicht
 * (src/features/properties/edit-routes.ts).
 */
export function addressListRoutes() {
  const router = Router();
  router.get(
    '/',
    scoped(staffScope, async (req, res) => {
      const { q, archived, sort, page, params } = listQuery(req, ADDRESS_SORTS, ADDRESS_SORT_DEFAULT);
      const result = await searchAddresses(req.em, { q, page, sort, archived });
      const view = req.get('hx-target') === 'address-results' ? 'addresses/_results' : 'addresses/index';
      render(req, res, view, { title: req.t('properties-edit:addresses.title'), q, sort, archived, params, ...result });
    }),
  );
  return router;
}

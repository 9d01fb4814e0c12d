import { Router } from 'express';
import { pageNumber } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { searchContacts } from './service.ts';

export function consoleRoutes() {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const result = await searchContacts(req.em, q, pageNumber(req.query.seite));
    const view = req.get('hx-target') === 'contact-results' ? 'contacts/_results' : 'contacts/index';
    render(req, res, view, { title: req.t('console:contacts.title'), q, ...result });
  });
  return router;
}

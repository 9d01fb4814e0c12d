import { Router } from 'express';
import { render } from '../../http/views.ts';

/** Console entry points: the start redirect, and Vorgänge until its feature arrives. */
export function consoleSectionRoutes() {
  const router = Router();
  router.get('/', (_req, res) => res.redirect(303, '/verwaltung/liegenschaften'));
  router.get('/vorgaenge', (req, res) => render(req, res, 'console/tickets', { title: req.t('console:nav.tickets') }));
  return router;
}

import { Router } from 'express';
import { render } from '../../http/views.ts';

/** Console entry points whose content arrives with later features: Neuer Inhalt, Vorgänge. */
export function consoleSectionRoutes() {
  const router = Router();
  router.get('/', (_req, res) => res.redirect(303, '/verwaltung/liegenschaften'));
  router.get('/neuer-inhalt', (req, res) => render(req, res, 'console/new-content', { title: req.t('console:nav.newContent') }));
  router.get('/vorgaenge', (req, res) => render(req, res, 'console/tickets', { title: req.t('console:nav.tickets') }));
  return router;
}

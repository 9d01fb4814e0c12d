import { Router } from 'express';

/** Console entry point: the start redirect. */
export function consoleSectionRoutes() {
  const router = Router();
  router.get('/', (_req, res) => res.redirect(303, '/verwaltung/liegenschaften'));
  return router;
}

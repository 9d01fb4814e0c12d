import { Router } from 'express';
import { scoped } from '../../scopes/scope.ts';
import { staffScope } from '../../scopes/staff.ts';

/** Console entry point: the start redirect. */
export function consoleSectionRoutes() {
  const router = Router();
  router.get('/', scoped(staffScope, (_req, res) => res.redirect(303, '/verwaltung/liegenschaften')));
  return router;
}

import { Router } from 'express';
import { render } from '../../http/views.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';

/**
 * "Erklärung zur Barrierefreiheit" (BITV 2.0 § 12b): public, linked from the portal's footer.
 * What it states is measured by the browser tests (test/e2e/accessibility.test.ts).
 */
export function accessibilityRoutes() {
  const router = Router();
  router.get(
    '/barrierefreiheit',
    scoped(publicScope, (req, res) => render(req, res, 'accessibility/statement', { title: req.t('accessibility:title') })),
  );
  return router;
}

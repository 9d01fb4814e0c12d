import { Router } from 'express';
import { ticketReference } from '../../entities/index.ts';
import { pageNumber } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { staffScope } from '../../scopes/staff.ts';
import { COUNT_CAP, consoleOverview, OVERVIEW_LISTS, overviewList, RECENT_DAYS, type OverviewListPath } from './overview.ts';

/** Console entry point: the start page "Übersicht" and the lists it links to that no other page has. */
export function consoleSectionRoutes() {
  const router = Router();
  router.get(
    '/',
    scoped(staffScope, async (req, res, { organizationId }) => {
      const overview = await consoleOverview(req.em, organizationId, req.deps.clock.now());
      render(req, res, 'console/overview', { title: req.t('console:overview.title'), ...overview, cap: COUNT_CAP, recentDays: RECENT_DAYS, ticketReference });
    }),
  );
  // Open invitations, failed mails, new registrations: each a list of its own (Vorgänge have theirs).
  for (const list of Object.keys(OVERVIEW_LISTS) as OverviewListPath[]) {
    router.get(
      `/uebersicht/${list}`,
      scoped(staffScope, async (req, res, { organizationId }) => {
        const result = await overviewList(req.em, organizationId, list, pageNumber(req.query.seite), req.deps.clock.now());
        render(req, res, 'console/list', { title: req.t(`console:overview.${result.kind}.title`), list, ...result, cap: COUNT_CAP, recentDays: RECENT_DAYS });
      }),
    );
  }
  return router;
}

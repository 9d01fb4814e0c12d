import { Router, type Request, type Response } from 'express';
import { ticketReference, type Property } from '../../entities/index.ts';
import { fieldMessages } from '../../http/forms.ts';
import { pageNumber } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { propertyScope, staffScope } from '../../scopes/staff.ts';
import { responsibleStaffChoice, setResponsibleStaff } from './categories.ts';
import { AGES, filterChoices, filterParams, listFilters, listTickets, SORTS, STATUS_FILTERS } from './list.ts';

/** A request from htmx that wants a fragment (a history restore wants the whole page). */
const wantsFragment = (req: Request) => req.get('hx-request') === 'true' && req.get('hx-history-restore-request') !== 'true';

/** The form "Zuständige Mitarbeiter" of a property; `chosen` and `errors` of a refused submission. */
async function showResponsibleStaff(req: Request, res: Response, property: Property, chosen?: Set<string>, errors: Record<string, string> = {}, status = 200) {
  const choice = await responsibleStaffChoice(req.em, property);
  render(
    req,
    res,
    'tickets/responsible-staff',
    {
      title: `${req.t('tickets-console:responsible.title')} · ${property.name}`,
      property,
      staff: choice.staff,
      chosen: chosen ?? choice.chosen,
      errors,
      saved: req.query.gespeichert === '1',
    },
    status,
  );
}

/** Console routes, mounted at /verwaltung (staff): the Vorgänge list, and the responsible staff of a property. */
export function consoleRoutes() {
  const router = Router();

  // The list: one GET form of filters; htmx asks for the results only (same data, the
  // _results partial), which render() marks with Vary: HX-Request.
  router.get(
    '/vorgaenge',
    scoped(staffScope, async (req, res, { staff }) => {
      const filters = listFilters(req.query, pageNumber(req.query.seite));
      const result = await listTickets(req.em, filters, staff.id, req.deps.clock.now());
      const data = {
        title: req.t('tickets:title'),
        filters,
        params: filterParams(filters),
        statusFilters: STATUS_FILTERS,
        sorts: SORTS,
        ages: AGES,
        ticketReference,
        ...result,
      };
      if (wantsFragment(req)) return render(req, res, 'tickets/_results', data);
      render(req, res, 'tickets/console-list', { ...data, ...(await filterChoices(req.em, filters)) });
    }),
  );

  // Liegenschaft › Zuständige Mitarbeiter: who gets the mail of a new concern (notify.ts responsibleStaff).
  const RESPONSIBLE = '/liegenschaften/:propertyId/zustaendige-mitarbeiter';
  router.get(
    RESPONSIBLE,
    scoped(propertyScope, (req, res, { property }) => showResponsibleStaff(req, res, property)),
  );

  router.post(
    RESPONSIBLE,
    scoped(propertyScope, async (req, res, { staff, property }) => {
      const submitted: unknown[] = ([] as unknown[]).concat(req.body?.staff ?? []);
      const ids = submitted.filter((id): id is string => typeof id === 'string' && id !== '');
      const problem = await setResponsibleStaff(req.em, staff, property, ids, req.deps.clock.now());
      if (problem) return showResponsibleStaff(req, res, property, new Set(ids), fieldMessages(req.t, { staff: problem }), 422);
      res.redirect(303, `/verwaltung/liegenschaften/${property.id}/zustaendige-mitarbeiter?gespeichert=1`);
    }),
  );

  return router;
}

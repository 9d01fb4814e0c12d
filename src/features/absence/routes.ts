import { Router, type Request, type Response } from 'express';
import { berlinDate } from '../../clock.ts';
import type { StaffAbsence, StaffUser } from '../../entities/index.ts';
import { fieldMessages, type FieldMessage } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { memberAbsenceScope, ownAbsenceScope, ownAbsencesScope } from '../../scopes/absence.ts';
import { scoped, type Scope } from '../../scopes/scope.ts';
import { staffMemberScope } from '../../scopes/staff.ts';
import { absenceForm, addAbsence, currentAndComingAbsences, possibleSubstitutes, removeAbsence, type AbsenceForm } from './service.ts';

type ListScope = { staff: StaffUser; member: StaffUser };

/**
 * Abwesenheit: /verwaltung/abwesenheit for one's own, and
 * /verwaltung/administration/mitarbeiter/:staffId/abwesenheit for an admin setting a colleague's.
 * Both are the same page and rules (./service.ts).
 */
function absencePages(
  router: Router,
  path: (member: StaffUser) => string,
  routePath: string,
  listScope: Scope<ListScope>,
  itemScope: Scope<ListScope & { absence: StaffAbsence }>,
) {
  const show = async (
    req: Request,
    res: Response,
    { staff, member }: ListScope,
    form: AbsenceForm,
    errors: Partial<Record<string, FieldMessage>> = {},
    status = 200,
  ) => {
    const now = req.deps.clock.now();
    const [absences, substitutes] = await Promise.all([currentAndComingAbsences(req.em, member, now), possibleSubstitutes(req.em, member)]);
    render(
      req,
      res,
      'absence/index',
      {
        title: req.t(staff.id === member.id ? 'absence:title' : 'absence:titleFor', { name: member.name }),
        own: staff.id === member.id,
        member,
        base: path(member),
        absences,
        substitutes,
        today: berlinDate(now),
        form,
        errors: fieldMessages(req.t, errors),
        saved: req.query.gespeichert === '1',
        removed: req.query.entfernt === '1',
      },
      status,
    );
  };

  router.get(
    routePath,
    scoped(listScope, (req, res, scope) => show(req, res, scope, { startsOn: berlinDate(req.deps.clock.now()), endsOn: '', substitute: '' })),
  );

  router.post(
    routePath,
    scoped(listScope, async (req, res, scope) => {
      const form = absenceForm(req.body);
      const errors = await addAbsence(req.em, scope.staff, scope.member, form, req.deps.clock.now());
      if (errors) return show(req, res, scope, form, errors, 422);
      res.redirect(303, `${path(scope.member)}?gespeichert=1`);
    }),
  );

  router.post(
    `${routePath}/:absenceId/entfernen`,
    scoped(itemScope, async (req, res, { staff, member, absence }) => {
      await removeAbsence(req.em, staff, absence, req.deps.clock.now());
      res.redirect(303, `${path(member)}?entfernt=1`);
    }),
  );
}

/** A staff member's own absences (mounted at /verwaltung). */
export function ownRoutes() {
  const router = Router();
  absencePages(router, () => '/verwaltung/abwesenheit', '/abwesenheit', ownAbsencesScope, ownAbsenceScope);
  return router;
}

/** An admin sets a colleague's absences (mounted at /verwaltung/administration). */
export function adminRoutes() {
  const router = Router();
  absencePages(
    router,
    (member) => `/verwaltung/administration/mitarbeiter/${member.id}/abwesenheit`,
    '/mitarbeiter/:staffId/abwesenheit',
    staffMemberScope,
    memberAbsenceScope,
  );
  return router;
}

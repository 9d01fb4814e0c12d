import { Router, type Request, type Response } from 'express';
import { fieldMessages } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { adminScope, staffMemberScope } from '../../scopes/staff.ts';
import { inviteStaff, listStaff, sendInvitation, validateInvitation, type FieldErrors } from './service.ts';

/** Administration > Mitarbeiter: the staff list and "Mitarbeiter einladen" (admins only). */
export function staffAdminRoutes() {
  const router = Router();

  /** The staff list with the invitation form, empty or as submitted with its messages. */
  const showList = async (req: Request, res: Response, form = { name: '', email: '', role: 'staff' }, errors: FieldErrors = {}, status = 200) => {
    const staff = await listStaff(req.em);
    const messages = fieldMessages(req.t, errors);
    render(req, res, 'staff/index', { title: req.t('console:staff.title'), staff, form, errors: messages, invited: req.query.eingeladen }, status);
  };

  router.get(
    '/',
    scoped(adminScope, (_req, res) => res.redirect(303, '/verwaltung/administration/mitarbeiter')),
  );
  router.get(
    '/mitarbeiter',
    scoped(adminScope, (req, res) => showList(req, res)),
  );

  router.post(
    '/mitarbeiter',
    scoped(adminScope, async (req, res, { staff }) => {
      const form = { name: String(req.body.name ?? ''), email: String(req.body.email ?? ''), role: String(req.body.role ?? '') };
      const errors = await validateInvitation(req.em, form);
      if (Object.keys(errors).length > 0) return showList(req, res, form, errors, 422);
      await inviteStaff(req.em, staff, form, req.deps.config.baseUrl, req.deps.clock.now());
      res.redirect(303, `/verwaltung/administration/mitarbeiter?eingeladen=${encodeURIComponent(form.email.trim())}`);
    }),
  );

  router.post(
    '/mitarbeiter/:staffId/einladung',
    scoped(staffMemberScope, async (req, res, { staff, member }) => {
      if (member.passwordHash) return res.redirect(303, '/verwaltung/administration/mitarbeiter');
      await sendInvitation(req.em, staff, member, req.deps.config.baseUrl, req.deps.clock.now());
      res.redirect(303, `/verwaltung/administration/mitarbeiter?eingeladen=${encodeURIComponent(member.email)}`);
    }),
  );

  return router;
}

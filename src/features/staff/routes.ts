import { Router, type Request, type Response } from 'express';
import { StaffUser } from '../../entities/index.ts';
import { findByIdOr404 } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { inviteStaff, listStaff, sendInvitation, validateInvitation, type FieldErrors } from './service.ts';
import { fieldMessages } from '../../http/forms.ts';

/** Administration > Mitarbeiter: the staff list and "Mitarbeiter einladen" (admins only). */
export function staffAdminRoutes() {
  const router = Router();

  /** The staff list with the invitation form, empty or as submitted with its messages. */
  const showList = async (req: Request, res: Response, form = { name: '', email: '', role: 'staff' }, errors: FieldErrors = {}, status = 200) => {
    const staff = await listStaff(req.em);
    const messages = fieldMessages(req.t, errors);
    render(req, res, 'staff/index', { title: req.t('console:staff.title'), staff, form, errors: messages, invited: req.query.eingeladen }, status);
  };

  router.get('/', (_req, res) => res.redirect(303, '/verwaltung/administration/mitarbeiter'));
  router.get('/mitarbeiter', (req, res) => showList(req, res));

  router.post('/mitarbeiter', async (req, res) => {
    const form = { name: String(req.body.name ?? ''), email: String(req.body.email ?? ''), role: String(req.body.role ?? '') };
    const errors = await validateInvitation(req.em, form);
    if (Object.keys(errors).length > 0) return showList(req, res, form, errors, 422);
    await inviteStaff(req.em, req.staff!, form, req.deps.config.baseUrl, req.deps.clock.now());
    res.redirect(303, `/verwaltung/administration/mitarbeiter?eingeladen=${encodeURIComponent(form.email.trim())}`);
  });

  router.post('/mitarbeiter/:staffId/einladung', async (req, res) => {
    const staff = await findByIdOr404(req.em, StaffUser, req.params.staffId);
    if (staff.passwordHash) return res.redirect(303, '/verwaltung/administration/mitarbeiter');
    await sendInvitation(req.em, req.staff!, staff, req.deps.config.baseUrl, req.deps.clock.now());
    res.redirect(303, `/verwaltung/administration/mitarbeiter?eingeladen=${encodeURIComponent(staff.email)}`);
  });

  return router;
}

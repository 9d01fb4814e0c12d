import { Router, type Request, type Response } from 'express';
import { Organization } from '../../entities/index.ts';
import { fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import {
  ACCESS_WINDOW_DAYS,
  accessWindowsFormOf,
  INVITATION_DAYS,
  parseAccessWindowsForm,
  parseSettingsForm,
  saveAccessWindows,
  saveSettings,
  SETTING_GROUPS,
  settingsFormOf,
  type AccessWindowsForm,
  type SettingsForm,
} from './service.ts';

const BASE = '/verwaltung/administration/kundenportal';

/** Administration > Kundenportal: Einstellungen and Rollen & Zugriffsrechte (admins only). */
export function adminRoutes() {
  const router = Router();

  const organizationOf = (req: Request) => req.em.findOneOrFail(Organization, req.staff!.organization.id);

  const showSettings = (req: Request, res: Response, form: SettingsForm, errors: FieldErrors = {}, status = 200) =>
    render(
      req,
      res,
      'portal-settings/settings',
      { title: req.t('portal-settings:settings.title'), groups: SETTING_GROUPS, form, errors: fieldMessages(req.t, errors), saved: req.query.gespeichert === '1', bounds: INVITATION_DAYS },
      status,
    );

  const showRoles = (req: Request, res: Response, form: AccessWindowsForm, errors: FieldErrors = {}, status = 200) =>
    render(
      req,
      res,
      'portal-settings/roles',
      { title: req.t('portal-settings:roles.title'), form, errors: fieldMessages(req.t, errors), saved: req.query.gespeichert === '1', bounds: ACCESS_WINDOW_DAYS },
      status,
    );

  router.get('/', (_req, res) => res.redirect(303, `${BASE}/einstellungen`));

  router.get('/einstellungen', async (req, res) => showSettings(req, res, settingsFormOf(await organizationOf(req))));

  router.post('/einstellungen', async (req, res) => {
    const form = parseSettingsForm(req.body ?? {});
    const errors = await saveSettings(req.em, req.staff!, form, req.deps.clock.now());
    if (errors) return showSettings(req, res, form, errors, 422);
    res.redirect(303, `${BASE}/einstellungen?gespeichert=1`);
  });

  router.get('/rollen-zugriffsrechte', async (req, res) => showRoles(req, res, accessWindowsFormOf(await organizationOf(req))));

  router.post('/rollen-zugriffsrechte', async (req, res) => {
    const form = parseAccessWindowsForm(req.body ?? {});
    const errors = await saveAccessWindows(req.em, req.staff!, form, req.deps.clock.now());
    if (errors) return showRoles(req, res, form, errors, 422);
    res.redirect(303, `${BASE}/rollen-zugriffsrechte?gespeichert=1`);
  });

  return router;
}

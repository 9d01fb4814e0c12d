import { Router, type Request, type Response } from 'express';
import { Organization } from '../../entities/index.ts';
import { fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { adminScope } from '../../scopes/staff.ts';
import {
  ACCESS_WINDOW_DAYS,
  accessWindowsFormOf,
  INVITATION_DAYS,
  parseAccessWindowsForm,
  isPerPropertySwitch,
  PER_PROPERTY_SWITCHES,
  parseSettingsForm,
  propertiesByIds,
  propertiesField,
  propertyCandidates,
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

  const organizationOf = (req: Request, organizationId: string) => req.em.findOneOrFail(Organization, organizationId);

  /**
   * The Einstellungen page. A switch chosen per property shows its chosen properties (ticked)
   * and candidates to tick: those matching `?fuer=<switch>&q=<search>` (the search field,
   * live through htmx or as its own small form without JavaScript), else the first by name.
   */
  const showSettings = async (req: Request, res: Response, organizationId: string, form: SettingsForm, errors: FieldErrors = {}, status = 200) => {
    const searchFor = String(req.query.fuer ?? '');
    const search = String(req.query.q ?? '')
      .trim()
      .slice(0, 100);
    const choices: Record<string, unknown> = {};
    for (const name of PER_PROPERTY_SWITCHES) {
      const chosen = await propertiesByIds(req.em, organizationId, form.properties[name]);
      const candidates = await propertyCandidates(req.em, organizationId, searchFor === name ? search : '', form.properties[name]);
      choices[name] = { field: propertiesField(name), chosen, ...candidates, search: searchFor === name ? search : '' };
    }
    return render(
      req,
      res,
      'portal-settings/settings',
      {
        title: req.t('portal-settings:settings.title'),
        groups: SETTING_GROUPS,
        form,
        choices,
        isPerPropertySwitch,
        errors: fieldMessages(req.t, errors),
        saved: req.query.gespeichert === '1',
        bounds: INVITATION_DAYS,
      },
      status,
    );
  };

  const showRoles = (req: Request, res: Response, form: AccessWindowsForm, errors: FieldErrors = {}, status = 200) =>
    render(
      req,
      res,
      'portal-settings/roles',
      {
        title: req.t('portal-settings:roles.title'),
        form,
        errors: fieldMessages(req.t, errors),
        saved: req.query.gespeichert === '1',
        bounds: ACCESS_WINDOW_DAYS,
      },
      status,
    );

  router.get(
    '/',
    scoped(adminScope, (_req, res) => res.redirect(303, `${BASE}/einstellungen`)),
  );

  router.get(
    '/einstellungen',
    scoped(adminScope, async (req, res, { organizationId }) =>
      showSettings(req, res, organizationId, await settingsFormOf(req.em, await organizationOf(req, organizationId))),
    ),
  );

  router.post(
    '/einstellungen',
    scoped(adminScope, async (req, res, { staff }) => {
      const form = parseSettingsForm(req.body ?? {});
      const errors = await saveSettings(req.em, staff, form, req.deps.clock.now());
      if (errors) return showSettings(req, res, staff.organization.id, form, errors, 422);
      res.redirect(303, `${BASE}/einstellungen?gespeichert=1`);
    }),
  );

  router.get(
    '/rollen-zugriffsrechte',
    scoped(adminScope, async (req, res, { organizationId }) => showRoles(req, res, accessWindowsFormOf(await organizationOf(req, organizationId)))),
  );

  router.post(
    '/rollen-zugriffsrechte',
    scoped(adminScope, async (req, res, { staff }) => {
      const form = parseAccessWindowsForm(req.body ?? {});
      const errors = await saveAccessWindows(req.em, staff, form, req.deps.clock.now());
      if (errors) return showRoles(req, res, form, errors, 422);
      res.redirect(303, `${BASE}/rollen-zugriffsrechte?gespeichert=1`);
    }),
  );

  return router;
}

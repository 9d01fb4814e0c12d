import { Router, type Request, type Response } from 'express';
import type { ApiKey } from '../../entities/index.ts';
import { field, fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { adminScope, apiKeyScope } from '../../scopes/staff.ts';
import { apiKeyName, createApiKey, listApiKeys, revokeApiKey } from './service.ts';

const BASE = '/verwaltung/administration/api-schluessel';

/**
 * Administration › API-Schlüssel (admins only, mounted at BASE): the Verwaltung's keys for the
 * machine API, "Neuer API-Schlüssel" (the key is shown once, on the answer to the form) and
 * "Widerrufen" after a confirmation page.
 */
export function apiKeyAdminRoutes() {
  const router = Router();

  /** The list with the form; `created` carries the new key for the one page that shows it. */
  const showList = async (
    req: Request,
    res: Response,
    options: { form?: { name: string }; errors?: FieldErrors; created?: { apiKey: ApiKey; key: string } } = {},
    status = 200,
  ) => {
    const keys = await listApiKeys(req.em);
    render(
      req,
      res,
      'api-keys/index',
      {
        title: req.t('api-keys:title'),
        keys,
        form: options.form ?? { name: '' },
        errors: fieldMessages(req.t, options.errors ?? {}),
        created: options.created ?? null,
        revoked: req.query.widerrufen === '1',
        apiBaseUrl: `${req.deps.config.baseUrl}/api/v1`,
      },
      status,
    );
  };

  router.get(
    '/',
    scoped(adminScope, (req, res) => showList(req, res)),
  );

  router.post(
    '/',
    scoped(adminScope, async (req, res, { staff }) => {
      const raw = field(req.body.name);
      const { name, error } = apiKeyName(raw);
      if (error) return showList(req, res, { form: { name: raw.slice(0, 1000) }, errors: { name: error } }, 422);
      const created = await createApiKey(req.em, staff, name, req.deps.clock.now());
      await showList(req, res, { created }, 201);
    }),
  );

  router.get(
    '/:apiKeyId/widerrufen',
    scoped(apiKeyScope, (req, res, { apiKey }) => {
      if (apiKey.revokedAt) return res.redirect(303, BASE);
      render(req, res, 'api-keys/revoke', { title: req.t('api-keys:revoke.title'), apiKey });
    }),
  );

  router.post(
    '/:apiKeyId/widerrufen',
    scoped(apiKeyScope, async (req, res, { staff, apiKey }) => {
      await revokeApiKey(req.em, staff, apiKey, req.deps.clock.now());
      res.redirect(303, `${BASE}?widerrufen=1`);
    }),
  );

  return router;
}

import { Router, type Request, type Response } from 'express';
import type { ServiceProvider } from '../../entities/index.ts';
import { fieldMessages, type FieldMessage } from '../../http/forms.ts';
import { listQuery } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { serviceProviderScope, staffScope } from '../../scopes/staff.ts';
import { providerPagePanel } from '../orders/panels.ts';
import { archiveRoutes } from '../masterdata/archive-actions.ts';
import {
  checkProviderForm,
  createProvider,
  PROVIDER_SORT_DEFAULT,
  PROVIDER_SORTS,
  providerFormFrom,
  providerFormOf,
  providerLocked,
  searchProviders,
  updateProvider,
  type ProviderForm,
} from './service.ts';

const LIST = '/verwaltung/dienstleister';
/** Notices after anlegen/bearbeiten/archivieren (?erledigt=…), contacts-edit:providers.notices.<key>. */
const NOTICES = ['angelegt', 'gespeichert', 'archiviert', 'wiederhergestellt'] as const;

function showProviderForm(
  req: Request,
  res: Response,
  provider: ServiceProvider | null,
  form: ProviderForm,
  errors: Record<string, FieldMessage> = {},
  status = 200,
) {
  render(
    req,
    res,
    'service-providers/form',
    {
      title: provider ? req.t('contacts-edit:providers.editTitle', { name: provider.name }) : req.t('contacts-edit:providers.newTitle'),
      provider,
      form,
      errors: fieldMessages(req.t, errors),
      locked: providerLocked(provider),
      action: provider ? `${LIST}/${provider.id}` : LIST,
    },
    status,
  );
}

/** Console: Dienstleister (Stammdaten), mounted at /verwaltung/dienstleister (staff). */
export function serviceProviderRoutes() {
  const router = Router();

  router.get(
    '/',
    scoped(staffScope, async (req, res) => {
      const { q, archived, sort, page, params } = listQuery(req, PROVIDER_SORTS, PROVIDER_SORT_DEFAULT);
      const result = await searchProviders(req.em, q, page, sort, archived);
      const view = req.get('hx-target') === 'provider-results' ? 'service-providers/_results' : 'service-providers/index';
      render(req, res, view, { title: req.t('masterdata:kinds.service-providers'), q, archived, sort, params, ...result });
    }),
  );

  router.get(
    '/neu',
    scoped(staffScope, (req, res) => showProviderForm(req, res, null, providerFormOf(null))),
  );

  router.post(
    '/',
    scoped(staffScope, async (req, res, { staff }) => {
      const { form, errors, values } = await checkProviderForm(req.em, providerFormFrom(req.body), null);
      if (Object.keys(errors).length) return showProviderForm(req, res, null, form, errors, 422);
      const provider = createProvider(req.em, staff, values, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${LIST}/${provider.id}?erledigt=angelegt`);
    }),
  );

  router.get(
    '/:serviceProviderId',
    scoped(serviceProviderScope, async (req, res, { provider }) => {
      render(req, res, 'service-providers/show', {
        title: provider.name,
        provider,
        notice: NOTICES.find((n) => n === req.query.erledigt) ?? null,
        // Served properties, logins and open Aufträge (src/features/orders/panels.ts).
        orders: await providerPagePanel(req.em, provider, req.deps.clock.now()),
        invitedEmail: typeof req.query.eingeladen === 'string' ? req.query.eingeladen.slice(0, 254) : null,
      });
    }),
  );

  router.get(
    '/:serviceProviderId/bearbeiten',
    scoped(serviceProviderScope, (req, res, { provider }) => showProviderForm(req, res, provider, providerFormOf(provider))),
  );

  router.post(
    '/:serviceProviderId',
    scoped(serviceProviderScope, async (req, res, { staff, provider }) => {
      const { form, errors, values } = await checkProviderForm(req.em, providerFormFrom(req.body), provider);
      if (Object.keys(errors).length) return showProviderForm(req, res, provider, form, errors, 422);
      updateProvider(req.em, staff, provider, values, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${LIST}/${provider.id}?erledigt=gespeichert`);
    }),
  );

  // An archived Dienstleister is no longer offered in the Vorgänge handover.
  archiveRoutes(router, '/:serviceProviderId', serviceProviderScope, ({ provider }) => ({
    record: provider,
    subjectType: 'service_provider',
    back: `${LIST}/${provider.id}`,
    notice: true,
  }));

  return router;
}

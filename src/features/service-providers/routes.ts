import { Router, type NextFunction, type Request, type Response } from 'express';
import { ServiceProvider } from '../../entities/index.ts';
import { findByIdOr404 } from '../../http/find.ts';
import { fieldMessages, type FieldMessage } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { archiveRoutes, listQuery } from '../masterdata/console-routes.ts';
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

async function loadProvider(req: Request, res: Response, next: NextFunction) {
  res.locals.provider = await findByIdOr404(req.em, ServiceProvider, req.params.serviceProviderId);
  next();
}

function showProviderForm(req: Request, res: Response, provider: ServiceProvider | null, form: ProviderForm, errors: Record<string, FieldMessage> = {}, status = 200) {
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

  router.get('/', async (req, res) => {
    const { q, archived, sort, page, params } = listQuery(req, PROVIDER_SORTS, PROVIDER_SORT_DEFAULT);
    const result = await searchProviders(req.em, q, page, sort, archived);
    const view = req.get('hx-target') === 'provider-results' ? 'service-providers/_results' : 'service-providers/index';
    render(req, res, view, { title: req.t('masterdata:kinds.service-providers'), q, archived, sort, params, ...result });
  });

  router.get('/neu', (req, res) => showProviderForm(req, res, null, providerFormOf(null)));

  router.post('/', async (req, res) => {
    const { form, errors, values } = await checkProviderForm(req.em, providerFormFrom(req.body), null);
    if (Object.keys(errors).length) return showProviderForm(req, res, null, form, errors, 422);
    const provider = createProvider(req.em, req.staff!, values, req.deps.clock.now());
    await req.em.flush();
    res.redirect(303, `${LIST}/${provider.id}?erledigt=angelegt`);
  });

  router.get('/:serviceProviderId', loadProvider, (req, res) => {
    const provider: ServiceProvider = res.locals.provider;
    render(req, res, 'service-providers/show', { title: provider.name, provider, notice: NOTICES.find((n) => n === req.query.erledigt) ?? null });
  });

  router.get('/:serviceProviderId/bearbeiten', loadProvider, (req, res) => showProviderForm(req, res, res.locals.provider, providerFormOf(res.locals.provider)));

  router.post('/:serviceProviderId', loadProvider, async (req, res) => {
    const provider: ServiceProvider = res.locals.provider;
    const { form, errors, values } = await checkProviderForm(req.em, providerFormFrom(req.body), provider);
    if (Object.keys(errors).length) return showProviderForm(req, res, provider, form, errors, 422);
    updateProvider(req.em, req.staff!, provider, values, req.deps.clock.now());
    await req.em.flush();
    res.redirect(303, `${LIST}/${provider.id}?erledigt=gespeichert`);
  });

  // An archived Dienstleister is no longer offered in the Vorgänge handover.
  archiveRoutes(router, '/:serviceProviderId', [loadProvider], (_req, res) => ({ record: res.locals.provider, subjectType: 'service_provider', back: `${LIST}/${res.locals.provider.id}`, notice: true }));

  return router;
}

import { Router, type NextFunction, type Request, type Response } from 'express';
import { FaqEntry, Organization } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { findByIdOr404 } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { loadPortalPropertyForAnyAccess } from '../portal/routes.ts';
import { ALL_PROPERTIES, propertyChoices } from './shared.ts';
import { createFaq, deleteFaq, faqForm, faqGroups, formOf, moveFaq, portalFaq, updateFaq, validateFaq, type FaqForm, type FieldErrors } from './service.ts';
import { fieldMessages } from '../../http/forms.ts';

// Fragen & Antworten: maintained in the console, shown in the portal when enabled.

const LIST = '/verwaltung/fragen';

async function loadEntry(req: Request, res: Response, next: NextFunction) {
  res.locals.entry = await findByIdOr404(req.em, FaqEntry, req.params.faqId, { populate: ['property'] });
  next();
}

/** The new/edit form, empty, filled from an entry, or as submitted with its messages. */
async function showForm(req: Request, res: Response, form: FaqForm, errors: FieldErrors = {}, status = 200) {
  const entry = res.locals.entry as FaqEntry | undefined;
  render(
    req,
    res,
    'faq/form',
    {
      title: req.t(entry ? 'faq:edit' : 'faq:new'),
      form,
      errors: fieldMessages(req.t, errors),
      properties: await propertyChoices(req.em),
      allProperties: ALL_PROPERTIES,
      action: entry ? `${LIST}/${entry.id}` : LIST,
    },
    status,
  );
}

/** Console routes, mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();

  router.get('/fragen', async (req, res) => {
    render(req, res, 'faq/index', { title: req.t('faq:title'), groups: await faqGroups(req.em), saved: req.query.gespeichert === '1' });
  });

  router.get('/fragen/neu', (req, res) => {
    const property = typeof req.query.liegenschaft === 'string' ? req.query.liegenschaft : ALL_PROPERTIES;
    return showForm(req, res, { property, question: '', answer: '' });
  });

  router.post('/fragen', async (req, res) => {
    const form = faqForm(req.body);
    const { errors, property } = await validateFaq(req.em, form);
    if (Object.keys(errors).length) return showForm(req, res, form, errors, 422);
    const entry = await createFaq(req.em, req.staff!.organization.id, form, property);
    res.redirect(303, `${LIST}?gespeichert=1#faq-${entry.id}`);
  });

  router.get('/fragen/:faqId', loadEntry, (req, res) => showForm(req, res, formOf(res.locals.entry)));

  router.post('/fragen/:faqId', loadEntry, async (req, res) => {
    const form = faqForm(req.body);
    const { errors, property } = await validateFaq(req.em, form);
    if (Object.keys(errors).length) return showForm(req, res, form, errors, 422);
    await updateFaq(req.em, res.locals.entry, form, property);
    res.redirect(303, `${LIST}?gespeichert=1#faq-${res.locals.entry.id}`);
  });

  router.post('/fragen/:faqId/position', loadEntry, async (req, res) => {
    const direction = req.body?.richtung === 'oben' ? 'up' : req.body?.richtung === 'unten' ? 'down' : null;
    if (direction) await moveFaq(req.em, res.locals.entry, direction);
    res.redirect(303, `${LIST}#faq-${res.locals.entry.id}`);
  });

  router.post('/fragen/:faqId/loeschen', loadEntry, async (req, res) => {
    await deleteFaq(req.em, res.locals.entry);
    res.redirect(303, LIST);
  });

  return router;
}

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview). */
export function portalRoutes() {
  const router = Router();

  router.get('/liegenschaften/:propertyId/fragen', loadPortalPropertyForAnyAccess, async (req, res) => {
    // Administration > Kundenportal > Einstellungen: "FAQ" off hides the section (the nav link too).
    const organization = await req.em.findOneOrFail(Organization, { id: res.locals.property.organization.id });
    if (!organization.faqEnabled) throw new NotFoundError('FAQ disabled');
    render(req, res, 'faq/portal', { title: req.t('faq:title'), section: 'faq', entries: await portalFaq(req.em, res.locals.property.id) });
  });

  return router;
}

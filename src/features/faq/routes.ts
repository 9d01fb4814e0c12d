import { Router, type Request, type Response } from 'express';
import { type FaqEntry, Organization } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { render } from '../../http/views.ts';
import { portalPropertyScope } from '../../scopes/portal.ts';
import { scoped } from '../../scopes/scope.ts';
import { faqEntryScope, staffScope } from '../../scopes/staff.ts';
import { ALL_PROPERTIES, propertyChoices } from './shared.ts';
import { createFaq, deleteFaq, faqForm, faqGroups, formOf, moveFaq, portalFaq, updateFaq, validateFaq, type FaqForm, type FieldErrors } from './service.ts';
import { fieldMessages } from '../../http/forms.ts';

// Fragen & Antworten: maintained in the console, shown in the portal when enabled.

const LIST = '/verwaltung/fragen';

/** The new/edit form, empty, filled from an entry, or as submitted with its messages. */
async function showForm(req: Request, res: Response, entry: FaqEntry | null, form: FaqForm, errors: FieldErrors = {}, status = 200) {
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

  router.get(
    '/fragen',
    scoped(staffScope, async (req, res) => {
      render(req, res, 'faq/index', { title: req.t('faq:title'), groups: await faqGroups(req.em), saved: req.query.gespeichert === '1' });
    }),
  );

  router.get(
    '/fragen/neu',
    scoped(staffScope, (req, res) => {
      const property = typeof req.query.liegenschaft === 'string' ? req.query.liegenschaft : ALL_PROPERTIES;
      return showForm(req, res, null, { property, question: '', answer: '' });
    }),
  );

  router.post(
    '/fragen',
    scoped(staffScope, async (req, res, { organizationId }) => {
      const form = faqForm(req.body);
      const { errors, property } = await validateFaq(req.em, form);
      if (Object.keys(errors).length) return showForm(req, res, null, form, errors, 422);
      const entry = await createFaq(req.em, organizationId, form, property);
      res.redirect(303, `${LIST}?gespeichert=1#faq-${entry.id}`);
    }),
  );

  router.get(
    '/fragen/:faqId',
    scoped(faqEntryScope, (req, res, { entry }) => showForm(req, res, entry, formOf(entry))),
  );

  router.post(
    '/fragen/:faqId',
    scoped(faqEntryScope, async (req, res, { entry }) => {
      const form = faqForm(req.body);
      const { errors, property } = await validateFaq(req.em, form);
      if (Object.keys(errors).length) return showForm(req, res, entry, form, errors, 422);
      await updateFaq(req.em, entry, form, property);
      res.redirect(303, `${LIST}?gespeichert=1#faq-${entry.id}`);
    }),
  );

  router.post(
    '/fragen/:faqId/position',
    scoped(faqEntryScope, async (req, res, { entry }) => {
      const direction = req.body.richtung === 'oben' ? 'up' : req.body.richtung === 'unten' ? 'down' : null;
      if (direction) await moveFaq(req.em, entry, direction);
      res.redirect(303, `${LIST}#faq-${entry.id}`);
    }),
  );

  router.post(
    '/fragen/:faqId/loeschen',
    scoped(faqEntryScope, async (req, res, { entry }) => {
      await deleteFaq(req.em, entry);
      res.redirect(303, LIST);
    }),
  );

  return router;
}

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview). */
export function portalRoutes() {
  const router = Router();

  // The Verwaltung's service information, not content shared with the property: everyone with access.
  router.get(
    '/liegenschaften/:propertyId/fragen',
    scoped(portalPropertyScope, async (req, res, { property }) => {
      // Administration > Kundenportal > Einstellungen: "FAQ" off hides the section (the nav link too).
      const organization = await req.em.findOneOrFail(Organization, { id: property.organization.id });
      if (!organization.faqEnabled) throw new NotFoundError('FAQ disabled');
      render(req, res, 'faq/portal', { title: req.t('faq:title'), section: 'faq', entries: await portalFaq(req.em, property.id) });
    }),
  );

  return router;
}

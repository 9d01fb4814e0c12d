import { Router, type NextFunction, type Request, type Response } from 'express';
import { ContactPerson } from '../../entities/index.ts';
import { findByIdOr404 } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { ALL_PROPERTIES, propertyChoices } from '../faq/shared.ts';
import { loadPortalPropertyForAnyAccess } from '../portal/routes.ts';
import {
  contactPersonForm,
  contactPersonGroups,
  createContactPerson,
  deleteContactPerson,
  formOf,
  moveContactPerson,
  portalContactPersons,
  telHref,
  updateContactPerson,
  validateContactPerson,
  type ContactPersonForm,
  type FieldErrors,
} from './service.ts';
import { fieldMessages } from '../../http/forms.ts';

// Ansprechpartner: maintained in the console, shown in the portal.

const LIST = '/verwaltung/ansprechpartner';

async function loadPerson(req: Request, res: Response, next: NextFunction) {
  res.locals.person = await findByIdOr404(req.em, ContactPerson, req.params.contactPersonId, { populate: ['property'] });
  next();
}

/** The new/edit form, empty, filled from a record, or as submitted with its messages. */
async function showForm(req: Request, res: Response, form: ContactPersonForm, errors: FieldErrors = {}, status = 200) {
  const person = res.locals.person as ContactPerson | undefined;
  render(
    req,
    res,
    'contact-persons/form',
    {
      title: req.t(person ? 'contact-persons:edit' : 'contact-persons:new'),
      form,
      errors: fieldMessages(req.t, errors),
      properties: await propertyChoices(req.em),
      allProperties: ALL_PROPERTIES,
      action: person ? `${LIST}/${person.id}` : LIST,
    },
    status,
  );
}

/** Console routes, mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();

  router.get('/ansprechpartner', async (req, res) => {
    render(req, res, 'contact-persons/index', {
      title: req.t('contact-persons:title'),
      groups: await contactPersonGroups(req.em),
      saved: req.query.gespeichert === '1',
      telHref,
    });
  });

  router.get('/ansprechpartner/neu', (req, res) => {
    const property = typeof req.query.liegenschaft === 'string' ? req.query.liegenschaft : ALL_PROPERTIES;
    return showForm(req, res, { property, name: '', role: '', phone: '', email: '' });
  });

  router.post('/ansprechpartner', async (req, res) => {
    const form = contactPersonForm(req.body);
    const { errors, property } = await validateContactPerson(req.em, form);
    if (Object.keys(errors).length) return showForm(req, res, form, errors, 422);
    const person = await createContactPerson(req.em, req.staff!.organization.id, form, property);
    res.redirect(303, `${LIST}?gespeichert=1#contact-person-${person.id}`);
  });

  router.get('/ansprechpartner/:contactPersonId', loadPerson, (req, res) => showForm(req, res, formOf(res.locals.person)));

  router.post('/ansprechpartner/:contactPersonId', loadPerson, async (req, res) => {
    const form = contactPersonForm(req.body);
    const { errors, property } = await validateContactPerson(req.em, form);
    if (Object.keys(errors).length) return showForm(req, res, form, errors, 422);
    await updateContactPerson(req.em, res.locals.person, form, property);
    res.redirect(303, `${LIST}?gespeichert=1#contact-person-${res.locals.person.id}`);
  });

  router.post('/ansprechpartner/:contactPersonId/position', loadPerson, async (req, res) => {
    const direction = req.body?.richtung === 'oben' ? 'up' : req.body?.richtung === 'unten' ? 'down' : null;
    if (direction) await moveContactPerson(req.em, res.locals.person, direction);
    res.redirect(303, `${LIST}#contact-person-${res.locals.person.id}`);
  });

  router.post('/ansprechpartner/:contactPersonId/loeschen', loadPerson, async (req, res) => {
    await deleteContactPerson(req.em, res.locals.person);
    res.redirect(303, LIST);
  });

  return router;
}

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview). */
export function portalRoutes() {
  const router = Router();

  router.get('/liegenschaften/:propertyId/ansprechpartner', loadPortalPropertyForAnyAccess, async (req, res) => {
    render(req, res, 'contact-persons/portal', {
      title: req.t('contact-persons:title'),
      section: 'contactPersons',
      people: await portalContactPersons(req.em, res.locals.property.id),
      telHref,
    });
  });

  return router;
}

import { staffByEmail } from '../profile/staff.ts';
import { Router, type Request, type Response } from 'express';
import type { ContactPerson } from '../../entities/index.ts';
import { render } from '../../http/views.ts';
import { portalPropertyScope } from '../../scopes/portal.ts';
import { scoped } from '../../scopes/scope.ts';
import { contactPersonScope, staffScope } from '../../scopes/staff.ts';
import { ALL_PROPERTIES, propertyChoices } from '../faq/shared.ts';
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

/** The new/edit form, empty, filled from a record, or as submitted with its messages. */
async function showForm(req: Request, res: Response, person: ContactPerson | null, form: ContactPersonForm, errors: FieldErrors = {}, status = 200) {
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

  router.get(
    '/ansprechpartner',
    scoped(staffScope, async (req, res) => {
      render(req, res, 'contact-persons/index', {
        title: req.t('contact-persons:title'),
        groups: await contactPersonGroups(req.em),
        saved: req.query.gespeichert === '1',
        telHref,
      });
    }),
  );

  router.get(
    '/ansprechpartner/neu',
    scoped(staffScope, (req, res) => {
      const property = typeof req.query.liegenschaft === 'string' ? req.query.liegenschaft : ALL_PROPERTIES;
      return showForm(req, res, null, { property, name: '', role: '', phone: '', email: '' });
    }),
  );

  router.post(
    '/ansprechpartner',
    scoped(staffScope, async (req, res, { organizationId }) => {
      const form = contactPersonForm(req.body);
      const { errors, property } = await validateContactPerson(req.em, form);
      if (Object.keys(errors).length) return showForm(req, res, null, form, errors, 422);
      const person = await createContactPerson(req.em, organizationId, form, property);
      res.redirect(303, `${LIST}?gespeichert=1#contact-person-${person.id}`);
    }),
  );

  router.get(
    '/ansprechpartner/:contactPersonId',
    scoped(contactPersonScope, (req, res, { person }) => showForm(req, res, person, formOf(person))),
  );

  router.post(
    '/ansprechpartner/:contactPersonId',
    scoped(contactPersonScope, async (req, res, { person }) => {
      const form = contactPersonForm(req.body);
      const { errors, property } = await validateContactPerson(req.em, form);
      if (Object.keys(errors).length) return showForm(req, res, person, form, errors, 422);
      await updateContactPerson(req.em, person, form, property);
      res.redirect(303, `${LIST}?gespeichert=1#contact-person-${person.id}`);
    }),
  );

  router.post(
    '/ansprechpartner/:contactPersonId/position',
    scoped(contactPersonScope, async (req, res, { person }) => {
      const direction = req.body.richtung === 'oben' ? 'up' : req.body.richtung === 'unten' ? 'down' : null;
      if (direction) await moveContactPerson(req.em, person, direction);
      res.redirect(303, `${LIST}#contact-person-${person.id}`);
    }),
  );

  router.post(
    '/ansprechpartner/:contactPersonId/loeschen',
    scoped(contactPersonScope, async (req, res, { person }) => {
      await deleteContactPerson(req.em, person);
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
    '/liegenschaften/:propertyId/ansprechpartner',
    scoped(portalPropertyScope, async (req, res, { property }) => {
      const people = await portalContactPersons(req.em, property.id);
      render(req, res, 'contact-persons/portal', {
        title: req.t('contact-persons:title'),
        section: 'contactPersons',
        people,
        // An Ansprechpartner who is a member of staff shows their profile photo (src/features/profile).
        staffByEmail: await staffByEmail(
          req.em,
          people.map((p) => p.email),
        ),
        telHref,
      });
    }),
  );

  return router;
}

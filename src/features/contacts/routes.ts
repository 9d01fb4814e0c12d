import { Router, type Request, type Response } from 'express';
import { CONTACT_PREFERENCES, contactDisplayName, type Contact } from '../../entities/index.ts';
import { fieldMessages, type FieldMessage } from '../../http/forms.ts';
import { listQuery } from '../../http/paging.ts';
import { receiveUploads } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { contactScope, staffScope } from '../../scopes/staff.ts';
import { DOCUMENT_FILES_FIELD, publishUploadedDocuments } from '../documents/upload-service.ts';
import { addUserToContact, inviteContact, PORTAL_STATUSES } from '../invitations/service.ts';
import { archiveRoutes } from '../masterdata/archive-actions.ts';
import {
  checkContactForm,
  CONTACT_CHOICES,
  contactFormFrom,
  contactFormOf,
  contactLocked,
  createContact,
  updateContact,
  type ContactForm,
} from './edit-service.ts';
import { showContact } from './page.ts';
import { CONTACT_SORT_DEFAULT, CONTACT_SORTS, contactProperties, searchContacts } from './service.ts';

const contactPath = (contact: Contact) => `/verwaltung/kontakte/${contact.id}`;

/** The Kontakt form (new or edit), empty, from the record, or as submitted with its messages. */
function showContactForm(req: Request, res: Response, contact: Contact | null, form: ContactForm, errors: Record<string, FieldMessage> = {}, status = 200) {
  render(
    req,
    res,
    'contacts/form',
    {
      title: contact ? req.t('contacts-edit:contacts.editTitle', { name: contactDisplayName(contact) }) : req.t('contacts-edit:contacts.newTitle'),
      contact,
      form,
      errors: fieldMessages(req.t, errors),
      locked: contactLocked(contact),
      choices: CONTACT_CHOICES,
      action: contact ? contactPath(contact) : '/verwaltung/kontakte',
    },
    status,
  );
}

/**
 * The labels the rows of the Kontakte list repeat, translated once per request rather than
 * fifty times in the row loop of views/contacts/_results.eta (issue 16: 0.5–0.9 ms a page).
 */
function contactListLabels(t: Request['t']) {
  return {
    archived: t('contacts-edit:archived'),
    preference: Object.fromEntries(CONTACT_PREFERENCES.map((p) => [p, t(`console:contacts.preferences.${p}`)])),
    status: Object.fromEntries(PORTAL_STATUSES.map((s) => [s, t(`invitations:status.${s}`)])),
  };
}

/**
 * Console: Kontakte, mounted at /verwaltung/kontakte (staff): the list, Kontakt anlegen and
 * bearbeiten, archivieren, and the forms of the contact page that show it again when refused:
 * "Kontakt einladen", "Nutzer zum Kontakt hinzufügen" (src/features/invitations/service.ts)
 * and "Dokument hochladen" (src/features/documents/upload-service.ts).
 */
export function consoleRoutes() {
  const router = Router();
  router.get(
    '/',
    scoped(staffScope, async (req, res) => {
      const { q, archived, sort, page, params } = listQuery(req, CONTACT_SORTS, CONTACT_SORT_DEFAULT);
      const result = await searchContacts(req.em, q, page, req.deps.clock.now(), { sort, archived });
      const view = req.get('hx-target') === 'contact-results' ? 'contacts/_results' : 'contacts/index';
      render(req, res, view, { title: req.t('console:contacts.title'), q, archived, params, ...result, labels: contactListLabels(req.t) });
    }),
  );

  router.get(
    '/neu',
    scoped(staffScope, (req, res, { viewer }) => showContactForm(req, res, null, contactFormOf(null, viewer.organization))),
  );

  router.post(
    '/',
    scoped(staffScope, async (req, res, { staff }) => {
      const { form, errors, values } = await checkContactForm(req.em, contactFormFrom(req.body), null);
      if (Object.keys(errors).length) return showContactForm(req, res, null, form, errors, 422);
      const contact = createContact(req.em, staff, values, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${contactPath(contact)}?erledigt=angelegt`);
    }),
  );

  router.get(
    '/:contactId',
    scoped(contactScope, (req, res, scope) => showContact(req, res, scope)),
  );

  router.get(
    '/:contactId/bearbeiten',
    scoped(contactScope, (req, res, { staff, contact }) => showContactForm(req, res, contact, contactFormOf(contact, staff.organization))),
  );

  router.post(
    '/:contactId',
    scoped(contactScope, async (req, res, { staff, contact }) => {
      const { form, errors, values } = await checkContactForm(req.em, contactFormFrom(req.body), contact);
      if (Object.keys(errors).length) return showContactForm(req, res, contact, form, errors, 422);
      updateContact(req.em, staff, contact, values, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${contactPath(contact)}?erledigt=gespeichert`);
    }),
  );

  // An archived contact's logins see nothing through it any more: the access rule
  // (src/features/access/service.ts) skips archived contacts.
  archiveRoutes(router, '/:contactId', contactScope, ({ contact }) => ({ record: contact, subjectType: 'contact', back: contactPath(contact), notice: true }));

  // "Kontakt einladen" by e-mail or letter.
  router.post(
    '/:contactId/einladung',
    scoped(contactScope, async (req, res, scope) => {
      const { staff, contact } = scope;
      const channel = String(req.body.channel ?? '');
      const result = await inviteContact(req.em, {
        staff,
        contact,
        channel,
        baseUrl: req.deps.config.baseUrl,
        storage: req.storage,
        pdf: req.pdfWorkers,
        now: req.deps.clock.now(),
      });
      if ('problem' in result) {
        return showContact(req, res, scope, { inviteForm: { channel }, errors: { channel: req.t(`invitations:problems.${result.problem}`) } }, 422);
      }
      res.redirect(303, `${contactPath(contact)}?hinweis=${channel === 'email' ? 'email' : 'brief'}`);
    }),
  );

  // "Nutzer zum Kontakt hinzufügen": another login for the same contact.
  router.post(
    '/:contactId/nutzer',
    scoped(contactScope, async (req, res, scope) => {
      const { staff, contact } = scope;
      const email = String(req.body.email ?? '');
      const result = await addUserToContact(req.em, { staff, contact, email, baseUrl: req.deps.config.baseUrl, now: req.deps.clock.now() });
      if ('problem' in result) {
        return showContact(req, res, scope, { addUserForm: { email }, errors: { email: req.t(`invitations:problems.${result.problem}`) } }, 422);
      }
      res.redirect(
        303,
        `${contactPath(contact)}?hinweis=${result.outcome === 'offered' ? 'nutzer-angeboten' : 'nutzer-eingeladen'}&an=${encodeURIComponent(result.email)}`,
      );
    }),
  );

  // "Dokument hochladen", shared with this contact alone.
  router.post(
    '/:contactId/dokumente',
    scoped(contactScope, async (req, res, scope) => {
      const { staff, contact } = scope;
      const place = { kind: 'contact' as const, contact, properties: await contactProperties(req.em, contact) };
      const received = await receiveUploads(req, res, req.storage, DOCUMENT_FILES_FIELD);
      const outcome = await publishUploadedDocuments(req.em, req.storage, staff, place, { ...received, body: req.body }, req.deps.clock.now());
      if ('errors' in outcome) return showContact(req, res, scope, { docForm: outcome.form, docErrors: fieldMessages(req.t, outcome.errors) }, 422);
      res.redirect(303, `${contactPath(contact)}?hochgeladen=${outcome.published}`);
    }),
  );

  return router;
}

import { Router, type NextFunction, type Request, type Response } from 'express';
import { berlinDate } from '../../clock.ts';
import { Contact, contactDisplayName } from '../../entities/index.ts';
import { findByIdOr404 } from '../../http/find.ts';
import { fieldMessages, type FieldMessage } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { archiveRoutes, listQuery } from '../masterdata/console-routes.ts';
import { documentsPanel, uploadedCount, type UploadForm } from '../documents/console-service.ts';
import { checkContactForm, CONTACT_CHOICES, contactFormFrom, contactFormOf, contactLocked, createContact, updateContact, type ContactForm } from './edit-service.ts';
import { CONTACT_SORT_DEFAULT, CONTACT_SORTS, contactDetail, propertiesOfContracts, searchContacts } from './service.ts';

/** Loads the contact of the URL through the Verwaltung-scoped EntityManager (404 otherwise). */
export async function loadContact(req: Request, res: Response, next: NextFunction) {
  res.locals.contact = await findByIdOr404(req.em, Contact, req.params.contactId);
  next();
}

/** Notices the contact page shows after a successful action (?hinweis=…), by their i18n key. */
const NOTICES = ['email', 'brief', 'nutzer-eingeladen', 'nutzer-angeboten', 'gesperrt', 'entsperrt'] as const;
/** Notices after Kontakt anlegen/bearbeiten/archivieren (?erledigt=…), contacts-edit:contacts.notices.<key>. */
const ADMIN_NOTICES = ['angelegt', 'gespeichert', 'archiviert', 'wiederhergestellt'] as const;

/**
 * Renders the contact page, also with the messages of a refused form of the invitation
 * actions (src/features/invitations/routes.ts): `forms` holds their values and messages.
 */
export async function showContact(req: Request, res: Response, contact: Contact, forms: Record<string, unknown> = {}, status = 200) {
  const detail = await contactDetail(req.em, contact, req.deps.clock.now());
  const notice = NOTICES.find((n) => n === req.query.hinweis) ?? null;
  // Dokumente shared with the contact and "Dokument hochladen" (src/features/documents); a
  // refused upload passes its values and messages as forms.docForm / forms.docErrors.
  const docs = await documentsPanel(
    req.em,
    req.staff!.organization.id,
    { kind: 'contact', contact, properties: propertiesOfContracts(detail.contracts) },
    forms.docForm as UploadForm | undefined,
    (forms.docErrors as Record<string, string> | undefined) ?? {},
    uploadedCount(req.query.hochgeladen),
  );
  render(
    req,
    res,
    'contacts/show',
    {
      title: contactDisplayName(contact),
      contact,
      ...detail,
      notice,
      adminNotice: ADMIN_NOTICES.find((n) => n === req.query.erledigt) ?? null,
      noticeEmail: typeof req.query.an === 'string' ? req.query.an.slice(0, 254) : '',
      inviteForm: { channel: contact.email ? 'email' : 'letter' },
      addUserForm: { email: '' },
      errors: {},
      docs,
      ...forms,
      today: berlinDate(req.deps.clock.now()),
    },
    status,
  );
}

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
      action: contact ? `/verwaltung/kontakte/${contact.id}` : '/verwaltung/kontakte',
    },
    status,
  );
}

export function consoleRoutes() {
  const router = Router();
  router.get('/', async (req, res) => {
    const { q, archived, sort, page, params } = listQuery(req, CONTACT_SORTS, CONTACT_SORT_DEFAULT);
    const result = await searchContacts(req.em, q, page, req.deps.clock.now(), { sort, archived });
    const view = req.get('hx-target') === 'contact-results' ? 'contacts/_results' : 'contacts/index';
    render(req, res, view, { title: req.t('console:contacts.title'), q, archived, params, ...result });
  });

  router.get('/neu', (req, res) => showContactForm(req, res, null, contactFormOf(null, req.staff!.organization)));

  router.post('/', async (req, res) => {
    const { form, errors, values } = await checkContactForm(req.em, contactFormFrom(req.body), null);
    if (Object.keys(errors).length) return showContactForm(req, res, null, form, errors, 422);
    const contact = createContact(req.em, req.staff!, values, req.deps.clock.now());
    await req.em.flush();
    res.redirect(303, `/verwaltung/kontakte/${contact.id}?erledigt=angelegt`);
  });

  router.get('/:contactId', async (req, res) => {
    await showContact(req, res, await findByIdOr404(req.em, Contact, req.params.contactId));
  });

  router.get('/:contactId/bearbeiten', loadContact, (req, res) => showContactForm(req, res, res.locals.contact, contactFormOf(res.locals.contact, req.staff!.organization)));

  router.post('/:contactId', loadContact, async (req, res) => {
    const contact: Contact = res.locals.contact;
    const { form, errors, values } = await checkContactForm(req.em, contactFormFrom(req.body), contact);
    if (Object.keys(errors).length) return showContactForm(req, res, contact, form, errors, 422);
    updateContact(req.em, req.staff!, contact, values, req.deps.clock.now());
    await req.em.flush();
    res.redirect(303, `/verwaltung/kontakte/${contact.id}?erledigt=gespeichert`);
  });

  // An archived contact's logins see nothing through it any more: the access rule
  // (src/features/access/service.ts) skips archived contacts.
  archiveRoutes(router, '/:contactId', [loadContact], (_req, res) => ({ record: res.locals.contact, subjectType: 'contact', back: `/verwaltung/kontakte/${res.locals.contact.id}`, notice: true }));
  return router;
}

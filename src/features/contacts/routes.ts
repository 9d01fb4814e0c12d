import { Router, type NextFunction, type Request, type Response } from 'express';
import { berlinDate } from '../../clock.ts';
import { Contact, contactDisplayName } from '../../entities/index.ts';
import { findByIdOr404 } from '../../http/find.ts';
import { pageNumber } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { documentsPanel, uploadedCount, type UploadForm } from '../documents/console-service.ts';
import { contactDetail, propertiesOfContracts, searchContacts } from './service.ts';

/** Loads the contact of the URL through the Verwaltung-scoped EntityManager (404 otherwise). */
export async function loadContact(req: Request, res: Response, next: NextFunction) {
  res.locals.contact = await findByIdOr404(req.em, Contact, req.params.contactId);
  next();
}

/** Notices the contact page shows after a successful action (?hinweis=…), by their i18n key. */
const NOTICES = ['email', 'brief', 'nutzer-eingeladen', 'nutzer-angeboten', 'gesperrt', 'entsperrt'] as const;

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

export function consoleRoutes() {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const result = await searchContacts(req.em, q, pageNumber(req.query.seite), req.deps.clock.now());
    const view = req.get('hx-target') === 'contact-results' ? 'contacts/_results' : 'contacts/index';
    render(req, res, view, { title: req.t('console:contacts.title'), q, ...result });
  });

  router.get('/:contactId', async (req, res) => {
    await showContact(req, res, await findByIdOr404(req.em, Contact, req.params.contactId));
  });
  return router;
}

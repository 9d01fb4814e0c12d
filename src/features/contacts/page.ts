import { openContactChanges, proposalLockedByErp } from '../profile/contact-changes.ts';
import type { Request, Response } from 'express';
import { berlinDate } from '../../clock.ts';
import { contactDisplayName, type Contact } from '../../entities/index.ts';
import { render } from '../../http/views.ts';
import type { StaffScope } from '../../scopes/staff.ts';
import { documentsPanel, uploadedCount, type UploadForm } from '../documents/console-service.ts';
import { contactDetail, propertiesOfContracts } from './service.ts';
import { employeesPanel } from '../commercial/service.ts';

/** Notices the contact page shows after a successful action (?hinweis=…), by their i18n key. */
const NOTICES = ['email', 'brief', 'nutzer-eingeladen', 'nutzer-angeboten', 'gesperrt', 'entsperrt', 'mitarbeiter-eingeladen', 'mitarbeiter-entfernt'] as const;
/** Notices after Kontakt anlegen/bearbeiten/archivieren (?erledigt=…), contacts-edit:contacts.notices.<key>. */
const ADMIN_NOTICES = ['angelegt', 'gespeichert', 'archiviert', 'wiederhergestellt'] as const;

/**
 * What a refused form on the contact page shows again (./routes.ts): the invitation forms
 * (inviteForm, addUserForm with `errors`) and "Dokument hochladen" (docForm, docErrors).
 */
export type ContactPageForms = {
  inviteForm?: { channel: string };
  addUserForm?: { email: string };
  errors?: Record<string, string>;
  docForm?: UploadForm;
  docErrors?: Record<string, string>;
  /** "Gewerbemitarbeiter einladen" (src/features/commercial/routes.ts), messages already translated. */
  employeeForm?: { name: string; email: string; propertyId: string };
  employeeErrors?: Record<string, string>;
};

/** Renders the contact page, also with the messages of one of its refused forms (`forms`). */
export async function showContact(
  req: Request,
  res: Response,
  { organizationId, contact }: StaffScope & { contact: Contact },
  forms: ContactPageForms = {},
  status = 200,
) {
  const detail = await contactDetail(req.em, contact, req.deps.clock.now());
  const notice = NOTICES.find((n) => n === req.query.hinweis) ?? null;
  // Dokumente shared with the contact and "Dokument hochladen" (src/features/documents).
  const docs = await documentsPanel(
    req.em,
    organizationId,
    { kind: 'contact', contact, properties: propertiesOfContracts(detail.contracts) },
    forms.docForm,
    forms.docErrors ?? {},
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
      // Phone and address residents proposed (src/features/profile/contact-changes.ts).
      contactChanges: await openContactChanges(req.em, contact),
      contactChangesLocked: proposalLockedByErp(contact),
      // Gewerbemitarbeiter of a company with a commercial tenancy (src/features/commercial).
      employees: await employeesPanel(req.em, contact, req.deps.clock.now()),
      employeeForm: { name: '', email: '', propertyId: '' },
      employeeErrors: {},
      ...forms,
      today: berlinDate(req.deps.clock.now()),
    },
    status,
  );
}

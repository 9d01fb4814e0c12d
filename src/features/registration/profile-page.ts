import type { Request, Response } from 'express';
import type { PortalUser } from '../../entities/index.ts';
import { render } from '../../http/views.ts';
import { AVATARS, avatarUrl } from '../profile/avatars.ts';
import { openProposalOf } from '../profile/contact-changes.ts';
import { photoUrl } from '../profile/photo.ts';
import { contactsOf, contactsThatMayAddUsers } from './service.ts';

const PROFILE = '/portal/profil';

export type ProfileForms = {
  name: string;
  contactPreference: string;
  contactData: { phone: string; street: string; postalCode: string; city: string };
  addAccess: { code: string; contractNumber: string };
  addUser: { contactId: string; inviteEmail: string };
  /** The profile's own sections (src/features/profile). */
  displayName: string;
  avatar: string;
  newEmail: string;
  locale: string;
};

/** The profile page with every section; `forms` overrides what one section shows after a 422. */
export async function showProfile(
  req: Request,
  res: Response,
  user: PortalUser,
  override: Partial<ProfileForms> = {},
  messages: Record<string, string> = {},
  status = 200,
) {
  const org = user.organization;
  const contacts = await contactsOf(user);
  const addUserContacts = org.residentsMayAddUsers ? await contactsThatMayAddUsers(req.em, contacts, req.deps.clock.now()) : [];
  const first = contacts[0];
  const forms: ProfileForms = {
    name: user.name,
    contactPreference: first?.contactPreference ?? '',
    contactData: { phone: first?.phone ?? '', street: first?.street ?? '', postalCode: first?.postalCode ?? '', city: first?.city ?? '' },
    addAccess: { code: '', contractNumber: '' },
    addUser: { contactId: '', inviteEmail: '' },
    displayName: user.displayName ?? '',
    avatar: user.avatar ?? '',
    newEmail: '',
    locale: user.locale,
    ...override,
  };
  render(
    req,
    res,
    'registration/profile',
    {
      title: req.t('registration:profile.title'),
      user,
      contacts,
      forms,
      errors: messages,
      showPreference: org.askContactPreference && contacts.length > 0,
      showContactData: contacts.length > 0,
      addUserContacts,
      showAddUser: addUserContacts.length > 0,
      asksContractNumber: org.confirmContractNumber,
      photoUrl: photoUrl('/portal', { area: 'portal', user }),
      proposal: await openProposalOf(req.em, contacts),
      avatars: AVATARS.map((name) => ({ name, url: avatarUrl(name) })),
      savedMessage: savedMessage(req),
    },
    status,
  );
}

/** What the notice after a saved profile section can say: registration:profile.saved.* and profile:saved.*. */
const SAVED = {
  name: 'registration:profile.saved.name',
  preference: 'registration:profile.saved.preference',
  contactData: 'registration:profile.saved.contactData',
  password: 'registration:profile.saved.password',
  invited: 'registration:profile.saved.invited',
  photo: 'profile:saved.photo',
  photoRemoved: 'profile:saved.photoRemoved',
  avatar: 'profile:saved.avatar',
  displayName: 'profile:saved.displayName',
  language: 'profile:saved.language',
  emailRequested: 'profile:saved.emailRequested',
} as const;
export type Saved = keyof typeof SAVED;
export const savedTo = (what: Saved, anchor = '') => `${PROFILE}?gespeichert=${what}${anchor}`;

function savedMessage(req: Request): string | null {
  const what = req.query.gespeichert;
  if (typeof what !== 'string' || !Object.hasOwn(SAVED, what)) return null;
  // The e-mail change names the address it wrote to (the same answer whether or not it is taken).
  const email = typeof req.query.an === 'string' ? req.query.an : '';
  return String(req.t(SAVED[what as Saved], { email }));
}

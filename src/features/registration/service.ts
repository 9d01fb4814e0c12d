import { joinProvider } from '../orders/members.ts';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import { scopeToOrganization } from '../../db/tenant.ts';
import {
  AuditLog,
  type Contact,
  Contract,
  Invitation,
  PortalMembership,
  PortalUser,
  contactDisplayName,
  type ContactPreference,
  type Organization,
  type Property,
} from '../../entities/index.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../../auth/password.ts';
import { createSession, invalidateUserSessions } from '../../auth/session.ts';
import { accountKey, clearFailures, countAttempt, refundAttempt, THROTTLE } from '../../auth/throttle.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { consumeInvitation, createInvitation, findUsableInvitation, hashCode, invitationState, normalizeCode } from '../invitations/codes.ts';
import { isEmail, normalizeEmail } from '../login/service.ts';
import { contactsWithinAccessWindow, propertyAccess, type PropertyAccess } from '../access/service.ts';
import { enqueuePortalInvitationMail } from './mails.ts';
import { proposeContactData } from '../profile/contact-changes.ts';
import { redeemEmployeeInvitation } from '../commercial/redeem.ts';
import { germanOrder } from '../../intl.ts';

export type { FieldErrors };

// --- Codes: lookup, reasons, throttle ----------------------------------------------------

/**
 * Guessing codes is throttled per IP, with its own key so it does not share the budget of
 * the login throttle. Every lookup counts before the code is looked at; a lookup that finds
 * a usable code (and, where asked, the right contract number) gives its count back, so only
 * wrong guesses use up the budget.
 */
export const CODE_THROTTLE = { limit: 20 };
const codeKey = (ip: string) => `registration-ip:${ip}`;

/** Why a code cannot be used; the i18n key of each is registration:errors.code.<reason>. */
export type CodeProblem = 'unknown' | 'expired' | 'used' | 'replaced';

export type CodeLookup = { invitation: Invitation } | { problem: CodeProblem } | { throttledUntil: Date };

/** Counts a code attempt of this IP; returns the end of the lock when over the limit. */
export function countCodeAttempt(em: Em, ip: string, now: Date): Promise<Date | null> {
  return countAttempt(em, [{ key: codeKey(ip), limit: CODE_THROTTLE.limit }], now);
}

export function refundCodeAttempt(em: Em, ip: string): Promise<void> {
  return refundAttempt(em, codeKey(ip), CODE_THROTTLE.limit);
}

/** The reason a code is not usable (findUsableInvitation said no), for a clear message. */
async function codeProblem(em: Em, code: string, now: Date): Promise<CodeProblem> {
  const normalized = normalizeCode(code);
  if (!normalized) return 'unknown';
  const invitation = await em.findOne(Invitation, { codeHash: hashCode(normalized) }, { filters: { tenant: false } });
  if (!invitation) return 'unknown';
  const state = invitationState(invitation, now);
  return state === 'open' ? 'unknown' : state;
}

/**
 * Looks a code up under the throttle: the usable invitation, the reason it is not usable,
 * or the end of the lock. Does not refund: the caller does once everything the code
 * protects has been checked (refundCodeAttempt).
 */
export async function lookUpCode(em: Em, code: string, ip: string, now: Date): Promise<CodeLookup> {
  const throttledUntil = await countCodeAttempt(em, ip, now);
  if (throttledUntil) return { throttledUntil };
  const invitation = await findUsableInvitation(em, code, now);
  if (!invitation) return { problem: await codeProblem(em, code, now) };
  return { invitation };
}

/** Whether registering with this invitation asks for a contract number ("Vertragsnummer bei Registrierung bestätigen"). */
export function asksContractNumber(invitation: Invitation): boolean {
  return invitation.organization.confirmContractNumber && Boolean(invitation.contact);
}

const contractNumberKey = (value: string) => value.toUpperCase().replace(/\s+/g, '');

/** Whether the number matches, ignoring case and spaces, one of the contact's contracts (archived ones do not count). */
export async function contractNumberMatches(em: Em, contact: Contact, input: string): Promise<boolean> {
  const wanted = contractNumberKey(input);
  if (!wanted) return false;
  const contracts = await em.find(Contract, { contacts: contact.id, organization: contact.organization.id, archivedAt: null }, { filters: { tenant: false } });
  return contracts.some((c) => c.contractNumber && contractNumberKey(c.contractNumber) === wanted);
}

/** Checks the contract number an invitation asks for; an i18n key of the problem or null. */
async function contractNumberProblem(em: Em, invitation: Invitation, input: string): Promise<string | null> {
  if (!asksContractNumber(invitation)) return null;
  if (!input.trim()) return 'registration:errors.contractNumberRequired';
  return (await contractNumberMatches(em, invitation.contact!, input)) ? null : 'registration:errors.contractNumberMismatch';
}

/** What the registration form shows for a usable code: pre-filled e-mail and name, the contract number field. */
export function registrationDefaults(invitation: Invitation) {
  return {
    email: invitation.email ?? '',
    // The contact's name only for the contact's own invitation: an additional user is someone else.
    name: invitation.kind === 'contact' && invitation.contact ? contactDisplayName(invitation.contact) : '',
    asksContractNumber: asksContractNumber(invitation),
    kind: invitation.kind,
    propertyName: invitation.property?.name ?? null,
    // The company a Gewerbemitarbeiter is invited for (its name is loaded by the lookup, src/features/invitations/codes.ts).
    companyName: invitation.companyContact ? contactDisplayName(invitation.companyContact) : null,
    organizationName: invitation.organization.name,
  };
}

// --- Registration --------------------------------------------------------------------------

export type RegistrationInput = { code: string; email: string; name: string; password: string; passwordRepeat: string; contractNumber: string };

export type RegistrationResult =
  | { ok: true; user: PortalUser; sessionToken: string; needsOnboarding: boolean }
  | { ok: false; errors: FieldErrors; invitation: Invitation | null }
  | { ok: false; throttledUntil: Date };

/** The problems of the password fields: too short/long next to the password, a mismatch next to the repeat. */
export function passwordErrors(password: string, repeat: string, field = 'password', repeatField = 'passwordRepeat'): FieldErrors {
  const problem = passwordProblem(password, repeat);
  if (!problem) return {};
  return problem === 'auth:errors.passwordMismatch' ? { [repeatField]: problem } : { [field]: problem };
}

/** Thrown inside a transaction to roll it back with a form error. */
class Refused extends Error {
  readonly errors: FieldErrors;
  constructor(errors: FieldErrors) {
    super('refused');
    this.errors = errors;
  }
}

/**
 * Locks the invitation row for the rest of the transaction and checks it is still usable:
 * a second registration with the same code waits here until the first commits, then sees
 * it used. consumeInvitation's conditional update stays the final word.
 */
async function lockUsableInvitation(tx: Em, invitationId: string, now: Date): Promise<Invitation> {
  const invitation = await tx.findOne(Invitation, { id: invitationId }, { lockMode: LockMode.PESSIMISTIC_WRITE, filters: { tenant: false }, refresh: true });
  if (!invitation) throw new Refused({ code: 'registration:errors.code.used' });
  const state = invitationState(invitation, now);
  if (state !== 'open') throw new Refused({ code: `registration:errors.code.${state}` });
  return invitation;
}

/**
 * A neighbour's invitation holds only while its sender may still invite there: the Verwaltung
 * may have switched "Nachbarn einladen" off, or the sender's contract may have ended since.
 */
async function neighbourInvitationHolds(tx: Em, invitation: Invitation, now: Date): Promise<boolean> {
  if (!invitation.property || !invitation.invitedByPortalUser) return false;
  const inviter = await tx.findOne(
    PortalUser,
    { id: invitation.invitedByPortalUser.id, organization: invitation.organization.id, disabledAt: null },
    { filters: { tenant: false } },
  );
  if (!inviter) return false;
  const access = await propertyAccess(tx, inviter, invitation.property.id, now);
  return access !== null && mayInviteNeighbours(invitation.organization, access);
}

/** What redeeming an invitation gives a login: the contact, or the Bewohner or Gewerbemitarbeiter membership. */
async function redeem(tx: Em, invitation: Invitation, user: PortalUser, now: Date) {
  if (invitation.kind === 'commercial_employee') {
    const problem = await redeemEmployeeInvitation(tx, invitation, user, now);
    if (problem) throw new Refused({ code: problem });
    return;
  }
  if (invitation.kind === 'neighbour') {
    if (!invitation.property) throw new Refused({ code: 'registration:errors.code.unknown' });
    if (!(await neighbourInvitationHolds(tx, invitation, now))) throw new Refused({ code: 'registration:errors.neighbourInvitationWithdrawn' });
    const existing = await tx.findOne(PortalMembership, { portalUser: user.id, property: invitation.property.id, role: 'resident' });
    if (existing && !existing.endedAt) throw new Refused({ code: 'registration:errors.alreadyLinked' });
    if (existing) {
      existing.endedAt = null;
      existing.invitedBy = invitation.invitedByPortalUser ?? null;
    } else {
      tx.create(PortalMembership, {
        organization: invitation.organization,
        portalUser: user,
        property: invitation.property,
        role: 'resident',
        invitedBy: invitation.invitedByPortalUser ?? null,
        createdAt: now,
      });
    }
    return;
  }
  if (invitation.kind === 'service_provider') {
    const refusal = await joinProvider(tx, invitation, user, now);
    if (refusal) throw new Refused({ code: refusal });
    return;
  }
  if (!invitation.contact) throw new Refused({ code: 'registration:errors.code.unknown' });
  if (user.contacts.isInitialized() && user.contacts.contains(invitation.contact)) throw new Refused({ code: 'registration:errors.alreadyLinked' });
  user.contacts.add(invitation.contact);
}

function audit(em: Em, organization: Organization, user: PortalUser, action: string, data: Record<string, unknown>, now: Date) {
  em.create(AuditLog, {
    organization,
    actorType: 'portal',
    actorId: user.id,
    action,
    subjectType: 'PortalUser',
    subjectId: user.id,
    data,
    createdAt: now,
  });
}

/**
 * "Registrieren" with an invitation code: checks everything first (nothing is created on
 * any problem), then creates the login, links it to the contact (or makes it a Bewohner
 * of the property), consumes the code and opens a session, in one transaction. Scopes
 * `em` to the invitation's Verwaltung.
 */
export async function register(em: Em, input: RegistrationInput, ctx: { ip: string; lang: string; now: Date }): Promise<RegistrationResult> {
  const { ip, now } = ctx;
  const errors: FieldErrors = {};
  const found = await lookUpCode(em, input.code, ip, now);
  if ('throttledUntil' in found) return { ok: false, throttledUntil: found.throttledUntil };
  const invitation = 'invitation' in found ? found.invitation : null;
  if ('problem' in found) errors.code = `registration:errors.code.${found.problem}`;

  const email = normalizeEmail(input.email);
  if (!isEmail(email)) errors.email = 'registration:errors.emailInvalid';
  const name = input.name.trim();
  if (!name) errors.name = 'registration:errors.nameRequired';
  else if (name.length > 200) errors.name = 'registration:errors.nameTooLong';
  Object.assign(errors, passwordErrors(input.password, input.passwordRepeat));

  if (invitation) {
    scopeToOrganization(em, invitation.organization.id);
    if (!errors.email && (await em.count(PortalUser, { email }))) errors.email = 'registration:errors.emailTaken';
    const contractProblem = await contractNumberProblem(em, invitation, input.contractNumber);
    if (contractProblem) errors.contractNumber = contractProblem;
    // The code (and the contract number it is checked with) was right: give the attempt back.
    // Not when the e-mail is taken: else one good code would test e-mail addresses unthrottled.
    else if (errors.email !== 'registration:errors.emailTaken') await refundCodeAttempt(em, ip);
  }
  if (!invitation || Object.keys(errors).length > 0) return { ok: false, errors, invitation };

  // The slow hash before the transaction, so the invitation's row lock is held briefly.
  const passwordHash = await hashPassword(input.password);
  try {
    const done = await em.transactional(async (tx) => {
      const locked = await lockUsableInvitation(tx, invitation.id, now);
      const user = tx.create(PortalUser, {
        organization: invitation.organization,
        email,
        name,
        passwordHash,
        locale: ctx.lang,
        createdAt: now,
        lastLoginAt: now,
        onboardedAt: null,
      });
      await redeem(tx, locked, user, now);
      // Bewohner, Gewerbemitarbeiter and Dienstleister have no contact the questions could be about.
      user.onboardedAt = hasFirstLoginQuestions(invitation.organization, locked.contact !== null) ? null : now;
      await tx.flush();
      if (!(await consumeInvitation(tx, locked.id, user, now))) throw new Refused({ code: 'registration:errors.code.used' });
      audit(tx, invitation.organization, user, 'portal.registered', { invitationId: locked.id, kind: locked.kind }, now);
      const { token } = await createSession(tx, { area: 'portal', user }, now);
      return { user, sessionToken: token };
    });
    return { ok: true, ...done, needsOnboarding: !done.user.onboardedAt };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, errors: error.errors, invitation };
    // Two registrations with different codes and the same e-mail at the same moment.
    if (error instanceof UniqueConstraintViolationException) return { ok: false, errors: { email: 'registration:errors.emailTaken' }, invitation };
    throw error;
  }
}

// --- First-login questions ("Nutzerfragen", seed 001) ---------------------------------------

export type Questions = { resident: boolean; contactData: boolean; preference: boolean };

/**
 * Which first-login questions the Verwaltung's settings ask. They concern the contact, so a
 * login without contacts (a Bewohner invited by a neighbour) is asked none.
 */
export function firstLoginQuestions(org: Organization, hasContacts: boolean): Questions {
  return {
    resident: hasContacts && org.askResidentQuestion,
    contactData: hasContacts && org.askContactDataConfirmation,
    preference: hasContacts && org.askContactPreference,
  };
}

function hasFirstLoginQuestions(org: Organization, hasContacts: boolean): boolean {
  return Object.values(firstLoginQuestions(org, hasContacts)).some(Boolean);
}

export type ContactDataInput = { phone: string; street: string; postalCode: string; city: string };
export type WelcomeInput = ContactDataInput & { livesInProperty: string; contactPreference: string };

/** The answers as the form shows them first: from the user's first contact. */
export function welcomeDefaults(contacts: Contact[]): WelcomeInput {
  const first = contacts[0];
  return {
    phone: first?.phone ?? '',
    street: first?.street ?? '',
    postalCode: first?.postalCode ?? '',
    city: first?.city ?? '',
    livesInProperty: first?.livesInProperty === true ? 'ja' : first?.livesInProperty === false ? 'nein' : '',
    contactPreference: first?.contactPreference ?? '',
  };
}

/** Phone and address are all required; a German postcode has five digits. */
export function validateContactData(input: ContactDataInput, country: string): FieldErrors {
  const errors: FieldErrors = {};
  const required = { phone: 50, street: 200, postalCode: 10, city: 100 } as const;
  for (const [field, max] of Object.entries(required) as [keyof ContactDataInput, number][]) {
    const value = input[field].trim();
    if (!value) errors[field] = `registration:errors.${field}Required`;
    else if (value.length > max) errors[field] = 'registration:errors.tooLong';
  }
  if (!errors.phone && !/^[+\d][\d\s/()-]{4,}$/.test(input.phone.trim())) errors.phone = 'registration:errors.phoneInvalid';
  if (!errors.postalCode && country === 'DE' && !/^\d{5}$/.test(input.postalCode.trim())) errors.postalCode = 'registration:errors.postalCodeInvalid';
  return errors;
}

function isPreference(value: string): value is ContactPreference {
  return value === 'online' || value === 'post';
}

/** Checks the answers to the questions that are asked. */
export function validateWelcome(input: WelcomeInput, questions: Questions, country: string): FieldErrors {
  const errors: FieldErrors = {};
  if (questions.resident && input.livesInProperty !== 'ja' && input.livesInProperty !== 'nein')
    errors.livesInProperty = 'registration:errors.livesInPropertyRequired';
  if (questions.contactData) Object.assign(errors, validateContactData(input, country));
  if (questions.preference && !isPreference(input.contactPreference)) errors.contactPreference = 'registration:errors.contactPreferenceRequired';
  return errors;
}

function applyContactData(contact: Contact, input: ContactDataInput, now: Date) {
  contact.phone = input.phone.trim();
  contact.street = input.street.trim();
  contact.postalCode = input.postalCode.trim();
  contact.city = input.city.trim();
  contact.contactDataConfirmedAt = now;
}

/**
 * Stores the answers on the user's contacts and marks the user onboarded. A login with
 * several contacts (an owner in several properties) is one person: the answers apply to
 * all of their contacts.
 */
export async function saveWelcome(em: Em, user: PortalUser, contacts: Contact[], input: WelcomeInput, questions: Questions, now: Date) {
  for (const contact of contacts) {
    if (questions.resident) contact.livesInProperty = input.livesInProperty === 'ja';
    if (questions.contactData) applyContactData(contact, input, now);
    if (questions.preference && isPreference(input.contactPreference)) contact.contactPreference = input.contactPreference;
  }
  user.onboardedAt = now;
  audit(em, user.organization, user, 'portal.onboarded', { questions }, now);
  await em.flush();
}

// --- Profile -------------------------------------------------------------------------------

/** The user's contacts, by name (what the profile and the questions are about). */
export async function contactsOf(user: PortalUser): Promise<Contact[]> {
  const contacts = await user.contacts.loadItems();
  return [...contacts].filter((c) => !c.archivedAt).sort((a, b) => germanOrder(contactDisplayName(a), contactDisplayName(b)));
}

export function validateName(name: string): FieldErrors {
  const trimmed = name.trim();
  if (!trimmed) return { name: 'registration:errors.nameRequired' };
  if (trimmed.length > 200) return { name: 'registration:errors.nameTooLong' };
  return {};
}

export async function updateName(em: Em, user: PortalUser, name: string) {
  user.name = name.trim();
  await em.flush();
}

/** "Präferierter Kontaktweg", changeable while the Verwaltung asks it (seed 001). */
export async function updatePreference(em: Em, user: PortalUser, contacts: Contact[], preference: string, now: Date): Promise<FieldErrors> {
  if (!isPreference(preference)) return { contactPreference: 'registration:errors.contactPreferenceRequired' };
  for (const contact of contacts) contact.contactPreference = preference;
  audit(em, user.organization, user, 'portal.contact_preference', { preference }, now);
  await em.flush();
  return {};
}

/** Phone and address for all of the user's contacts, proposed to staff on the contact's page. */
export async function updateContactData(em: Em, user: PortalUser, contacts: Contact[], input: ContactDataInput, now: Date): Promise<FieldErrors> {
  const errors = validateContactData(input, contacts[0]?.country ?? 'DE');
  if (Object.keys(errors).length > 0) return errors;
  // Proposed, not written: the contact is the Verwaltung's, staff accept or reject (src/features/profile/contact-changes.ts).
  await proposeContactData(em, user, contacts, input, now);
  return {};
}

/**
 * Changes the password after checking the current one. Every session of the user ends
 * (other devices too); the caller sets the cookie of the new one.
 */
export async function changePassword(
  em: Em,
  user: PortalUser,
  input: { current: string; password: string; passwordRepeat: string },
  now: Date,
): Promise<{ errors: FieldErrors } | { sessionToken: string }> {
  // Guessing the current password with a stolen session counts like failed logins of the account.
  const account = accountKey('portal', user.email);
  if (await countAttempt(em, [{ key: account, limit: THROTTLE.accountLimit }], now)) return { errors: { currentPassword: 'auth:errors.tooManyAttempts' } };
  if (!(await verifyPassword(user.passwordHash, input.current))) return { errors: { currentPassword: 'registration:errors.currentPasswordWrong' } };
  await clearFailures(em, account);
  const errors = passwordErrors(input.password, input.passwordRepeat, 'newPassword', 'newPasswordRepeat');
  if (Object.keys(errors).length > 0) return { errors };
  user.passwordHash = await hashPassword(input.password);
  await invalidateUserSessions(em, { area: 'portal', user });
  audit(em, user.organization, user, 'password.changed', {}, now);
  const { token } = await createSession(em, { area: 'portal', user }, now);
  return { sessionToken: token };
}

/**
 * "Weiteren Zugang hinzufügen": a logged-in user redeems a code. A contact's invitation
 * adds that contact to this login (one login for several contacts → object selection); a
 * neighbour's invitation makes them Bewohner of the property. Same throttle and
 * single-use rule as the registration; codes of another Verwaltung are unknown here.
 */
export async function addAccess(
  em: Em,
  user: PortalUser,
  input: { code: string; contractNumber: string },
  ip: string,
  now: Date,
): Promise<{ ok: true } | { ok: false; errors: FieldErrors } | { ok: false; throttledUntil: Date }> {
  const found = await lookUpCode(em, input.code, ip, now);
  if ('throttledUntil' in found) return { ok: false, throttledUntil: found.throttledUntil };
  if ('problem' in found) return { ok: false, errors: { code: `registration:errors.code.${found.problem}` } };
  const invitation = found.invitation;
  if (invitation.organization.id !== user.organization.id) return { ok: false, errors: { code: 'registration:errors.code.unknown' } };
  const contractProblem = await contractNumberProblem(em, invitation, input.contractNumber);
  if (contractProblem) return { ok: false, errors: { contractNumber: contractProblem } };
  await refundCodeAttempt(em, ip);
  await user.contacts.init();
  // Whether redeem adds the contact here; a refusal must not undo a link that was there before.
  const addsContact = invitation.contact && !user.contacts.contains(invitation.contact) ? invitation.contact : null;
  try {
    await em.transactional(async (tx) => {
      const locked = await lockUsableInvitation(tx, invitation.id, now);
      await redeem(tx, locked, user, now);
      await tx.flush();
      if (!(await consumeInvitation(tx, locked.id, user, now))) throw new Refused({ code: 'registration:errors.code.used' });
      audit(tx, user.organization, user, 'portal.access_added', { invitationId: locked.id, kind: locked.kind }, now);
    });
  } catch (error) {
    if (error instanceof Refused) {
      // The transaction rolled back; forget what redeem changed on the (request's) user.
      if (addsContact) user.contacts.remove(addsContact);
      return { ok: false, errors: error.errors };
    }
    throw error;
  }
  return { ok: true };
}

/**
 * How many invitations one resident may send in 24 hours ("Nutzer zum Kontakt hinzufügen"
 * and "Nachbarn einladen" together): enough for a household, too few to use the portal's
 * mail server for spam.
 */
export const RESIDENT_INVITATIONS_PER_DAY = 10;

/** Whether the user has used up today's invitations; counted from the invitations themselves. */
async function invitationLimitReached(em: Em, user: PortalUser, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  const sent = await em.count(Invitation, { invitedByPortalUser: user.id, createdAt: { $gt: since } });
  return sent >= RESIDENT_INVITATIONS_PER_DAY;
}

/**
 * The user's contacts that may get another login: only those with a contract inside the
 * access window, as on the staff side (src/features/invitations/service.ts, inviteAdditionalUser).
 */
export function contactsThatMayAddUsers(em: Em, contacts: Contact[], now: Date): Promise<Contact[]> {
  return contactsWithinAccessWindow(em, contacts, now);
}

/**
 * The problem with the address a resident invites someone at (an i18n key), or null: a
 * valid address, not their own, and today's invitations not used up.
 */
export async function inviteeEmailProblem(em: Em, user: PortalUser, email: string, now: Date): Promise<string | null> {
  if (!isEmail(email)) return 'registration:errors.emailInvalid';
  if (email === user.email) return 'registration:errors.ownEmail';
  if (await invitationLimitReached(em, user, now)) return 'registration:errors.invitationLimit';
  return null;
}

/**
 * "Nutzer zum Kontakt hinzufügen" (when the Verwaltung allows it): invites a second login
 * for one of the user's contacts by e-mail, e.g. the spouse. Only for a contact inside the
 * access window (contactsThatMayAddUsers); with none, there is nothing to offer.
 */
export async function inviteAdditionalUser(
  em: Em,
  user: PortalUser,
  contacts: Contact[],
  input: { contactId: string; email: string },
  baseUrl: string,
  now: Date,
): Promise<FieldErrors | 'noEligibleContact'> {
  const eligible = await contactsThatMayAddUsers(em, contacts, now);
  if (eligible.length === 0) return 'noEligibleContact';
  const errors: FieldErrors = {};
  const contact = eligible.length === 1 ? eligible[0] : eligible.find((c) => c.id === input.contactId);
  if (!contact) errors.contactId = 'registration:errors.contactRequired';
  const email = normalizeEmail(input.email);
  const emailProblem = await inviteeEmailProblem(em, user, email, now);
  if (emailProblem) errors.inviteEmail = emailProblem;
  if (Object.keys(errors).length > 0) return errors;
  const organization = user.organization;
  await em.transactional(async (tx) => {
    const { invitation, code } = await createInvitation(
      tx,
      { organization, kind: 'additional_user', channel: 'email', contact, email, invitedByPortalUser: user },
      now,
    );
    enqueuePortalInvitationMail(
      tx,
      { organization, invitation, code, to: email, inviterName: user.name, contactName: contactDisplayName(contact!), baseUrl },
      now,
    );
    audit(tx, organization, user, 'invitation.sent', { kind: 'additional_user', invitationId: invitation.id, contactId: contact!.id }, now);
  });
  return {};
}

/** Only someone with a running contract there invites neighbours: never a Bewohner, never a former tenant. */
export function mayInviteNeighbours(org: Organization, access: PropertyAccess): boolean {
  return org.neighbourInvitesEnabled && access.activeRoles.some((role) => role === 'tenant' || role === 'owner');
}

/** "Nachbarn einladen": invites a neighbour by e-mail as Bewohner of the property. */
export async function inviteNeighbour(
  em: Em,
  user: PortalUser,
  property: Property,
  input: { name: string; email: string },
  baseUrl: string,
  now: Date,
): Promise<FieldErrors> {
  const errors: FieldErrors = validateName(input.name);
  const email = normalizeEmail(input.email);
  const emailProblem = await inviteeEmailProblem(em, user, email, now);
  if (emailProblem) errors.email = emailProblem;
  if (Object.keys(errors).length > 0) return errors;
  const organization = user.organization;
  await em.transactional(async (tx) => {
    const { invitation, code } = await createInvitation(
      tx,
      { organization, kind: 'neighbour', channel: 'email', property, email, invitedByPortalUser: user },
      now,
    );
    enqueuePortalInvitationMail(
      tx,
      { organization, invitation, code, to: email, name: input.name.trim(), inviterName: user.name, propertyName: property.name, baseUrl },
      now,
    );
    audit(tx, organization, user, 'invitation.sent', { kind: 'neighbour', invitationId: invitation.id, propertyId: property.id }, now);
  });
  return {};
}

import { Router, type NextFunction, type Request, type Response } from 'express';
import { setSessionCookie } from '../../auth/middleware.ts';
import { invalidateSession } from '../../auth/session.ts';
import { minutesUntil } from '../../auth/throttle.ts';
import { NotFoundError } from '../../http/errors.ts';
import { field, fieldMessages } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import type { Invitation, PortalUser } from '../../entities/index.ts';
import { neighbourInvitationScope, residentScope } from '../../scopes/portal.ts';
import { savedTo, showProfile } from './profile-page.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';
import {
  addAccess,
  changePassword,
  contactsOf,
  firstLoginQuestions,
  inviteAdditionalUser,
  inviteNeighbour,
  lookUpCode,
  refundCodeAttempt,
  register,
  registrationDefaults,
  saveWelcome,
  updateContactData,
  updateName,
  updatePreference,
  validateName,
  validateWelcome,
  welcomeDefaults,
  type FieldErrors,
  type WelcomeInput,
} from './service.ts';

const WELCOME = '/portal/willkommen';

const ipOf = (req: Request) => req.ip ?? 'unknown';

/** The throttle's message with the wait in whole minutes. */
function throttledMessage(req: Request, until: Date): string {
  return req.t('registration:errors.throttled', { minutes: minutesUntil(until, req.deps.clock.now()) });
}

// --- Registration (public) -------------------------------------------------------------------

type RegisterForm = { code: string; email: string; name: string; contractNumber: string };

/**
 * The registration page: step "code" asks only for the code (a GET form, so the link from
 * the invitation and typing the code from a letter are the same request); step "details"
 * asks for the rest, with the code still in the form.
 */
function showRegister(
  req: Request,
  res: Response,
  view: { step: 'code' | 'details'; form: RegisterForm; invitation?: Invitation | null; errors?: Record<string, string> },
  status = 200,
) {
  const info = view.invitation ? registrationDefaults(view.invitation) : null;
  render(
    req,
    res,
    'registration/register',
    {
      layout: 'public',
      title: req.t('registration:register.title'),
      step: view.step,
      form: view.form,
      info,
      // Without a usable code the Verwaltung is unknown: keep the field if it was filled in.
      asksContractNumber: info ? info.asksContractNumber : view.form.contractNumber !== '',
      errors: view.errors ?? {},
    },
    status,
  );
}

/** Registration with an invitation code (no session yet). */
export function publicRoutes() {
  const router = Router();

  router.get(
    '/registrieren',
    scoped(publicScope, async (req, res) => {
      const code = field(req.query.code).trim();
      const empty = { code, email: '', name: '', contractNumber: '' };
      if (!code) return showRegister(req, res, { step: 'code', form: empty });
      const found = await lookUpCode(req.em, code, ipOf(req), req.deps.clock.now());
      if ('throttledUntil' in found)
        return showRegister(req, res, { step: 'code', form: empty, errors: { code: throttledMessage(req, found.throttledUntil) } }, 429);
      if ('problem' in found)
        return showRegister(req, res, { step: 'code', form: empty, errors: { code: req.t(`registration:errors.code.${found.problem}`) } }, 422);
      const defaults = registrationDefaults(found.invitation);
      // A usable code gives its attempt back, unless a contract number still has to be checked with it (on POST).
      if (!defaults.asksContractNumber) await refundCodeAttempt(req.em, ipOf(req));
      showRegister(req, res, { step: 'details', form: { ...empty, email: defaults.email, name: defaults.name }, invitation: found.invitation });
    }),
  );

  router.post(
    '/registrieren',
    scoped(publicScope, async (req, res) => {
      const form = {
        code: field(req.body.code).trim(),
        email: field(req.body.email).trim(),
        name: field(req.body.name),
        contractNumber: field(req.body.contractNumber),
      };
      const now = req.deps.clock.now();
      const result = await register(
        req.em,
        { ...form, password: field(req.body.password), passwordRepeat: field(req.body.passwordRepeat) },
        { ip: ipOf(req), lang: req.lang, now },
      );
      if (!result.ok) {
        if ('throttledUntil' in result)
          return showRegister(req, res, { step: 'details', form, errors: { code: throttledMessage(req, result.throttledUntil) } }, 429);
        return showRegister(req, res, { step: 'details', form, invitation: result.invitation, errors: fieldMessages(req.t, result.errors) }, 422);
      }
      // Someone else's session in this browser ends: the new login takes its place.
      if (req.session) await invalidateSession(req.em, req.session.id);
      setSessionCookie(req, res, 'portal', result.sessionToken);
      res.redirect(303, result.needsOnboarding ? WELCOME : '/portal');
    }),
  );

  return router;
}

// --- First-login questions, profile, "Nachbarn einladen" (residents) ---------------------------

function readWelcome(body: Record<string, unknown>): WelcomeInput {
  return {
    livesInProperty: field(body.livesInProperty),
    phone: field(body.phone),
    street: field(body.street),
    postalCode: field(body.postalCode),
    city: field(body.city),
    contactPreference: field(body.contactPreference),
  };
}

async function showWelcome(req: Request, res: Response, user: PortalUser, form?: WelcomeInput, errors: FieldErrors = {}, status = 200) {
  const contacts = await contactsOf(user);
  const questions = firstLoginQuestions(user.organization, contacts.length > 0);
  render(
    req,
    res,
    'registration/welcome',
    { title: req.t('registration:welcome.title'), questions, form: form ?? welcomeDefaults(contacts), errors: fieldMessages(req.t, errors) },
    status,
  );
}

/** First-login questions, profile, further access by code, "Nachbarn einladen". */
export function portalRoutes() {
  const router = Router();

  router.get(
    '/willkommen',
    scoped(residentScope, async (req, res, { user }) => {
      if (user.onboardedAt) return res.redirect(303, '/portal');
      const contacts = await contactsOf(user);
      const questions = firstLoginQuestions(user.organization, contacts.length > 0);
      // The settings may have changed since registration: with nothing left to ask, go on.
      if (!Object.values(questions).some(Boolean)) {
        await saveWelcome(req.em, user, contacts, welcomeDefaults(contacts), questions, req.deps.clock.now());
        return res.redirect(303, '/portal');
      }
      await showWelcome(req, res, user);
    }),
  );

  router.post(
    '/willkommen',
    scoped(residentScope, async (req, res, { user }) => {
      if (user.onboardedAt) return res.redirect(303, '/portal');
      const contacts = await contactsOf(user);
      const questions = firstLoginQuestions(user.organization, contacts.length > 0);
      const form = readWelcome(req.body);
      const errors = validateWelcome(form, questions, contacts[0]?.country ?? 'DE');
      if (Object.keys(errors).length > 0) return showWelcome(req, res, user, form, errors, 422);
      await saveWelcome(req.em, user, contacts, form, questions, req.deps.clock.now());
      res.redirect(303, '/portal');
    }),
  );

  router.get(
    '/profil',
    requireOnboarded,
    scoped(residentScope, (req, res, { user }) => showProfile(req, res, user)),
  );

  router.post(
    '/profil/name',
    requireOnboarded,
    scoped(residentScope, async (req, res, { user }) => {
      const name = field(req.body.name);
      const errors = validateName(name);
      if (Object.keys(errors).length > 0) return showProfile(req, res, user, { name }, fieldMessages(req.t, errors), 422);
      await updateName(req.em, user, name);
      res.redirect(303, savedTo('name'));
    }),
  );

  router.post(
    '/profil/kontaktweg',
    requireOnboarded,
    scoped(residentScope, async (req, res, { user }) => {
      const contacts = await contactsOf(user);
      // Changeable only while the Verwaltung asks for it (seed 001, "Präferierter Kontaktweg").
      if (!user.organization.askContactPreference || contacts.length === 0) throw new NotFoundError('contact preference not asked');
      const preference = field(req.body.contactPreference);
      const errors = await updatePreference(req.em, user, contacts, preference, req.deps.clock.now());
      if (Object.keys(errors).length > 0) return showProfile(req, res, user, { contactPreference: preference }, fieldMessages(req.t, errors), 422);
      res.redirect(303, savedTo('preference'));
    }),
  );

  router.post(
    '/profil/kontaktdaten',
    requireOnboarded,
    scoped(residentScope, async (req, res, { user }) => {
      const contacts = await contactsOf(user);
      if (contacts.length === 0) throw new NotFoundError('no contact to update');
      const input = { phone: field(req.body.phone), street: field(req.body.street), postalCode: field(req.body.postalCode), city: field(req.body.city) };
      const errors = await updateContactData(req.em, user, contacts, input, req.deps.clock.now());
      if (Object.keys(errors).length > 0) return showProfile(req, res, user, { contactData: input }, fieldMessages(req.t, errors), 422);
      res.redirect(303, savedTo('contactData'));
    }),
  );

  router.post(
    '/profil/passwort',
    requireOnboarded,
    scoped(residentScope, async (req, res, { user }) => {
      const result = await changePassword(
        req.em,
        user,
        { current: field(req.body.currentPassword), password: field(req.body.newPassword), passwordRepeat: field(req.body.newPasswordRepeat) },
        req.deps.clock.now(),
      );
      if ('errors' in result) return showProfile(req, res, user, {}, fieldMessages(req.t, result.errors), 422);
      setSessionCookie(req, res, 'portal', result.sessionToken);
      res.redirect(303, savedTo('password'));
    }),
  );

  router.post(
    '/profil/zugang',
    requireOnboarded,
    scoped(residentScope, async (req, res, { user }) => {
      const input = { code: field(req.body.code).trim(), contractNumber: field(req.body.contractNumber) };
      const result = await addAccess(req.em, user, input, ipOf(req), req.deps.clock.now());
      if (!result.ok) {
        const messages = 'throttledUntil' in result ? { code: throttledMessage(req, result.throttledUntil) } : fieldMessages(req.t, result.errors);
        return showProfile(req, res, user, { addAccess: input }, messages, 'throttledUntil' in result ? 429 : 422);
      }
      // One login for several contacts or properties: the object selection decides where to go.
      res.redirect(303, '/portal');
    }),
  );

  router.post(
    '/profil/nutzer',
    requireOnboarded,
    scoped(residentScope, async (req, res, { user }) => {
      const contacts = await contactsOf(user);
      if (!user.organization.residentsMayAddUsers) throw new NotFoundError('adding users is off');
      const input = { contactId: field(req.body.contactId), inviteEmail: field(req.body.inviteEmail).trim() };
      const errors = await inviteAdditionalUser(
        req.em,
        user,
        contacts,
        { contactId: input.contactId, email: input.inviteEmail },
        req.deps.config.baseUrl,
        req.deps.clock.now(),
      );
      // Only contacts inside the access window get further logins; without any, there is no form.
      if (errors === 'noEligibleContact') throw new NotFoundError('no contact inside the access window');
      if (Object.keys(errors).length > 0) return showProfile(req, res, user, { addUser: input }, fieldMessages(req.t, errors), 422);
      res.redirect(303, savedTo('invited'));
    }),
  );

  const neighbourPath = '/liegenschaften/:propertyId/nachbarn-einladen';
  const showNeighbours = (req: Request, res: Response, form = { name: '', email: '' }, errors: FieldErrors = {}, status = 200) =>
    render(
      req,
      res,
      'registration/neighbours',
      { title: req.t('registration:neighbours.title'), form, errors: fieldMessages(req.t, errors), sent: field(req.query.gesendet) },
      status,
    );

  router.get(
    neighbourPath,
    requireOnboarded,
    scoped(neighbourInvitationScope, (req, res) => showNeighbours(req, res)),
  );

  router.post(
    neighbourPath,
    requireOnboarded,
    scoped(neighbourInvitationScope, async (req, res, { user, property }) => {
      const form = { name: field(req.body.name), email: field(req.body.email).trim() };
      const errors = await inviteNeighbour(req.em, user, property, form, req.deps.config.baseUrl, req.deps.clock.now());
      if (Object.keys(errors).length > 0) return showNeighbours(req, res, form, errors, 422);
      res.redirect(303, `/portal/liegenschaften/${property.id}/nachbarn-einladen?gesendet=${encodeURIComponent(form.email.toLowerCase())}`);
    }),
  );

  return router;
}

/**
 * Sends a resident who has not answered the first-login questions to them first, whatever
 * the method (app.ts applies it to every other portal router; the preview has no portal user).
 */
export function requireOnboarded(req: Request, res: Response, next: NextFunction) {
  if (req.viewer?.area === 'portal' && !req.viewer.onboardedAt) return res.redirect(303, WELCOME);
  next();
}

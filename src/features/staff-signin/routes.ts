import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { SECURITY_PAGE, setSessionCookie } from '../../auth/middleware.ts';
import { verifyPassword } from '../../auth/password.ts';
import { secretBox } from '../../auth/secrets.ts';
import { invalidateSession } from '../../auth/session.ts';
import { minutesUntil } from '../../auth/throttle.ts';
import { scopeToOrganization } from '../../db/tenant.ts';
import { Organization, OrganizationSso } from '../../entities/index.ts';
import { HttpError } from '../../http/errors.ts';
import { field, fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { log } from '../../log.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';
import { adminScope, staffScope } from '../../scopes/staff.ts';
import { auditStaffAction } from '../audit/service.ts';
import { HOME, safeNext } from '../login/redirects.ts';
import { startSession } from '../login/service.ts';
import { clearOidcStateCookie, clearSecondFactorCookie, cookieOf, OIDC_STATE_COOKIE, SECOND_FACTOR_COOKIE, setOidcStateCookie } from './cookies.ts';
import { finishSignIn, saveSso, ssoBySlug, startSignIn, type SsoSettings } from './oidc.ts';
import {
  challengeOwner,
  confirmEnrollment,
  consumeChallenge,
  countCodeAttempt,
  disableSecondFactor,
  enrollmentOf,
  pendingKey,
  startEnrollment,
  verifySecondFactor,
} from './totp.ts';

const boxOf = (req: Request) => secretBox(req.deps.config.secretsKey);
const ADMIN_PAGE = '/verwaltung/administration/anmeldung';

/**
 * The steps of a staff sign-in besides the password (mounted at /verwaltung, no login): the
 * second factor's code, and "Mit Firmenkonto anmelden" at the Verwaltung's own login address.
 */
export function signInRoutes() {
  const router = Router();
  const page = (req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200) =>
    render(req, res, `staff-signin/${view}`, { layout: 'public', ...data }, status);

  const codePage = (req: Request, res: Response, data: Record<string, unknown> = {}, status = 200) =>
    page(req, res, 'second-factor', { title: req.t('staff-signin:code.title'), next: field(req.query.weiter ?? req.body?.weiter), ...data }, status);

  router.get(
    '/anmelden/zweiter-faktor',
    scoped(publicScope, async (req, res) => {
      const staff = await challengeOwner(req.em, cookieOf(req, SECOND_FACTOR_COOKIE), req.deps.clock.now());
      if (!staff) return res.redirect(303, '/verwaltung/anmelden');
      codePage(req, res);
    }),
  );

  router.post(
    '/anmelden/zweiter-faktor',
    scoped(publicScope, async (req, res) => {
      const now = req.deps.clock.now();
      const challenge = cookieOf(req, SECOND_FACTOR_COOKIE);
      const staff = await challengeOwner(req.em, challenge, now);
      if (!staff) return res.redirect(303, '/verwaltung/anmelden');
      // From here on the request works inside the staff member's Verwaltung, as after any login.
      scopeToOrganization(req.em, staff.organization.id);
      const refusedUntil = await countCodeAttempt(req.em, staff, now);
      if (refusedUntil) return codePage(req, res, { error: req.t('auth:errors.tooManyAttempts', { minutes: minutesUntil(refusedUntil, now) }) }, 429);
      const method = await verifySecondFactor(req.em, boxOf(req), staff, field(req.body.code), now);
      if (!method) {
        log.info(`second factor refused for staff ${staff.id} from ${req.ip}`);
        return codePage(req, res, { errors: { code: req.t('staff-signin:errors.codeWrong') } }, 422);
      }
      if (!(await consumeChallenge(req.em, challenge, now))) return res.redirect(303, '/verwaltung/anmelden');
      const { token } = await startSession(req.em, { area: 'staff', user: staff }, now, method);
      await req.em.flush();
      if (req.session) await invalidateSession(req.em, req.session.id);
      clearSecondFactorCookie(res);
      setSessionCookie(req, res, 'staff', token);
      res.redirect(303, safeNext('staff', field(req.body.weiter)));
    }),
  );

  // The Verwaltung's own login address: the password form and "Mit Firmenkonto anmelden".
  router.get(
    '/anmelden/:slug',
    scoped(publicScope, async (req, res, { staff }) => {
      const sso = await ssoBySlug(req.em, req.params.slug as string);
      if (!sso) throw new HttpError(404, 'errors.notFound');
      if (staff) return res.redirect(303, HOME.staff);
      const failed = typeof req.query.fehler === 'string' ? req.query.fehler : '';
      page(
        req,
        res,
        'login',
        {
          title: req.t('auth:login.title'),
          organizationName: sso.organization.name,
          slug: sso.slug,
          error: /^(state|provider|unknown|unverified|disabled)$/.test(failed) ? req.t(`staff-signin:errors.sso.${failed}`) : undefined,
        },
        failed ? 422 : 200,
      );
    }),
  );

  // A link, not a form: the answer redirects to the provider, which the CSP's form-action 'self'
  // would block after a form. Starting costs nothing an attacker could use: the state is bound
  // to this browser's cookie and checked at the callback.
  router.get(
    '/anmelden/:slug/firmenkonto',
    scoped(publicScope, async (req, res) => {
      const sso = await ssoBySlug(req.em, req.params.slug as string);
      if (!sso) throw new HttpError(404, 'errors.notFound');
      scopeToOrganization(req.em, sso.organization.id);
      const ctx = contextOf(req, sso.slug);
      try {
        const { url, state } = await startSignIn(req.em, sso, ctx);
        setOidcStateCookie(req, res, state);
        res.redirect(303, url.href);
      } catch (error) {
        log.warn(`company sign-in of ${sso.slug} could not start: ${(error as Error).message}`);
        res.redirect(303, `/verwaltung/anmelden/${sso.slug}?fehler=provider`);
      }
    }),
  );

  router.get(
    '/anmelden/:slug/rueckkehr',
    scoped(publicScope, async (req, res) => {
      const sso = await ssoBySlug(req.em, req.params.slug as string);
      if (!sso) throw new HttpError(404, 'errors.notFound');
      scopeToOrganization(req.em, sso.organization.id);
      const ctx = contextOf(req, sso.slug);
      const callback = new URL(req.originalUrl, ctx.redirectUri);
      const outcome = await finishSignIn(req.em, sso, cookieOf(req, OIDC_STATE_COOKIE), callback, ctx);
      clearOidcStateCookie(res);
      if (!outcome.ok) {
        log.info(`company sign-in of ${sso.slug} refused (${outcome.reason}) from ${req.ip}`);
        return res.redirect(303, `/verwaltung/anmelden/${sso.slug}?fehler=${outcome.reason}`);
      }
      const { token } = await startSession(req.em, { area: 'staff', user: outcome.staff }, ctx.now, 'oidc');
      await req.em.flush();
      if (req.session) await invalidateSession(req.em, req.session.id);
      setSessionCookie(req, res, 'staff', token);
      res.redirect(303, HOME.staff);
    }),
  );

  return router;
}

/** The callback address registered at the provider, and what the checks need. */
function contextOf(req: Request, slug: string) {
  const { config } = req.deps;
  return {
    box: boxOf(req),
    redirectUri: `${config.baseUrl}/verwaltung/anmelden/${slug}/rueckkehr`,
    now: req.deps.clock.now(),
    // Providers on plain http only outside production (the tests' provider runs on 127.0.0.1).
    allowHttp: config.env !== 'production',
  };
}

/** Konto › Sicherheit: a staff member's second factor (mounted at /verwaltung/konto/sicherheit). */
export function securityRoutes() {
  const router = Router();

  const show = async (req: Request, res: Response, data: Record<string, unknown> = {}, status = 200) => {
    const staff = req.staff!;
    const organization = await req.em.findOneOrFail(Organization, staff.organization.id);
    const key = staff.totpEnabledAt ? null : pendingKey(boxOf(req), staff);
    const enrollment = key ? enrollmentOf(key, organization.name, staff.email) : null;
    render(
      req,
      res,
      'staff-signin/security',
      {
        title: req.t('staff-signin:security.title'),
        staff,
        required: organization.requireSecondFactor && !staff.oidcSubject,
        enrollment,
        qrSvg: enrollment ? await QRCode.toString(enrollment.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }) : null,
        recoveryCodes: null,
        errors: {},
        ...data,
      },
      status,
    );
  };

  router.get(
    '/',
    scoped(staffScope, (req, res) => show(req, res, { saved: typeof req.query.gespeichert === 'string' ? req.query.gespeichert : null })),
  );

  router.post(
    '/einrichten',
    scoped(staffScope, async (req, res, { staff }) => {
      if (!staff.totpEnabledAt) await startEnrollment(req.em, boxOf(req), staff);
      res.redirect(303, `${SECURITY_PAGE}#einrichten`);
    }),
  );

  router.post(
    '/bestaetigen',
    scoped(staffScope, async (req, res, { staff }) => {
      const now = req.deps.clock.now();
      if (staff.totpEnabledAt) return res.redirect(303, SECURITY_PAGE);
      const refusedUntil = await countCodeAttempt(req.em, staff, now);
      if (refusedUntil) return show(req, res, { errors: { code: req.t('auth:errors.tooManyAttempts', { minutes: minutesUntil(refusedUntil, now) }) } }, 429);
      const codes = await confirmEnrollment(req.em, boxOf(req), staff, field(req.body.code), now);
      if (!codes) return show(req, res, { errors: { code: req.t('staff-signin:errors.codeWrong') } }, 422);
      await req.em.refresh(staff);
      // Shown once, on this answer only (no redirect, nothing stored in plain text).
      res.set('Cache-Control', 'no-store');
      show(req, res, { recoveryCodes: codes });
    }),
  );

  router.post(
    '/deaktivieren',
    scoped(staffScope, async (req, res, { staff }) => {
      const now = req.deps.clock.now();
      const organization = await req.em.findOneOrFail(Organization, staff.organization.id);
      if (organization.requireSecondFactor && !staff.oidcSubject) return show(req, res, { errors: { disable: req.t('staff-signin:errors.required') } }, 422);
      const refusedUntil = await countCodeAttempt(req.em, staff, now);
      if (refusedUntil) return show(req, res, { errors: { disable: req.t('auth:errors.tooManyAttempts', { minutes: minutesUntil(refusedUntil, now) }) } }, 429);
      const passwordOk = await verifyPassword(staff.passwordHash ?? null, field(req.body.password));
      const codeOk = passwordOk && (await verifySecondFactor(req.em, boxOf(req), staff, field(req.body.code), now));
      if (!codeOk) return show(req, res, { errors: { disable: req.t('staff-signin:errors.disableWrong') } }, 422);
      await disableSecondFactor(req.em, staff, staff, now);
      res.redirect(303, `${SECURITY_PAGE}?gespeichert=aus`);
    }),
  );

  return router;
}

/** Administration › Anmeldung: the company provider and the rule "second factor for all" (mounted at /verwaltung/administration/anmeldung). */
export function adminRoutes() {
  const router = Router();

  const show = async (req: Request, res: Response, data: { form?: SsoSettings; errors?: FieldErrors } = {}, status = 200) => {
    const organizationId = req.staff!.organization.id;
    const [organization, sso] = await Promise.all([
      req.em.findOneOrFail(Organization, organizationId),
      req.em.findOne(OrganizationSso, { organization: organizationId }),
    ]);
    const form = data.form ?? {
      slug: sso?.slug ?? '',
      issuer: sso?.issuer ?? '',
      clientId: sso?.clientId ?? '',
      clientSecret: '',
      enabled: sso?.enabled ?? true,
    };
    render(
      req,
      res,
      'staff-signin/admin',
      {
        title: req.t('staff-signin:admin.title'),
        form,
        hasSecret: Boolean(sso),
        requireSecondFactor: organization.requireSecondFactor,
        redirectUri: `${req.deps.config.baseUrl}/verwaltung/anmelden/${form.slug || '<kürzel>'}/rueckkehr`,
        errors: fieldMessages(req.t, data.errors ?? {}),
        saved: req.query.gespeichert === '1',
      },
      status,
    );
  };

  router.get(
    '/',
    scoped(adminScope, (req, res) => show(req, res)),
  );

  router.post(
    '/firmenkonto',
    scoped(adminScope, async (req, res, { staff }) => {
      const form: SsoSettings = {
        slug: field(req.body.slug).trim().toLowerCase(),
        issuer: field(req.body.issuer).trim(),
        clientId: field(req.body.clientId).trim(),
        clientSecret: field(req.body.clientSecret),
        enabled: req.body.enabled !== undefined,
      };
      const problems = await saveSso(req.em, staff, boxOf(req), form, req.deps.clock.now(), req.deps.config.env === 'production');
      if (problems) return show(req, res, { form: { ...form, clientSecret: '' }, errors: problems }, 422);
      res.redirect(303, `${ADMIN_PAGE}?gespeichert=1`);
    }),
  );

  router.post(
    '/zwei-faktor',
    scoped(adminScope, async (req, res, { staff }) => {
      const organization = await req.em.findOneOrFail(Organization, staff.organization.id);
      const required = req.body.requireSecondFactor !== undefined;
      if (organization.requireSecondFactor !== required) {
        organization.requireSecondFactor = required;
        auditStaffAction(req.em, staff, 'second_factor.required', { type: 'Organization', id: organization.id }, { required }, req.deps.clock.now());
        await req.em.flush();
      }
      res.redirect(303, `${ADMIN_PAGE}?gespeichert=1`);
    }),
  );

  return router;
}

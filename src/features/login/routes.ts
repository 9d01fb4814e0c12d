import { Router, type Request, type Response } from 'express';
import type { Area } from '../../entities/index.ts';
import { AREA, clearSessionCookie, setSessionCookie } from '../../auth/middleware.ts';
import { passwordProblem } from '../../auth/password.ts';
import { invalidateSession } from '../../auth/session.ts';
import { minutesUntil } from '../../auth/throttle.ts';
import { HttpError } from '../../http/errors.ts';
import { field } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { isUuid } from '../../http/find.ts';
import { Organization } from '../../entities/index.ts';
import { brandOf } from '../branding/service.ts';
import { log } from '../../log.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';
import { setSecondFactorCookie } from '../staff-signin/cookies.ts';
import { HOME, safeNext } from './redirects.ts';
import { accountForToken, countResetRequest, isEmail, logIn, normalizeEmail, requestPasswordReset, setPasswordWithToken } from './service.ts';

/** Login, logout, password reset and (staff) invitation for one area: /verwaltung or /portal. */
export function loginRoutes(area: Area) {
  const router = Router();
  const base = AREA[area].basePath;
  // The portal's login page in a Verwaltung's Erscheinungsbild when the link names it
  // (?verwaltung=<id>, as the logout and the Verwaltung's links do); Hausportal's otherwise.
  // The installed app starts at /portal?verwaltung=<id> (src/features/web-app), which a logged-out
  // resident reaches as ?weiter=/portal?verwaltung=<id>.
  const brandFor = async (req: Request) => {
    const named = req.query.verwaltung ?? new URLSearchParams(field(req.query.weiter).split('?')[1] ?? '').get('verwaltung');
    if (area !== 'portal' || !isUuid(named)) return brandOfSession(req);
    return brandOf(await req.em.findOne(Organization, { id: named }));
  };
  const brandOfSession = (req: Request) => (req.viewer?.area === 'portal' ? brandOf(req.viewer.organization) : null);
  const page = async (req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200) =>
    render(req, res, `login/${view}`, { area, base, layout: 'public', brand: await brandFor(req), ...data }, status);

  router.get(
    '/anmelden',
    scoped(publicScope, (req, res, { staff, resident }) => {
      if (area === 'staff' ? staff : resident) return res.redirect(303, HOME[area]);
      page(req, res, 'login', {
        title: req.t('auth:login.title'),
        email: '',
        next: field(req.query.weiter),
        notice: req.query.abgemeldet ? req.t('auth:login.loggedOut') : undefined,
      });
    }),
  );

  router.post(
    '/anmelden',
    scoped(publicScope, async (req, res) => {
      const email = field(req.body.email);
      const next = field(req.body.weiter);
      const result = await logIn(req.em, area, email, field(req.body.password), req.ip ?? 'unknown', req.deps.clock.now());
      if (!result.ok) {
        log.info(`login failed (${result.reason}) for ${area} account ${JSON.stringify(email)} from ${req.ip}`);
        const locked = result.reason === 'locked';
        return page(
          req,
          res,
          'login',
          {
            title: req.t('auth:login.title'),
            email,
            next,
            error: req.t(locked ? 'auth:errors.tooManyAttempts' : 'auth:errors.invalidLogin'),
          },
          locked ? 429 : 422,
        );
      }
      if (result.ok === 'second_factor') {
        setSecondFactorCookie(req, res, result.challenge);
        return res.redirect(303, `${base}/anmelden/zweiter-faktor${next ? `?weiter=${encodeURIComponent(next)}` : ''}`);
      }
      if (req.session) await invalidateSession(req.em, req.session.id);
      setSessionCookie(req, res, area, result.token);
      res.redirect(303, safeNext(area, next));
    }),
  );

  router.post(
    '/abmelden',
    scoped(publicScope, async (req, res) => {
      if (req.session) await invalidateSession(req.em, req.session.id);
      clearSessionCookie(res, area);
      const brand = brandOfSession(req);
      res.redirect(303, `${base}/anmelden?abgemeldet=1${brand ? `&verwaltung=${brand.organizationId}` : ''}`);
    }),
  );

  router.get(
    '/passwort-vergessen',
    scoped(publicScope, (req, res) => {
      page(req, res, 'forgot', { title: req.t('auth:forgot.title'), email: '' });
    }),
  );

  router.post(
    '/passwort-vergessen',
    scoped(publicScope, async (req, res) => {
      const email = field(req.body.email).trim();
      const now = req.deps.clock.now();
      const forgot = (data: Record<string, unknown>, status: number) => page(req, res, 'forgot', { title: req.t('auth:forgot.title'), email, ...data }, status);
      const refusedUntil = await countResetRequest(req.em, req.ip ?? 'unknown', now);
      if (refusedUntil) {
        log.info(`password reset refused: too many requests from ${req.ip}`);
        return forgot({ error: req.t('auth:errors.tooManyResetRequests', { minutes: minutesUntil(refusedUntil, now) }) }, 429);
      }
      if (!isEmail(normalizeEmail(email))) return forgot({ errors: { email: req.t('auth:errors.emailInvalid') } }, 422);
      // Everything that depends on the address (throttle, lookup, token, mail) runs after the
      // answer, so neither the answer nor its timing tells whether an account exists.
      const baseUrl = req.deps.config.baseUrl;
      req.afterResponse.schedule(res, 'password reset', (em) => requestPasswordReset(em, area, email, baseUrl, now));
      page(req, res, 'message', { title: req.t('auth:forgot.title'), message: req.t('auth:forgot.sent') });
    }),
  );

  const tokenPages = [
    { path: '/passwort-zuruecksetzen/:token', purpose: 'password_reset' as const, view: 'reset', titleKey: 'auth:reset.title' },
    ...(area === 'staff' ? [{ path: '/einladung/:token', purpose: 'staff_invitation' as const, view: 'invitation', titleKey: 'auth:invitation.title' }] : []),
  ];
  for (const { path, purpose, view, titleKey } of tokenPages) {
    router.get(
      path,
      scoped(publicScope, async (req, res) => {
        const account = await accountForToken(req.em, area, purpose, req.params.token as string, req.deps.clock.now());
        if (!account) throw new HttpError(410, 'auth:errors.linkInvalid');
        page(req, res, view, { title: req.t(titleKey), token: req.params.token, account: account.login.user });
      }),
    );

    router.post(
      path,
      scoped(publicScope, async (req, res) => {
        const token = req.params.token as string;
        const problem = passwordProblem(field(req.body.password), field(req.body.passwordRepeat));
        if (problem) {
          const account = await accountForToken(req.em, area, purpose, token, req.deps.clock.now());
          if (!account) throw new HttpError(410, 'auth:errors.linkInvalid');
          return page(req, res, view, { title: req.t(titleKey), token, account: account.login.user, errors: { password: req.t(problem) } }, 422);
        }
        const done = await setPasswordWithToken(req.em, area, purpose, token, field(req.body.password), req.deps.clock.now());
        if (!done) throw new HttpError(410, 'auth:errors.linkInvalid');
        setSessionCookie(req, res, area, done.sessionToken);
        res.redirect(303, HOME[area]);
      }),
    );
  }

  return router;
}

import type { NextFunction, Request, Response } from 'express';
import type { Area, PortalUser, StaffUser } from '../entities/index.ts';
import { scopeToOrganization } from '../db/tenant.ts';
import { ForbiddenError, RedirectRequired, UnauthenticatedError } from '../http/errors.ts';
import { loginOfToken, SESSION_POLICY, type StaffViewer } from './session.ts';

/**
 * Each area has its own cookie, limited to its own path, so a staff session is never even
 * sent to the portal; and a token presented in the wrong cookie is refused by its area.
 */
export const AREA = {
  staff: { cookie: 'hp_staff_session', basePath: '/verwaltung', loginPath: '/verwaltung/anmelden' },
  portal: { cookie: 'hp_portal_session', basePath: '/portal', loginPath: '/portal/anmelden' },
} as const;

export function setSessionCookie(req: Request, res: Response, area: Area, token: string) {
  res.cookie(AREA[area].cookie, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.deps.config.secureCookies,
    path: AREA[area].basePath,
    maxAge: SESSION_POLICY[area].absoluteMs,
  });
}

export function clearSessionCookie(res: Response, area: Area) {
  res.clearCookie(AREA[area].cookie, { path: AREA[area].basePath });
}

/**
 * Everything under /verwaltung and /portal is one person's page, or a login form carrying
 * that browser's CSRF token: no browser or proxy may keep a copy, so the back button on a
 * shared computer never shows the previous user's page after logout. Set for the whole
 * area before any route, so pages, htmx fragments, redirects and error pages all carry
 * it (downloads set their own `private, no-store`, src/http/download.ts).
 */
export function noStore(_req: Request, res: Response, next: NextFunction) {
  res.set('Cache-Control', 'no-store');
  next();
}

/**
 * Loads the session of the area from its cookie (if any) and scopes the request's
 * EntityManager to that user's Verwaltung. Sets req.viewer (who it is, plain values: what the
 * guards and the layout read) and req.staff or req.portalUser, the user entity, mapped only
 * when a handler reads it (src/auth/session.ts Login).
 */
export function loadSession(area: Area) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = req.cookies?.[AREA[area].cookie];
    if (typeof token !== 'string' || token === '') return next();
    const login = await loginOfToken(req.em, token, area, req.deps.clock.now());
    if (!login) {
      clearSessionCookie(res, area);
      return next();
    }
    const user = area === 'staff' ? whenRead(req, 'staff', login.user as () => StaffUser) : whenRead(req, 'portalUser', login.user as () => PortalUser);
    // The session entity only when a handler asks for it (logout, preview): most pages never do.
    whenRead(req, 'session', login.session);
    req.sessionId = login.sessionId;
    req.viewer = login.viewer;
    scopeToOrganization(req.em, login.organizationId);
    // The layout shows the user as the handler left it once it has read (and perhaps changed) the entity.
    Object.defineProperty(res.locals, 'currentUser', { configurable: true, enumerable: true, get: () => user() ?? login.viewer });
    next();
  };
}

/**
 * A property of the request that is computed when first read (and may be set as usual).
 * Returns what it holds so far without computing it (undefined before the first read).
 */
function whenRead<K extends 'staff' | 'portalUser' | 'session'>(req: Request, key: K, compute: () => NonNullable<Request[K]>): () => Request[K] | undefined {
  let value: Request[K] | undefined;
  let known = false;
  Object.defineProperty(req, key, {
    configurable: true,
    enumerable: true,
    get: () => {
      if (!known) {
        value = compute();
        known = true;
      }
      return value;
    },
    set: (assigned: Request[K]) => {
      value = assigned;
      known = true;
    },
  });
  return () => value;
}

/** Where staff set up their second factor; the one console page open to them while their Verwaltung requires one they lack. */
export const SECURITY_PAGE = '/verwaltung/konto/sicherheit';

/**
 * Whether the Verwaltung requires a second factor that this staff member lacks: then every
 * console page sends them to the security page. Company sign-in counts as the company's own
 * factor (src/features/staff-signin/oidc.ts).
 */
export function mustSetUpSecondFactor(
  staff: Pick<StaffViewer, 'totpEnabledAt' | 'oidcSubject'> & { organization: Pick<StaffViewer['organization'], 'requireSecondFactor'> },
): boolean {
  return Boolean(staff.organization.requireSecondFactor) && !staff.totpEnabledAt && !staff.oidcSubject;
}

/** Staff logged in, whatever else: only for the security page (src/features/staff-signin). */
export function requireStaffAccount(req: Request, _res: Response, next: NextFunction) {
  if (req.viewer?.area !== 'staff') return next(new UnauthenticatedError(AREA.staff.loginPath));
  next();
}

export function requireStaff(req: Request, _res: Response, next: NextFunction) {
  const viewer = req.viewer;
  if (viewer?.area !== 'staff') return next(new UnauthenticatedError(AREA.staff.loginPath));
  if (mustSetUpSecondFactor(viewer)) return next(new RedirectRequired(SECURITY_PAGE, 'second factor required by the Verwaltung'));
  next();
}

export function requireAdmin(req: Request, res: Response, next: NextFunction) {
  requireStaff(req, res, (error?: unknown) => {
    if (error) return next(error);
    if ((req.viewer as StaffViewer).role !== 'admin') return next(new ForbiddenError('errors.adminOnly'));
    next();
  });
}

export function requirePortalUser(req: Request, _res: Response, next: NextFunction) {
  if (req.viewer?.area !== 'portal') return next(new UnauthenticatedError(AREA.portal.loginPath));
  next();
}

import type { Request, Response } from 'express';
import { CHALLENGE_LIFETIME_MS } from './totp.ts';

/** Carries the challenge between password and code (src/features/staff-signin/totp.ts); only the console's paths see it. */
export const SECOND_FACTOR_COOKIE = 'hp_staff_2fa';
/** Carries the state of a company sign-in from the redirect to the callback (./oidc.ts). */
export const OIDC_STATE_COOKIE = 'hp_staff_oidc';
const OIDC_LIFETIME_MS = 10 * 60 * 1000;

const options = (req: Request, maxAge: number) =>
  ({ httpOnly: true, sameSite: 'lax', secure: req.deps.config.secureCookies, path: '/verwaltung/anmelden', maxAge }) as const;

export function setSecondFactorCookie(req: Request, res: Response, challenge: string) {
  res.cookie(SECOND_FACTOR_COOKIE, challenge, options(req, CHALLENGE_LIFETIME_MS));
}
export function clearSecondFactorCookie(res: Response) {
  res.clearCookie(SECOND_FACTOR_COOKIE, { path: '/verwaltung/anmelden' });
}
export function setOidcStateCookie(req: Request, res: Response, state: string) {
  res.cookie(OIDC_STATE_COOKIE, state, options(req, OIDC_LIFETIME_MS));
}
export function clearOidcStateCookie(res: Response) {
  res.clearCookie(OIDC_STATE_COOKIE, { path: '/verwaltung/anmelden' });
}
export const cookieOf = (req: Request, name: string) => {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError } from '../http/errors.ts';

/**
 * CSRF protection for every non-GET request, two independent checks:
 *  1. Origin / Sec-Fetch-Site must name our own origin (Lucia guide). Browsers send them
 *     on every cross-site POST, so a foreign form is stopped even without a token.
 *  2. A token: a random value in an HttpOnly cookie, and its HMAC in the form (hidden
 *     field `_csrf`) or, for htmx, in the `X-CSRF-Token` header (data-hx-headers on <body>).
 */
export const CSRF_COOKIE = 'hp_csrf';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfTokenFor(secret: string, cookieValue: string): string {
  return createHmac('sha256', secret).update(`csrf:${cookieValue}`).digest('base64url');
}

/** Cookies whose token is remembered at most; then the memo starts again (a flood of new cookies cannot grow it). */
const REMEMBERED_TOKENS = 10_000;

/**
 * csrfTokenFor, remembered per cookie a browser sent: every page of a browser needs the same
 * token, and an HMAC per request cost ~1.5 % of a small page's CPU (`npm run bench:profile`).
 * The key is a copy: the parsed cookie is a slice of the request's whole Cookie header (up to
 * 16 KB), which V8 would keep alive with it (10,000 such keys held ~150 MB; copies 1.3 MB).
 */
function rememberedTokens(secret: string): (cookieValue: string) => string {
  const tokens = new Map<string, string>();
  return (cookieValue) => {
    let token = tokens.get(cookieValue);
    if (token === undefined) {
      if (tokens.size >= REMEMBERED_TOKENS) tokens.clear();
      token = csrfTokenFor(secret, cookieValue);
      // The cookie is checked against [A-Za-z0-9_-] before: latin1 copies it exactly.
      tokens.set(Buffer.from(cookieValue, 'latin1').toString('latin1'), token);
    }
    return token;
  };
}

function sameValue(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function originAllowed(req: Request, allowedOrigins: Set<string>): boolean {
  const fetchSite = req.get('sec-fetch-site');
  if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') return false;
  const origin = req.get('origin');
  if (origin && origin !== 'null' && !allowedOrigins.has(origin)) return false;
  return true;
}

/**
 * The token a plain form sent. File upload forms (multipart) are parsed only later, by
 * the feature that receives the files, so those carry the token in the action URL.
 */
function tokenFromForm(req: Request): string {
  if (req.is('multipart/form-data')) return typeof req.query[CSRF_FIELD] === 'string' ? req.query[CSRF_FIELD] : '';
  return typeof req.body?.[CSRF_FIELD] === 'string' ? req.body[CSRF_FIELD] : '';
}

/** Middleware: gives every request a token (res.locals.csrfToken) and checks non-GETs. */
export function csrfProtection(options: {
  secret: string;
  baseUrl: string;
  secureCookies: boolean;
  /**
   * Paths whose POST carries its own proof instead: the one-click unsubscribe of RFC 8058, which
   * a mail client posts without cookies from no page of ours; its URL is signed per user and kind
   * (src/features/notifications/links.ts) and it changes nothing but that one choice.
   */
  exemptPrefixes?: readonly string[];
}) {
  const tokenFor = rememberedTokens(options.secret);
  return (req: Request, res: Response, next: NextFunction) => {
    let cookieValue: string | undefined = req.cookies?.[CSRF_COOKIE];
    const fromBrowser = cookieValue !== undefined && /^[A-Za-z0-9_-]{20,64}$/.test(cookieValue);
    if (!cookieValue || !fromBrowser) {
      cookieValue = randomBytes(24).toString('base64url');
      res.cookie(CSRF_COOKIE, cookieValue, {
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookies,
        path: '/',
      });
      req.cookies[CSRF_COOKIE] = undefined; // a request without the cookie cannot carry a valid token
    }
    // A cookie minted just now is not remembered: clients without cookies would only churn the memo.
    const expected = fromBrowser ? tokenFor(cookieValue) : csrfTokenFor(options.secret, cookieValue);
    res.locals.csrfToken = expected;
    if (SAFE_METHODS.has(req.method)) return next();
    if (options.exemptPrefixes?.some((prefix) => req.path.startsWith(`${prefix}/`))) return next();

    const allowedOrigins = new Set([new URL(options.baseUrl).origin, `${req.protocol}://${req.get('host')}`]);
    const sent = req.get(CSRF_HEADER) ?? tokenFromForm(req);
    if (!req.cookies[CSRF_COOKIE] || !originAllowed(req, allowedOrigins) || !sameValue(sent, expected)) {
      return next(new ForbiddenError('errors.csrf', `CSRF check failed for ${req.method} ${req.originalUrl}`));
    }
    next();
  };
}

import { NotFoundError as OrmNotFoundError } from '@mikro-orm/core';
import type { NextFunction, Request, Response } from 'express';
import { log } from '../log.ts';
import { PersonalOnly } from '../scopes/portal.ts';
import { PdfJobOverLimit } from '../pdf/workers.ts';
import { HttpError, NotFoundError, RedirectRequired, UnauthenticatedError } from './errors.ts';
import { render } from './views.ts';

/** 404 for every path no route answered. */
export function notFoundHandler(req: Request, _res: Response, next: NextFunction) {
  next(new NotFoundError(`no route for ${req.method} ${req.originalUrl}`));
}

/**
 * The one error middleware: not found → 404 page, a portal section outside the user's
 * access window → its explanation page, forbidden → 403 with a German message,
 * not logged in → redirect to the login page (HX-Redirect for htmx), a malformed request
 * (see clientError) → its 4xx, a PDF job stopped by a bound of the PDF workers (a PDF
 * drawn for a page, src/pdf/workers.ts) → 503 with a German message, anything else → 500
 * without details to the user and the stack in the log.
 */
export function errorHandler(err: unknown, req: Request, res: Response, next: NextFunction) {
  if (res.headersSent) return next(err);
  const error =
    err instanceof OrmNotFoundError
      ? new NotFoundError(err.message)
      : err instanceof PdfJobOverLimit
        ? new HttpError(503, 'errors.pdfJobOverLimit', err.message)
        : (clientError(err) ?? err);

  if (error instanceof RedirectRequired) {
    if (req.get('hx-request') === 'true') {
      res.set('HX-Redirect', error.location).status(403).end();
      return;
    }
    res.redirect(303, error.location);
    return;
  }
  if (error instanceof UnauthenticatedError) {
    const target = `${error.loginPath}?weiter=${encodeURIComponent(req.originalUrl)}`;
    if (req.get('hx-request') === 'true') {
      res.set('HX-Redirect', target).status(401).end();
      return;
    }
    res.redirect(303, req.method === 'GET' ? target : error.loginPath);
    return;
  }

  // A portal section's list for a user who sees only what was shared with them personally (src/scopes/portal.ts).
  if (error instanceof PersonalOnly) {
    render(req, res, 'portal/personal-only', { title: req.t(`portal:nav.${error.section}`), section: error.section });
    return;
  }

  if (error instanceof HttpError) {
    if (error.status >= 400 && error.status !== 404) log.warn(`${error.status} ${req.method} ${req.originalUrl}: ${error.message}`);
    else log.debug(`${error.status} ${req.method} ${req.originalUrl}: ${error.message}`);
    renderError(req, res, error.status, error.messageKey, error.messageValues);
    return;
  }

  log.error(`500 ${req.method} ${req.originalUrl}`, error);
  renderError(req, res, 500, 'errors.internal');
}

/** The message of each 4xx a library reports; any other 4xx says "Die Anfrage ist ungültig". */
const CLIENT_ERROR_MESSAGES: Record<number, string> = {
  413: 'errors.tooLarge',
  415: 'errors.unsupportedMediaType',
};

/**
 * A library's error about a malformed request as an HttpError: body-parser (too many
 * parameters 413, unknown charset or Content-Encoding 415, a body that does not inflate or
 * parse 400, too large 413) and the router (a parameter that is no valid percent-encoding,
 * 400) put the 4xx on `status`/`statusCode` and mark it `expose` (http-errors). Mapped by
 * status rather than by each library's `type`, so a new kind of client error needs no new
 * branch. Anything else (no status, or 5xx) stays a 500.
 */
function clientError(err: unknown): HttpError | null {
  if (err instanceof HttpError || err === null || typeof err !== 'object') return null;
  const { status, statusCode, type } = err as { status?: unknown; statusCode?: unknown; type?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code > 499) return null;
  return new HttpError(
    code,
    CLIENT_ERROR_MESSAGES[code] ?? 'errors.badRequest',
    `${typeof type === 'string' ? type : 'client error'}: ${(err as Error).message}`,
  );
}

function renderError(req: Request, res: Response, status: number, messageKey: string, messageValues: Record<string, unknown> = {}) {
  const t = req.t;
  if (!t) {
    res.status(status).type('text').send('Fehler');
    return;
  }
  render(
    req,
    res,
    'errors/error',
    { status, title: t(`errors.title${status}`, { defaultValue: t('errors.titleDefault') }), message: t(messageKey, messageValues) },
    status,
  );
}

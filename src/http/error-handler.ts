import { NotFoundError as OrmNotFoundError } from '@mikro-orm/core';
import type { NextFunction, Request, Response } from 'express';
import { log } from '../log.ts';
import { HttpError, NotFoundError, UnauthenticatedError } from './errors.ts';
import { render } from './views.ts';

/** 404 for every path no route answered. */
export function notFoundHandler(req: Request, _res: Response, next: NextFunction) {
  next(new NotFoundError(`no route for ${req.method} ${req.originalUrl}`));
}

/**
 * The one error middleware: not found → 404 page, forbidden → 403 with a German message,
 * not logged in → redirect to the login page (HX-Redirect for htmx), anything else → 500
 * without details to the user and the stack in the log.
 */
export function errorHandler(err: unknown, req: Request, res: Response, next: NextFunction) {
  if (res.headersSent) return next(err);
  const error =
    err instanceof OrmNotFoundError
      ? new NotFoundError(err.message)
      : (err as { type?: string }).type === 'entity.too.large'
        ? new HttpError(413, 'errors.tooLarge')
        : (err as { type?: string }).type === 'entity.parse.failed'
          ? new HttpError(400, 'errors.badRequest')
          : err;

  if (error instanceof UnauthenticatedError) {
    const target = `${error.loginPath}?weiter=${encodeURIComponent(req.originalUrl)}`;
    if (req.get('hx-request') === 'true') {
      res.set('HX-Redirect', target).status(401).end();
      return;
    }
    res.redirect(303, req.method === 'GET' ? target : error.loginPath);
    return;
  }

  if (error instanceof HttpError) {
    if (error.status >= 400 && error.status !== 404) log.warn(`${error.status} ${req.method} ${req.originalUrl}: ${error.message}`);
    else log.debug(`${error.status} ${req.method} ${req.originalUrl}: ${error.message}`);
    renderError(req, res, error.status, error.messageKey);
    return;
  }

  log.error(`500 ${req.method} ${req.originalUrl}`, error);
  renderError(req, res, 500, 'errors.internal');
}

function renderError(req: Request, res: Response, status: number, messageKey: string) {
  const t = req.t;
  if (!t) {
    res.status(status).type('text').send('Fehler');
    return;
  }
  render(req, res, 'errors/error', { status, title: t(`errors.title${status}`, { defaultValue: t('errors.titleDefault') }), message: t(messageKey) }, status);
}

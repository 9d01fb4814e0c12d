/**
 * Errors that handlers throw and the one error middleware (src/http/error-handler.ts)
 * turns into responses. `messageKey` is an i18n key shown to the user in German/English;
 * `logMessage` is for the server log only.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly messageKey: string;
  /** Values the message interpolates ("Das Feld „{{field}}“ …"). */
  readonly messageValues: Record<string, unknown>;

  constructor(status: number, messageKey: string, logMessage?: string, messageValues: Record<string, unknown> = {}) {
    super(logMessage ?? messageKey);
    this.status = status;
    this.messageKey = messageKey;
    this.messageValues = messageValues;
  }
}

export class NotFoundError extends HttpError {
  constructor(logMessage?: string) {
    super(404, 'errors.notFound', logMessage);
  }
}

export class ForbiddenError extends HttpError {
  constructor(messageKey = 'errors.forbidden', logMessage?: string) {
    super(403, messageKey, logMessage);
  }
}

/** A page that first needs something done elsewhere (e.g. a second factor set up): answered with a redirect there. */
export class RedirectRequired extends HttpError {
  readonly location: string;

  constructor(location: string, logMessage?: string) {
    super(303, 'errors.forbidden', logMessage);
    this.location = location;
  }
}

/** Thrown when a page needs a logged-in user; answered with a redirect to the login page. */
export class UnauthenticatedError extends HttpError {
  readonly loginPath: string;

  constructor(loginPath: string) {
    super(401, 'errors.unauthenticated');
    this.loginPath = loginPath;
  }
}

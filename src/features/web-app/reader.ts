import { createHmac } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * Whose portal pages the service worker (static/sw.js) may keep for reading offline: every
 * answer under /portal to a logged-in resident names an opaque id of the login session in
 * this header; the worker keeps pages only in the cache named after it, and drops every
 * page cache when an answer names another id, none (logged out) or is a 401.
 * static/sw.js reads the same header name.
 */
export const READER_HEADER = 'X-Portal-Reader';

/** HMAC of the session id: stable for one login, says nothing about the person, unguessable. */
export function readerIdOf(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(`portal-reader:${sessionId}`).digest('base64url').slice(0, 32);
}

/** After loadSession('portal'): the reader header, and the page's language for the offline page. */
export function portalReader(req: Request, res: Response, next: NextFunction) {
  res.set('Content-Language', req.lang);
  if (req.viewer?.area === 'portal' && req.sessionId) res.set(READER_HEADER, readerIdOf(req.deps.config.secret, req.sessionId));
  next();
}

import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Em } from '../db/orm.ts';
import type { ApiKey } from '../entities/index.ts';
import { refuseControlCharacters } from '../http/input.ts';

/** What the API's auth middleware (src/api/app.ts) puts on every /v1 request. */
export type ApiEnv = { Variables: { em: Em; apiKey: ApiKey } };

/** JSON error body used by every API answer that is not a success. */
export function apiError(code: string, message: string) {
  return { error: { code, message } };
}

/** An error answer in the OpenAPI description (the shared Error schema). */
export function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

/**
 * The answer when two requests create the same external id at the same moment: both saw it
 * missing, the later insert hit the unique index and its transaction was rolled back, so
 * nothing of it was written. 409 with Retry-After; sent again, it updates instead. Any
 * other error is thrown on.
 */
export function conflictOnUniqueViolation(c: Context, error: unknown, message: string): Response {
  if (!(error instanceof UniqueConstraintViolationException)) throw error;
  c.header('Retry-After', '1');
  return c.json(apiError('conflict', message), 409);
}

/** The largest JSON body the API reads (1,000 items fit many times over); named in the OpenAPI. */
export const MAX_JSON_BODY_BYTES = 10 * 1024 * 1024;

/** Refuses a JSON body over MAX_JSON_BODY_BYTES with 413, before or while it is read. */
export const jsonBodyLimit = bodyLimit({
  maxSize: MAX_JSON_BODY_BYTES,
  onError: (c) => c.json(apiError('payload_too_large', `The body is larger than ${MAX_JSON_BODY_BYTES / 1024 / 1024} MB; send smaller batches.`), 413),
});

/**
 * The request's JSON body, or the error answer to send instead: 415 for another content
 * type, 400 invalid_json for a body that does not parse. A control character in a string
 * or key (tab, CR and LF allowed) throws InvalidCharacterError, answered 422 by the API's
 * onError (src/http/input.ts has the rule).
 */
export async function readJson(c: Context): Promise<{ body: unknown } | { error: Response }> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    return { error: c.json(apiError('unsupported_media_type', 'Send the body as application/json.'), 415) };
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { error: c.json(apiError('invalid_json', `The body is not valid JSON: ${error.message}`), 400) };
  }
  refuseControlCharacters(body, 'body');
  return { body };
}

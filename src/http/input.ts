import type { NextFunction, Request, Response } from 'express';
import type { MiddlewareHandler } from 'hono';
import { HttpError } from './errors.ts';

// The one rule for control characters in what a request sends (README, "How a request
// flows"): C0 controls and DEL are refused with 422 everywhere; tab, CR and LF are allowed
// in body fields (text areas), never in the URL (path and query). PostgreSQL cannot store
// NUL in text and nothing else of ours needs a control character, so they are stopped here,
// before any handler sees them, instead of field by field.
//
// Applied by: `inputGuard` (Express: URL, query, urlencoded body, cookies), `receiveUploads`
// in src/http/upload.ts (multipart fields and file names, parsed only there), `apiInputGuard`
// and `readJson` in src/api (the API's path and JSON bodies). Both error handlers map
// InvalidCharacterError: src/http/error-handler.ts and `onError` in src/api/app.ts.

/** Any C0 control character or DEL. */
const CONTROL = /[\u0000-\u001f\u007f]/;
/** The same without tab, LF and CR, which text areas legitimately send. */
const CONTROL_EXCEPT_TAB_AND_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Where a value came from: the URL allows no control character, a body field tab and line breaks. */
export type InputPart = 'path' | 'query' | 'body' | 'fileName';

/** A request value with a control character; `field` names it (a query or form field, a JSON path, or the URL path). */
export class InvalidCharacterError extends HttpError {
  readonly field: string;
  readonly part: InputPart;

  constructor(part: InputPart, field: string) {
    const key = part === 'path' ? 'errors.controlCharacterInPath' : part === 'fileName' ? 'errors.controlCharacterInFileName' : 'errors.controlCharacter';
    const shown = visible(field);
    super(422, key, `control character in ${part} ${JSON.stringify(field)}`, { field: shown });
    this.field = shown;
    this.part = part;
  }
}

function hasControl(text: string, part: InputPart): boolean {
  return (part === 'body' ? CONTROL_EXCEPT_TAB_AND_LINE_BREAKS : CONTROL).test(text);
}

/** A field name fit to show: control characters as their Unicode pictures ("a\u0000b" → "a␀b"). */
function visible(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => String.fromCharCode(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));
}

/**
 * The name of the first field, in a parsed query, form or JSON value, whose name or value
 * holds a character the part does not allow, or null. Nested names read as "items[0].name".
 */
function fieldWithControlCharacter(value: unknown, part: InputPart, name = ''): string | null {
  if (typeof value === 'string') return hasControl(value, part) ? name : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = fieldWithControlCharacter(item, part, `${name}[${index}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const path = name ? `${name}.${key}` : key;
      if (hasControl(key, part)) return path;
      const found = fieldWithControlCharacter(item, part, path);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Throws InvalidCharacterError when a parsed query, form or JSON value breaks the rule. */
export function refuseControlCharacters(value: unknown, part: InputPart, name = ''): void {
  const field = fieldWithControlCharacter(value, part, name);
  if (field !== null) throw new InvalidCharacterError(part, field);
}

/**
 * What is wrong with a raw URL path: not decodable (percent-encoding that is no UTF-8,
 * e.g. "%ff"), or a control character once decoded; null when it is fine. Checking the
 * whole path covers every route parameter before routing, where they are not yet known by
 * name (the router would throw a URIError for "%ff" in a parameter).
 */
function pathProblem(rawPath: string): 'undecodable' | 'control' | null {
  try {
    return CONTROL.test(decodeURIComponent(rawPath)) ? 'control' : null;
  } catch {
    return 'undecodable';
  }
}

/** What the console and portal accept as a request body: forms, as browsers send them. */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/** Whether the request carries body bytes (not a bodiless POST with Content-Length: 0). */
function hasContent(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Express middleware after the urlencoded parser, before CSRF and the routes: refuses a
 * bad path (400/422), a control character in the query string (422) or the urlencoded
 * body (422), and a body that is no form (415); leaves `req.body` an object for every
 * handler. A cookie holding a control character cannot be one we set and is dropped, as
 * if not sent (a 422 there would lock the browser out until the cookie expires).
 */
export function inputGuard(req: Request, _res: Response, next: NextFunction) {
  const problem = pathProblem(req.path);
  if (problem === 'undecodable') throw new HttpError(400, 'errors.badRequest', `undecodable path ${req.path}`);
  if (problem === 'control') throw new InvalidCharacterError('path', 'path');
  refuseControlCharacters(req.query, 'query');
  if (hasContent(req) && !req.is(FORM_TYPES)) throw new HttpError(415, 'errors.unsupportedMediaType', `body of type ${req.get('content-type') ?? 'none'}`);
  req.body ??= {};
  refuseControlCharacters(req.body, 'body');
  for (const [name, value] of Object.entries(req.cookies ?? {})) {
    if (typeof value === 'string' && CONTROL.test(value)) delete req.cookies[name];
  }
  next();
}

/**
 * Hono middleware for the API, before its routes: the same path rule as the console,
 * answered in the API's JSON error format, and a 415 for a content coding,
 * which the API does not decode (a gzipped body would otherwise be read as garbled JSON).
 * JSON bodies are checked where they are read, in `readJson` (src/api/common.ts).
 */
export const apiInputGuard: MiddlewareHandler = async (c, next) => {
  const problem = pathProblem(new URL(c.req.url).pathname);
  if (problem === 'undecodable') return c.json({ error: { code: 'invalid_path', message: 'The URL path is not valid percent-encoded UTF-8.' } }, 400);
  if (problem === 'control') return c.json(invalidCharactersBody(new InvalidCharacterError('path', 'path')), 422);
  const coding = c.req.header('content-encoding')?.trim().toLowerCase();
  if (coding && coding !== 'identity') {
    return c.json({ error: { code: 'unsupported_encoding', message: `Content-Encoding "${coding}" is not supported: send the body uncompressed.` } }, 415);
  }
  await next();
};

/** The API's JSON error body for InvalidCharacterError (its `onError` in src/api/app.ts answers it with 422). */
export function invalidCharactersBody(error: InvalidCharacterError) {
  const what = error.part === 'fileName' ? `The file name in "${error.field}"` : error.part === 'path' ? 'The URL path' : `"${error.field}"`;
  return {
    error: {
      code: 'invalid_characters',
      message: `${what} contains a control character (U+0000 to U+001F or U+007F; tab, CR and LF are allowed in body text only).`,
      field: error.field,
    },
  };
}

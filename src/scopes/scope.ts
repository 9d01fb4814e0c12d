import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { PortalUser, StaffUser } from '../entities/index.ts';

/**
 * A scope loads what a request may touch, through its parent and the current user or
 * Verwaltung, the way Campfire's `RoomScoped` finds `Current.user.rooms.find(params[:room_id])`
 * and then `@room.messages.find(id)`: the property is looked up among the Verwaltung's, the
 * unit among that property's, the Vorgang among those the resident may see. What is out of
 * scope is simply not found: the loader throws NotFoundError and the request ends in a 404.
 *
 * Handlers get the loaded values typed (`scoped(unitScope, (req, res, { property, unit }) => …)`);
 * nothing else reads the session's user or `res.locals`. The one exception is what the layout
 * needs on every page (the portal's property header, the preview banner): the scopes that load
 * it publish it to `res.locals` themselves (./portal.ts).
 */
export type Scope<T> = {
  /** Named in the route list (test/integration/routes.test.ts checks every route has one). */
  readonly name: string;
  readonly load: (req: Request, res: Response) => Promise<T>;
};

/** A scope of its own (the first link of a chain: the staff member, the resident, the public). */
export function defineScope<T>(name: string, load: (req: Request, res: Response) => Promise<T> | T): Scope<T> {
  return { name, load: async (req, res) => load(req, res) };
}

/**
 * A scope inside another: `load` gets what the parent loaded and adds to it. The parent is
 * loaded at most once per request, however many scopes build on it.
 */
export function within<P extends object, T extends object>(
  parent: Scope<P>,
  name: string,
  load: (parent: P, req: Request, res: Response) => Promise<T> | T,
): Scope<P & T> {
  return defineScope(`${parent.name} › ${name}`, async (req, res) => {
    const loaded = await once(parent, req, res);
    return extend(loaded, await load(loaded, req, res));
  });
}

/** The parent's values and the child's (the child's win), a value the parent computes when read (staffScope's staff) still computed only when read. */
function extend<P extends object, T extends object>(parent: P, child: T): P & T {
  return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(parent), ...Object.getOwnPropertyDescriptors(child) }) as P & T;
}

/** Loads a scope once per request (a second ask returns the same promise). */
function once<T>(scope: Scope<T>, req: Request, res: Response): Promise<T> {
  req.scopes ??= new Map();
  const loaded = req.scopes;
  if (!loaded.has(scope)) loaded.set(scope, scope.load(req, res));
  return loaded.get(scope) as Promise<T>;
}

export type ScopedHandler<T> = (req: Request, res: Response, scope: T) => unknown;

const SCOPE_OF_HANDLER = new WeakMap<object, string>();

/** A route handler that runs with the values its scope loaded (or never, when the scope ends in a 404). */
export function scoped<T>(scope: Scope<T>, handler: ScopedHandler<T>): RequestHandler {
  const run = async (req: Request, res: Response, _next: NextFunction) => {
    await handler(req, res, await once(scope, req, res));
  };
  SCOPE_OF_HANDLER.set(run, scope.name);
  return run;
}

/** The scope a route handler runs in, for the route list; undefined for a handler not made by `scoped`. */
export function scopeOfHandler(handler: unknown): string | undefined {
  return typeof handler === 'function' ? SCOPE_OF_HANDLER.get(handler) : undefined;
}

declare global {
  namespace Express {
    interface Request {
      /** What this request's scopes loaded (./scope.ts `once`). */
      scopes?: Map<Scope<unknown>, Promise<unknown>>;
    }
  }
}

/**
 * Pages without a login (the login forms, registration, calendar feeds by their secret
 * token). Nothing is loaded through it: what such a route finds by a token it finds through
 * the feature's own lookup of that token. Who is logged in anyway, if anyone, comes along
 * (the login page sends them on, the language switch remembers a resident's choice).
 */
export type PublicScope = { staff: StaffUser | null; resident: PortalUser | null };

export const publicScope: Scope<PublicScope> = defineScope('public', (req) => ({ staff: req.staff ?? null, resident: req.portalUser ?? null }));

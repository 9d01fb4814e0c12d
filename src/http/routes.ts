import { type Express, type RequestHandler, Router } from 'express';
import { scopeOfHandler } from '../scopes/scope.ts';

/**
 * Who may reach a group of routes. The guard is applied where the group is mounted, so a
 * feature cannot forget it; test/integration/routes.test.ts walks this registry and checks
 * every route from the outside.
 */
export type Guard = 'public' | 'staff' | 'admin' | 'portal' | 'preview' | 'dev';

/** A route as the registry lists it; `scope` names the scope its handler loads its records through (src/scopes), if any. */
export type MountedRoute = { method: string; path: string; guard: Guard; scope: string | undefined };

type Mount = { prefix: string; router: Router; guard: Guard };

export class RouteRegistry {
  private readonly mounts: Mount[] = [];

  mount(app: Express, prefix: string, guard: Guard, guardMiddleware: RequestHandler[], router: Router) {
    this.mountGroup(app, prefix, guard, guardMiddleware, [router]);
  }

  /**
   * Several routers under one prefix and one guard, tried in order: Express matches the prefix
   * and runs the guard once for the group instead of once per router (each mount it passes
   * costs a trimmed URL, closures and the guard again). On the portal start page, whose
   * routers come last, the router's share of the profile went from 0.18 to 0.15 ms per request
   * (`npm run bench:profile -- portal`). The registry still lists each router's routes.
   */
  mountGroup(app: Express, prefix: string, guard: Guard, guardMiddleware: RequestHandler[], routers: Router[]) {
    for (const router of routers) this.mounts.push({ prefix, router, guard });
    if (routers.length === 1) {
      app.use(prefix || '/', ...guardMiddleware, routers[0]);
      return;
    }
    const group = Router();
    for (const router of routers) group.use(router);
    app.use(prefix || '/', ...guardMiddleware, group);
  }

  /** Every route with its method, full path and guard. */
  list(): MountedRoute[] {
    const routes: MountedRoute[] = [];
    for (const { prefix, router, guard } of this.mounts) {
      for (const layer of router.stack as Array<{
        route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
        handle?: { stack?: unknown };
      }>) {
        // A router inside a router would hide its routes from this list (and from the route
        // tests that walk it): mount every router here instead.
        if (layer.handle?.stack) throw new Error(`nested router under ${prefix || '/'}: mount it through the registry`);
        if (!layer.route) continue;
        const scope = scopeOfHandler(layer.route.stack.at(-1)?.handle);
        for (const method of Object.keys(layer.route.methods)) {
          if (method === '_all') continue;
          routes.push({ method: method.toUpperCase(), path: `${prefix}${layer.route.path}`, guard, scope });
        }
      }
    }
    return routes;
  }
}

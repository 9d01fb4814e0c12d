import { Router } from 'express';

// Termine: the console form, the portal calendar, .ics download and subscription feed.

/** Console routes, mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();
  return router;
}

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview). */
export function portalRoutes() {
  const router = Router();
  return router;
}

import { Router } from 'express';

// Ansprechpartner: maintained in the console, shown in the portal.

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

import { Router } from 'express';

// Fragen & Antworten: maintained in the console, shown in the portal when enabled.

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

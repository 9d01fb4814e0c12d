import { Router } from 'express';

// Schwarzes Brett: posts of the Verwaltung per property, with attachments and notification.

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

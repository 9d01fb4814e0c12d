import { Router } from 'express';

// Neuer Inhalt: the list of all content with filters, and the property picker ("Senden an").

/** Console routes, mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();
  return router;
}

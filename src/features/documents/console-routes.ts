import { Router } from 'express';

/** Console: upload, list, edit, replace and withdraw documents; mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();
  return router;
}

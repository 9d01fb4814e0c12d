import { Router } from 'express';

/** Console: SmartPost (Serienbriefe); mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();
  return router;
}

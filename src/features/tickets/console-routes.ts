import { Router } from 'express';

/** Console routes, mounted at /verwaltung (staff): the Vorgänge list. */
export function consoleRoutes() {
  const router = Router();
  return router;
}

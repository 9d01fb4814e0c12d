import { Router } from 'express';

/** Console routes, mounted at /verwaltung (staff): one Vorgang, its actions, print view and PDF. */
export function detailRoutes() {
  const router = Router();
  return router;
}

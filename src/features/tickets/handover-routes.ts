import { Router } from 'express';

/** Console routes, mounted at /verwaltung (staff): link documents, forward to a Dienstleister, merge duplicates. */
export function handoverRoutes() {
  const router = Router();
  return router;
}

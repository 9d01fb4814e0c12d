import { Router } from 'express';

/** Administration > Dokumententypen: the folder tree; mounted at /verwaltung/administration/dokumententypen (admins). */
export function typeAdminRoutes() {
  const router = Router();
  return router;
}

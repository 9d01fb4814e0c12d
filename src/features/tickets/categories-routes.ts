import { Router } from 'express';

/** Administration › Vorgangsthemen, mounted at /verwaltung/administration/vorgangsthemen (admins). */
export function categoryAdminRoutes() {
  const router = Router();
  return router;
}

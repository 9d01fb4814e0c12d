import { Router } from 'express';

/** Administration > Kundenportal: Einstellungen and Rollen & Zugriffsrechte (admins only). */
export function adminRoutes() {
  const router = Router();
  return router;
}

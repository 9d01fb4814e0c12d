import { Router } from 'express';

/** Console: "Kontakt einladen", bulk invitation of a property, invitation letters. */
export function consoleRoutes() {
  const router = Router();
  return router;
}

import { Router } from 'express';

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview): "Anliegen melden", "Meine Vorgänge". */
export function portalRoutes() {
  const router = Router();
  return router;
}

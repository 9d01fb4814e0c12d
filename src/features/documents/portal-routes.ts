import { Router } from 'express';

/** Portal "Dokumente": folders, search, downloads; mounted for residents and the preview. */
export function portalRoutes() {
  const router = Router();
  return router;
}

import { Router, type NextFunction, type Request, type Response } from 'express';

/** Registration with an invitation code (no session yet). */
export function publicRoutes() {
  const router = Router();
  return router;
}

/** First-login questions, profile, further access by code, "Nachbarn einladen". */
export function portalRoutes() {
  const router = Router();
  return router;
}

/** Sends a resident who has not answered the first-login questions to them first. */
export function requireOnboarded(_req: Request, _res: Response, next: NextFunction) {
  next();
}

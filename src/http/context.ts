import type { TFunction } from 'i18next';
import type { Config } from '../config.ts';
import type { Clock } from '../clock.ts';
import type { Em, Orm } from '../db/orm.ts';
import type { Viewer } from '../auth/session.ts';
import type { PortalUser, Property, Session, StaffUser } from '../entities/index.ts';
import type { PdfWorkers } from '../pdf/workers.ts';
import type { FileStorage } from '../storage/files.ts';
import type { AfterResponse } from './after-response.ts';
import type { Language } from './i18n.ts';

/** What the app is built from; tests build it with their own database, clock and SMTP. */
export type AppDeps = {
  orm: Orm;
  config: Config;
  clock: Clock;
};

declare global {
  namespace Express {
    interface Request {
      /** This request's own EntityManager (a fork), scoped to the Verwaltung once logged in. */
      em: Em;
      deps: AppDeps;
      /** Where uploads and attachments live (src/storage); one per app. */
      storage: FileStorage;
      /** Work for after this response (src/http/after-response.ts): `req.afterResponse.schedule(res, …)`. */
      afterResponse: AfterResponse;
      /** Worker threads for reading and drawing PDFs, off the request thread (src/pdf/workers.ts); one pool per app. */
      pdfWorkers: PdfWorkers;
      lang: Language;
      t: TFunction;
      session?: Session;
      /** The login session's id, without mapping the session entity (req.session maps it on first read). */
      sessionId?: string;
      /** Who is logged in, as plain values read once per login (src/auth/session.ts): what guards and layouts read. */
      viewer?: Viewer;
      /** The logged-in staff member as an entity of req.em, mapped on first read. */
      staff?: StaffUser;
      /** The logged-in resident as an entity of req.em, mapped on first read. */
      portalUser?: PortalUser;
      /** Set under /portal/vorschau by the preview guard (src/features/preview): the property shown read-only. */
      preview?: { property: Property };
    }
  }
}

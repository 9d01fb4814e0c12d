import type { Request, RequestHandler, Response, Router } from 'express';
import { listSort, pageNumber, sortParam, type ListSort } from '../../http/paging.ts';
import { setArchived } from './console-edit.ts';
import type { ErpOwned } from './ownership.ts';

// Route pieces every Stammdaten list and record page of the console shares.

/**
 * The query of a Stammdaten list: ?q= (search), ?archivierte=1, ?sortierung=, ?seite=, and
 * `params`, what its sort headers and pagination links carry (the default order left out).
 */
export function listQuery<T extends string>(req: Request, sorts: readonly T[], fallback: ListSort<T>) {
  const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
  const archived = req.query.archivierte === '1';
  const sort = listSort(req.query.sortierung, sorts, fallback);
  const sortierung = sort.key === fallback.key && !sort.descending ? '' : sortParam(sort);
  return { q, archived, sort, page: pageNumber(req.query.seite), params: { q, archivierte: archived ? '1' : '', sortierung } };
}

/** What "Archivieren" / "Wiederherstellen" act on, and where they go back to. */
export type ArchiveTarget = {
  record: ErpOwned & { id: string; archivedAt?: Date | null };
  /** The audit subject type (contact, unit, ...). */
  subjectType: string;
  back: string;
  /** Append ?erledigt=archiviert|wiederhergestellt when it changed (pages that show that notice). */
  notice?: boolean;
};

/** POST <path>/archivieren and <path>/wiederherstellen of a record the handlers load (setArchived), then 303 back. */
export function archiveRoutes(router: Router, path: string, handlers: RequestHandler[], target: (req: Request, res: Response) => ArchiveTarget) {
  for (const [action, archived] of [['archivieren', true], ['wiederherstellen', false]] as const) {
    router.post(`${path}/${action}`, ...handlers, async (req, res) => {
      const { record, subjectType, back, notice } = target(req, res);
      const changed = setArchived(req.em, req.staff!, subjectType, record, archived, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, notice && changed ? `${back}?erledigt=${archived ? 'archiviert' : 'wiederhergestellt'}` : back);
    });
  }
}

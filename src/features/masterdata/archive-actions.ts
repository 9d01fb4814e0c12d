import type { Router } from 'express';
import { scoped, type Scope } from '../../scopes/scope.ts';
import type { StaffScope } from '../../scopes/staff.ts';
import { setArchived } from './console-edit.ts';
import type { ErpOwned } from './ownership.ts';

// "Archivieren" and "Wiederherstellen", the two actions every Stammdaten record page of the
// console shares (Liegenschaften, Adressen, Einheiten, Kontakte, Verträge, Dienstleister).

/** What "Archivieren" / "Wiederherstellen" act on, and where they go back to. */
export type ArchiveTarget = {
  record: ErpOwned & { id: string; archivedAt?: Date | null };
  /** The audit subject type (contact, unit, ...). */
  subjectType: string;
  back: string;
  /** Append ?erledigt=archiviert|wiederhergestellt when it changed (pages that show that notice). */
  notice?: boolean;
};

/** POST <path>/archivieren and <path>/wiederherstellen of the record `scope` loads (setArchived), then 303 back. */
export function archiveRoutes<T extends StaffScope>(router: Router, path: string, scope: Scope<T>, target: (loaded: T) => ArchiveTarget) {
  for (const [action, archived] of [
    ['archivieren', true],
    ['wiederherstellen', false],
  ] as const) {
    router.post(
      `${path}/${action}`,
      scoped(scope, async (req, res, loaded) => {
        const { record, subjectType, back, notice } = target(loaded);
        const changed = setArchived(req.em, loaded.staff, subjectType, record, archived, req.deps.clock.now());
        await req.em.flush();
        res.redirect(303, notice && changed ? `${back}?erledigt=${archived ? 'archiviert' : 'wiederhergestellt'}` : back);
      }),
    );
  }
}

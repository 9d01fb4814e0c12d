import type { Em } from '../../db/orm.ts';
import type { PortalUser } from '../../entities/index.ts';
import type { FileStorage } from '../../storage/files.ts';

/**
 * The two registries of the resident's data-protection rights (DSGVO), in one module so a
 * feature that keeps personal data adds both together:
 *
 * - **export kinds** (Art. 15 and 20, "Meine Daten"): `collect` returns what the feature
 *   holds about the resident as JSON (one file `<key>.json` in the ZIP) and the resident's
 *   own uploads, by storage key (under `dateien/<key>/`);
 * - **deletion hooks** ("Konto löschen"): `run` removes or anonymises the feature's rows of
 *   the resident inside the deletion's transaction; what must be kept (Vorgänge, the audit
 *   log) is kept, without the resident's name. Files to remove are named by storage key and
 *   removed once the transaction committed.
 *
 * The core kinds and hooks are registered in ./core-kinds.ts; later features (community,
 * bookings, messages) register theirs at import time of their own module, imported there too.
 */
export type PrivacyContext = { em: Em; user: PortalUser; storage: FileStorage };

export type ExportFile = { /** Path inside the ZIP's folder of the kind. */ name: string; storageKey: string };
export type ExportPart = { json: unknown; files?: ExportFile[] };

export type ExportKind = {
  /** File name in the ZIP (`<key>.json`), lower-case, German like the rest of the URLs. */
  key: string;
  collect: (ctx: PrivacyContext) => Promise<ExportPart>;
};

export type DeletionContext = PrivacyContext & {
  now: Date;
  /** Storage keys to remove after the commit (photos, uploads that are only the resident's). */
  removeFiles: (keys: string[]) => void;
};

export type DeletionHook = {
  key: string;
  run: (ctx: DeletionContext) => Promise<void>;
};

const exportKinds = new Map<string, ExportKind>();
const deletionHooks = new Map<string, DeletionHook>();

/** Adds what a feature exports (at import time). */
export function registerExportKind(kind: ExportKind) {
  if (!/^[a-z0-9-]+$/.test(kind.key)) throw new Error(`export kind ${kind.key}: key must be a file name`);
  exportKinds.set(kind.key, kind);
}

/** Adds what a feature removes or anonymises when a resident deletes their account (at import time). */
export function registerDeletionHook(hook: DeletionHook) {
  deletionHooks.set(hook.key, hook);
}

export function registeredExportKinds(): ExportKind[] {
  return [...exportKinds.values()];
}

export function registeredDeletionHooks(): DeletionHook[] {
  return [...deletionHooks.values()];
}

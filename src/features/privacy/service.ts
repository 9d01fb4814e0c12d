import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import yazl from 'yazl';
import type { Em } from '../../db/orm.ts';
import type { PortalUser } from '../../entities/index.ts';
import { verifyPassword } from '../../auth/password.ts';
import { accountKey, clearFailures, countAttempt, THROTTLE } from '../../auth/throttle.ts';
import type { FieldErrors } from '../../http/forms.ts';
import type { FileStorage } from '../../storage/files.ts';
import { auditPortalAction } from '../audit/service.ts';
import { FORMER_USER_NAME } from './core-kinds.ts';
import { registeredDeletionHooks, registeredExportKinds } from './export-registry.ts';

/** The ZIP's name: "meine-daten-2026-12-06.zip". */
export function exportFileName(now: Date): string {
  return `meine-daten-${now.toISOString().slice(0, 10)}.zip`;
}

/**
 * "Meine Daten": collects every registered kind (./export-registry.ts) and streams the ZIP
 * to `out`: one `<key>.json` per kind, the resident's own uploads under `dateien/<key>/`,
 * read from the store one after the other as the ZIP is written (never all in memory). The
 * export is written to the audit log before the first byte goes out.
 */
export async function streamExport(em: Em, storage: FileStorage, user: PortalUser, out: Writable, now: Date) {
  const zip = new yazl.ZipFile();
  const parts = [];
  for (const kind of registeredExportKinds()) parts.push({ key: kind.key, part: await kind.collect({ em, user, storage }) });
  auditPortalAction(em, user, 'privacy.exported', { kinds: parts.map((p) => p.key) }, now);
  await em.flush();
  const mtime = now;
  const readme = [
    'Meine Daten – Auskunft nach Art. 15 und Datenübertragbarkeit nach Art. 20 DSGVO',
    `Erstellt am ${now.toISOString()} für ${user.email}.`,
    '',
    'Jede JSON-Datei enthält eine Art von Daten; Ihre eigenen hochgeladenen Dateien liegen unter dateien/.',
    ...parts.map((p) => `- ${p.key}.json`),
    '',
  ].join('\n');
  zip.addBuffer(Buffer.from(readme, 'utf8'), 'LIESMICH.txt', { mtime });
  for (const { key, part } of parts) {
    zip.addBuffer(Buffer.from(`${JSON.stringify(part.json, null, 2)}\n`, 'utf8'), `${key}.json`, { mtime });
    for (const file of part.files ?? []) {
      // A file gone from the store is left out rather than breaking the whole ZIP.
      const size = await storage.size(file.storageKey).catch(() => null);
      if (size === null) continue;
      zip.addReadStream(storage.open(file.storageKey), `dateien/${key}/${file.name}`, { mtime, size });
    }
  }
  zip.end();
  await pipeline(zip.outputStream, out);
}

/**
 * "Konto löschen", after the password: every registered deletion hook removes or anonymises
 * its rows; the login itself keeps only its id (so Vorgänge and the audit log keep their
 * links, naming an "ehemalige/r Nutzer/in"), can never log in again and holds no e-mail,
 * name or photo. The Verwaltung's contacts stay. All in one transaction; files are removed
 * after it committed.
 */
export async function deleteAccount(em: Em, storage: FileStorage, user: PortalUser, password: string, now: Date): Promise<FieldErrors | null> {
  const account = accountKey('portal', user.email);
  if (await countAttempt(em, [{ key: account, limit: THROTTLE.accountLimit }], now)) return { deletePassword: 'auth:errors.tooManyAttempts' };
  if (!(await verifyPassword(user.passwordHash, password))) return { deletePassword: 'registration:errors.currentPasswordWrong' };
  await clearFailures(em, account);
  const filesToRemove: string[] = [];
  await em.transactional(async (tx) => {
    const ctx = { em: tx, user, storage, now, removeFiles: (keys: string[]) => filesToRemove.push(...keys) };
    for (const hook of registeredDeletionHooks()) await hook.run(ctx);
    user.email = `geloescht-${user.id}@geloescht.invalid`;
    user.name = FORMER_USER_NAME;
    user.displayName = null;
    user.avatar = null;
    user.photoKey = null;
    user.passwordHash = null;
    user.calendarTokenHash = null;
    user.disabledAt = now;
    user.deletedAt = now;
    auditPortalAction(tx, user, 'privacy.account_deleted', null, now);
  });
  for (const key of filesToRemove) await storage.remove(key).catch(() => undefined);
  return null;
}

import { Router } from 'express';
import type { Em } from '../../db/orm.ts';
import { Document } from '../../entities/index.ts';
import { sendStoredFile } from '../../http/download.ts';
import { isUuid } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { numberFormat } from '../../intl.ts';
import { portalDocumentScope, portalPropertyScope } from '../../scopes/portal.ts';
import { scoped } from '../../scopes/scope.ts';
import { countDownload } from './downloads.ts';
import { typeTree, type TypeNode } from './types.ts';
import { visibleDocumentIds } from './visibility.ts';

/** A folder (Dokumententyp) of the portal's tree with the visible documents in it and below it. */
export type Folder = { type: TypeNode; depth: number; path: string[]; count: number; total: number; children: Folder[] };

/** What the portal shows of a document: PDF, Word or Bild, from the checked type of its file. */
function fileKind(mimeType: string): 'pdf' | 'word' | 'image' {
  if (mimeType === 'application/pdf') return 'pdf';
  return mimeType.startsWith('image/') ? 'image' : 'word';
}

/**
 * The folder tree with counts: every Dokumententyp that holds a visible document, itself or
 * in a subfolder, in the order of Administration > Dokumententypen (./types.ts).
 */
function folderTree(tree: TypeNode[], countByType: Map<string, number>): Folder[] {
  const byId = new Map(tree.map((node) => [node.id, node]));
  const build = (ids: string[]): Folder[] =>
    ids
      .map((id) => byId.get(id)!)
      .map((node) => {
        const children = build(node.childIds);
        const count = countByType.get(node.id) ?? 0;
        return { type: node, depth: node.depth - 1, path: node.path, count, total: count + children.reduce((sum, c) => sum + c.total, 0), children };
      })
      .filter((folder) => folder.total > 0);
  return build(tree.filter((node) => node.parentId === null).map((node) => node.id));
}

/** Every folder of a tree, depth first (the order of the groups in the list). */
function flatten(folders: Folder[]): Folder[] {
  return folders.flatMap((folder) => [folder, ...flatten(folder.children)]);
}

function findFolder(folders: Folder[], typeId: string): Folder | undefined {
  return flatten(folders).find((folder) => folder.type.id === typeId);
}

/**
 * The Dokumente page of a property: the folder tree (with counts), and the documents,
 * newest first inside each folder, narrowed to a folder and its subfolders (?ordner=) and
 * by title (?q=). Two queries after the visibility rule: the types, the documents.
 */
async function documentPage(em: Em, ids: string[], q: string, folderId: string | null) {
  const tree = await typeTree(em);
  const documents =
    ids.length === 0
      ? []
      : await em.find(Document, { id: { $in: ids }, status: 'published' }, { populate: ['type'], orderBy: { publishedAt: 'desc', title: 'asc' } });
  const countByType = new Map<string, number>();
  for (const document of documents) countByType.set(document.type.id, (countByType.get(document.type.id) ?? 0) + 1);
  const folders = folderTree(tree, countByType);

  const selected = folderId ? (findFolder(folders, folderId) ?? null) : null;
  const inScope = new Set(flatten(selected ? [selected] : folders).map((folder) => folder.type.id));
  const needle = q.toLocaleLowerCase('de');
  const matching = documents.filter((d) => inScope.has(d.type.id) && (!needle || d.title.toLocaleLowerCase('de').includes(needle)));
  const groups = flatten(selected ? [selected] : folders)
    .map((folder) => ({ folder, documents: matching.filter((d) => d.type.id === folder.type.id) }))
    .filter((group) => group.documents.length > 0);
  return { folders, selected, groups, total: documents.length, matches: matching.length };
}

/** Portal "Dokumente": folders, search, downloads; mounted for residents and the preview. */
export function portalRoutes() {
  const router = Router();
  const base = '/liegenschaften/:propertyId/dokumente';

  // Everyone with access to the property: a user inside an access window only (seed 002)
  // sees the documents shared with them personally, the visibility rule decides which.
  router.get(
    base,
    scoped(portalPropertyScope, async (req, res, { user, access }) => {
      const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : '';
      const folderId = isUuid(req.query.ordner) ? req.query.ordner : null;
      const page = await documentPage(req.em, await visibleDocumentIds(req.em, { user, access }), q, folderId);
      res.vary('HX-Target');
      const view = req.get('hx-target') === 'document-results' ? 'documents/_portal-results' : 'documents/portal-index';
      render(req, res, view, {
        title: req.t('portal-documents:title'),
        section: 'documents',
        q,
        ...page,
        fileKind,
        formatSize: (bytes: number) => formatSize(bytes, req.lang),
      });
    }),
  );

  router.get(
    `${base}/:documentId/datei`,
    scoped(portalDocumentScope, async (req, res, { user, document }) => {
      // A HEAD (Express answers it with this handler) is not a download; the preview never counts.
      if (user && req.method === 'GET') {
        await countDownload(req.em, { organizationId: document.organization.id, documentId: document.id, portalUserId: user.id, at: req.deps.clock.now() });
      }
      await sendStoredFile(res, req.storage, document, 'viewable');
    }),
  );

  return router;
}

/** 850 KB, 1,2 MB (German) / 1.2 MB (English). */
export function formatSize(bytes: number, lang: string): string {
  const number = numberFormat(lang === 'en' ? 'en-GB' : 'de-DE', { maximumFractionDigits: 1 });
  if (bytes < 1024 * 1024) return `${number.format(Math.max(1, Math.round(bytes / 1024)))} KB`;
  return `${number.format(bytes / (1024 * 1024))} MB`;
}

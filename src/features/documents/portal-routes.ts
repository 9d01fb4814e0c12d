import { Router } from 'express';
import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { sendStoredFile } from '../../http/download.ts';
import { isUuid } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { numberFormat } from '../../intl.ts';
import { portalDocumentScope, portalPropertyScope } from '../../scopes/portal.ts';
import { scoped } from '../../scopes/scope.ts';
import { countDownload } from './downloads.ts';
import { typeTreeOf, type TypeNode } from './types.ts';
import { documentVisibleTo, type DocumentViewer } from './visibility.ts';

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

/** A document of the portal's list, as plain row (views/documents/_portal-results.eta). */
export type PortalDocumentRow = {
  id: string;
  title: string;
  mimeType: string;
  size: number;
  publishedAt: Date;
  type: { id: string; name: string };
};

/**
 * The Dokumententypen of the Verwaltung and the documents the viewer sees in the property
 * (documentVisibleTo), newest first: ONE statement of plain rows through Kysely, each a JSON
 * sub-select. The Verwaltung is the session's (scopedOrganization): plain SQL is not reached
 * by the tenant filter.
 */
async function typesAndVisibleDocuments(em: Em, viewer: DocumentViewer) {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<{
    types: Array<{ id: string; name: string; parentId: string | null; position: number }>;
    documents: Array<Omit<PortalDocumentRow, 'publishedAt' | 'type'> & { publishedAt: string; typeId: string }>;
  }>`
    select
      (select coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'parentId', t.parent_id, 'position', t.position)
         order by t.position, t.name, t.id), '[]'::json)
       from document_type t where t.organization_id = ${organizationId}) as types,
      (select coalesce(json_agg(x), '[]'::json) from (
         select d.id, d.title, d.mime_type as "mimeType", d.size, d.published_at as "publishedAt", d.type_id as "typeId"
         from document d
         where d.organization_id = ${organizationId} and ${documentVisibleTo(viewer)('d')}
         order by d.published_at desc, d.title asc) x) as documents`.execute(em.getKysely());
  const tree = typeTreeOf(rows[0].types);
  const typeById = new Map(tree.map((node) => [node.id, { id: node.id, name: node.name }]));
  const documents = rows[0].documents.map(
    ({ typeId, publishedAt, ...row }): PortalDocumentRow => ({
      ...row,
      size: Number(row.size),
      publishedAt: new Date(publishedAt),
      type: typeById.get(typeId)!,
    }),
  );
  return { tree, documents };
}

/**
 * The Dokumente page of a property: the folder tree (with counts), and the documents,
 * newest first inside each folder, narrowed to a folder and its subfolders (?ordner=) and
 * by title (?q=). One statement: the types with the visible documents.
 */
async function documentPage(em: Em, viewer: DocumentViewer, q: string, folderId: string | null) {
  const { tree, documents } = await typesAndVisibleDocuments(em, viewer);
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
      const page = await documentPage(req.em, { user, access }, q, folderId);
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

import { sql } from 'kysely';
import { notifyNewDocumentShares } from './notify.ts';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import {
  AdvisoryBoardMember,
  Contact,
  contactDisplayName,
  Document,
  DocumentShare,
  DocumentType,
  DocumentVersion,
  MAX_DOCUMENT_TYPE_DEPTH,
  PortalUser,
  SerialLetter,
  Address,
  SHARE_GROUPS,
  Unit,
  type Property,
  type StaffUser,
} from '../../entities/index.ts';
import { field } from '../../http/forms.ts';
import type { Upload } from '../../http/upload.ts';
import { storeThenWrite, type FileStorage } from '../../storage/files.ts';
import { addShares, auditDocument, type DocumentActor, type ShareTarget } from './service.ts';
import { shareToken, targetToken } from './sharing.ts';
import { documentRecipients } from './visibility.ts';
import { subtreeIds, typeTree, type TypeNode } from './types.ts';
import { auditStaffAction } from '../audit/service.ts';

// The console side of Dokumente: the lists on the property, unit and contact
// pages, editing, replacing and withdrawing, read receipts. Who a document reaches is
// decided in ./visibility.ts only.

/** What "Geteilt mit" offers on a property (or unit) page: its addresses, units and the contacts with a contract there. */
export async function shareOptions(em: Em, property: Property, unit: Unit | null = null) {
  const [addresses, units, contacts] = await Promise.all([
    em.find(Address, { property }, { orderBy: { street: 'asc', houseNumber: 'asc' } }),
    em.find(Unit, { property, archivedAt: null }, { orderBy: { number: 'asc', id: 'asc' } }),
    em.find(Contact, unit ? { contracts: { unit } } : { contracts: { unit: { property } } }, {
      orderBy: { lastName: 'asc', firstName: 'asc', companyName: 'asc', id: 'asc' },
    }),
  ]);
  return {
    addresses: addresses.map((a) => ({ token: `address:${a.id}`, label: `${a.street} ${a.houseNumber}` })),
    units: units.map((u) => ({ token: `unit:${u.id}`, label: u.number })),
    contacts: contacts.map((c) => ({ token: `contact:${c.id}`, label: contactDisplayName(c) })),
  };
}

export type ShareLabel = { key: string } | { text: string };
export type DocumentRow = {
  id: string;
  title: string;
  status: string;
  typePath: string[];
  shares: ShareLabel[];
  publishedAt: Date;
  size: number;
  downloads: number;
  version: number;
};

/** Shares of documents as readable labels ("Mieter", "Wohnung 002", "Kristina Maiblume"): one query. */
export async function shareLabels(em: Em, documentIds: string[]): Promise<Map<string, Array<ShareLabel & { token: string }>>> {
  const labels = new Map<string, Array<ShareLabel & { token: string }>>();
  if (documentIds.length === 0) return labels;
  const shares = await em.find(
    DocumentShare,
    { document: { $in: documentIds } },
    { populate: ['address', 'unit', 'contact'], orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  const order = ['property', 'group', 'address', 'unit', 'contact'];
  shares.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  for (const share of shares) {
    const label: ShareLabel =
      share.kind === 'property'
        ? { key: 'documents:share.property' }
        : share.kind === 'group'
          ? { key: `documents:groups.${share.group}` }
          : share.kind === 'address'
            ? { text: `${share.address!.street} ${share.address!.houseNumber}` }
            : share.kind === 'unit'
              ? { text: share.unit!.number }
              : { text: contactDisplayName(share.contact!) };
    const list = labels.get(share.document.id) ?? [];
    list.push({ ...label, token: shareToken(share) });
    labels.set(share.document.id, list);
  }
  return labels;
}

/** Download counts (rows of DocumentDownload: one per user and day) of documents: one query. */
export async function downloadCounts(em: Em, organizationId: string, documentIds: string[]): Promise<Map<string, number>> {
  if (documentIds.length === 0) return new Map();
  // Plain SQL for the grouping: the Verwaltung is the first condition (the tenant filter does not reach it).
  const { rows } = await sql<{ document_id: string; n: number }>`
    select document_id, count(*)::int as n from document_download
    where organization_id = ${organizationId} and document_id in (${sql.join(documentIds)})
    group by document_id`.execute(em.getKysely());
  return new Map(rows.map((r) => [r.document_id, r.n]));
}

export type DocumentPlace = { propertyId: string } | { unitId: string } | { contactId: string };

/**
 * The document list of a property (documents that belong to it), a unit (uploaded on its
 * page or shared with it) or a contact (shared with them), newest first — one query per
 * column: documents, shares, download counts; types from the tree.
 */
/** How many documents a list shows: the newest; the page says how many there are in all. */
export const DOCUMENT_LIST_LIMIT = 500;

export async function documentList(em: Em, organizationId: string, place: DocumentPlace, tree: TypeNode[]): Promise<{ rows: DocumentRow[]; total: number }> {
  const where =
    'propertyId' in place
      ? { property: place.propertyId }
      : 'unitId' in place
        ? { $or: [{ unit: place.unitId }, { shares: { kind: 'unit' as const, unit: place.unitId } }] }
        : { shares: { kind: 'contact' as const, contact: place.contactId } };
  const documents = await em.find(Document, where, { orderBy: { publishedAt: 'desc', id: 'asc' }, limit: DOCUMENT_LIST_LIMIT });
  // Counted only when the list is full: most places have far fewer documents.
  const total = documents.length < DOCUMENT_LIST_LIMIT ? documents.length : await em.count(Document, where);
  const ids = documents.map((d) => d.id);
  const [labels, downloads] = await Promise.all([shareLabels(em, ids), downloadCounts(em, organizationId, ids)]);
  const paths = new Map(tree.map((n) => [n.id, n.path]));
  const rows = documents.map((d) => ({
    id: d.id,
    title: d.title,
    status: d.status,
    typePath: paths.get(d.type.id) ?? [],
    shares: labels.get(d.id) ?? [],
    publishedAt: d.publishedAt,
    size: d.size,
    downloads: downloads.get(d.id) ?? 0,
    version: d.version,
  }));
  return { rows, total };
}

export type DocumentChanges = { title: string; type: DocumentType; targets: ShareTarget[]; property?: Property | null };

/**
 * Applies title, type and "Geteilt mit" (and, from the API, the property) to a document
 * inside the caller's transaction. The share set is replaced, but a share that stays keeps
 * its row (and its createdAt), so the next digest tells only new recipients. A document
 * moved to another property starts with new shares ("property" and groups name the property).
 */
export async function applyDocumentChanges(tx: Em, actor: DocumentActor, doc: Document, input: DocumentChanges, now: Date) {
  const existing = await tx.find(DocumentShare, { document: doc }, { populate: ['address', 'unit', 'contact'] });
  const moved = input.property !== undefined && (doc.property?.id ?? null) !== (input.property?.id ?? null);
  const wanted = new Map(input.targets.map((t) => [targetToken(t), t]));
  const kept = new Set<string>();
  for (const share of existing) {
    const token = shareToken(share);
    if (!moved && wanted.has(token) && !kept.has(token)) kept.add(token);
    else tx.remove(share);
  }
  addShares(
    tx,
    doc,
    [...wanted].filter(([token]) => !kept.has(token)).map(([, t]) => t),
    now,
  );
  const changes = {
    title: doc.title !== input.title,
    type: doc.type.id !== input.type.id,
    shares: existing.length !== kept.size || wanted.size !== kept.size,
    ...(moved && { property: true }),
  };
  doc.title = input.title;
  doc.type = tx.getReference(DocumentType, input.type.id);
  if (moved) {
    doc.property = input.property ?? null;
    doc.unit = null;
  }
  doc.updatedAt = now;
  auditDocument(tx, actor, 'document.updated', doc, changes, now);
}

/** Saves title, type and "Geteilt mit" of a document (see applyDocumentChanges). */
export async function updateDocument(em: Em, actor: DocumentActor, document: Document, input: DocumentChanges, now: Date) {
  await em.transactional(async (tx) => {
    await applyDocumentChanges(tx, actor, await tx.findOneOrFail(Document, document.id), input, now);
    await tx.flush();
    await notifyNewDocumentShares(tx, document.organization.id, now);
  });
}

/**
 * "Datei ersetzen" inside the caller's transaction, the new file already in the store under
 * `storageKey`: the current file becomes a DocumentVersion, the upload the new current file (version + 1).
 */
export async function replaceFileRow(tx: Em, actor: DocumentActor, doc: Document, upload: Upload, storageKey: string, now: Date) {
  // The current file was uploaded when the previous one was replaced (or with the document).
  const previous = await tx.findOne(DocumentVersion, { document: doc }, { orderBy: { version: 'desc' } });
  tx.create(DocumentVersion, {
    organization: doc.organization,
    document: doc,
    version: doc.version,
    fileName: doc.fileName,
    mimeType: doc.mimeType,
    size: doc.size,
    storageKey: doc.storageKey,
    createdBy: doc.createdBy,
    createdAt: previous?.replacedAt ?? doc.createdAt,
    replacedAt: now,
  });
  doc.version += 1;
  doc.fileName = upload.fileName;
  doc.mimeType = upload.mimeType;
  doc.size = upload.size;
  doc.storageKey = storageKey;
  doc.updatedAt = now;
  auditDocument(tx, actor, 'document.replaced', doc, { version: doc.version, fileName: upload.fileName }, now);
}

/** "Datei ersetzen": the current file becomes a DocumentVersion, the upload the new current file (version + 1). */
export async function replaceFile(em: Em, storage: FileStorage, actor: DocumentActor, document: Document, upload: Upload, now: Date) {
  await storeThenWrite(storage, [upload.tempPath], ([key]) =>
    em.transactional(async (tx) => {
      await replaceFileRow(tx, actor, await tx.findOneOrFail(Document, document.id), upload, key, now);
      await tx.flush();
    }),
  );
}

/** "Zurückziehen": residents lose the document at once (visibility only reaches published ones). */
export async function withdrawDocument(em: Em, actor: DocumentActor, document: Document, now: Date) {
  if (document.status === 'withdrawn') return;
  document.status = 'withdrawn';
  document.updatedAt = now;
  auditDocument(em, actor, 'document.withdrawn', document, {}, now);
  await em.flush();
}

export type Receipt = { portalUserId: string; name: string; email: string; recipient: boolean; firstAt: Date | null; downloads: number };

/**
 * Read receipts: who the document reaches now (registered, enabled logins, from
 * ./visibility.ts) and who has opened it when (first download), with their download days.
 * People who downloaded it but are no longer reached are listed too.
 */
export async function readReceipts(em: Em, organizationId: string, documentId: string, now: Date) {
  const reach = await documentRecipients(em, organizationId, now, [documentId]);
  const { rows: downloads } = await sql<{ portal_user_id: string; first_at: Date; n: number }>`
    select portal_user_id, min(first_at) as first_at, count(*)::int as n from document_download
    where organization_id = ${organizationId} and document_id = ${documentId}
    group by portal_user_id`.execute(em.getKysely());
  const reached = new Set(reach.map((r) => r.portalUserId));
  const ids = [...new Set([...reached, ...downloads.map((d) => d.portal_user_id)])];
  const users = ids.length ? await em.find(PortalUser, { id: { $in: ids } }) : [];
  const byUser = new Map(downloads.map((d) => [d.portal_user_id, d]));
  const receipts: Receipt[] = users
    .filter((u) => byUser.has(u.id) || (u.passwordHash !== null && u.disabledAt === null))
    .map((u) => ({
      portalUserId: u.id,
      name: u.name,
      email: u.email,
      recipient: reached.has(u.id) && u.passwordHash !== null && u.disabledAt === null,
      firstAt: byUser.get(u.id) ? new Date(byUser.get(u.id)!.first_at) : null,
      downloads: byUser.get(u.id)?.n ?? 0,
    }));
  const collator = new Intl.Collator('de');
  receipts.sort((a, b) => collator.compare(a.name, b.name));
  return {
    receipts,
    recipients: receipts.filter((r) => r.recipient).length,
    opened: receipts.filter((r) => r.recipient && r.firstAt).length,
    downloads: downloads.reduce((sum, d) => sum + d.n, 0),
  };
}

// --- Administration > Dokumententypen ------------------------------------------------------

export type TypeProblem = 'nameMissing' | 'nameTooLong' | 'tooDeep' | 'cycle' | 'inUse' | 'hasChildren' | 'mergeTarget' | 'parentMissing';

function typeName(value: string): { name: string; problem?: TypeProblem } {
  const name = value.trim().replace(/\s+/g, ' ');
  if (!name) return { name, problem: 'nameMissing' };
  if (name.length > 100) return { name, problem: 'nameTooLong' };
  return { name };
}

async function nextPosition(em: Em, parentId: string | null): Promise<number> {
  const last = await em.findOne(DocumentType, { parent: parentId }, { orderBy: { position: 'desc' } });
  return last ? last.position + 1 : 0;
}

/** Adds a Dokumententyp at the end of its parent's children (at most MAX_DOCUMENT_TYPE_DEPTH deep). */
export async function addType(
  em: Em,
  staff: StaffUser,
  rawName: string,
  parentId: string | null,
  now: Date,
): Promise<{ problem?: TypeProblem; type?: DocumentType }> {
  const { name, problem } = typeName(rawName);
  if (problem) return { problem };
  const tree = await typeTree(em);
  const parent = parentId ? tree.find((n) => n.id === parentId) : null;
  if (parentId && !parent) return { problem: 'parentMissing' };
  if (parent && parent.depth >= MAX_DOCUMENT_TYPE_DEPTH) return { problem: 'tooDeep' };
  const type = em.create(DocumentType, {
    organization: staff.organization,
    parent: parentId,
    name,
    position: await nextPosition(em, parentId),
    createdAt: now,
  });
  await em.flush();
  return { type };
}

/** Renames a Dokumententyp. */
export async function renameType(em: Em, type: DocumentType, rawName: string): Promise<TypeProblem | null> {
  const { name, problem } = typeName(rawName);
  if (problem) return problem;
  type.name = name;
  await em.flush();
  return null;
}

/** Moves a type one place up or down among its siblings (positions renumbered 0..n-1). */
export async function reorderType(em: Em, type: DocumentType, direction: 'up' | 'down') {
  await em.transactional(async (tx) => {
    const siblings = await tx.find(DocumentType, { parent: type.parent?.id ?? null }, { orderBy: { position: 'asc', name: 'asc', id: 'asc' } });
    const i = siblings.findIndex((s) => s.id === type.id);
    const j = direction === 'up' ? i - 1 : i + 1;
    if (i < 0 || j < 0 || j >= siblings.length) return;
    [siblings[i], siblings[j]] = [siblings[j], siblings[i]];
    siblings.forEach((s, position) => {
      s.position = position;
    });
    await tx.flush();
  });
}

/** The types a type may be moved under: not itself or below it, and its subtree must still fit in the depth. */
export function possibleParents(tree: TypeNode[], id: string): TypeNode[] {
  const node = tree.find((n) => n.id === id);
  if (!node) return [];
  const below = subtreeIds(tree, id);
  return tree.filter((n) => !below.has(n.id) && n.depth + node.height <= MAX_DOCUMENT_TYPE_DEPTH);
}

/** Moves a type (with its subtree) under a new parent (null: top level), refusing cycles and more than five levels. */
export async function moveType(em: Em, type: DocumentType, parentId: string | null): Promise<TypeProblem | null> {
  return em.transactional(async (tx) => {
    const tree = await typeTree(tx);
    const node = tree.find((n) => n.id === type.id)!;
    if (parentId) {
      const parent = tree.find((n) => n.id === parentId);
      if (!parent) return 'parentMissing';
      if (subtreeIds(tree, type.id).has(parentId)) return 'cycle';
      if (parent.depth + node.height > MAX_DOCUMENT_TYPE_DEPTH) return 'tooDeep';
    } else if (node.height > MAX_DOCUMENT_TYPE_DEPTH) {
      return 'tooDeep';
    }
    if ((type.parent?.id ?? null) === parentId) return null;
    const moved = await tx.findOneOrFail(DocumentType, type.id);
    moved.parent = parentId ? tx.getReference(DocumentType, parentId) : null;
    moved.position = await nextPosition(tx, parentId);
    await tx.flush();
    return null;
  });
}

/** Document counts per type of the Verwaltung the EntityManager is scoped to (one grouped query, the Verwaltung its first condition). */
export async function documentCountsByType(em: Em): Promise<Map<string, number>> {
  const { rows } = await sql<{ type_id: string; n: number }>`
    select type_id, count(*)::int as n from document where organization_id = ${scopedOrganization(em)} group by type_id`.execute(em.getKysely());
  return new Map(rows.map((r) => [r.type_id, r.n]));
}

/** How many documents and serial letters use a type, and how many children it has. */
export async function typeUsage(em: Em, typeId: string) {
  const [documents, serialLetters, children] = await Promise.all([
    em.count(Document, { type: typeId }),
    em.count(SerialLetter, { type: typeId }),
    em.count(DocumentType, { parent: typeId }),
  ]);
  return { documents, serialLetters, children };
}

/** Deletes an unused type without children; a type in use can only be merged into another. */
export async function deleteType(em: Em, type: DocumentType): Promise<TypeProblem | null> {
  return em.transactional(async (tx) => {
    const usage = await typeUsage(tx, type.id);
    if (usage.children > 0) return 'hasChildren';
    if (usage.documents > 0 || usage.serialLetters > 0) return 'inUse';
    tx.remove(tx.getReference(DocumentType, type.id));
    await tx.flush();
    return null;
  });
}

/**
 * "Zusammenführen in …": moves the type's documents, serial letters and child types into the
 * target, then deletes the type — in one transaction. The target may not lie below the type,
 * and the moved children must still fit in five levels.
 */
export async function mergeType(em: Em, staff: StaffUser, type: DocumentType, targetId: string, now: Date): Promise<TypeProblem | null> {
  return em.transactional(async (tx) => {
    const tree = await typeTree(tx);
    const target = tree.find((n) => n.id === targetId);
    if (!target || subtreeIds(tree, type.id).has(targetId)) return 'mergeTarget';
    const node = tree.find((n) => n.id === type.id)!;
    if (target.depth + (node.height - 1) > MAX_DOCUMENT_TYPE_DEPTH) return 'tooDeep';
    const targetRef = tx.getReference(DocumentType, targetId);
    const documents = await tx.find(Document, { type: type.id });
    for (const d of documents) d.type = targetRef;
    const letters = await tx.find(SerialLetter, { type: type.id });
    for (const l of letters) l.type = targetRef;
    let position = await nextPosition(tx, targetId);
    const children = await tx.find(DocumentType, { parent: type.id }, { orderBy: { position: 'asc' } });
    for (const child of children) {
      child.parent = targetRef;
      child.position = position++;
    }
    auditStaffAction(
      tx,
      staff,
      'document_type.merged',
      { type: 'DocumentType', id: type.id },
      { name: type.name, into: targetId, documents: documents.length },
      now,
    );
    await tx.flush();
    tx.remove(tx.getReference(DocumentType, type.id));
    await tx.flush();
    return null;
  });
}

// --- Verwaltungsbeirat: the group "Beirat" in "Geteilt mit" ---------------------------------

/** Puts an owner of the property on its Beirat or takes them off (the caller found the contact among its owners). */
export async function setBoardMember(em: Em, property: Property, contact: Contact, member: boolean, now: Date) {
  const seat = await em.findOne(AdvisoryBoardMember, { property, contact });
  if (member && !seat) em.create(AdvisoryBoardMember, { organization: property.organization, property, contact, createdAt: now });
  if (!member && seat) em.remove(seat);
  await em.flush();
}

/** The contacts on the property's Beirat, by id (the toggle on the Kontakte tab). */
export async function boardContactIds(em: Em, property: Property): Promise<Set<string>> {
  return new Set((await em.find(AdvisoryBoardMember, { property }, { fields: ['contact'] })).map((m) => m.contact.id));
}

// --- The Dokumente panel of the property, unit and contact pages ---------------------------

export type UploadForm = { title: string; type: string; shares: string[]; property: string };

export type PanelPlace =
  | { kind: 'property'; property: Property }
  | { kind: 'unit'; property: Property; unit: Unit }
  | { kind: 'contact'; contact: Contact; properties: Property[] };

/** The form values of "Dokument hochladen" (multipart fields arrive in req.body). */
export function readUploadForm(body: Record<string, unknown>, shares: string[]): UploadForm {
  return { title: field(body.title).slice(0, 1000), type: field(body.type), shares, property: field(body.property) };
}

/**
 * Everything the Dokumente panel shows: the list, and the upload form with its options
 * ("Geteilt mit" of the property; on a contact page only the contact and the choice of one
 * of their properties), values and messages. `errors` holds messages already translated.
 */
export async function documentsPanel(
  em: Em,
  organizationId: string,
  place: PanelPlace,
  form?: UploadForm,
  errors: Record<string, string> = {},
  uploaded: number | null = null,
) {
  const tree = await typeTree(em);
  const listPlace: DocumentPlace =
    place.kind === 'property' ? { propertyId: place.property.id } : place.kind === 'unit' ? { unitId: place.unit.id } : { contactId: place.contact.id };
  const [list, options] = await Promise.all([
    documentList(em, organizationId, listPlace, tree),
    place.kind === 'contact' ? Promise.resolve(null) : shareOptions(em, place.property, place.kind === 'unit' ? place.unit : null),
  ]);
  const action =
    place.kind === 'property'
      ? `/verwaltung/liegenschaften/${place.property.id}/dokumente`
      : place.kind === 'unit'
        ? `/verwaltung/liegenschaften/${place.property.id}/einheiten/${place.unit.id}/dokumente`
        : `/verwaltung/kontakte/${place.contact.id}/dokumente`;
  const contact = place.kind === 'contact' ? { token: `contact:${place.contact.id}`, label: contactDisplayName(place.contact) } : null;
  return {
    place: place.kind,
    action,
    groups: SHARE_GROUPS,
    list: list.rows,
    listTotal: list.total,
    types: tree,
    options,
    contact,
    properties: place.kind === 'contact' ? place.properties.map((p) => ({ id: p.id, name: p.name })) : [],
    form: form ?? { title: '', type: '', shares: contact ? [contact.token] : [], property: '' },
    errors,
    uploaded,
  };
}

/** "?hochgeladen=N" after a successful upload: the confirmation "N Dokument(e) veröffentlicht". */
export function uploadedCount(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,2}$/.test(value) ? Number(value) : 0;
  return n > 0 ? n : null;
}

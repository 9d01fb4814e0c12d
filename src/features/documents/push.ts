import { z } from 'zod';
import { notifyNewDocumentShares } from './notify.ts';
import type { Em } from '../../db/orm.ts';
import { Address, Contact, Document, DocumentType, Property, SHARE_GROUPS, Unit, type ApiKey } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import { refuseControlCharacters } from '../../http/input.ts';
import { translator } from '../../http/i18n.ts';
import type { Upload } from '../../http/upload.ts';
import { storeThenWrite, type FileStorage } from '../../storage/files.ts';
import { externalIdSchema } from '../masterdata/fields.ts';
import { applyDocumentChanges, replaceFileRow, withdrawDocument } from './console-service.ts';
import { auditDocument, createDocumentRow, defaultTitle, MAX_DOCUMENT_TITLE, type ShareTarget } from './service.ts';
import { resolveShareTargets, type ShareContext, type ShareToken } from './sharing.ts';
import { typeTree, type TypeNode } from './types.ts';

// Documents pushed by the ERP (POST /api/v1/documents, ./api.ts): the metadata of a push,
// resolved from external ids into the same ShareTargets as "Dokument hochladen", and written
// with the console's own functions (createDocumentRow, replaceFileRow, applyDocumentChanges).

const english = translator('en');
const externalId = externalIdSchema;
const externalIds = z.array(externalId).max(1000);

/** The `metadata` field of a push (JSON). The OpenAPI description is generated from it. */
export const documentMetadata = z
  .strictObject({
    externalId: externalId.describe(
      "Your (the ERP's) id of the document. A second push with the same id replaces the file (a new version) and updates title, type and sharing.",
    ),
    title: z
      .string()
      .trim()
      .min(1)
      .max(MAX_DOCUMENT_TITLE)
      .optional()
      .describe('Shown to residents. Absent: the file name (new document) or the stored title (update).'),
    type: z
      .string()
      .trim()
      .min(1)
      .max(600)
      .describe('The Dokumententyp (folder): its id, or its path of names from the top, separated by "/", e.g. "Objektunterlagen/Hausordnung".'),
    propertyExternalId: externalId.optional().describe('The property the document belongs to; then `shareWith` says whom it reaches there.'),
    shareWith: z
      .strictObject({
        property: z.boolean().optional().describe('Everyone who sees the property\'s general content ("Gesamte Liegenschaft").'),
        groups: z
          .array(z.enum(SHARE_GROUPS))
          .max(SHARE_GROUPS.length)
          .optional()
          .describe(
            'Groups with a running contract or membership in the property: tenant (Mieter), owner (Eigentümer), resident (Bewohner), commercial_employee, service_provider, advisory_board (Beirat).',
          ),
        addressExternalIds: externalIds.optional().describe('Addresses of the property: tenants and owners with a running contract there.'),
        unitExternalIds: externalIds.optional().describe('Units of the property: tenants and owners with a running contract there.'),
        contactExternalIds: externalIds.optional().describe('Contacts with a contract in the property, individually (also inside the access windows).'),
      })
      .optional()
      .describe('With propertyExternalId: at least one choice. The options of "Geteilt mit" in the console; several combine.'),
    contactExternalId: externalId
      .optional()
      .describe("Instead of a property: the document belongs to no property and reaches this contact alone (like an upload on a contact's page)."),
  })
  .superRefine((value, ctx) => {
    if (!value.propertyExternalId === !value.contactExternalId) {
      ctx.addIssue({ code: 'custom', path: ['propertyExternalId'], message: 'Send either propertyExternalId (with shareWith) or contactExternalId.' });
    } else if (value.propertyExternalId && !value.shareWith) {
      ctx.addIssue({ code: 'custom', path: ['shareWith'], message: 'With propertyExternalId, shareWith says whom the document reaches.' });
    } else if (value.contactExternalId && value.shareWith) {
      ctx.addIssue({ code: 'custom', path: ['shareWith'], message: 'A document for contactExternalId reaches that contact alone: leave shareWith out.' });
    }
  });
export type DocumentMetadata = z.infer<typeof documentMetadata>;

/** A problem of a push, as the API answers it (code, English message, the metadata field). */
export type PushProblem = { status: 400 | 422; code: string; message: string; field?: string };

/** Parses the `metadata` form field; a problem names the first wrong field. A control character throws InvalidCharacterError. */
export function parseMetadata(raw: unknown): { metadata: DocumentMetadata } | { problem: PushProblem } {
  const invalid = (message: string, field?: string) => ({ problem: { status: 400 as const, code: 'invalid_metadata', message, ...(field && { field }) } });
  if (typeof raw !== 'string' || raw.trim() === '') return invalid('Send the field "metadata" with a JSON object (see DocumentMetadata).', 'metadata');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return invalid(`The field "metadata" is not valid JSON: ${(error as Error).message}`, 'metadata');
  }
  // JSON inside a form field: "\u0000" escapes arrive only now (422 through the API's onError).
  refuseControlCharacters(value, 'body', 'metadata');
  const parsed = documentMetadata.safeParse(value);
  if (parsed.success) return { metadata: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue.path.join('.') || undefined;
  return invalid(field ? `${field}: ${issue.message}` : issue.message, field);
}

/** Finds a Dokumententyp by id or by its path of names ("Objektunterlagen/Hausordnung"); exact spelling first, then ignoring case. */
export function findType(tree: TypeNode[], value: string): TypeNode | undefined {
  const byId = isUuid(value) ? tree.find((n) => n.id === value) : undefined;
  if (byId) return byId;
  const path = value
    .split('/')
    .map((s) => s.trim().replace(/\s+/g, ' '))
    .join('/');
  const exact = tree.find((n) => n.path.join('/') === path);
  if (exact) return exact;
  const lower = path.toLocaleLowerCase('de');
  const matches = tree.filter((n) => n.path.join('/').toLocaleLowerCase('de') === lower);
  return matches.length === 1 ? matches[0] : undefined;
}

type Resolved = { type: DocumentType; property: Property | null; targets: ShareTarget[] };

type Referenced = { id: string; externalId?: string | null; archivedAt?: Date | null };

/** Records of one entity by external id (scoped to the key's Verwaltung), or the problem naming the missing or archived ones. */
async function byExternalIds(
  em: Em,
  entity: typeof Address | typeof Unit | typeof Contact,
  ids: string[],
  field: string,
): Promise<{ ids: string[] } | { problem: PushProblem }> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return { ids: [] };
  const found = (await em.find(entity as never, { externalId: { $in: wanted } } as never, {
    fields: ['id', 'externalId', 'archivedAt'] as never,
  })) as unknown as Referenced[];
  const problem = referenceProblem(field, wanted, found);
  return problem ? { problem } : { ids: found.map((r) => r.id) };
}

/**
 * Why referenced records cannot be used, as the sync reports it: unknown_reference (not in
 * the key's Verwaltung) or archived_reference (archived there, e.g. deleted in the ERP).
 */
function referenceProblem(field: string, wanted: string[], found: Referenced[]): PushProblem | undefined {
  const known = new Set(found.map((r) => r.externalId));
  const missing = wanted.filter((id) => !known.has(id));
  if (missing.length > 0)
    return { status: 422, code: 'unknown_reference', message: `No ${field.replace(/ExternalIds?$/, '')} with the external id ${missing.join(', ')}.`, field };
  const archived = found.filter((r) => r.archivedAt).map((r) => r.externalId);
  if (archived.length > 0)
    return { status: 422, code: 'archived_reference', message: english('masterdata:problems.archived_reference', { field, id: archived.join(', ') }), field };
  return undefined;
}

/**
 * Turns the metadata's type and sharing target into records of the key's Verwaltung and the
 * ShareTargets of "Geteilt mit" (checked by the console's own rule, resolveShareTargets).
 */
export async function resolveMetadata(em: Em, metadata: DocumentMetadata): Promise<Resolved | { problem: PushProblem }> {
  const node = findType(await typeTree(em), metadata.type);
  if (!node)
    return {
      problem: {
        status: 422,
        code: 'unknown_type',
        message: `No Dokumententyp "${metadata.type}": send its id or its path of names, e.g. "Objektunterlagen/Hausordnung".`,
        field: 'type',
      },
    };
  const type = em.getReference(DocumentType, node.id);

  if (metadata.contactExternalId) {
    const contact = await em.findOne(Contact, { externalId: metadata.contactExternalId }, { fields: ['id', 'externalId', 'archivedAt'] });
    const problem = referenceProblem('contactExternalId', [metadata.contactExternalId], contact ? [contact] : []);
    if (problem) return { problem };
    const contactId = contact!.id;
    const context: ShareContext = { property: null, contactIds: [contactId] };
    const { targets } = await resolveShareTargets(em, context, [`contact:${contactId}`]);
    return { type, property: null, targets };
  }

  const found = await em.findOne(Property, { externalId: metadata.propertyExternalId! });
  const problem = referenceProblem('propertyExternalId', [metadata.propertyExternalId!], found ? [found] : []);
  if (problem) return { problem };
  const property = found!;
  const share = metadata.shareWith!;
  const tokens: ShareToken[] = [...(share.property ? ['property'] : []), ...(share.groups ?? []).map((g) => `group:${g}`)];
  for (const [field, entity, kind] of [
    ['shareWith.addressExternalIds', Address, 'address'],
    ['shareWith.unitExternalIds', Unit, 'unit'],
    ['shareWith.contactExternalIds', Contact, 'contact'],
  ] as const) {
    const key = field.slice('shareWith.'.length) as 'addressExternalIds' | 'unitExternalIds' | 'contactExternalIds';
    const found = await byExternalIds(em, entity, share[key] ?? [], field);
    if ('problem' in found) return found;
    tokens.push(...found.ids.map((id) => `${kind}:${id}`));
  }
  const { targets, error } = await resolveShareTargets(em, { property, contactIds: [] }, [...new Set(tokens)]);
  if (error === 'documents:errors.noShare')
    return {
      problem: {
        status: 400,
        code: 'invalid_metadata',
        message: 'shareWith: choose at least one of property, groups, addressExternalIds, unitExternalIds, contactExternalIds.',
        field: 'shareWith',
      },
    };
  if (error) {
    return {
      problem: {
        status: 422,
        code: 'invalid_share',
        message: 'shareWith: addresses and units must belong to the property, and contacts need a contract in it.',
        field: 'shareWith',
      },
    };
  }
  return { type, property, targets };
}

export type PushResult = { document: Document; status: 'created' | 'updated' };

/**
 * Writes a push: a new document (published at once, createdBy null, createdByApiKey the key),
 * or for a known external id "Datei ersetzen" plus the new title, type and sharing, in one
 * transaction with the file. A withdrawn document pushed again is published again: the ERP
 * sends what should be there. Residents learn of new shares from the next morning's digest,
 * as with a console upload.
 */
export async function pushDocument(
  em: Em,
  storage: FileStorage,
  apiKey: ApiKey,
  metadata: DocumentMetadata,
  resolved: Resolved,
  upload: Upload,
  now: Date,
): Promise<PushResult> {
  return storeThenWrite(storage, [upload.tempPath], ([key]) =>
    em.transactional(async (tx) => {
      const existing = await tx.findOne(Document, { externalId: metadata.externalId });
      if (!existing) {
        const title = metadata.title ?? defaultTitle(upload);
        const document = createDocumentRow(
          tx,
          { apiKey, property: resolved.property, type: resolved.type, title, upload, shares: resolved.targets, now },
          key,
          metadata.externalId,
        );
        await tx.flush();
        await notifyNewDocumentShares(tx, apiKey.organization.id, now);
        return { document, status: 'created' as const };
      }
      await replaceFileRow(tx, apiKey, existing, upload, key, now);
      await applyDocumentChanges(
        tx,
        apiKey,
        existing,
        { title: metadata.title ?? existing.title, type: resolved.type, targets: resolved.targets, property: resolved.property },
        now,
      );
      if (existing.status === 'withdrawn') {
        existing.status = 'published';
        auditDocument(tx, apiKey, 'document.republished', existing, {}, now);
      }
      await tx.flush();
      await notifyNewDocumentShares(tx, apiKey.organization.id, now);
      return { document: existing, status: 'updated' as const };
    }),
  );
}

/** DELETE: withdraws a pushed document ("Zurückziehen"); null when the external id is unknown. */
export async function withdrawPushed(em: Em, apiKey: ApiKey, externalIdValue: string, now: Date): Promise<{ document: Document; changed: boolean } | null> {
  const document = await em.findOne(Document, { externalId: externalIdValue });
  if (!document) return null;
  const changed = document.status !== 'withdrawn';
  await withdrawDocument(em, apiKey, document, now);
  return { document, changed };
}

/** A document as GET /documents/{externalId} answers it. */
export async function documentAnswer(em: Em, document: Document) {
  const tree = await typeTree(em);
  const property = document.property ? await em.findOne(Property, { id: document.property.id }, { fields: ['externalId'] }) : null;
  return {
    id: document.id,
    externalId: document.externalId,
    title: document.title,
    type: { id: document.type.id, path: tree.find((n) => n.id === document.type.id)?.path.join('/') ?? null },
    propertyExternalId: property?.externalId ?? null,
    status: document.status,
    version: document.version,
    fileName: document.fileName,
    mimeType: document.mimeType,
    size: document.size,
    publishedAt: document.publishedAt,
    updatedAt: document.updatedAt,
  };
}

import { notifyNewDocumentShares } from './notify.ts';
import type { Em } from '../../db/orm.ts';
import {
  type ApiKey,
  Document,
  DocumentShare,
  type DocumentType,
  type Property,
  type SerialLetter,
  type ShareGroup,
  type StaffUser,
  type Unit,
} from '../../entities/index.ts';
import { titleFromFileName, type Upload } from '../../http/upload.ts';
import { storeThenWrite, type FileStorage } from '../../storage/files.ts';
import { auditApiAction, auditStaffAction } from '../audit/service.ts';

/** The longest title of a document. */
export const MAX_DOCUMENT_TITLE = 200;

/**
 * A new document's title when none is given: from the name the file was sent with
 * ("Hausordnung_2026-final.pdf" → "Hausordnung 2026 final"), else the stored file name.
 */
export function defaultTitle(upload: Pick<Upload, 'originalName' | 'fileName'>): string {
  return (titleFromFileName(upload.originalName) || upload.fileName).slice(0, MAX_DOCUMENT_TITLE);
}

/**
 * Who publishes or changes a document: a member of staff in the console, or the ERP through
 * an API key (./api.ts). Then the document has no `createdBy` but `createdByApiKey`.
 */
export type DocumentActor = StaffUser | ApiKey;

export function isApiKey(actor: DocumentActor): actor is ApiKey {
  return 'keyHash' in actor;
}

/** The audit log entry of something done to a document, by staff or by an API key. */
export function auditDocument(em: Em, actor: DocumentActor, action: string, document: Document, data: Record<string, unknown>, now: Date) {
  const subject = { type: 'Document', id: document.id };
  if (isApiKey(actor)) auditApiAction(em, actor, action, subject, data, now);
  else auditStaffAction(em, actor, action, subject, data, now);
}

/**
 * One entry of "Geteilt mit". Ids are checked against the Verwaltung (and the property)
 * before they get here: `resolveShareTargets` in ./sharing.ts turns form values into these.
 */
export type ShareTarget =
  | { kind: 'property'; propertyId: string }
  | { kind: 'group'; propertyId: string; group: ShareGroup }
  | { kind: 'address'; addressId: string }
  | { kind: 'unit'; unitId: string }
  | { kind: 'contact'; contactId: string };

/** A new document, uploaded in the console (`staff`) or pushed by the ERP (`apiKey`). */
export type NewDocument = ({ staff: StaffUser; apiKey?: undefined } | { staff?: undefined; apiKey: ApiKey }) & {
  property: Property | null;
  unit?: Unit | null;
  type: DocumentType;
  title: string;
  upload: Upload;
  shares: ShareTarget[];
  serialLetter?: SerialLetter | null;
  now: Date;
};

/** Creates the share rows of a document (persisted with the caller's flush). */
export function addShares(em: Em, document: Document, targets: ShareTarget[], now: Date) {
  for (const target of targets) {
    em.create(DocumentShare, {
      organization: document.organization,
      document,
      kind: target.kind,
      property: 'propertyId' in target ? target.propertyId : null,
      group: target.kind === 'group' ? target.group : null,
      address: target.kind === 'address' ? target.addressId : null,
      unit: target.kind === 'unit' ? target.unitId : null,
      contact: target.kind === 'contact' ? target.contactId : null,
      createdAt: now,
    });
  }
}

/** The Document row of an upload whose file is already in the store under `storageKey`. */
export function createDocumentRow(em: Em, input: NewDocument, storageKey: string, externalId: string | null = null): Document {
  const actor: DocumentActor = input.apiKey ?? input.staff!;
  const document = em.create(Document, {
    organization: actor.organization,
    property: input.property,
    unit: input.unit ?? null,
    type: input.type,
    title: input.title,
    fileName: input.upload.fileName,
    mimeType: input.upload.mimeType,
    size: input.upload.size,
    storageKey,
    serialLetter: input.serialLetter ?? null,
    externalId,
    publishedAt: input.now,
    createdBy: input.staff ?? null,
    createdByApiKey: input.apiKey ?? null,
    createdAt: input.now,
  });
  addShares(em, document, input.shares, input.now);
  auditDocument(em, actor, 'document.published', document, { title: input.title, shares: input.shares.length }, input.now);
  return document;
}

/**
 * "Dokument hochladen": stores each uploaded file and publishes it with its shares. All
 * documents of one form, their files and their shares are written together or not at all
 * (./visibility.ts decides who sees them; ./notify.ts tells those who chose "sofort" at once,
 * the digest the others).
 */
export async function publishDocuments(em: Em, storage: FileStorage, inputs: NewDocument[]): Promise<Document[]> {
  return storeThenWrite(
    storage,
    inputs.map((input) => input.upload.tempPath),
    (keys) =>
      em.transactional(async (tx) => {
        const documents = inputs.map((input, i) => createDocumentRow(tx, input, keys[i]));
        await tx.flush();
        if (documents.length > 0) await notifyNewDocumentShares(tx, documents[0].organization.id, inputs[0].now);
        return documents;
      }),
  );
}

import type { Em } from '../../db/orm.ts';
import {
  Document,
  DocumentShare,
  type DocumentType,
  type Property,
  type SerialLetter,
  type ShareGroup,
  type StaffUser,
  type Unit,
} from '../../entities/index.ts';
import type { Upload } from '../../http/upload.ts';
import { storeThenWrite, type FileStorage } from '../../storage/files.ts';
import { auditStaffAction } from '../audit/service.ts';

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

export type NewDocument = {
  staff: StaffUser;
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
export function createDocumentRow(em: Em, input: NewDocument, storageKey: string): Document {
  const document = em.create(Document, {
    organization: input.staff.organization,
    property: input.property,
    unit: input.unit ?? null,
    type: input.type,
    title: input.title,
    fileName: input.upload.fileName,
    mimeType: input.upload.mimeType,
    size: input.upload.size,
    storageKey,
    serialLetter: input.serialLetter ?? null,
    publishedAt: input.now,
    createdBy: input.staff,
    createdAt: input.now,
  });
  addShares(em, document, input.shares, input.now);
  auditStaffAction(em, input.staff, 'document.published', { type: 'Document', id: document.id }, { title: input.title, shares: input.shares.length }, input.now);
  return document;
}

/**
 * "Dokument hochladen": stores each uploaded file and publishes it with its shares. All
 * documents of one form, their files and their shares are written together or not at all
 * (./visibility.ts decides who sees them; the next morning's digest tells them).
 */
export async function publishDocuments(em: Em, storage: FileStorage, inputs: NewDocument[]): Promise<Document[]> {
  return storeThenWrite(
    storage,
    inputs.map((input) => input.upload.tempPath),
    (keys) =>
      em.transactional(async (tx) => {
        const documents = inputs.map((input, i) => createDocumentRow(tx, input, keys[i]));
        await tx.flush();
        return documents;
      }),
  );
}

import type { Em } from '../../db/orm.ts';
import { DocumentType, type Property, type StaffUser } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { discard, type Upload } from '../../http/upload.ts';
import type { FileStorage } from '../../storage/files.ts';
import { readUploadForm, type PanelPlace, type UploadForm } from './console-service.ts';
import { defaultTitle, MAX_DOCUMENT_TITLE, publishDocuments } from './service.ts';
import { resolveShareTargets, shareTokens, type ShareContext } from './sharing.ts';

// "Dokument hochladen" of the property, unit and contact pages (seed 003). Each page's routes
// receive the multipart form (src/http/upload.ts) and hand it here; the page shows itself
// again with the returned form and messages (422) or redirects with ?hochgeladen=N.

/** The multipart field of the files, of "Dokument hochladen" and of "Datei ersetzen" on the document page. */
export const DOCUMENT_FILES_FIELD = 'files';

/** A received "Dokument hochladen" form: the files (or the upload's problem) and the other fields. */
export type ReceivedUpload = { files: Upload[]; error?: string; body: Record<string, unknown> };

/** Published so many documents, or the form as submitted with its messages (i18n keys by field). */
export type UploadOutcome = { published: number } | { form: UploadForm; errors: FieldErrors };

/**
 * Checks the files, title, type and "Geteilt mit" of an upload on `place` and publishes one
 * document per file. On a problem no file and no row is left.
 */
export async function publishUploadedDocuments(
  em: Em,
  storage: FileStorage,
  staff: StaffUser,
  place: PanelPlace,
  received: ReceivedUpload,
  now: Date,
): Promise<UploadOutcome> {
  const { files } = received;
  const form = readUploadForm(received.body, shareTokens(received.body.share));
  const errors: FieldErrors = {};
  try {
    if (received.error) errors.files = received.error;
    else if (files.length === 0) errors.files = 'documents:errors.noFile';
    if (form.title.trim().length > MAX_DOCUMENT_TITLE) errors.title = 'documents:errors.titleTooLong';
    const type = isUuid(form.type) ? await em.findOne(DocumentType, { id: form.type }) : null;
    if (!type) errors.type = form.type ? 'documents:errors.invalidType' : 'documents:errors.noType';

    let property: Property | null = place.kind === 'contact' ? null : place.property;
    const context: ShareContext = { property, contactIds: [] };
    if (place.kind === 'contact') {
      if (form.property) {
        property = place.properties.find((p) => p.id === form.property) ?? null;
        if (!property) errors.property = 'documents:errors.invalidProperty';
      }
      // On a contact page only the contact itself can be chosen.
      Object.assign(context, { property: null, contactIds: [place.contact.id] });
    }
    const { targets, error } = await resolveShareTargets(em, context, form.shares);
    if (error) errors.shares = error;

    if (Object.keys(errors).length > 0 || !type) {
      await discard(files.map((f) => f.tempPath));
      return { form, errors };
    }
    const title = form.title.trim().replace(/\s+/g, ' ');
    await publishDocuments(
      em,
      storage,
      files.map((upload) => ({
        staff,
        property,
        unit: place.kind === 'unit' ? place.unit : null,
        type,
        // One file: the title field (empty = from the file name); several: each its own name.
        title: files.length === 1 && title ? title.slice(0, MAX_DOCUMENT_TITLE) : defaultTitle(upload),
        upload,
        shares: targets,
        now,
      })),
    );
    return { published: files.length };
  } catch (error) {
    await discard(files.map((f) => f.tempPath));
    throw error;
  }
}

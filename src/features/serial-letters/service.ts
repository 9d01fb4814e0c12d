import { notifyNewDocumentShares } from '../documents/notify.ts';
import type { Em } from '../../db/orm.ts';
import {
  Contact,
  contactDisplayName,
  DocumentType,
  Property,
  SerialLetter,
  SerialLetterPart,
  type SerialLetterSplit,
  type StaffUser,
} from '../../entities/index.ts';
import { field, type FieldMessage } from '../../http/forms.ts';
import { isUuid } from '../../http/find.ts';
import { discard, titleFromFileName, type Upload } from '../../http/upload.ts';
import { PdfJobOverLimit, type PdfWorkers } from '../../pdf/workers.ts';
import { copyToTempFile, newTempPath, storeThenWrite, type FileStorage } from '../../storage/files.ts';
import { findContacts } from '../contacts/service.ts';
import { createDocumentRow } from '../documents/service.ts';
import { analysePages, Matcher, splitByAddress, splitByPages, type Candidate, type LetterRange } from './matching.ts';
// Type-only: the PDF libraries load in the PDF workers, never on the request thread.
import type { cutLetters, readSerialLetter } from './pdf-jobs.ts';
import { auditStaffAction } from '../audit/service.ts';

// SmartPost (Serienbriefe): one uploaded PDF → personal letters → one individually shared
// Document per contact (who sees it: src/features/documents/visibility.ts; the next
// morning's digest tells them), plus one print PDF for contacts who prefer Post (seed 001).

export type Dispatch = 'portal' | 'preference';

/** Problems of a form: field → i18n key, or key and the values it names ("Das PDF hat 121 Seiten; …"). */
export type Problems = Record<string, FieldMessage>;

export type SerialLetterForm = {
  title: string;
  typeId: string;
  propertyId: string;
  split: SerialLetterSplit;
  pagesPerLetter: string;
  dispatch: Dispatch;
};

/** The name of the default Dokumententyp of a serial letter (src/features/documents/demo.ts). */
export const DEFAULT_TYPE_NAME = 'Serienbriefe';

export const EMPTY_FORM: SerialLetterForm = { title: '', typeId: '', propertyId: '', split: 'address', pagesPerLetter: '2', dispatch: 'portal' };

/** The submitted upload form, every value as text (shown again on problems). */
export function readForm(body: Record<string, unknown>): SerialLetterForm {
  return {
    title: field(body.title).trim(),
    typeId: field(body.typeId),
    propertyId: field(body.propertyId),
    split: field(body.split) === 'pages' ? 'pages' : 'address',
    pagesPerLetter: field(body.pagesPerLetter).trim(),
    dispatch: field(body.dispatch) === 'preference' ? 'preference' : 'portal',
  };
}

/** Who a serial letter may go to: a contact of the Verwaltung, with a chosen property one with a running or past contract there (not archived). */
const eligible = (propertyId: string | null) =>
  propertyId ? { archivedAt: null, contracts: { archivedAt: null, unit: { property: propertyId } } } : { archivedAt: null };

/**
 * The contacts a serial letter may go to, with their addresses: all of them for matching an
 * upload (loaded once), or only `ids` (the letters' contacts, a posted mapping) for the page
 * and the save, which never load the whole Verwaltung.
 */
export async function loadCandidates(em: Em, propertyId: string | null, ids?: string[]): Promise<Candidate[]> {
  if (ids && ids.length === 0) return [];
  const contacts = await em.find(
    Contact,
    { ...eligible(propertyId), ...(ids ? { id: { $in: ids } } : {}) },
    { populate: ['contracts.unit.address'], orderBy: { lastName: 'asc', firstName: 'asc', companyName: 'asc', id: 'asc' } },
  );
  return contacts.map((contact) => {
    const units = contact.contracts.getItems().map((c) => c.unit);
    const unitAddresses = units
      .filter((u) => u.address && (!propertyId || u.property.id === propertyId))
      .map((u) => ({ street: `${u.address!.street} ${u.address!.houseNumber}`, postalCode: u.address!.postalCode, city: u.address!.city }));
    const own = contact.street && contact.postalCode ? { street: contact.street, postalCode: contact.postalCode, city: contact.city ?? '' } : null;
    const names =
      contact.type === 'company' ? [contact.companyName ?? ''] : [contactDisplayName(contact), [contact.firstName, contact.lastName].filter(Boolean).join(' ')];
    return {
      id: contact.id,
      name: contactDisplayName(contact),
      postal: own ?? unitAddresses[0] ?? null,
      preference: contact.contactPreference,
      names,
      addresses: [...(own ? [own] : []), ...unitAddresses],
    };
  });
}

type Plan = { letters: LetterRange[]; pageCount: number };

/** Checks the form's fields (Dokumententyp, Liegenschaft, Seiten je Brief) through the Verwaltung's scope. */
export async function validateForm(em: Em, form: SerialLetterForm): Promise<{ errors: Problems; type: DocumentType | null; property: Property | null }> {
  const errors: Problems = {};
  const type = isUuid(form.typeId) ? await em.findOne(DocumentType, { id: form.typeId }) : null;
  if (!type) errors.typeId = 'serial-letters:errors.typeMissing';
  let property: Property | null = null;
  if (form.propertyId) {
    property = isUuid(form.propertyId) ? await em.findOne(Property, { id: form.propertyId, archivedAt: null }) : null;
    if (!property) errors.propertyId = 'serial-letters:errors.propertyUnknown';
  }
  if (form.split === 'pages' && !(/^\d{1,4}$/.test(form.pagesPerLetter) && Number(form.pagesPerLetter) >= 1))
    errors.pagesPerLetter = 'serial-letters:errors.pagesPerLetterInvalid';
  return { errors, type, property };
}

/** The worker module of SmartPost's PDF work (pdf.ts through pdf-jobs.ts). */
const PDF_JOBS = new URL('./pdf-jobs.ts', import.meta.url);

/** The message for a PDF job stopped by a bound of the PDF workers (src/pdf/workers.ts). */
export function overLimitMessage(error: PdfJobOverLimit, pdf: PdfWorkers): FieldMessage {
  return error.limit === 'time' ? ['serial-letters:errors.pdfTimeLimit', { count: pdf.limits.seconds }] : 'serial-letters:errors.pdfMemoryLimit';
}

/**
 * Reads an uploaded serial letter (in a PDF worker) and plans its letters: a readable PDF
 * with pages, a page count divisible by the pages per letter, and (by address block) at least
 * one letter that names a contact. A PDF that takes too long or too much memory to read is a
 * problem of the file, like an unreadable one. Returns the problems per field or the plan;
 * the temp file is the caller's.
 */
export async function planSerialLetter(
  em: Em,
  pdf: PdfWorkers,
  form: SerialLetterForm,
  upload: Upload,
  property: Property | null,
): Promise<{ errors: Problems; plan?: Plan }> {
  const perLetter = Number(form.pagesPerLetter);
  let reading: Awaited<ReturnType<typeof readSerialLetter>>;
  try {
    reading = await pdf.run<typeof readSerialLetter>(PDF_JOBS, 'readSerialLetter', {
      path: upload.tempPath,
      pagesPerLetter: form.split === 'pages' ? perLetter : 1,
    });
  } catch (error) {
    if (error instanceof PdfJobOverLimit) return { errors: { file: overLimitMessage(error, pdf) } };
    throw error;
  }
  if (!reading.readable) return { errors: { file: 'serial-letters:errors.unreadable' } };
  const { pageCount, texts } = reading;
  if (pageCount === 0) return { errors: { file: 'serial-letters:errors.empty' } };
  if (form.split === 'pages' && pageCount % perLetter !== 0) {
    return { errors: { pagesPerLetter: ['serial-letters:errors.notDivisible', { pages: pageCount, perLetter }] } };
  }
  if (!texts) throw new Error('the PDF worker read no texts of a serial letter it can split');

  const matcher = new Matcher(await loadCandidates(em, property?.id ?? null));
  const pages = analysePages(texts, matcher);
  const letters = form.split === 'pages' ? splitByPages(pages, perLetter) : splitByAddress(pages);
  if (form.split === 'address' && !letters.some((l) => l.contact)) return { errors: { split: 'serial-letters:errors.noneMatched' } };
  return { errors: {}, plan: { letters, pageCount } };
}

/** Stores the original PDF and writes the draft with its letters: file and rows together or neither. */
export async function saveDraft(
  em: Em,
  storage: FileStorage,
  input: { staff: StaffUser; form: SerialLetterForm; upload: Upload; plan: Plan; type: DocumentType; property: Property | null; now: Date },
): Promise<SerialLetter> {
  const { staff, form, upload, plan, now } = input;
  return storeThenWrite(storage, [upload.tempPath], ([key]) =>
    em.transactional(async (tx) => {
      const serialLetter = tx.create(SerialLetter, {
        organization: staff.organization,
        property: input.property,
        title: (form.title || titleFromFileName(upload.originalName)).slice(0, 200),
        type: input.type,
        split: form.split,
        pagesPerLetter: form.split === 'pages' ? Number(form.pagesPerLetter) : null,
        dispatch: form.dispatch,
        fileName: upload.fileName,
        pageCount: plan.pageCount,
        storageKey: key,
        createdBy: staff,
        createdAt: now,
      });
      plan.letters.forEach((letter, i) => {
        tx.create(SerialLetterPart, {
          organization: staff.organization,
          serialLetter,
          position: i + 1,
          firstPage: letter.firstPage,
          lastPage: letter.lastPage,
          excerpt: letter.lines.join('\n').slice(0, 2000),
          contact: letter.contact?.id ?? null,
        });
      });
      await tx.flush();
      return serialLetter;
    }),
  );
}

export type SerialLetterRow = { serialLetter: SerialLetter; letters: number; matched: number; byPost: number };

/** "SmartPost": the serial letters, newest first, with their letters, matched letters and letters by post. */
export async function listSerialLetters(em: Em): Promise<SerialLetterRow[]> {
  const serialLetters = await em.find(SerialLetter, {}, { populate: ['property', 'type'], orderBy: { createdAt: 'desc', id: 'desc' }, limit: 100 });
  const parts = serialLetters.length ? await em.find(SerialLetterPart, { serialLetter: serialLetters.map((s) => s.id) }, { populate: ['contact'] }) : [];
  return serialLetters.map((serialLetter) => {
    const own = parts.filter((p) => p.serialLetter.id === serialLetter.id);
    const matched = own.filter((p) => p.contact);
    const byPost =
      serialLetter.status === 'published'
        ? serialLetter.postLetterCount
        : serialLetter.dispatch === 'preference'
          ? matched.filter((p) => p.contact!.contactPreference === 'post').length
          : 0;
    return { serialLetter, letters: own.length, matched: matched.length, byPost };
  });
}

/** The letters of a serial letter in their order in the PDF. */
export function lettersOf(serialLetter: SerialLetter): SerialLetterPart[] {
  return [...serialLetter.parts.getItems()].sort((a, b) => a.position - b.position);
}

/**
 * Applies the confirmed mapping of a draft: for each letter a contact among the candidates
 * or none ("nicht versenden"). Fields absent from the form leave a letter as it is; a value
 * naming no candidate is a problem of that letter.
 */
/** The contact ids a mapping form names (contact-<part id> = id, '' for none), the ones that look like ids. */
export function postedContactIds(serialLetter: SerialLetter, body: Record<string, unknown>): string[] {
  return [
    ...new Set(
      serialLetter.parts
        .getItems()
        .map((part) => field(body[`contact-${part.id}`]))
        .filter((id) => isUuid(id)),
    ),
  ];
}

function applyMapping(serialLetter: SerialLetter, body: Record<string, unknown>, candidates: Candidate[], em: Em): Problems {
  const allowed = new Set(candidates.map((c) => c.id));
  const errors: Problems = {};
  for (const part of serialLetter.parts.getItems()) {
    const name = `contact-${part.id}`;
    if (!(name in body)) continue;
    const value = field(body[name]);
    if (value === '') part.contact = null;
    else if (allowed.has(value)) part.contact = em.getReference(Contact, value);
    else errors[name] = 'serial-letters:errors.contactUnknown';
  }
  return errors;
}

/**
 * Applies the posted letter → contact mapping to a draft and saves it under a row lock of the
 * serial letter, so that a save from another tab never changes the parts of a letter that
 * was published meanwhile (publishSerialLetter re-checks the mapping under the same lock).
 * The problems per letter, or 'notDraft' when it is no draft (any more).
 */
export async function saveMapping(em: Em, serialLetter: SerialLetter, body: Record<string, unknown>): Promise<Problems | 'notDraft'> {
  if (serialLetter.status !== 'draft') return 'notDraft';
  const problems = applyMapping(serialLetter, body, await loadCandidates(em, serialLetter.property?.id ?? null, postedContactIds(serialLetter, body)), em);
  if (Object.keys(problems).length) return problems;
  const stillDraft = await em.transactional(async (tx) => {
    const rows = await tx.execute<{ id: string }[]>('select id from serial_letter where id = ? and organization_id = ? and status = ? for update', [
      serialLetter.id,
      serialLetter.organization.id,
      'draft',
    ]);
    if (rows.length === 0) return false;
    await tx.flush();
    return true;
  });
  return stillDraft ? {} : 'notDraft';
}

/** The file name of a generated PDF: the title without characters file systems dislike. */
const pdfName = (title: string) =>
  `${
    title
      .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 240) || 'Serienbrief'
  }.pdf`;

export class NothingToPublish extends Error {}
export class AlreadyPublished extends Error {}
export class MappingChanged extends Error {}

/**
 * "Veröffentlichen": cuts every letter with a contact into its own PDF and publishes it as a
 * Document with one individual share for that contact; with "Nach Kontaktpräferenz" the
 * letters of contacts preferring Post are also merged into one print PDF. All files and rows
 * are written together or not at all; a second publish (another tab, a double click) finds
 * the letter no longer a draft and changes nothing.
 */
export async function publishSerialLetter(
  em: Em,
  storage: FileStorage,
  pdf: PdfWorkers,
  serialLetter: SerialLetter,
  staff: StaffUser,
  now: Date,
): Promise<SerialLetter> {
  if (serialLetter.status !== 'draft') throw new AlreadyPublished();
  const parts = lettersOf(serialLetter).filter((p) => p.contact);
  if (!parts.length) throw new NothingToPublish();
  const contacts = await em.find(Contact, { id: parts.map((p) => p.contact!.id) });
  const contactOf = new Map(contacts.map((c) => [c.id, c]));

  const letters = parts.map((part) => {
    const contact = contactOf.get(part.contact!.id)!;
    return { part, contact, title: `${serialLetter.title} – ${contactDisplayName(contact)}`.slice(0, 200) };
  });
  const byPost = serialLetter.dispatch === 'preference' ? letters.filter((l) => l.contact.contactPreference === 'post') : [];

  // The worker reads the original from a temp copy and writes each letter (and the print PDF)
  // to a temp path chosen here, so that whatever it leaves is removed below, even when it
  // was stopped half-way.
  const source = await copyToTempFile(storage, serialLetter.storageKey);
  const temps: string[] = [];
  try {
    for (let i = 0; i < letters.length + (byPost.length ? 1 : 0); i++) temps.push(await newTempPath(storage));
    const cut = await pdf.run<typeof cutLetters>(PDF_JOBS, 'cutLetters', {
      source,
      letters: letters.map((l, i) => ({ firstPage: l.part.firstPage, lastPage: l.part.lastPage, title: l.title, path: temps[i] })),
      print: byPost.length
        ? {
            title: `${serialLetter.title} – Postversand`,
            path: temps[letters.length],
            letters: byPost.map((l) => ({ firstPage: l.part.firstPage, lastPage: l.part.lastPage })),
          }
        : null,
    });
    if (!cut) throw new Error(`stored serial letter ${serialLetter.id} is not readable`);
    const uploads: Upload[] = letters.map((l, i) => ({
      tempPath: temps[i],
      originalName: pdfName(l.title),
      fileName: pdfName(l.title),
      size: cut.sizes[i],
      ext: 'pdf',
      mimeType: 'application/pdf',
    }));

    return await storeThenWrite(storage, temps, (keys) =>
      em.transactional(async (tx) => {
        const claimed = await tx.nativeUpdate(
          SerialLetter,
          { id: serialLetter.id, status: 'draft' },
          { status: 'published', publishedAt: now, postStorageKey: byPost.length ? keys[keys.length - 1] : null, postLetterCount: byPost.length },
        );
        if (claimed !== 1) throw new AlreadyPublished();
        // The claim holds the row lock a mapping save waits for (saveMapping above); a save
        // that committed after the parts were read above makes this publish start over.
        const current = await tx.execute<{ id: string; contact_id: string | null }[]>(
          'select id, contact_id from serial_letter_part where serial_letter_id = ? and organization_id = ?',
          [serialLetter.id, serialLetter.organization.id],
        );
        const mapped = new Map(letters.map((l) => [l.part.id, l.contact.id]));
        if (current.some((row) => (row.contact_id ?? undefined) !== mapped.get(row.id))) throw new MappingChanged();
        letters.forEach((letter, i) => {
          const document = createDocumentRow(
            tx,
            {
              staff,
              property: serialLetter.property ?? null,
              type: serialLetter.type,
              title: letter.title,
              upload: uploads[i],
              shares: [{ kind: 'contact', contactId: letter.contact.id }],
              serialLetter,
              now,
            },
            keys[i],
          );
          letter.part.document = document;
        });
        auditStaffAction(
          tx,
          staff,
          'serial_letter.published',
          { type: 'SerialLetter', id: serialLetter.id },
          { letters: letters.length, byPost: byPost.length },
          now,
        );
        await tx.flush();
        await notifyNewDocumentShares(tx, serialLetter.organization.id, now);
        Object.assign(serialLetter, {
          status: 'published',
          publishedAt: now,
          postStorageKey: byPost.length ? keys[keys.length - 1] : null,
          postLetterCount: byPost.length,
        });
        return serialLetter;
      }),
    );
  } finally {
    // Moved into the store on success; otherwise these are the leftovers of a failure.
    await discard([source, ...temps]);
  }
}

/** Deletes a draft and its stored PDF ("Entwurf löschen"); published serial letters stay. */
export async function deleteDraft(em: Em, storage: FileStorage, serialLetter: SerialLetter): Promise<boolean> {
  // Only a draft is deleted; its parts go with it (on delete cascade). A published letter's
  // parts link its letters to their documents and must stay.
  const deleted = await em.nativeDelete(SerialLetter, { id: serialLetter.id, status: 'draft' });
  if (deleted === 1) await storage.remove(serialLetter.storageKey);
  return deleted === 1;
}

/** Contacts a "Kontakt für Brief" search shows at most (the mapping page). */
export const CONTACT_SEARCH_LIMIT = 10;

/** The contacts a letter of this serial letter may go to that match a term: SmartPost's "Kontakt für Brief" search. */
export function searchLetterContacts(em: Em, serialLetter: SerialLetter, term: string): Promise<Contact[]> {
  return findContacts(em, term, { propertyId: serialLetter.property?.id ?? null, limit: CONTACT_SEARCH_LIMIT });
}

export type PostRecipient = { position: number; name: string; street: string; postalCode: string; city: string };

/** The recipient list of the post dispatch: name and postal address per letter, in print order. */
export function postRecipients(serialLetter: SerialLetter, candidates: Candidate[]): PostRecipient[] {
  const byId = new Map(candidates.map((c) => [c.id, c]));
  if (serialLetter.dispatch !== 'preference') return [];
  return lettersOf(serialLetter)
    .filter((p) => p.contact && p.contact.contactPreference === 'post' && (serialLetter.status === 'draft' || p.document))
    .map((p) => {
      const postal = byId.get(p.contact!.id)?.postal;
      return {
        position: p.position,
        name: contactDisplayName(p.contact!),
        street: postal?.street ?? '',
        postalCode: postal?.postalCode ?? '',
        city: postal?.city ?? '',
      };
    });
}

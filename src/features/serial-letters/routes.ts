import { Router, type Request, type Response } from 'express';
import type { Contact, SerialLetter, StaffUser } from '../../entities/index.ts';
import { sendStoredFile } from '../../http/download.ts';
import { NotFoundError } from '../../http/errors.ts';
import { isUuid } from '../../http/find.ts';
import { field, fieldMessages } from '../../http/forms.ts';
import { discard, receiveUploads, titleFromFileName, type Upload } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import { PdfJobOverLimit } from '../../pdf/workers.ts';
import { scoped } from '../../scopes/scope.ts';
import { serialLetterScope, staffScope } from '../../scopes/staff.ts';
import { typeTree } from '../documents/types.ts';
import { propertyChoices } from '../faq/shared.ts';
import {
  AlreadyPublished,
  MappingChanged,
  DEFAULT_TYPE_NAME,
  deleteDraft,
  EMPTY_FORM,
  lettersOf,
  listSerialLetters,
  loadCandidates,
  NothingToPublish,
  overLimitMessage,
  planSerialLetter,
  postRecipients,
  publishSerialLetter,
  readForm,
  saveDraft,
  saveMapping,
  searchLetterContacts,
  validateForm,
  type Problems,
  type SerialLetterForm,
} from './service.ts';

// SmartPost (Serienbriefe): upload → confirm the mapping letter → contact → publish.

const BASE = '/verwaltung/smartpost';
const FILE_FIELD = 'file';

/** The messages of a form's problems in the request's language. */
async function showForm(req: Request, res: Response, form: SerialLetterForm, problems: Problems = {}, status = 200) {
  const [types, properties] = await Promise.all([typeTree(req.em), propertyChoices(req.em)]);
  if (!form.typeId && status === 200) form = { ...form, typeId: types.find((t) => t.name === DEFAULT_TYPE_NAME)?.id ?? '' };
  render(
    req,
    res,
    'serial-letters/form',
    { title: req.t('serial-letters:new.title'), form, errors: fieldMessages(req.t, problems), types, properties },
    status,
  );
}

/** The upload: PDF only, checked and planned before anything is stored; 422 with the form on problems. */
async function create(req: Request, res: Response, staff: StaffUser) {
  const { files, error } = await receiveUploads(req, res, req.storage, FILE_FIELD);
  try {
    const form = readForm(req.body);
    const { errors, type, property } = await validateForm(req.em, form);
    let upload: Upload | undefined;
    const ownMessage: Record<string, string> = {
      'common:upload.wrongType': 'serial-letters:errors.notPdf',
      'common:upload.empty': 'serial-letters:errors.empty',
    };
    if (error) errors.file = ownMessage[error] ?? error;
    else if (files.length > 1) errors.file = 'serial-letters:errors.oneFile';
    else if (!files.length) errors.file = 'serial-letters:errors.fileMissing';
    else if (files[0].ext !== 'pdf') errors.file = 'serial-letters:errors.notPdf';
    else upload = files[0];
    if (upload && !form.title) form.title = titleFromFileName(upload.originalName);
    if (upload && !form.title) errors.title = 'serial-letters:errors.titleMissing';

    if (Object.keys(errors).length || !upload || !type) {
      await discard(files.map((f) => f.tempPath));
      return showForm(req, res, form, errors, 422);
    }
    const planned = await planSerialLetter(req.em, req.pdfWorkers, form, upload, property);
    if (!planned.plan) {
      await discard(files.map((f) => f.tempPath));
      return showForm(req, res, form, planned.errors, 422);
    }
    const serialLetter = await saveDraft(req.em, req.storage, { staff, form, upload, plan: planned.plan, type, property, now: req.deps.clock.now() });
    res.redirect(303, `${BASE}/${serialLetter.id}`);
  } catch (failure) {
    await discard(files.map((f) => f.tempPath));
    throw failure;
  }
}

/**
 * The confirmation page: each letter with its pages, address block and contact. While a draft,
 * each letter's contact is chosen with radio buttons: the one found (or chosen), "nicht
 * versenden", and the matches of a contact search ("Kontakt für Brief"): with htmx as one types
 * (GET …/kontakte), without JavaScript by "Suchen", which posts the form and gets the page back
 * with the choices kept and nothing saved (`posted`). Only the letters' contacts and the
 * matches are loaded, never every contact of the Verwaltung.
 */
async function showLetter(req: Request, res: Response, serialLetter: SerialLetter, problems: Problems = {}, status = 200, posted?: Record<string, unknown>) {
  const letters = lettersOf(serialLetter);
  const chosen = new Map(letters.map((l) => [l.id, posted && `contact-${l.id}` in posted ? field(posted[`contact-${l.id}`]) : (l.contact?.id ?? '')]));
  const terms = new Map(letters.map((l) => [l.id, posted ? field(posted[`suche-${l.id}`]).trim().slice(0, 100) : '']));
  const ids = [...new Set([...letters.map((l) => l.contact?.id), ...chosen.values()].filter((id): id is string => isUuid(id)))];
  const candidates = await loadCandidates(req.em, serialLetter.property?.id ?? null, ids);
  const results = new Map<string, Contact[]>();
  for (const [letterId, term] of terms) if (term) results.set(letterId, await searchLetterContacts(req.em, serialLetter, term));
  // Lines every letter starts with (the letterhead) say nothing about whom a letter is for.
  const blocks = letters.map((l) => l.excerpt.split('\n'));
  const common = new Set(blocks.length > 1 ? blocks[0].filter((line) => blocks.every((b) => b.includes(line))) : []);
  const addressLines = (excerpt: string) => excerpt.split('\n').filter((line) => !common.has(line));
  render(
    req,
    res,
    'serial-letters/show',
    {
      title: serialLetter.title,
      serialLetter,
      letters,
      addressLines,
      chosen,
      terms,
      results,
      candidates: new Map(candidates.map((c) => [c.id, c])),
      recipients: postRecipients(serialLetter, candidates),
      matched: letters.filter((l) => l.contact).length,
      errors: fieldMessages(req.t, problems),
      notice: typeof req.query.hinweis === 'string' ? req.query.hinweis : null,
    },
    status,
  );
}

/** Console routes, mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();

  router.get(
    '/smartpost',
    scoped(staffScope, async (req, res) => {
      render(req, res, 'serial-letters/index', {
        title: req.t('serial-letters:list.title'),
        rows: await listSerialLetters(req.em),
        notice: typeof req.query.hinweis === 'string' ? req.query.hinweis : null,
      });
    }),
  );

  router.get(
    '/smartpost/neu',
    scoped(staffScope, (req, res) => showForm(req, res, { ...EMPTY_FORM })),
  );
  router.post(
    '/smartpost',
    scoped(staffScope, (req, res, { staff }) => create(req, res, staff)),
  );

  router.get(
    '/smartpost/:serialLetterId',
    scoped(serialLetterScope, (req, res, { serialLetter }) => showLetter(req, res, serialLetter)),
  );

  // "Kontakt für Brief" as one types (htmx): the matches as radio buttons of that letter (views/serial-letters/_contact-results.eta).
  router.get(
    '/smartpost/:serialLetterId/kontakte',
    scoped(serialLetterScope, async (req, res, { serialLetter }) => {
      const letter = lettersOf(serialLetter).find((l) => l.id === field(req.query.brief));
      if (!letter || serialLetter.status !== 'draft') throw new NotFoundError(`no draft letter ${String(req.query.brief)} in serial letter ${serialLetter.id}`);
      const term = field(req.query[`suche-${letter.id}`]).trim().slice(0, 100);
      const results = term ? await searchLetterContacts(req.em, serialLetter, term) : [];
      render(req, res, 'serial-letters/_contact-results', { letter, term, results, chosenId: field(req.query.gewaehlt) }, 200);
    }),
  );

  // "Zuordnung speichern": the contact of each letter, among the candidates, or none.
  // "Suchen" (the no-JS search) posts the same form: the page again, the choices kept, nothing saved.
  router.post(
    '/smartpost/:serialLetterId',
    scoped(serialLetterScope, async (req, res, { serialLetter }) => {
      if (req.body?.suchen !== undefined && serialLetter.status === 'draft') return showLetter(req, res, serialLetter, {}, 200, req.body);
      const saved = await saveMapping(req.em, serialLetter, req.body ?? {});
      if (saved === 'notDraft') return res.redirect(303, `${BASE}/${serialLetter.id}`);
      if (Object.keys(saved).length) return showLetter(req, res, serialLetter, saved, 422, req.body);
      res.redirect(303, `${BASE}/${serialLetter.id}?hinweis=gespeichert`);
    }),
  );

  // "Veröffentlichen" (the same form's second button): saves the mapping shown, then publishes.
  router.post(
    '/smartpost/:serialLetterId/veroeffentlichen',
    scoped(serialLetterScope, async (req, res, { staff, serialLetter }) => {
      const saved = await saveMapping(req.em, serialLetter, req.body ?? {});
      if (saved === 'notDraft') return res.redirect(303, `${BASE}/${serialLetter.id}`);
      if (Object.keys(saved).length) return showLetter(req, res, serialLetter, saved, 422);
      try {
        await publishSerialLetter(req.em, req.storage, req.pdfWorkers, serialLetter, staff, req.deps.clock.now());
      } catch (error) {
        if (error instanceof NothingToPublish) return showLetter(req, res, serialLetter, { publish: 'serial-letters:errors.nothingToPublish' }, 422);
        if (error instanceof PdfJobOverLimit) return showLetter(req, res, serialLetter, { publish: overLimitMessage(error, req.pdfWorkers) }, 422);
        // Published meanwhile, or the mapping changed in another tab: show the letter as it is now.
        if (error instanceof AlreadyPublished || error instanceof MappingChanged) return res.redirect(303, `${BASE}/${serialLetter.id}`);
        throw error;
      }
      res.redirect(303, `${BASE}/${serialLetter.id}?hinweis=veroeffentlicht`);
    }),
  );

  router.post(
    '/smartpost/:serialLetterId/loeschen',
    scoped(serialLetterScope, async (req, res, { serialLetter }) => {
      if (!(await deleteDraft(req.em, req.storage, serialLetter))) return res.redirect(303, `${BASE}/${serialLetter.id}`);
      res.redirect(303, `${BASE}?hinweis=geloescht`);
    }),
  );

  router.get(
    '/smartpost/:serialLetterId/original.pdf',
    scoped(serialLetterScope, async (req, res, { serialLetter: s }) => {
      const size = await req.storage.size(s.storageKey).catch(() => 0);
      await sendStoredFile(res, req.storage, { id: s.id, storageKey: s.storageKey, mimeType: 'application/pdf', size, fileName: s.fileName }, 'viewable');
    }),
  );

  router.get(
    '/smartpost/:serialLetterId/postversand.pdf',
    scoped(serialLetterScope, async (req, res, { serialLetter: s }) => {
      if (!s.postStorageKey) throw new NotFoundError(`serial letter ${s.id} has no post dispatch`);
      const size = await req.storage.size(s.postStorageKey).catch(() => 0);
      const fileName = `${s.title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').trim()} – ${req.t('serial-letters:show.postFileSuffix')}.pdf`;
      await sendStoredFile(res, req.storage, { id: s.id, storageKey: s.postStorageKey, mimeType: 'application/pdf', size, fileName }, 'viewable');
    }),
  );

  return router;
}

import { Router, type Request, type Response } from 'express';
import { DocumentType, DocumentVersion, type Document } from '../../entities/index.ts';
import { sendStoredFile } from '../../http/download.ts';
import { isUuid } from '../../http/find.ts';
import { field, fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { discard, receiveUploads } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { documentScope, documentVersionScope, propertyOwnerScope, type StaffScope } from '../../scopes/staff.ts';
import { readReceipts, replaceFile, setBoardMember, shareLabels, shareOptions, updateDocument, withdrawDocument } from './console-service.ts';
import { typeTree } from './types.ts';
import { MAX_DOCUMENT_TITLE } from './service.ts';
import { resolveShareTargets, shareTokens, type ShareContext } from './sharing.ts';
import { DOCUMENT_FILES_FIELD } from './upload-service.ts';
import { printDocumentLetters, documentReceipts } from './receipts.ts';
import { dueForReach, parseReachDays, receiptsView } from '../notifications/receipts.ts';

// Console: the document page (edit, replace, withdraw, read receipts, staff download) and the
// Beirat toggle of the Kontakte tab. Mounted at /verwaltung (staff). "Dokument hochladen" is
// received by the page it sits on (src/features/properties/routes.ts, units/routes.ts,
// contacts/routes.ts) through ./upload-service.ts.

/** The document page: edit form, versions, replace, withdraw, read receipts. */
async function documentPage(
  req: Request,
  res: Response,
  { organizationId }: StaffScope,
  document: Document,
  extra: {
    form?: { title: string; type: string; shares: string[] };
    errors?: Record<string, string>;
    replaceErrors?: Record<string, string>;
    /** "Nicht erreicht": the days as entered and their message. */
    days?: string;
    daysErrors?: FieldErrors;
  } = {},
  status = 200,
) {
  const now = req.deps.clock.now();
  const [tree, labels, versions, receipts, contactReceipts] = await Promise.all([
    typeTree(req.em),
    shareLabels(req.em, [document.id]),
    req.em.find(DocumentVersion, { document }, { orderBy: { version: 'desc' } }),
    readReceipts(req.em, organizationId, document.id, now),
    documentReceipts(req.em, document),
  ]);
  const current = labels.get(document.id) ?? [];
  const options = document.property ? await shareOptions(req.em, document.property) : null;
  // Contacts the document is shared with that the options do not list (a property-less document, a contact since gone).
  const listed = new Set(options?.contacts.map((c) => c.token) ?? []);
  const extraContacts = current
    .filter((s) => s.token.startsWith('contact:') && !listed.has(s.token))
    .map((s) => ({ token: s.token, label: 'text' in s ? s.text : s.token }));
  render(
    req,
    res,
    'documents/show',
    {
      title: document.title,
      document,
      types: tree,
      typePath: tree.find((n) => n.id === document.type.id)?.path ?? [],
      shares: current,
      options,
      extraContacts,
      versions,
      ...receipts,
      rc: receiptsView(contactReceipts, {
        ns: 'documents:receipts',
        idPrefix: 'contact-receipt',
        pageUrl: `/verwaltung/dokumente/${document.id}`,
        printUrl: `/verwaltung/dokumente/${document.id}/briefe`,
        days: extra.days ?? queryDays(req),
        publishedAt: document.publishedAt,
        now,
        errors: fieldMessages(req.t, extra.daysErrors ?? {}),
        printed: typeof req.query.gedruckt === 'string' ? req.query.gedruckt.slice(0, 5) : null,
        closed: document.status === 'published' ? null : 'withdrawnNoLetters',
      }),
      form: extra.form ?? { title: document.title, type: document.type.id, shares: current.map((s) => s.token) },
      errors: extra.errors ?? {},
      replaceErrors: extra.replaceErrors ?? {},
      saved: typeof req.query.gespeichert === 'string' ? req.query.gespeichert.slice(0, 20) : null,
    },
    status,
  );
}

/** "Nach Tagen" of the "Nicht erreicht" form, as entered (`?tage=`). */
const queryDays = (req: Request) => (typeof req.query.tage === 'string' ? req.query.tage.slice(0, 10) : '');

export function consoleRoutes() {
  const router = Router();

  // --- The document page ---
  router.get(
    '/dokumente/:documentId',
    scoped(documentScope, async (req, res, scope) => {
      const invalid = parseReachDays(queryDays(req)) === null;
      const daysErrors: FieldErrors = invalid ? { tage: 'documents:receipts.daysInvalid' } : {};
      await documentPage(req, res, scope, scope.document, { daysErrors }, invalid ? 422 : 200);
    }),
  );

  // "Briefe drucken": one PDF with a letter per addressed contact not reached (and per contact
  // preferring post), the document's pages after each when it is a PDF; each recorded "per
  // Post" (./receipts.ts). Nothing is recorded when the PDF could not be drawn.
  router.post(
    '/dokumente/:documentId/briefe',
    scoped(documentScope, async (req, res, scope) => {
      const { staff, document } = scope;
      const daysInput = typeof req.body?.tage === 'string' ? req.body.tage.slice(0, 10) : '';
      const days = parseReachDays(daysInput);
      const problem =
        document.status !== 'published'
          ? 'documents:receipts.withdrawnNoLetters'
          : days === null
            ? 'documents:receipts.daysInvalid'
            : !dueForReach(document.publishedAt, days, req.deps.clock.now())
              ? 'documents:receipts.notDue'
              : null;
      if (problem) return documentPage(req, res, scope, document, { days: daysInput, daysErrors: { tage: problem } }, 422);
      const result = await printDocumentLetters(req.em, { storage: req.storage, pdf: req.pdfWorkers, staff, document, now: req.deps.clock.now() });
      if (!result.pdf) return res.redirect(303, `/verwaltung/dokumente/${document.id}?tage=${days}&gedruckt=0#nicht-erreicht`);
      res.set('Content-Type', 'application/pdf');
      res.set('Content-Disposition', `attachment; filename="dokument-briefe-${document.id.slice(0, 8)}.pdf"`);
      res.set('X-Content-Type-Options', 'nosniff');
      res.send(Buffer.from(result.pdf));
    }),
  );

  router.post(
    '/dokumente/:documentId',
    scoped(documentScope, async (req, res, scope) => {
      const { staff, document } = scope;
      const form = { title: field(req.body.title).trim().replace(/\s+/g, ' ').slice(0, 1000), type: field(req.body.type), shares: shareTokens(req.body.share) };
      const errors: FieldErrors = {};
      if (!form.title) errors.title = 'documents:errors.titleMissing';
      else if (form.title.length > MAX_DOCUMENT_TITLE) errors.title = 'documents:errors.titleTooLong';
      const type = isUuid(form.type) ? await req.em.findOne(DocumentType, { id: form.type }) : null;
      if (!type) errors.type = form.type ? 'documents:errors.invalidType' : 'documents:errors.noType';
      const current = (await shareLabels(req.em, [document.id])).get(document.id) ?? [];
      const context: ShareContext = {
        property: document.property ?? null,
        // A property-less document can keep the contacts it is shared with (it has no other options).
        contactIds: current.filter((s) => s.token.startsWith('contact:')).map((s) => s.token.slice('contact:'.length)),
      };
      const { targets, error } = await resolveShareTargets(req.em, context, form.shares);
      if (error) errors.shares = error;
      if (Object.keys(errors).length > 0 || !type) return documentPage(req, res, scope, document, { form, errors: fieldMessages(req.t, errors) }, 422);
      await updateDocument(req.em, staff, document, { title: form.title, type, targets }, req.deps.clock.now());
      res.redirect(303, `/verwaltung/dokumente/${document.id}?gespeichert=daten`);
    }),
  );

  router.post(
    '/dokumente/:documentId/datei',
    scoped(documentScope, async (req, res, scope) => {
      const { staff, document } = scope;
      const received = await receiveUploads(req, res, req.storage, DOCUMENT_FILES_FIELD);
      const [upload, ...more] = received.files;
      let problem = received.error;
      if (!problem && !upload) problem = 'documents:errors.noFile';
      if (!problem && more.length > 0) problem = 'documents:errors.oneFile';
      if (problem) {
        await discard(received.files.map((f) => f.tempPath));
        return documentPage(req, res, scope, document, { replaceErrors: fieldMessages(req.t, { file: problem }) }, 422);
      }
      await replaceFile(req.em, req.storage, staff, document, upload, req.deps.clock.now());
      res.redirect(303, `/verwaltung/dokumente/${document.id}?gespeichert=datei`);
    }),
  );

  router.post(
    '/dokumente/:documentId/zurueckziehen',
    scoped(documentScope, async (req, res, { staff, document }) => {
      await withdrawDocument(req.em, staff, document, req.deps.clock.now());
      res.redirect(303, `/verwaltung/dokumente/${document.id}?gespeichert=zurueckgezogen`);
    }),
  );

  // Staff downloads: not counted (counts and read receipts are about residents).
  router.get(
    '/dokumente/:documentId/datei',
    scoped(documentScope, async (req, res, { document }) => {
      await sendStoredFile(res, req.storage, document, 'viewable');
    }),
  );

  router.get(
    '/dokumente/:documentId/versionen/:versionId',
    scoped(documentVersionScope, async (req, res, { version }) => {
      await sendStoredFile(res, req.storage, version, 'viewable');
    }),
  );

  // --- Beirat (Verwaltungsbeirat) of a property: the group "Beirat" in "Geteilt mit" ---
  router.post(
    '/liegenschaften/:propertyId/beirat/:contactId',
    scoped(propertyOwnerScope, async (req, res, { property, contact }) => {
      await setBoardMember(req.em, property, contact, req.body.member === '1', req.deps.clock.now());
      res.redirect(303, `/verwaltung/liegenschaften/${property.id}/kontakte#${`contact-${contact.id}`}`);
    }),
  );

  return router;
}

import { Router, type NextFunction, type Request, type Response } from 'express';
import {
  AdvisoryBoardMember,
  Contact,
  Contract,
  Document,
  DocumentType,
  DocumentVersion,
  Unit,
  type Property,
} from '../../entities/index.ts';
import { sendStoredFile } from '../../http/download.ts';
import { NotFoundError } from '../../http/errors.ts';
import { findByIdOr404, isUuid } from '../../http/find.ts';
import { field, fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { discard, receiveUploads, type Upload } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import { loadContact, showContact } from '../contacts/routes.ts';
import { propertiesOfContracts } from '../contacts/service.ts';
import { loadProperty, PROPERTY_TABS } from '../properties/routes.ts';
import { unitPage } from '../units/routes.ts';
import {
  documentsPanel,
  readReceipts,
  readUploadForm,
  replaceFile,
  shareLabels,
  shareOptions,
  updateDocument,
  withdrawDocument,
  type PanelPlace,
  type UploadForm,
} from './console-service.ts';
import { typeTree } from './types.ts';
import { defaultTitle, MAX_DOCUMENT_TITLE, publishDocuments } from './service.ts';
import { resolveShareTargets, shareTokens, type ShareContext } from './sharing.ts';

// Console: Dokumente on the property, unit and contact pages (seed 003), the document page
// (edit, replace, withdraw, read receipts, staff download), and the Beirat toggle of the
// Kontakte tab. Mounted at /verwaltung (staff). The unit page is src/features/units/routes.ts.

const FILE_FIELD = 'files';

/** Loads the unit of the URL through its property (a unit of another property or Verwaltung, or an archived one, is a 404). */
async function loadUnit(req: Request, res: Response, next: NextFunction) {
  const property: Property = res.locals.property;
  if (!isUuid(req.params.unitId)) throw new NotFoundError('malformed unit id');
  const unit = await req.em.findOne(Unit, { id: req.params.unitId, property, archivedAt: null }, { populate: ['address'] });
  if (!unit) throw new NotFoundError(`unit ${req.params.unitId} not in property ${property.id}`);
  res.locals.unit = unit;
  next();
}

const loadDocument = (req: Request) => findByIdOr404(req.em, Document, req.params.documentId, { populate: ['property', 'unit', 'type', 'createdBy', 'createdByApiKey'] });

/** The properties a contact has (had) a contract in: the "Liegenschaft" choice of the contact page's upload. */
async function contactProperties(req: Request, contact: Contact): Promise<Property[]> {
  return propertiesOfContracts(await req.em.find(Contract, { contacts: contact.id }, { populate: ['unit', 'unit.property'] }));
}

/**
 * Receives "Dokument hochladen" from one of the three pages: validates the files, title,
 * type and "Geteilt mit", and publishes one document per file. On a problem no file and no
 * row is left and the page comes back (422) with the chosen options.
 */
async function receiveDocumentUpload(req: Request, res: Response, place: PanelPlace, show: (form: UploadForm, errors: Record<string, string>) => Promise<void>, back: string) {
  const received = await receiveUploads(req, res, req.storage, FILE_FIELD);
  const files: Upload[] = received.files;
  const form = readUploadForm(req.body, shareTokens(req.body.share));
  const errors: FieldErrors = {};
  try {
    if (received.error) errors.files = received.error;
    else if (files.length === 0) errors.files = 'documents:errors.noFile';
    if (form.title.trim().length > MAX_DOCUMENT_TITLE) errors.title = 'documents:errors.titleTooLong';
    const type = isUuid(form.type) ? await req.em.findOne(DocumentType, { id: form.type }) : null;
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
    const { targets, error } = await resolveShareTargets(req.em, context, form.shares);
    if (error) errors.shares = error;

    if (Object.keys(errors).length > 0 || !type) {
      await discard(files.map((f) => f.tempPath));
      return show(form, fieldMessages(req.t, errors));
    }
    const now = req.deps.clock.now();
    const title = form.title.trim().replace(/\s+/g, ' ');
    await publishDocuments(
      req.em,
      req.storage,
      files.map((upload) => ({
        staff: req.staff!,
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
    res.redirect(303, `${back}?hochgeladen=${files.length}`);
  } catch (error) {
    await discard(files.map((f) => f.tempPath));
    throw error;
  }
}

/** The document page: edit form, versions, replace, withdraw, read receipts. */
async function documentPage(req: Request, res: Response, document: Document, extra: { form?: { title: string; type: string; shares: string[] }; errors?: Record<string, string>; replaceErrors?: Record<string, string> } = {}, status = 200) {
  const organizationId = req.staff!.organization.id;
  const now = req.deps.clock.now();
  const [tree, labels, versions, receipts] = await Promise.all([
    typeTree(req.em),
    shareLabels(req.em, [document.id]),
    req.em.find(DocumentVersion, { document }, { orderBy: { version: 'desc' } }),
    readReceipts(req.em, organizationId, document.id, now),
  ]);
  const current = labels.get(document.id) ?? [];
  const options = document.property ? await shareOptions(req.em, document.property) : null;
  // Contacts the document is shared with that the options do not list (a property-less document, a contact since gone).
  const listed = new Set(options?.contacts.map((c) => c.token) ?? []);
  const extraContacts = current.filter((s) => s.token.startsWith('contact:') && !listed.has(s.token)).map((s) => ({ token: s.token, label: 'text' in s ? s.text : s.token }));
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
      form: extra.form ?? { title: document.title, type: document.type.id, shares: current.map((s) => s.token) },
      errors: extra.errors ?? {},
      replaceErrors: extra.replaceErrors ?? {},
      saved: typeof req.query.gespeichert === 'string' ? req.query.gespeichert.slice(0, 20) : null,
    },
    status,
  );
}

export function consoleRoutes() {
  const router = Router();

  // --- "Dokument hochladen" on the three pages (the unit page itself: src/features/units/routes.ts;
  // "Einheitsmenü > Dokumente", seed 003 case 2). Uploads need a unit in use. ---
  router.post('/liegenschaften/:propertyId/dokumente', loadProperty, async (req, res) => {
    const property: Property = res.locals.property;
    const place: PanelPlace = { kind: 'property', property };
    const back = `/verwaltung/liegenschaften/${property.id}/dokumente`;
    await receiveDocumentUpload(req, res, place, async (form, errors) => {
      const docs = await documentsPanel(req.em, req.staff!.organization.id, place, form, errors);
      render(req, res, 'properties/show', { title: property.name, tab: 'dokumente', tabs: PROPERTY_TABS, docs }, 422);
    }, back);
  });

  router.post('/liegenschaften/:propertyId/einheiten/:unitId/dokumente', loadProperty, loadUnit, async (req, res) => {
    const place: PanelPlace = { kind: 'unit', property: res.locals.property, unit: res.locals.unit };
    const back = `/verwaltung/liegenschaften/${place.property.id}/einheiten/${place.unit.id}`;
    await receiveDocumentUpload(req, res, place, async (form, errors) => {
      await unitPage(req, res, await documentsPanel(req.em, req.staff!.organization.id, place, form, errors), 422);
    }, back);
  });

  router.post('/kontakte/:contactId/dokumente', loadContact, async (req, res) => {
    const contact: Contact = res.locals.contact;
    const place: PanelPlace = { kind: 'contact', contact, properties: await contactProperties(req, contact) };
    await receiveDocumentUpload(req, res, place, (form, errors) => showContact(req, res, contact, { docForm: form, docErrors: errors }, 422), `/verwaltung/kontakte/${contact.id}`);
  });

  // --- The document page ---
  router.get('/dokumente/:documentId', async (req, res) => {
    await documentPage(req, res, await loadDocument(req));
  });

  router.post('/dokumente/:documentId', async (req, res) => {
    const document = await loadDocument(req);
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
    if (Object.keys(errors).length > 0 || !type) return documentPage(req, res, document, { form, errors: fieldMessages(req.t, errors) }, 422);
    await updateDocument(req.em, req.staff!, document, { title: form.title, type, targets }, req.deps.clock.now());
    res.redirect(303, `/verwaltung/dokumente/${document.id}?gespeichert=daten`);
  });

  router.post('/dokumente/:documentId/datei', async (req, res) => {
    const document = await loadDocument(req);
    const received = await receiveUploads(req, res, req.storage, FILE_FIELD);
    const [upload, ...more] = received.files;
    let problem = received.error;
    if (!problem && !upload) problem = 'documents:errors.noFile';
    if (!problem && more.length > 0) problem = 'documents:errors.oneFile';
    if (problem) {
      await discard(received.files.map((f) => f.tempPath));
      return documentPage(req, res, document, { replaceErrors: fieldMessages(req.t, { file: problem }) }, 422);
    }
    await replaceFile(req.em, req.storage, req.staff!, document, upload, req.deps.clock.now());
    res.redirect(303, `/verwaltung/dokumente/${document.id}?gespeichert=datei`);
  });

  router.post('/dokumente/:documentId/zurueckziehen', async (req, res) => {
    const document = await loadDocument(req);
    await withdrawDocument(req.em, req.staff!, document, req.deps.clock.now());
    res.redirect(303, `/verwaltung/dokumente/${document.id}?gespeichert=zurueckgezogen`);
  });

  // Staff downloads: not counted (counts and read receipts are about residents).
  router.get('/dokumente/:documentId/datei', async (req, res) => {
    const document = await loadDocument(req);
    await sendStoredFile(res, req.storage, document, 'viewable');
  });

  router.get('/dokumente/:documentId/versionen/:versionId', async (req, res) => {
    const document = await loadDocument(req);
    if (!isUuid(req.params.versionId)) throw new NotFoundError('malformed version id');
    const version = await req.em.findOne(DocumentVersion, { id: req.params.versionId, document });
    if (!version) throw new NotFoundError(`version ${req.params.versionId} not of document ${document.id}`);
    await sendStoredFile(res, req.storage, version, 'viewable');
  });

  // --- Beirat (Verwaltungsbeirat) of a property: the group "Beirat" in "Geteilt mit" ---
  router.post('/liegenschaften/:propertyId/beirat/:contactId', loadProperty, async (req, res) => {
    const property: Property = res.locals.property;
    if (!isUuid(req.params.contactId)) throw new NotFoundError('malformed contact id');
    // Only owners of the property can sit on its Beirat.
    const contact = await req.em.findOne(Contact, { id: req.params.contactId, contracts: { kind: 'ownership', unit: { property } } });
    if (!contact) throw new NotFoundError(`contact ${req.params.contactId} owns nothing in property ${property.id}`);
    const member = await req.em.findOne(AdvisoryBoardMember, { property, contact });
    const want = req.body.member === '1';
    if (want && !member) req.em.create(AdvisoryBoardMember, { organization: property.organization, property, contact, createdAt: req.deps.clock.now() });
    if (!want && member) req.em.remove(member);
    await req.em.flush();
    res.redirect(303, `/verwaltung/liegenschaften/${property.id}/kontakte#${`contact-${contact.id}`}`);
  });

  return router;
}

import { Router, type Request, type Response } from 'express';
import { Contact, InvitationLetterBatch, Property } from '../../entities/index.ts';
import { sendStoredFile } from '../../http/download.ts';
import { findByIdOr404, isUuid } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { loadContact, showContact } from '../contacts/routes.ts';
import { loadProperty } from '../properties/routes.ts';
import { addUserToContact, inviteContact, inviteProperty, letterBatchFile, propertyInvitationPlan, setPortalAccessDisabled } from './service.ts';

const contactPath = (contact: Contact) => `/verwaltung/kontakte/${contact.id}`;

/** Console: "Kontakt einladen", "Nutzer zum Kontakt hinzufügen", blocking logins, bulk invitation of a property, invitation letters. */
export function consoleRoutes() {
  const router = Router();

  router.post('/kontakte/:contactId/einladung', loadContact, async (req, res) => {
    const contact: Contact = res.locals.contact;
    const channel = String(req.body.channel ?? '');
    const result = await inviteContact(req.em, { staff: req.staff!, contact, channel, baseUrl: req.deps.config.baseUrl, storage: req.storage, pdf: req.pdfWorkers, now: req.deps.clock.now() });
    if ('problem' in result) {
      return showContact(req, res, contact, { inviteForm: { channel }, errors: { channel: req.t(`invitations:problems.${result.problem}`) } }, 422);
    }
    res.redirect(303, `${contactPath(contact)}?hinweis=${channel === 'email' ? 'email' : 'brief'}`);
  });

  router.post('/kontakte/:contactId/nutzer', loadContact, async (req, res) => {
    const contact: Contact = res.locals.contact;
    const email = String(req.body.email ?? '');
    const result = await addUserToContact(req.em, { staff: req.staff!, contact, email, baseUrl: req.deps.config.baseUrl, now: req.deps.clock.now() });
    if ('problem' in result) {
      return showContact(req, res, contact, { addUserForm: { email }, errors: { email: req.t(`invitations:problems.${result.problem}`) } }, 422);
    }
    res.redirect(303, `${contactPath(contact)}?hinweis=${result.outcome === 'offered' ? 'nutzer-angeboten' : 'nutzer-eingeladen'}&an=${encodeURIComponent(result.email)}`);
  });

  for (const [path, disabled] of [['sperren', true], ['entsperren', false]] as const) {
    router.post(`/kontakte/:contactId/portalzugang/${path}`, loadContact, async (req, res) => {
      const contact: Contact = res.locals.contact;
      const changed = await setPortalAccessDisabled(req.em, { staff: req.staff!, contact, disabled, now: req.deps.clock.now() });
      res.redirect(303, changed ? `${contactPath(contact)}?hinweis=${disabled ? 'gesperrt' : 'entsperrt'}` : contactPath(contact));
    });
  }

  /** The bulk invitation of a property: what it would send, and afterwards what it sent. */
  const showPropertyPage = async (req: Request, res: Response) => {
    const property: Property = res.locals.property;
    const plan = await propertyInvitationPlan(req.em, property, req.deps.clock.now());
    const result = req.query.ergebnis === '1' ? await resultOf(req) : null;
    render(req, res, 'invitations/property', { title: req.t('invitations:bulk.title', { property: property.name }), property, plan, result });
  };

  router.get('/liegenschaften/:propertyId/einladungen', loadProperty, (req, res) => showPropertyPage(req, res));

  router.post('/liegenschaften/:propertyId/einladungen', loadProperty, async (req, res) => {
    const property: Property = res.locals.property;
    const reinvite = req.body.reinvite === '1';
    const sent = await inviteProperty(req.em, { staff: req.staff!, property, reinvite, baseUrl: req.deps.config.baseUrl, storage: req.storage, pdf: req.pdfWorkers, now: req.deps.clock.now() });
    const query = new URLSearchParams({ ergebnis: '1', emails: String(sent.emails), briefe: String(sent.letters), ...(sent.batch ? { pdf: sent.batch.id } : {}) });
    res.redirect(303, `/verwaltung/liegenschaften/${property.id}/einladungen?${query}`);
  });

  // The letters hold registration codes in clear text: staff of the same Verwaltung only
  // (the scoped EntityManager finds no other batch), never cached.
  router.get('/einladungsbriefe/:letterBatchId', async (req, res) => {
    const batch = await findByIdOr404(req.em, InvitationLetterBatch, req.params.letterBatchId);
    await sendStoredFile(res, req.storage, await letterBatchFile(batch, req.storage), 'viewable');
  });

  return router;
}

/** The counts of a bulk invitation just sent, from the redirect's query; the PDF only if it is ours. */
async function resultOf(req: Request) {
  const count = (value: unknown) => Math.max(0, Number.parseInt(String(value ?? '0'), 10) || 0);
  const batch = isUuid(req.query.pdf) ? await req.em.findOne(InvitationLetterBatch, { id: req.query.pdf }) : null;
  return { emails: count(req.query.emails), letters: count(req.query.briefe), batchId: batch?.id ?? null };
}

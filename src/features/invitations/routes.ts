import { Router, type Request, type Response } from 'express';
import { InvitationLetterBatch, type Contact, type Property } from '../../entities/index.ts';
import { sendStoredFile } from '../../http/download.ts';
import { isUuid } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { contactScope, invitationLetterBatchScope, propertyScope } from '../../scopes/staff.ts';
import { inviteProperty, letterBatchFile, propertyInvitationPlan, setPortalAccessDisabled } from './service.ts';

const contactPath = (contact: Contact) => `/verwaltung/kontakte/${contact.id}`;

/**
 * Console: blocking a contact's logins, the bulk invitation of a property, invitation letters.
 * "Kontakt einladen" and "Nutzer zum Kontakt hinzufügen", whose refusal shows the contact page
 * again, are received by the contact page's routes (src/features/contacts/routes.ts).
 */
export function consoleRoutes() {
  const router = Router();

  for (const [path, disabled] of [
    ['sperren', true],
    ['entsperren', false],
  ] as const) {
    router.post(
      `/kontakte/:contactId/portalzugang/${path}`,
      scoped(contactScope, async (req, res, { staff, contact }) => {
        const changed = await setPortalAccessDisabled(req.em, { staff, contact, disabled, now: req.deps.clock.now() });
        res.redirect(303, changed ? `${contactPath(contact)}?hinweis=${disabled ? 'gesperrt' : 'entsperrt'}` : contactPath(contact));
      }),
    );
  }

  /** The bulk invitation of a property: what it would send, and afterwards what it sent. */
  const showPropertyPage = async (req: Request, res: Response, property: Property) => {
    const plan = await propertyInvitationPlan(req.em, property, req.deps.clock.now());
    const result = req.query.ergebnis === '1' ? await resultOf(req) : null;
    render(req, res, 'invitations/property', { title: req.t('invitations:bulk.title', { property: property.name }), property, plan, result });
  };

  router.get(
    '/liegenschaften/:propertyId/einladungen',
    scoped(propertyScope, (req, res, { property }) => showPropertyPage(req, res, property)),
  );

  router.post(
    '/liegenschaften/:propertyId/einladungen',
    scoped(propertyScope, async (req, res, { staff, property }) => {
      const reinvite = req.body.reinvite === '1';
      const sent = await inviteProperty(req.em, {
        staff,
        property,
        reinvite,
        baseUrl: req.deps.config.baseUrl,
        storage: req.storage,
        pdf: req.pdfWorkers,
        now: req.deps.clock.now(),
      });
      const query = new URLSearchParams({
        ergebnis: '1',
        emails: String(sent.emails),
        briefe: String(sent.letters),
        ...(sent.batch ? { pdf: sent.batch.id } : {}),
      });
      res.redirect(303, `/verwaltung/liegenschaften/${property.id}/einladungen?${query}`);
    }),
  );

  // The letters hold registration codes in clear text: staff of the same Verwaltung only
  // (the scope finds no other batch), never cached.
  router.get(
    '/einladungsbriefe/:letterBatchId',
    scoped(invitationLetterBatchScope, async (req, res, { batch }) => {
      await sendStoredFile(res, req.storage, await letterBatchFile(batch, req.storage), 'viewable');
    }),
  );

  return router;
}

/** The counts of a bulk invitation just sent, from the redirect's query; the PDF only if it is ours. */
async function resultOf(req: Request) {
  const count = (value: unknown) => Math.max(0, Number.parseInt(String(value ?? '0'), 10) || 0);
  const batch = isUuid(req.query.pdf) ? await req.em.findOne(InvitationLetterBatch, { id: req.query.pdf }) : null;
  return { emails: count(req.query.emails), letters: count(req.query.briefe), batchId: batch?.id ?? null };
}

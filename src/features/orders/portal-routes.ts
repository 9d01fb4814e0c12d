import { Router, type Request, type Response } from 'express';
import { Document, Organization, type ServiceOrder, type ServiceProvider } from '../../entities/index.ts';
import { sendStoredFile } from '../../http/download.ts';
import { fieldMessages, textareaField, type FieldErrors } from '../../http/forms.ts';
import { PHOTO_AND_PDF_UPLOADS, receiveUploads } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import {
  orderLinkScope,
  providerDocumentScope,
  providerOrderFileScope,
  providerOrderScope,
  providerPropertyScope,
  providerScope,
} from '../../scopes/orders.ts';
import { scoped } from '../../scopes/scope.ts';
import { portalContactPersons, telHref } from '../contact-persons/service.ts';
import { visibleDocumentIds } from '../documents/visibility.ts';
import { sendTicketFile } from '../tickets/files.ts';
import { ticketFilesOrDiscard } from '../tickets/photos.ts';
import { isClosed, orderView, PROVIDER_ROLE, providerOrders, servedProperties } from './access.ts';
import { ORDER_LINK_PATH } from './links.ts';
import { addOrderFiles, commentOnOrder, PROVIDER_STEPS, providerStep, stepForm, type OrderActor, type StepForm } from './service.ts';

// The Dienstleister's side (issue 23): a provider login at /portal/auftraege (guard portal;
// what it sees is src/features/orders/access.ts), and the signed link of a forwarding mail at
// /auftrag/:token (public; one order, while it is open). Both show views/orders/order.eta.

const BASE = '/auftraege';
const UPLOAD_FIELD = 'files';

type OrderPage = {
  order: ServiceOrder;
  actionBase: string;
  /** Links to the order's files (a provider login); the signed link shows their names only. */
  fileBase: string | null;
  linkMode: boolean;
  step?: StepForm;
  stepErrors?: FieldErrors;
  comment?: string;
  commentErrors?: FieldErrors;
  uploadErrors?: FieldErrors;
  saved?: boolean;
};

async function showOrder(req: Request, res: Response, page: OrderPage, status = 200) {
  const view = await orderView(req.em, page.order);
  render(
    req,
    res,
    'orders/order',
    {
      title: req.t('orders:link.title', { reference: view.reference }),
      view,
      steps: PROVIDER_STEPS,
      actionBase: page.actionBase,
      fileBase: page.fileBase,
      linkMode: page.linkMode,
      step: page.step ?? stepForm(undefined, page.order),
      stepErrors: fieldMessages(req.t, page.stepErrors ?? {}),
      comment: page.comment ?? '',
      commentErrors: fieldMessages(req.t, page.commentErrors ?? {}),
      uploadErrors: fieldMessages(req.t, page.uploadErrors ?? {}),
      saved: page.saved ?? req.query.gespeichert === '1',
    },
    status,
  );
}

const loginPage = (order: ServiceOrder): Omit<OrderPage, 'order'> => ({
  actionBase: `/portal${BASE}/${order.id}`,
  fileBase: `/portal${BASE}/${order.id}/dateien`,
  linkMode: false,
});

/** The provider's two forms, the same for a login and for the signed link. */
function stepRoutes<S extends { order: ServiceOrder }>(
  router: Router,
  path: string,
  scope: Parameters<typeof scoped<S>>[0],
  actor: (scope: S) => OrderActor,
  page: (scope: S) => Omit<OrderPage, 'order'>,
) {
  router.post(
    `${path}/status`,
    scoped(scope, async (req, res, s) => {
      const form = stepForm(req.body);
      const errors = await providerStep(req.em, s.order, actor(s), form, req.deps.clock.now());
      if (Object.keys(errors).length > 0) return showOrder(req, res, { order: s.order, ...page(s), step: form, stepErrors: errors }, 422);
      // A closed order's link is no longer valid: the provider reads the confirmation here, not after a redirect.
      if (page(s).linkMode && isClosed(s.order.status)) return showOrder(req, res, { order: s.order, ...page(s), saved: true });
      res.redirect(303, `${page(s).actionBase}?gespeichert=1`);
    }),
  );
  router.post(
    `${path}/kommentare`,
    scoped(scope, async (req, res, s) => {
      const body = textareaField(req.body?.body);
      const errors = await commentOnOrder(req.em, s.order, actor(s), body, req.deps.clock.now());
      if (Object.keys(errors).length > 0) return showOrder(req, res, { order: s.order, ...page(s), comment: body, commentErrors: errors }, 422);
      res.redirect(303, `${page(s).actionBase}?gespeichert=1`);
    }),
  );
}

/** The provider login's pages, mounted at /portal (guard portal). */
export function portalRoutes() {
  const router = Router();

  router.get(
    BASE,
    scoped(providerScope, async (req, res, { provider }) => {
      const [orders, properties, organization] = await Promise.all([
        providerOrders(req.em, provider),
        servedProperties(req.em, provider),
        req.em.findOneOrFail(Organization, provider.organization.id, { fields: ['name'] }),
      ]);
      render(req, res, 'orders/index', { title: req.t('orders:provider.title'), provider, orders, properties, organizationName: organization.name });
    }),
  );

  router.get(
    `${BASE}/liegenschaften/:propertyId`,
    scoped(providerPropertyScope, async (req, res, { user, property, access }) => {
      const ids = await visibleDocumentIds(req.em, { user, access });
      const [documents, people] = await Promise.all([
        ids.length ? req.em.find(Document, { id: { $in: ids } }, { orderBy: { publishedAt: 'desc', id: 'asc' } }) : [],
        portalContactPersons(req.em, property.id),
      ]);
      render(req, res, 'orders/property', { title: property.name, servedProperty: property, documents, people, role: PROVIDER_ROLE, telHref });
    }),
  );

  router.get(
    `${BASE}/liegenschaften/:propertyId/dokumente/:documentId`,
    scoped(providerDocumentScope, (req, res, { document }) => sendStoredFile(res, req.storage, document, 'viewable')),
  );

  router.get(
    `${BASE}/:orderId`,
    scoped(providerOrderScope, (req, res, { order }) => showOrder(req, res, { order, ...loginPage(order) })),
  );

  stepRoutes(
    router,
    `${BASE}/:orderId`,
    providerOrderScope,
    ({ user }) => ({ portalUser: user }),
    ({ order }) => loginPage(order),
  );

  // Photos and PDFs: content-sniffed and re-encoded like ticket files (src/features/tickets/photos.ts).
  router.post(
    `${BASE}/:orderId/dateien`,
    scoped(providerOrderScope, async (req, res, { user, order }) => {
      const received = await receiveUploads(req, res, req.storage, UPLOAD_FIELD, PHOTO_AND_PDF_UPLOADS);
      const errors: FieldErrors = {};
      if (isClosed(order.status)) errors[UPLOAD_FIELD] = 'orders:errors.closed';
      else if (!received.error && received.files.length === 0) errors[UPLOAD_FIELD] = 'orders:errors.files';
      const files = await ticketFilesOrDiscard(req.storage, received, errors, UPLOAD_FIELD);
      if (Object.keys(errors).length > 0) return showOrder(req, res, { order, ...loginPage(order), uploadErrors: errors }, 422);
      await addOrderFiles(req.em, req.storage, order, user, files, req.deps.clock.now());
      res.redirect(303, `/portal${BASE}/${order.id}?gespeichert=1`);
    }),
  );

  router.get(
    `${BASE}/:orderId/dateien/:fileId`,
    scoped(providerOrderFileScope, (req, res, { file }) => sendTicketFile(res, req.storage, file as never, 'full')),
  );

  return router;
}

/** The signed link of a forwarding mail, mounted at '' (guard public). */
export function linkRoutes() {
  const router = Router();
  const path = `${ORDER_LINK_PATH}/:token`;
  const page = ({ token }: { token: string }): Omit<OrderPage, 'order'> => ({ actionBase: `${ORDER_LINK_PATH}/${token}`, fileBase: null, linkMode: true });
  // A link from a mail, for one provider: search engines must not list it (no-store comes from src/app.ts).
  router.use(ORDER_LINK_PATH, (_req, res, next) => {
    res.set('X-Robots-Tag', 'noindex');
    next();
  });

  router.get(
    path,
    scoped(orderLinkScope, (req, res, scope) => showOrder(req, res, { order: scope.order, ...page(scope) })),
  );
  stepRoutes(router, path, orderLinkScope, ({ order }) => ({ link: order.provider as ServiceProvider }), page);
  return router;
}

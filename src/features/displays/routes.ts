import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import type { Display, Property } from '../../entities/index.ts';
import { HttpError } from '../../http/errors.ts';
import { fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { displayScope } from '../../scopes/displays.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';
import { propertyScope } from '../../scopes/staff.ts';
import { openDisplay, PAGE_SECONDS, paginate, REFRESH_SECONDS, screenContent } from './screen.ts';
import {
  createDisplay,
  deleteDisplay,
  DISPLAY_SECTIONS,
  displayUrl,
  formOfDisplay,
  listDisplays,
  NEW_DISPLAY_FORM,
  readDisplayForm,
  regenerateDisplayToken,
  revokeDisplay,
  updateDisplay,
  validateDisplay,
  type DisplayForm,
} from './service.ts';

// Digitaler Hausaushang: the screens of a property in the console (…/hausaushang), and the
// page a screen opens with its secret address (/aushang/<token>, no login).

/** A new address, shown once: as text, as a link and as a QR code to scan with the screen's camera. */
type Created = { display: Display; url: string; qr: string };

async function created(display: Display, baseUrl: string, token: string): Promise<Created> {
  const url = displayUrl(baseUrl, token);
  return { display, url, qr: await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 1, scale: 5 }) };
}

const base = (property: Property) => `/verwaltung/liegenschaften/${property.id}/hausaushang`;

/** The property's screens with the form "Neuer Bildschirm"; `created` carries a new address for the one answer that shows it. */
async function showList(
  req: Request,
  res: Response,
  property: Property,
  options: { form?: DisplayForm; errors?: FieldErrors; created?: Created } = {},
  status = 200,
) {
  const displays = await listDisplays(req.em, property);
  render(
    req,
    res,
    'displays/index',
    {
      title: req.t('displays:console.title'),
      property,
      base: base(property),
      displays,
      form: options.form ?? NEW_DISPLAY_FORM,
      errors: fieldMessages(req.t, options.errors ?? {}),
      created: options.created ?? null,
      sections: DISPLAY_SECTIONS,
      done: typeof req.query.erledigt === 'string' ? req.query.erledigt : null,
    },
    status,
  );
}

/** A screen's page: its settings form, its address actions; `created` as in showList. */
function showDisplay(
  req: Request,
  res: Response,
  property: Property,
  display: Display,
  options: { form?: DisplayForm; errors?: FieldErrors; created?: Created } = {},
  status = 200,
) {
  render(
    req,
    res,
    'displays/show',
    {
      title: display.name,
      property,
      base: base(property),
      display,
      form: options.form ?? formOfDisplay(display),
      errors: fieldMessages(req.t, options.errors ?? {}),
      created: options.created ?? null,
      sections: DISPLAY_SECTIONS,
      done: typeof req.query.erledigt === 'string' ? req.query.erledigt : null,
    },
    status,
  );
}

/** Console routes, mounted at /verwaltung/liegenschaften (staff). */
export function consoleRoutes() {
  const router = Router();
  const list = '/:propertyId/hausaushang';
  const one = `${list}/:displayId`;

  router.get(
    list,
    scoped(propertyScope, (req, res, { property }) => showList(req, res, property)),
  );

  router.post(
    list,
    scoped(propertyScope, async (req, res, { staff, property }) => {
      const form = readDisplayForm(req.body);
      const errors = validateDisplay(form);
      if (Object.keys(errors).length) return showList(req, res, property, { form, errors }, 422);
      const { display, token } = await createDisplay(req.em, staff, property, form, req.deps.clock.now());
      await showDisplay(req, res, property, display, { created: await created(display, req.deps.config.baseUrl, token) }, 201);
    }),
  );

  router.get(
    one,
    scoped(displayScope, (req, res, { property, display }) => showDisplay(req, res, property, display)),
  );

  router.post(
    one,
    scoped(displayScope, async (req, res, { staff, property, display }) => {
      const form = readDisplayForm(req.body);
      const errors = validateDisplay(form);
      if (Object.keys(errors).length) return showDisplay(req, res, property, display, { form, errors }, 422);
      await updateDisplay(req.em, staff, display, form, req.deps.clock.now());
      res.redirect(303, `${base(property)}/${display.id}?erledigt=gespeichert`);
    }),
  );

  router.post(
    `${one}/neue-adresse`,
    scoped(displayScope, async (req, res, { staff, property, display }) => {
      const token = await regenerateDisplayToken(req.em, staff, display, req.deps.clock.now());
      showDisplay(req, res, property, display, { created: await created(display, req.deps.config.baseUrl, token) });
    }),
  );

  router.post(
    `${one}/widerrufen`,
    scoped(displayScope, async (req, res, { staff, property, display }) => {
      await revokeDisplay(req.em, staff, display, req.deps.clock.now());
      res.redirect(303, `${base(property)}/${display.id}?erledigt=widerrufen`);
    }),
  );

  router.post(
    `${one}/loeschen`,
    scoped(displayScope, async (req, res, { staff, property, display }) => {
      await deleteDisplay(req.em, staff, display, req.deps.clock.now());
      res.redirect(303, `${base(property)}?erledigt=geloescht`);
    }),
  );

  return router;
}

/** The page number of `?seite=`, 1-based; anything else is the first page. */
function pageParam(value: unknown, pages: number): number {
  const n = typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : 1;
  return n >= 1 && n <= pages ? n : 1;
}

/** Public routes (no session), mounted at '': the screen's page by its token. */
export function publicRoutes() {
  const router = Router();

  router.get(
    '/aushang/:token',
    scoped(publicScope, async (req, res) => {
      const now = req.deps.clock.now();
      // A screen shows no one's session and is kept by no cache: the next fetch must reach us.
      res.set('Cache-Control', 'no-store');
      res.set('X-Robots-Tag', 'noindex, nofollow');
      const token = String(req.params.token);
      const display = await openDisplay(req.em, token, now);
      if (!display) throw new HttpError(404, 'displays:screen.unknown', 'unknown or revoked display token');
      const content = await screenContent(req.em, display, { baseUrl: req.deps.config.baseUrl, now, lang: req.lang });
      const pages = paginate(content.blocks, display.orientation);
      const page = pageParam(req.query.seite, pages.length);
      const next = pages.length > 1 ? (page % pages.length) + 1 : 1;
      const self = `/aushang/${encodeURIComponent(token)}`;
      const view = {
        title: content.propertyName,
        display,
        content,
        columns: pages[page - 1],
        page,
        pages: pages.length,
        nextUrl: next === 1 ? self : `${self}?seite=${next}`,
        seconds: pages.length > 1 ? PAGE_SECONDS : REFRESH_SECONDS,
        now,
        layout: 'none',
      };
      // The script (static/aushang.js) fetches only the screen's content and swaps it in place.
      const part = req.get('hx-request') === 'true';
      res.vary('HX-Request');
      render(req, res, part ? 'displays/_screen' : 'displays/screen', view);
    }),
  );

  return router;
}

import { Router, type Request, type Response } from 'express';
import type { Booking, BookingResource, PortalUser, Property, StaffUser } from '../../entities/index.ts';
import { fieldMessages, field } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import {
  bookingsScope,
  myBookingsScope,
  ownBookingScope,
  portalResourceScope,
  propertyBase,
  residentResourceScope,
  type PortalPropertyScope,
} from '../../scopes/portal.ts';
import { scoped } from '../../scopes/scope.ts';
import { bookingResourceScope, consoleBookingScope, propertyScope } from '../../scopes/staff.ts';
import type { PropertyAccess } from '../access/service.ts';
import { describeSpan, formatDay, nightsOf } from './format.ts';
import { bookingIcs } from './notify.ts';
import { replacePhoto, sendPhoto } from './photo.ts';
import { mayBook } from './rules.ts';
import {
  availability,
  block,
  blockFormFromBody,
  blocksOf,
  book,
  bookableResidents,
  bookingRequestFromBody,
  BookingRefused,
  cancelByStaff,
  cancelOwn,
  cancellableUntil,
  decide,
  emptyResourceForm,
  formFromResource,
  myBookings,
  pendingRequests,
  residentAccess,
  resourceFormFromBody,
  resourcesOf,
  saveResource,
  setArchived,
  validateResourceForm,
  weekDays,
  overviewOf,
  WEEKDAYS,
  type BlockForm,
  type BookingRequest,
  type FieldErrors,
  type ResourceForm,
} from './service.ts';
import { addDays, berlinDate, isValidDate, mondayOf } from './time.ts';
// Registers what this feature exports and removes for the resident's data-protection rights.
import './privacy.ts';

// Buchungen (issue 22): "Ressourcen & Räume" under a property in the console, and
// "Buchungen" in the portal. Who may book is ./rules.ts; every rule of a booking is ./service.ts.

/** What the templates format with, in the reader's language. */
const helpersFor = (req: Request) => ({
  describeSpan: (span: Parameters<typeof describeSpan>[0]) => describeSpan(span, req.lang),
  formatDay: (day: string) => formatDay(day, req.lang),
  nightsOf,
  WEEKDAYS,
});

/** The Monday of ?woche= (any day of that week), else of today. */
function weekOf(req: Request): string {
  const asked = field(req.query.woche);
  return mondayOf(isValidDate(asked) ? asked : berlinDate(req.deps.clock.now()));
}

/**
 * The staff overview's period: the month of ?monat=YYYY-MM, else the week of ?woche=. Its days,
 * the links to the periods before and after, and to the other kind of period around the same day.
 */
function periodOf(req: Request) {
  const month = field(req.query.monat);
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    const first = `${month}-01`;
    const next = addDays(first, 32).slice(0, 7);
    const days: string[] = [];
    for (let day = first; day.startsWith(month); day = addDays(day, 1)) days.push(day);
    const previous = addDays(first, -1).slice(0, 7);
    return { kind: 'month' as const, first, days, previous: `monat=${previous}`, next: `monat=${next}`, other: `woche=${mondayOf(first)}` };
  }
  const monday = weekOf(req);
  return {
    kind: 'week' as const,
    first: monday,
    days: weekDays(monday),
    previous: `woche=${addDays(monday, -7)}`,
    next: `woche=${addDays(monday, 7)}`,
    other: `monat=${monday.slice(0, 7)}`,
  };
}

/** What the overview confirms after a redirect (?hinweis=); anything else shows nothing. */
const NOTICES = ['angelegt', 'geaendert', 'gebucht', 'bestaetigt', 'abgelehnt', 'storniert'];

const consoleBase = (property: Property) => `/verwaltung/liegenschaften/${property.id}/ressourcen`;

/** Console routes, mounted at /verwaltung/liegenschaften (staff). */
export function consoleRoutes() {
  const router = Router();

  const showIndex = async (req: Request, res: Response, property: Property) => {
    const period = periodOf(req);
    const [resources, rows, requests] = await Promise.all([
      resourcesOf(req.em, property, true),
      overviewOf(req.em, property, period.first, period.days.length),
      pendingRequests(req.em, property),
    ]);
    const days = period.days
      .map((day) => ({
        day,
        rows: rows.filter((r) => berlinDate(r.starts_at) <= day && berlinDate(new Date(r.ends_at.getTime() - 1)) >= day),
      }))
      // A month lists only its days with bookings; a week shows each day, empty ones too.
      .filter((d) => period.kind === 'week' || d.rows.length > 0);
    render(req, res, 'bookings/console-index', {
      ...helpersFor(req),
      title: req.t('bookings:console.title'),
      property,
      base: consoleBase(property),
      resources,
      days,
      requests,
      period,
      notice: NOTICES.includes(field(req.query.hinweis)) ? field(req.query.hinweis) : '',
      kept: Number(field(req.query.bestehend)) || 0,
    });
  };

  const showForm = async (
    req: Request,
    res: Response,
    property: Property,
    resource: BookingResource | null,
    form: ResourceForm,
    errors: FieldErrors = {},
    status = 200,
    extra: {
      blockForm?: BlockForm;
      blockErrors?: FieldErrors;
      bookForm?: BookingRequest & { user: string };
      bookErrors?: FieldErrors;
      photoErrors?: FieldErrors;
    } = {},
  ) => {
    const now = req.deps.clock.now();
    const [blocks, residents] = resource ? await Promise.all([blocksOf(req.em, resource, now), bookableResidents(req.em, property, now)]) : [[], []];
    render(
      req,
      res,
      'bookings/resource-form',
      {
        ...helpersFor(req),
        title: resource ? resource.name : req.t('bookings:console.newTitle'),
        property,
        base: consoleBase(property),
        resource,
        form,
        errors: fieldMessages(req.t, errors),
        blocks,
        residents,
        blockForm: extra.blockForm ?? { fromDay: '', fromTime: '00:00', toDay: '', toTime: '24:00', reason: '' },
        blockErrors: fieldMessages(req.t, extra.blockErrors ?? {}),
        bookForm: extra.bookForm ?? { user: '', day: '', from: '', count: '1', note: '' },
        bookErrors: fieldMessages(req.t, extra.bookErrors ?? {}),
        photoErrors: fieldMessages(req.t, extra.photoErrors ?? {}),
      },
      status,
    );
  };

  const save = async (req: Request, res: Response, staff: StaffUser, property: Property, resource: BookingResource | null) => {
    const form = resourceFormFromBody(req.body);
    const { errors, valid } = validateResourceForm(form);
    if (!valid) return showForm(req, res, property, resource, form, errors, 422);
    const { kept } = await saveResource(req.em, staff, property, resource, valid, req.deps.clock.now());
    res.redirect(303, `${consoleBase(property)}?hinweis=${resource ? 'geaendert' : 'angelegt'}&bestehend=${kept}`);
  };

  router.get(
    '/:propertyId/ressourcen',
    scoped(propertyScope, (req, res, { property }) => showIndex(req, res, property)),
  );
  router.get(
    '/:propertyId/ressourcen/neu',
    scoped(propertyScope, (req, res, { property }) => showForm(req, res, property, null, emptyResourceForm())),
  );
  router.post(
    '/:propertyId/ressourcen',
    scoped(propertyScope, (req, res, { staff, property }) => save(req, res, staff, property, null)),
  );
  router.get(
    '/:propertyId/ressourcen/:resourceId',
    scoped(bookingResourceScope, (req, res, { property, resource }) => showForm(req, res, property, resource, formFromResource(resource))),
  );
  router.post(
    '/:propertyId/ressourcen/:resourceId',
    scoped(bookingResourceScope, (req, res, { staff, property, resource }) => save(req, res, staff, property, resource)),
  );
  router.get(
    '/:propertyId/ressourcen/:resourceId/foto',
    scoped(bookingResourceScope, (req, res, { resource }) => sendPhoto(res, req, resource)),
  );
  router.post(
    '/:propertyId/ressourcen/:resourceId/foto',
    scoped(bookingResourceScope, async (req, res, { staff, property, resource }) => {
      const problem = await replacePhoto(req, res, staff, resource, req.deps.clock.now());
      if (problem) return showForm(req, res, property, resource, formFromResource(resource), {}, 422, { photoErrors: { foto: problem } });
      res.redirect(303, `${consoleBase(property)}/${resource.id}#foto`);
    }),
  );
  router.post(
    '/:propertyId/ressourcen/:resourceId/archivieren',
    scoped(bookingResourceScope, async (req, res, { staff, property, resource }) => {
      await setArchived(req.em, staff, resource, field(req.body?.wiederherstellen) !== '1', req.deps.clock.now());
      res.redirect(303, consoleBase(property));
    }),
  );
  router.post(
    '/:propertyId/ressourcen/:resourceId/sperren',
    scoped(bookingResourceScope, async (req, res, { staff, property, resource }) => {
      const form = blockFormFromBody(req.body);
      try {
        await block(req.em, staff, resource, property, form, req.deps.clock.now());
      } catch (error) {
        if (!(error instanceof BookingRefused)) throw error;
        return showForm(req, res, property, resource, formFromResource(resource), {}, 422, { blockForm: form, blockErrors: error.errors });
      }
      res.redirect(303, `${consoleBase(property)}/${resource.id}#sperren`);
    }),
  );
  router.post(
    '/:propertyId/ressourcen/:resourceId/buchungen',
    scoped(bookingResourceScope, async (req, res, { staff, property, resource }) => {
      const request = bookingRequestFromBody(req.body);
      const userId = field(req.body?.bewohner);
      const now = req.deps.clock.now();
      const refuse = (errors: FieldErrors) =>
        showForm(req, res, property, resource, formFromResource(resource), {}, 422, { bookForm: { ...request, user: userId }, bookErrors: errors });
      const resident = await residentAccess(req.em, property, userId, now);
      if (!resident) return refuse({ bewohner: 'bookings:errors.residentRequired' });
      try {
        await book(req.em, { resource, property, user: resident.user, access: resident.access, request, staff, baseUrl: req.deps.config.baseUrl, now });
      } catch (error) {
        if (!(error instanceof BookingRefused)) throw error;
        return refuse(error.errors);
      }
      res.redirect(303, `${consoleBase(property)}?woche=${mondayOf(request.day)}&hinweis=gebucht`);
    }),
  );

  const decision = (approve: boolean) =>
    scoped(consoleBookingScope, async (req, res, { staff, property, booking }) => {
      try {
        await decide(req.em, staff, booking, property, approve, field(req.body?.grund).trim(), req.deps.config.baseUrl, req.deps.clock.now());
      } catch (error) {
        // Already decided (another member of staff was quicker): the overview shows how.
        if (!(error instanceof BookingRefused)) throw error;
      }
      res.redirect(303, `${consoleBase(property)}?woche=${mondayOf(berlinDate(booking.startsAt))}&hinweis=${approve ? 'bestaetigt' : 'abgelehnt'}`);
    });
  router.post('/:propertyId/buchungen/:bookingId/bestaetigen', decision(true));
  router.post('/:propertyId/buchungen/:bookingId/ablehnen', decision(false));

  router.get(
    '/:propertyId/buchungen/:bookingId/stornieren',
    scoped(consoleBookingScope, (req, res, { property, booking }) => showCancel(req, res, property, booking, '', {})),
  );
  router.post(
    '/:propertyId/buchungen/:bookingId/stornieren',
    scoped(consoleBookingScope, async (req, res, { staff, property, booking }) => {
      const reason = field(req.body?.grund).trim();
      try {
        await cancelByStaff(req.em, staff, booking, property, reason, req.deps.config.baseUrl, req.deps.clock.now());
      } catch (error) {
        if (!(error instanceof BookingRefused)) throw error;
        return showCancel(req, res, property, booking, reason, error.errors, 422);
      }
      res.redirect(303, `${consoleBase(property)}?woche=${mondayOf(berlinDate(booking.startsAt))}&hinweis=storniert`);
    }),
  );

  const showCancel = async (req: Request, res: Response, property: Property, booking: Booking, reason: string, errors: FieldErrors, status = 200) => {
    await req.em.populate(booking, ['resource', 'portalUser']);
    render(
      req,
      res,
      'bookings/console-cancel',
      {
        ...helpersFor(req),
        title: req.t('bookings:console.cancelTitle'),
        property,
        base: consoleBase(property),
        booking,
        reason,
        errors: fieldMessages(req.t, errors),
      },
      status,
    );
  };

  return router;
}

// ---------------------------------------------------------------------------------------
// Portal

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview, read-only). */
export function portalRoutes() {
  const router = Router();
  const base = '/liegenschaften/:propertyId/buchungen';

  router.get(
    base,
    scoped(bookingsScope, async (req, res, scope) => {
      const resources = await resourcesOf(req.em, scope.property, false);
      render(req, res, 'bookings/portal-index', {
        ...helpersFor(req),
        title: req.t('bookings:portal.title'),
        section: 'bookings',
        base: `${propertyBase(scope)}/buchungen`,
        resources: resources.map((resource) => ({ resource, bookable: !scope.preview && mayBook(resource, scope.access) })),
        preview: scope.preview,
      });
    }),
  );

  const showMine = async (
    req: Request,
    res: Response,
    scope: PortalPropertyScope & { user: PortalUser },
    errors: Record<string, FieldErrors> = {},
    status = 200,
  ) => {
    const now = req.deps.clock.now();
    const { upcoming, other } = await myBookings(req.em, scope.user, scope.property, now);
    render(
      req,
      res,
      'bookings/portal-mine',
      {
        ...helpersFor(req),
        title: req.t('bookings:portal.mine'),
        section: 'bookings',
        base: `${propertyBase(scope)}/buchungen`,
        upcoming: upcoming.map((booking) => ({
          booking,
          cancellable: now.getTime() <= cancellableUntil(booking, booking.resource).getTime(),
          until: cancellableUntil(booking, booking.resource),
        })),
        other,
        errors: Object.fromEntries(Object.entries(errors).map(([id, e]) => [id, fieldMessages(req.t, e)])),
        booked: field(req.query.gebucht),
        cancelled: field(req.query.storniert) === '1',
      },
      status,
    );
  };

  router.get(
    `${base}/meine`,
    scoped(myBookingsScope, (req, res, scope) => showMine(req, res, scope)),
  );
  router.get(
    `${base}/meine/:bookingId.ics`,
    scoped(ownBookingScope, async (req, res, { property, booking }) => {
      await req.em.populate(booking, ['resource']);
      res.set('Content-Type', 'text/calendar; charset=utf-8');
      res.set('Content-Disposition', 'attachment; filename="buchung.ics"');
      res.set('Cache-Control', 'private, no-store');
      res.send(bookingIcs(booking, booking.resource, property, req.deps.config.baseUrl, req.deps.clock.now()));
    }),
  );
  router.post(
    `${base}/meine/:bookingId/stornieren`,
    scoped(ownBookingScope, async (req, res, scope) => {
      try {
        await cancelOwn(req.em, scope.booking, scope.property, scope.user, req.deps.config.baseUrl, req.deps.clock.now());
      } catch (error) {
        if (!(error instanceof BookingRefused)) throw error;
        return showMine(req, res, scope, { [scope.booking.id]: error.errors }, 422);
      }
      res.redirect(303, `${propertyBase(scope)}/buchungen/meine?storniert=1`);
    }),
  );

  const showResource = async (
    req: Request,
    res: Response,
    scope: PortalPropertyScope & { resource: BookingResource; access: PropertyAccess },
    request: BookingRequest | null,
    errors: FieldErrors = {},
    status = 200,
  ) => {
    const now = req.deps.clock.now();
    const today = berlinDate(now);
    const askedDay = field(req.query.tag);
    const day = isValidDate(askedDay) ? askedDay : null;
    const monday = weekOf(req);
    const days = day ? [day] : weekDays(monday);
    const { resource } = scope;
    render(
      req,
      res,
      'bookings/portal-resource',
      {
        ...helpersFor(req),
        title: resource.name,
        section: 'bookings',
        base: `${propertyBase(scope)}/buchungen`,
        resource,
        availability: await availability(req.em, resource, days, now),
        day,
        monday,
        today,
        previousWeek: addDays(monday, -7),
        nextWeek: addDays(monday, 7),
        bookable: !scope.preview && !resource.archivedAt && mayBook(resource, scope.access),
        preview: scope.preview,
        request: request ?? { day: day ?? '', from: '', count: '1', note: '' },
        errors: fieldMessages(req.t, errors),
      },
      status,
    );
  };

  router.get(
    `${base}/:resourceId`,
    scoped(portalResourceScope, (req, res, scope) => showResource(req, res, scope, null)),
  );
  router.get(
    `${base}/:resourceId/foto`,
    scoped(portalResourceScope, (req, res, { resource }) => sendPhoto(res, req, resource)),
  );
  router.post(
    `${base}/:resourceId`,
    scoped(residentResourceScope, async (req, res, scope) => {
      const { user } = scope;
      const request = bookingRequestFromBody(req.body);
      try {
        const booking = await book(req.em, {
          resource: scope.resource,
          property: scope.property,
          user,
          access: scope.access,
          request,
          baseUrl: req.deps.config.baseUrl,
          now: req.deps.clock.now(),
        });
        res.redirect(303, `${propertyBase(scope)}/buchungen/meine?gebucht=${booking.status === 'requested' ? 'angefragt' : 'bestaetigt'}`);
      } catch (error) {
        if (!(error instanceof BookingRefused)) throw error;
        return showResource(req, res, scope, request, error.errors, 422);
      }
    }),
  );

  return router;
}

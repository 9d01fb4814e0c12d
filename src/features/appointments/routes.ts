import { Router, type Request, type Response } from 'express';
import type { StaffUser } from '../../entities/index.ts';
import { berlinDate } from '../../clock.ts';
import type { Appointment } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { render } from '../../http/views.ts';
import { portalAppointmentScope, residentScope, sectionScope } from '../../scopes/portal.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';
import { appointmentScope, staffScope } from '../../scopes/staff.ts';
import { accessibleProperties } from '../access/service.ts';
import { icsCalendar, type IcsEvent } from './ics.ts';
import {
  calendarFeed,
  consoleAppointments,
  describeWhen,
  emptyForm,
  formFromAppointment,
  formFromBody,
  issueCalendarToken,
  monthCalendar,
  pastAppointments,
  saveAppointment,
  targetProperties,
  upcomingAppointments,
  validateAppointment,
  withdrawAppointment,
  type AppointmentForm,
  type FieldErrors,
} from './service.ts';
import { addMonths, parseMonth } from './time.ts';
import { fieldMessages } from '../../http/forms.ts';

// Termine: the console form, the portal calendar, .ics download and subscription feed.

const CONSOLE = '/verwaltung/termine';

/** Console routes, mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();

  const showForm = async (req: Request, res: Response, appointment: Appointment | null, form: AppointmentForm, errors: FieldErrors = {}, status = 200) => {
    const messages = fieldMessages(req.t, errors);
    const properties = await targetProperties(req.em);
    const title = appointment ? req.t('appointments:console.editTitle') : req.t('appointments:console.newTitle');
    render(req, res, 'appointments/form', { title, appointment, form, errors: messages, properties, section: 'content' }, status);
  };

  const save = async (req: Request, res: Response, staff: StaffUser, appointment: Appointment | null) => {
    const form = formFromBody(req.body);
    const { errors, valid } = await validateAppointment(req.em, form);
    if (!valid) return showForm(req, res, appointment, form, errors, 422);
    const { notified } = await saveAppointment(req.em, staff, appointment, form, valid, req.deps.config.baseUrl, req.deps.clock.now());
    res.redirect(303, `${CONSOLE}?gespeichert=${notified}`);
  };

  router.get(
    '/termine',
    scoped(staffScope, async (req, res) => {
      const now = req.deps.clock.now();
      const { upcoming, past } = await consoleAppointments(req.em, now);
      render(req, res, 'appointments/index', {
        title: req.t('appointments:console.listTitle'),
        upcoming,
        past,
        describeWhen,
        saved: req.query.gespeichert,
        section: 'content',
      });
    }),
  );
  router.get(
    '/termine/neu',
    scoped(staffScope, (req, res) => showForm(req, res, null, emptyForm(berlinDate(req.deps.clock.now())))),
  );
  router.post(
    '/termine',
    scoped(staffScope, (req, res, { staff }) => save(req, res, staff, null)),
  );
  router.get(
    '/termine/:appointmentId',
    scoped(appointmentScope, (req, res, { appointment }) => showForm(req, res, appointment, formFromAppointment(appointment))),
  );
  router.post(
    '/termine/:appointmentId',
    scoped(appointmentScope, (req, res, { staff, appointment }) => save(req, res, staff, appointment)),
  );
  router.post(
    '/termine/:appointmentId/absagen',
    scoped(appointmentScope, async (req, res, { appointment }) => {
      await withdrawAppointment(req.em, appointment, req.deps.clock.now());
      res.redirect(303, CONSOLE);
    }),
  );

  return router;
}

const uidHost = (req: Request) => new URL(req.deps.config.baseUrl).hostname;

function toIcs(a: Appointment, url?: string): IcsEvent {
  return {
    id: a.id,
    title: a.title,
    description: a.description,
    location: a.location,
    allDay: a.allDay,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    updatedAt: a.updatedAt,
    url,
  };
}

function sendCalendar(res: Response, body: string, fileName: string) {
  res.set('Content-Type', 'text/calendar; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${fileName}"`);
  res.set('Cache-Control', 'private, no-store');
  res.send(body);
}

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview). */
export function portalRoutes() {
  const router = Router();
  const base = '/liegenschaften/:propertyId/termine';

  router.get(
    base,
    scoped(sectionScope('appointments'), async (req, res, { user, property }) => {
      const now = req.deps.clock.now();
      const today = berlinDate(now);
      const month = parseMonth(req.query.monat);
      const past = req.query.vergangene === '1';
      const data: Record<string, unknown> = { title: req.t('appointments:portal.title'), section: 'appointments', describeWhen, today };
      if (month) {
        Object.assign(data, {
          view: 'month',
          month,
          previousMonth: addMonths(month, -1),
          nextMonth: addMonths(month, 1),
          ...(await monthCalendar(req.em, property.id, month, today)),
        });
      } else if (past) {
        Object.assign(data, { view: 'past', appointments: await pastAppointments(req.em, property.id, now) });
      } else {
        Object.assign(data, { view: 'list', appointments: await upcomingAppointments(req.em, property.id, now, 100) });
      }
      data.currentMonth = today.slice(0, 7);
      data.subscribed = Boolean(user?.calendarTokenHash);
      render(req, res, 'appointments/portal-index', data);
    }),
  );

  // Before /:appointmentId, which would otherwise take "<id>.ics" as an id.
  router.get(
    `${base}/:appointmentId.ics`,
    scoped(portalAppointmentScope, (req, res, { property, appointment }) => {
      const url = `${req.deps.config.baseUrl}/portal/liegenschaften/${property.id}/termine/${appointment.id}`;
      sendCalendar(res, icsCalendar([toIcs(appointment, url)], { now: req.deps.clock.now(), uidHost: uidHost(req), method: 'PUBLISH' }), 'termin.ics');
    }),
  );

  router.get(
    `${base}/:appointmentId`,
    scoped(portalAppointmentScope, (req, res, { appointment }) => {
      render(req, res, 'appointments/portal-show', { title: appointment.title, section: 'appointments', appointment, describeWhen });
    }),
  );

  // The personal subscription link: shown once, only its hash is kept; a new one replaces it.
  router.post(
    '/kalender-abo',
    scoped(residentScope, async (req, res, { user }) => {
      const token = await issueCalendarToken(req.em, user);
      const url = `${req.deps.config.baseUrl}/kalender/${token}.ics`;
      const properties = await accessibleProperties(req.em, user, req.deps.clock.now());
      const back = properties.find((a) => a.property.id === req.body?.propertyId)?.property ?? null;
      render(req, res, 'appointments/subscription', {
        title: req.t('appointments:subscription.title'),
        url,
        webcal: url.replace(/^https?:\/\//, 'webcal://'),
        back,
        section: 'appointments',
      });
    }),
  );

  return router;
}

/** Public routes (no session), mounted at '': the subscription feed of a secret token. */
export function feedRoutes() {
  const router = Router();
  router.get(
    '/kalender/:token.ics',
    scoped(publicScope, async (req, res) => {
      const now = req.deps.clock.now();
      const feed = await calendarFeed(req.em, String(req.params.token), now);
      if (!feed) throw new NotFoundError('unknown calendar token');
      const name = `${feed.user.organization.name} – ${req.t('appointments:portal.title')}`;
      sendCalendar(
        res,
        icsCalendar(
          feed.appointments.map((a) => toIcs(a)),
          { now, uidHost: uidHost(req), name },
        ),
        'termine.ics',
      );
    }),
  );
  return router;
}

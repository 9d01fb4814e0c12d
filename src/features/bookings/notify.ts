import type { Em } from '../../db/orm.ts';
import { Organization, type Booking, type BookingResource, type PortalUser, type Property } from '../../entities/index.ts';
import { icsCalendar } from '../appointments/ics.ts';
import { registerKind } from '../notifications/kinds.ts';
import { notify } from '../notifications/notify.ts';
import { describeSpan } from './format.ts';

// The notification kind "Buchungen" (issue 22): confirmations, approvals, declines and
// cancellations, by each resident's choice — except the confirmation of one's own booking,
// which always goes out (`always`).
registerKind({ key: 'bookings', label: 'notifications:kinds.bookings', offered: ['immediate', 'daily', 'weekly', 'off'], fallback: 'immediate' });

export type BookingEvent = 'requested' | 'confirmed' | 'approved' | 'declined' | 'cancelledByResident' | 'cancelledByStaff';

/** The booking as an iCalendar file (the calendar code of Termine, ../appointments/ics.ts). */
export function bookingIcs(booking: Booking, resource: BookingResource, property: Property, baseUrl: string, now: Date): string {
  const location = [resource.place, property.name].filter(Boolean).join(', ');
  return icsCalendar(
    [
      {
        id: `booking-${booking.id}`,
        title: resource.name,
        description: resource.fee ? `${resource.description}\n${resource.fee}`.trim() : resource.description,
        location,
        allDay: false,
        startsAt: booking.startsAt,
        endsAt: booking.endsAt,
        updatedAt: now,
        url: `${baseUrl}/portal/liegenschaften/${property.id}/buchungen/meine`,
      },
    ],
    { now, uidHost: new URL(baseUrl).hostname, method: 'PUBLISH' },
  );
}

/** Tells the resident about their booking through the notification registry (persisted with the caller's flush). */
export async function notifyBooking(
  em: Em,
  booking: Booking,
  resource: BookingResource,
  property: Property,
  user: PortalUser,
  event: BookingEvent,
  baseUrl: string,
  now: Date,
  options: { always?: boolean } = {},
) {
  const link = `${baseUrl}/portal/liegenschaften/${property.id}/buchungen/meine`;
  const when = describeSpan(booking, user.locale);
  const withIcs = event === 'confirmed' || event === 'approved';
  const organization = await em.findOneOrFail(Organization, property.organization.id);
  await notify(em, {
    kind: 'bookings',
    organization,
    baseUrl,
    now,
    notices: [
      {
        user: { id: user.id, email: user.email, name: user.name, locale: user.locale },
        propertyId: property.id,
        title: `${resource.name}: ${when}`,
        link,
        template: 'booking',
        data: { context: event, event, resourceName: resource.name, propertyName: property.name, when, reason: booking.cancelReason, fee: resource.fee, link },
        attachments: withIcs
          ? [{ fileName: 'buchung.ics', mimeType: 'text/calendar', content: bookingIcs(booking, resource, property, baseUrl, now) }]
          : undefined,
        always: options.always,
      },
    ],
  });
}

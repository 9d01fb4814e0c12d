import type { Em } from '../../db/orm.ts';
import { BookingResource, type Organization, type Property } from '../../entities/index.ts';

/**
 * Demo resources of Max-Planck-Straße 12 (issue 22): the Waschküche in 2-hour slots and the
 * Gästewohnung by the night, with approval. Flushed by the caller.
 */
export function seedDemoBookings(tx: Em, world: { organizations: { sonnenschein: Organization }; properties: { maxPlanck: Property } }, now = new Date()) {
  const base = { organization: world.organizations.sonnenschein, property: world.properties.maxPlanck, createdAt: now, updatedAt: now };
  tx.create(BookingResource, {
    ...base,
    name: 'Waschküche',
    description: 'Zwei Waschmaschinen und ein Trockner. Bitte die Flusensiebe nach dem Trocknen leeren.',
    place: 'Keller, Raum K3',
    persons: null,
    mode: 'slots',
    slotMinutes: 120,
    openingHours: [['07:00', '21:00'], ['07:00', '21:00'], ['07:00', '21:00'], ['07:00', '21:00'], ['07:00', '21:00'], ['09:00', '19:00'], null],
    leadHours: 0,
    advanceDays: 14,
    maxUnits: 2,
    householdLimit: 3,
    householdPeriod: 'week',
    cancelHours: 1,
    needsApproval: false,
    allowedRoles: ['tenant', 'owner', 'resident'],
    fee: '',
  });
  tx.create(BookingResource, {
    ...base,
    name: 'Gästewohnung',
    description: 'Ein Zimmer mit zwei Betten, Duschbad und Kochnische für Besuch der Hausbewohner. Bettwäsche liegt bereit.',
    place: 'Erdgeschoss, Wohnung 000',
    persons: 2,
    mode: 'nights',
    checkInTime: '15:00',
    checkOutTime: '11:00',
    openingHours: [
      ['00:00', '24:00'],
      ['00:00', '24:00'],
      ['00:00', '24:00'],
      ['00:00', '24:00'],
      ['00:00', '24:00'],
      ['00:00', '24:00'],
      ['00:00', '24:00'],
    ],
    leadHours: 24,
    advanceDays: 180,
    maxUnits: 7,
    householdLimit: 2,
    householdPeriod: 'month',
    cancelHours: 48,
    needsApproval: true,
    allowedRoles: ['tenant', 'owner'],
    fee: '25 € je Nacht, bar bei der Schlüsselübergabe',
  });
}

import type { Organization, Property } from '../../entities/index.ts';

/**
 * Whether Buchungen are switched on for this property ("Service - Buchungen", seed 001):
 * TEMPORARY until the switches commit is merged (src/features/portal-settings/switches.ts
 * bookingsOpen); then this delegates to it.
 */
export function bookingsSwitchedOn(_organization: Organization, _property: Property): boolean {
  return true;
}

/**
 * Where the switches of Administration > Kundenportal > Einstellungen that are chosen per
 * property hold. A module that shows or refuses the community or the bookings asks here and
 * nowhere else; it takes plain values so that Kysely rows and entities both fit.
 */
type OrganizationSwitches = {
  communityEnabled: boolean;
  bookingsEnabled: boolean;
  directMessagesEnabled: boolean;
  neighbourProfileEnabled: boolean;
  commercialBulletinEnabled: boolean;
};
type PropertySwitches = { communityEnabled: boolean; bookingsEnabled: boolean };

/** "Community - Community-Bereich": on for the Verwaltung and this property chosen. */
export const communityOpen = (org: Pick<OrganizationSwitches, 'communityEnabled'>, property: Pick<PropertySwitches, 'communityEnabled'>) =>
  org.communityEnabled && property.communityEnabled;

/** "Service - Buchungen": on for the Verwaltung and this property chosen. */
export const bookingsOpen = (org: Pick<OrganizationSwitches, 'bookingsEnabled'>, property: Pick<PropertySwitches, 'bookingsEnabled'>) =>
  org.bookingsEnabled && property.bookingsEnabled;

/** "Community - Direktnachrichten": a part of the community, so only where the Community-Bereich is open. */
export const directMessagesOpen = (
  org: Pick<OrganizationSwitches, 'communityEnabled' | 'directMessagesEnabled'>,
  property: Pick<PropertySwitches, 'communityEnabled'>,
) => communityOpen(org, property) && org.directMessagesEnabled;

/** "Community - Nachbarschaftsprofil": likewise inside the Community-Bereich. */
export const neighbourProfileOpen = (
  org: Pick<OrganizationSwitches, 'communityEnabled' | 'neighbourProfileEnabled'>,
  property: Pick<PropertySwitches, 'communityEnabled'>,
) => communityOpen(org, property) && org.neighbourProfileEnabled;

/**
 * Gewerbemitarbeiter see the Schwarzes Brett only where this switch is on; they write on it
 * only where, in addition, the Community-Bereich is open for the property.
 */
export const commercialBulletinOpen = (org: Pick<OrganizationSwitches, 'commercialBulletinEnabled'>) => org.commercialBulletinEnabled;

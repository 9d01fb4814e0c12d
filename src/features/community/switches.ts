import type { Organization, Property } from '../../entities/index.ts';

/** The community's switches for one property, as the neighbour rule (./neighbour-access.ts) reads them. */
export type CommunitySwitches = { community: boolean; directMessages: boolean; profile: boolean; commercialEmployees: boolean };

type Flags = Partial<Record<'communityEnabled' | 'directMessagesEnabled' | 'neighbourProfileEnabled' | 'commercialBulletinEnabled', boolean>>;

/** TEMPORARY until the switches land on main (src/features/portal-settings/switches.ts). */
export function communitySwitches(organization: Organization, property: Property): CommunitySwitches {
  const org = organization as unknown as Flags;
  const prop = property as unknown as Flags;
  const community = Boolean(org.communityEnabled && prop.communityEnabled);
  return {
    community,
    directMessages: community && Boolean(org.directMessagesEnabled),
    profile: community && Boolean(org.neighbourProfileEnabled),
    commercialEmployees: Boolean(org.commercialBulletinEnabled),
  };
}

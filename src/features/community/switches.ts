import type { Organization, Property } from '../../entities/index.ts';
import { commercialBulletinOpen, communityOpen, directMessagesOpen, neighbourProfileOpen } from '../portal-settings/switches.ts';

/** The community's switches for one property, as the neighbour rule (./neighbour-access.ts) reads them (src/features/portal-settings/switches.ts). */
export type CommunitySwitches = { community: boolean; directMessages: boolean; profile: boolean; commercialEmployees: boolean };

export function communitySwitches(organization: Organization, property: Property): CommunitySwitches {
  return {
    community: communityOpen(organization, property),
    directMessages: directMessagesOpen(organization, property),
    profile: neighbourProfileOpen(organization, property),
    commercialEmployees: commercialBulletinOpen(organization),
  };
}

import type { Em } from '../../db/orm.ts';
import { hashToken } from '../../auth/tokens.ts';
import { Display, type Organization, type Property, type StaffUser } from '../../entities/index.ts';

/**
 * The demo's Hausaushang: a screen in the stairwell of Rosenweg 24 at a fixed address, so the
 * README can name it (http://localhost:3000/aushang/<DEMO_DISPLAY_TOKEN>). It shows the demo's
 * published Mitteilungen (marked "Im Hausaushang zeigen" in src/features/announcements/demo.ts)
 * and Termine. Development data like the demo API key; flushed by the caller.
 */
export const DEMO_DISPLAY_TOKEN = 'demo-hausaushang-rosenweg-24-0123456789abcdef';

export type DemoDisplayWorld = {
  organizations: { sonnenschein: Organization };
  staff: { manager: StaffUser };
  properties: { rosenweg: Property };
};

export function seedDemoDisplays(tx: Em, world: DemoDisplayWorld, now = new Date()) {
  tx.create(Display, {
    organization: world.organizations.sonnenschein,
    property: world.properties.rosenweg,
    name: 'Treppenhaus Eingang',
    orientation: 'landscape',
    tokenHash: hashToken(DEMO_DISPLAY_TOKEN),
    tokenHint: DEMO_DISPLAY_TOKEN.slice(0, 6),
    createdBy: world.staff.manager,
    createdAt: now,
    updatedAt: now,
  });
}

import { FlushMode } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import { type Contact, PortalMembership, PortalUser, type Organization, type Property } from '../../entities/index.ts';
import { newInvitation } from '../invitations/codes.ts';

/** The demo's open invitation of a bakery employee: a fixed code, so the README can name it. */
export const DEMO_EMPLOYEE_CODE = 'BACK-WARE-2345';
export const DEMO_BAKERY_LOGIN = 'info@baeckerei-brotzeit.de';

/**
 * Gewerbemitarbeiter in the demo (issue 23): the Bäckerei Brotzeit GmbH, tenant of
 * "Gewerbe 01 (Bäckerei)" at Max-Planck-Straße 12, gets a portal login (when it has none),
 * one registered employee, Paula Teig, and an open invitation for Lena Mehl with the code
 * DEMO_EMPLOYEE_CODE, so "a bakery employee joins through the bakery's invitation" can be
 * tried at /portal/registrieren. Flushed by the caller.
 */
export async function seedDemoCommercial(
  tx: Em,
  world: { organization: Organization; property: Property; bakery: Contact; passwordHash: string },
  now: Date,
): Promise<{ bakeryUser: PortalUser }> {
  const { organization, property, bakery, passwordHash } = world;
  // The seed runs before any Verwaltung is scoped, and in its own unit of work: name the
  // Verwaltung, and do not flush the half-built world to ask.
  const existing = await tx.findOne(
    PortalUser,
    { organization: organization.id, contacts: bakery.id },
    { filters: { tenant: false }, flushMode: FlushMode.COMMIT },
  );
  const bakeryUser =
    existing ??
    tx.create(PortalUser, {
      organization,
      email: DEMO_BAKERY_LOGIN,
      name: 'Bruno Brotzeit',
      passwordHash,
      createdAt: now,
      onboardedAt: now,
      contacts: [bakery],
    });
  const paula = tx.create(PortalUser, { organization, email: 'paula.teig@example.de', name: 'Paula Teig', passwordHash, createdAt: now, onboardedAt: now });
  tx.create(PortalMembership, {
    organization,
    portalUser: paula,
    property,
    role: 'commercial_employee',
    companyContact: bakery,
    invitedBy: bakeryUser,
    createdAt: now,
  });
  newInvitation(
    tx,
    {
      organization,
      kind: 'commercial_employee',
      channel: 'email',
      property,
      companyContact: bakery,
      email: 'lena.mehl@example.de',
      invitedByPortalUser: bakeryUser,
      code: DEMO_EMPLOYEE_CODE,
    },
    now,
  );
  return { bakeryUser };
}

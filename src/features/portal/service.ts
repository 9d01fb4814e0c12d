import type { Em } from '../../db/orm.ts';
import { Address, Contract, type PortalUser, type Property } from '../../entities/index.ts';

/** What the start page of a property shows a resident: its addresses and the user's own units there. */
export async function portalStartPage(em: Em, property: Property, user: PortalUser) {
  const contactIds = user.contacts.getItems().map((c) => c.id);
  const [addresses, contracts] = await Promise.all([
    em.find(Address, { property }, { orderBy: { street: 'asc', houseNumber: 'asc' } }),
    em.find(Contract, { contacts: { $in: contactIds }, unit: { property } }, { populate: ['unit'], orderBy: { unit: { number: 'asc' } } }),
  ]);
  return { addresses, myUnits: contracts.map((c) => ({ unit: c.unit, kind: c.kind, startsOn: c.startsOn, endsOn: c.endsOn })) };
}

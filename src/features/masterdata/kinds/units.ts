import { Unit, UNIT_KINDS } from '../../../entities/index.ts';
import { choice, decimal, reference, text } from '../fields.ts';
import type { MasterDataKind } from './kind.ts';

/** Einheiten: Wohnung, Gewerbe, Stellplatz, Sonstige. */
export const units: MasterDataKind = {
  name: 'units',
  exampleExternalId: 'E-1001-002',
  entity: Unit,
  fields: [
    reference('propertyExternalId', 'property', 'Liegenschaft (Externe ID)', 'properties', { required: true, example: 'L-1001' }),
    reference('addressExternalId', 'address', 'Adresse (Externe ID)', 'addresses', { example: 'A-1001-1' }),
    text('number', 'Nummer', 100, { required: true, example: 'Wohnung 002' }),
    choice(
      'kind',
      'Art',
      UNIT_KINDS,
      { apartment: ['Wohnung'], commercial: ['Gewerbe'], parking: ['Stellplatz'], other: ['Sonstige', 'Sonstiges'] },
      'apartment',
    ),
    decimal('areaSqm', 'Fläche (m²)', '65,5'),
    text('floor', 'Lage', 50, { example: '1. OG links' }),
  ],
  label: (values) => String(values.number ?? ''),
  // An entrance of another Liegenschaft would put the unit on the wrong building's documents.
  check: (values) => {
    const address = values.address as { property: { id: string } } | null | undefined;
    const property = values.property as { id: string };
    return address && address.property.id !== property.id ? [{ code: 'address_of_other_property', field: 'addressExternalId' }] : [];
  },
};

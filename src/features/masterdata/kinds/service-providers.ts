import { ServiceProvider } from '../../../entities/index.ts';
import { references, text } from '../fields.ts';
import type { MasterDataKind } from './kind.ts';

/** Dienstleister: Hausmeister, Heizungsbau, Reinigung, ... */
export const serviceProviders: MasterDataKind = {
  name: 'service-providers',
  exampleExternalId: 'D-3001',
  entity: ServiceProvider,
  fields: [
    text('name', 'Name', 200, { required: true, example: 'Haustechnik Schulz GmbH' }),
    text('trade', 'Gewerk', 100, { example: 'Heizung und Sanitär' }),
    text('email', 'E-Mail', 254, { email: true, example: 'service@haustechnik-schulz.example' }),
    text('phone', 'Telefon', 50, { example: '030 7654321' }),
    text('street', 'Straße und Hausnummer', 200, { example: 'Werkstraße 3' }),
    text('postalCode', 'PLZ', 10, { example: '10117' }),
    text('city', 'Ort', 100, { example: 'Berlin' }),
    // Which properties it serves (issue 23; the console's assignment is src/features/orders): the list replaces the stored one.
    references('propertyExternalIds', 'properties', 'Liegenschaften (Externe IDs)', 'properties', { example: 'L-1001' }),
  ],
  populate: ['properties'],
  label: (values) => String(values.name ?? ''),
};

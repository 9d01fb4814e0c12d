import { Address } from '../../../entities/index.ts';
import { reference, text } from '../fields.ts';
import type { MasterDataKind } from './kind.ts';

/** Adressen (Hauseingänge) of a Liegenschaft. */
export const addresses: MasterDataKind = {
  name: 'addresses',
  exampleExternalId: 'A-1001-1',
  entity: Address,
  fields: [
    reference('propertyExternalId', 'property', 'Liegenschaft (Externe ID)', 'properties', { required: true, example: 'L-1001' }),
    text('street', 'Straße', 200, { required: true, example: 'Rosenweg' }),
    text('houseNumber', 'Hausnummer', 20, { required: true, example: '24' }),
    text('postalCode', 'PLZ', 10, { required: true, example: '10115' }),
    text('city', 'Ort', 100, { required: true, example: 'Berlin' }),
  ],
  label: (values) => `${values.street ?? ''} ${values.houseNumber ?? ''}, ${values.postalCode ?? ''} ${values.city ?? ''}`.trim(),
};

import { Property, PROPERTY_KINDS } from '../../../entities/index.ts';
import { choice, text } from '../fields.ts';
import type { MasterDataKind } from './kind.ts';

/** Liegenschaften. */
export const properties: MasterDataKind = {
  name: 'properties',
  exampleExternalId: 'L-1001',
  entity: Property,
  fields: [
    text('name', 'Name', 200, { required: true, example: 'Rosenweg 24' }),
    choice('kind', 'Art', PROPERTY_KINDS, { weg: ['WEG'], rental: ['Miete', 'Mietobjekt'], mixed: ['Gemischt'] }, 'weg'),
  ],
  label: (values) => String(values.name ?? ''),
};

import { Contract, CONTRACT_KINDS } from '../../../entities/index.ts';
import { choice, date, reference, references, text } from '../fields.ts';
import type { MasterDataKind } from './kind.ts';

/** Verträge: Mietverträge and Eigentum, linking contacts to a unit for a period. */
export const contracts: MasterDataKind = {
  name: 'contracts',
  exampleExternalId: 'V-2024-017',
  entity: Contract,
  fields: [
    reference('unitExternalId', 'unit', 'Einheit (Externe ID)', 'units', { required: true, example: 'E-1001-002' }),
    references('contactExternalIds', 'contacts', 'Kontakte (Externe IDs)', 'contacts', { required: true, example: 'K-5001|K-5002' }),
    { ...choice('kind', 'Art', CONTRACT_KINDS, { rental: ['Miete', 'Mietvertrag'], ownership: ['Eigentum', 'Eigentümer'] }, 'rental'), required: true },
    text('contractNumber', 'Vertragsnummer', 100, { example: 'MV-2024-017' }),
    date('startsOn', 'Beginn', { required: true, example: '01.04.2024' }),
    date('endsOn', 'Ende', { example: '' }),
  ],
  populate: ['contacts'],
  label: (values) => String(values.contractNumber ?? ''),
  check: (values) =>
    values.endsOn && values.startsOn && String(values.endsOn) < String(values.startsOn) ? [{ code: 'ends_before_start', field: 'endsOn' }] : [],
};

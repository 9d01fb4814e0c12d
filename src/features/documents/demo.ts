import type { Em } from '../../db/orm.ts';
import { DocumentType, type Organization } from '../../entities/index.ts';

/**
 * The folders a new Verwaltung starts with (Administration > Dokumententypen), the ones the
 * help articles name ("Objektunterlagen", "Bedienungsanleitungen") among them. Staff rename,
 * move and extend them.
 */
export const DEFAULT_DOCUMENT_TYPES: Array<[string, string[]]> = [
  ['Objektunterlagen', ['Hausordnung', 'Energieausweis', 'Grundrisse']],
  ['Abrechnungen', ['Betriebskostenabrechnung', 'Hausgeldabrechnung']],
  ['Wirtschaftspläne', []],
  ['Protokolle', ['Eigentümerversammlung', 'Beiratssitzung']],
  ['Verträge', []],
  ['Bedienungsanleitungen', []],
  ['Serienbriefe', []],
  ['Sonstiges', []],
];

/** Creates the default document type tree for a Verwaltung (persisted with the caller's flush). */
export function seedDocumentTypes(tx: Em, organization: Organization, now: Date): Map<string, DocumentType> {
  const byName = new Map<string, DocumentType>();
  DEFAULT_DOCUMENT_TYPES.forEach(([name, children], position) => {
    const parent = tx.create(DocumentType, { organization, parent: null, name, position, createdAt: now });
    byName.set(name, parent);
    children.forEach((child, childPosition) => {
      byName.set(child, tx.create(DocumentType, { organization, parent, name: child, position: childPosition, createdAt: now }));
    });
  });
  return byName;
}

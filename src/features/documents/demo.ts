import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Em } from '../../db/orm.ts';
import { DocumentType, type Contact, type Organization, type Property, type StaffUser, type Unit } from '../../entities/index.ts';
import { writeTempFile, type FileStorage } from '../../storage/files.ts';
import { createDocumentRow, type ShareTarget } from './service.ts';

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

/** The part of the demo world (src/features/demo/seed.ts) the demo documents need. */
export type DemoDocumentWorld = {
  organizations: { sonnenschein: Organization };
  staff: { manager: StaffUser };
  properties: { test: Property; rosenweg: Property; maxPlanck: Property };
  units: { wohnung002: Unit };
  contacts: { kristina: Contact };
};

/** A small real PDF with a heading and a few lines (pdf-lib). */
async function demoPdf(title: string, lines: string[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(title);
  const page = pdf.addPage([595.28, 841.89]);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  page.drawText(title, { x: 70, y: 760, size: 20, font: bold });
  lines.forEach((line, i) => {
    page.drawText(line, { x: 70, y: 720 - i * 18, size: 11, font });
  });
  return pdf.save();
}

/**
 * The documents of the help articles (seed 003), as real PDFs in the file storage: the
 * Hausordnung of Rosenweg 24 for its Mieter, the Energieausweis of Max-Planck-Straße 12 for
 * the whole property, the Wirtschaftsplan 2027 of the TESTLIEGENSCHAFT for its Eigentümer and
 * the Bedienungsanleitung Heizung of Wohnung 002 for Kristina Maiblume only. Only seeded when
 * the seed gets a file storage (`npm start`); tests seed without one. Flushed by the caller.
 */
export async function seedDemoDocuments(tx: Em, world: DemoDocumentWorld, types: Map<string, DocumentType>, now: Date, storage: FileStorage) {
  const { rosenweg, maxPlanck, test } = world.properties;
  const documents: Array<{ title: string; type: string; property: Property | null; unit?: Unit; shares: ShareTarget[]; lines: string[] }> = [
    {
      title: 'Hausordnung',
      type: 'Hausordnung',
      property: rosenweg,
      shares: [{ kind: 'group', propertyId: rosenweg.id, group: 'tenant' }],
      lines: [
        'Rosenweg 24, 81675 München',
        '',
        '1. Ruhezeiten: 13 bis 15 Uhr und 22 bis 7 Uhr.',
        '2. Treppenhaus und Flure sind freizuhalten.',
        '3. Müll bitte getrennt in die Tonnen im Hof.',
      ],
    },
    {
      title: 'Energieausweis',
      type: 'Energieausweis',
      property: maxPlanck,
      shares: [{ kind: 'property', propertyId: maxPlanck.id }],
      lines: ['Max-Planck-Straße 12 und 12a, 80638 München', '', 'Endenergiebedarf: 98 kWh/(m²·a)', 'Gültig bis: 2034'],
    },
    {
      title: 'Wirtschaftsplan 2027',
      type: 'Wirtschaftspläne',
      property: test,
      shares: [{ kind: 'group', propertyId: test.id, group: 'owner' }],
      lines: ['TESTLIEGENSCHAFT, Teststraße 1, 80331 München', '', 'Hausgeld gesamt: 24.000,00 EUR', 'Erhaltungsrücklage: 6.000,00 EUR'],
    },
    {
      title: 'Bedienungsanleitung Heizung',
      type: 'Bedienungsanleitungen',
      property: maxPlanck,
      unit: world.units.wohnung002,
      shares: [{ kind: 'contact', contactId: world.contacts.kristina.id }],
      lines: ['Wohnung 002, Max-Planck-Straße 12', '', 'Thermostat: Stufe 3 entspricht etwa 20 °C.', 'Entlüften: einmal im Herbst am Ventil oben rechts.'],
    },
  ];
  for (const d of documents) {
    const bytes = await demoPdf(d.title, d.lines);
    const tempPath = await writeTempFile(storage, bytes);
    const storageKey = await storage.put(tempPath);
    const fileName = `${d.title}.pdf`;
    createDocumentRow(
      tx,
      {
        staff: world.staff.manager,
        property: d.property,
        unit: d.unit ?? null,
        type: types.get(d.type)!,
        title: d.title,
        upload: { tempPath, originalName: fileName, fileName, size: bytes.length, ext: 'pdf', mimeType: 'application/pdf' },
        shares: d.shares,
        now,
      },
      storageKey,
    );
  }
}

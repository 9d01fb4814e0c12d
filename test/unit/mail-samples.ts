/**
 * Sample data for every mail template (views/mail/<template>.html.eta), as their senders
 * pass it: test/unit/mail-text.test.ts renders each and reads its text part line by line.
 */
const LINK = 'https://hausportal.example/portal/liegenschaften/p1/termine/a1';

export const MAIL_SAMPLES: Record<string, Record<string, unknown>> = {
  appointment: { name: 'Kristina Maiblume', title: 'Zählerablesung mit Mail', when: 'Di., 15.12.2026, 09:00–12:00', location: 'Keller, Zählerraum', description: 'Bitte Zugang zum Keller ermöglichen.\nDanke!', link: LINK },
  announcement: { name: 'Kristina Maiblume', propertyName: 'Max-Planck-Straße 12', title: 'Treppenhausreinigung', body: 'Ab Montag reinigt eine neue Firma.\n\nMehr unter https://example.de/info', link: LINK },
  'bulletin-post': { name: 'Kristina Maiblume', propertyName: 'Max-Planck-Straße 12', title: 'Fahrrad zu verschenken', body: 'Ein Kinderfahrrad, 20 Zoll.', attachments: 2, link: LINK },
  'contact-invitation': {
    salutation: 'Sehr geehrte Frau Maiblume,',
    additional: false,
    contactName: 'Kristina Maiblume',
    code: 'ABCD-EFGH-JKLM',
    validUntil: new Date('2026-12-31T12:00:00Z'),
    link: 'https://hausportal.example/portal/registrieren?code=ABCD-EFGH-JKLM',
    senderLines: ['Hausverwaltung Sonnenschein GmbH', 'Leopoldstraße 40', '80802 München'],
  },
  'contact-link-offer': { name: 'Kristina Maiblume', contactName: 'Kristina Maiblume', code: 'ABCD-EFGH-JKLM', validUntil: new Date('2026-12-31T12:00:00Z'), link: 'https://hausportal.example/portal/profil/kontakt' },
  'additional-user-invitation': { name: 'Tom Maiblume', inviterName: 'Kristina Maiblume', propertyName: 'Max-Planck-Straße 12', contactName: 'Kristina Maiblume', code: 'ABCD-EFGH-JKLM', validUntil: new Date('2026-12-31T12:00:00Z'), link: 'https://hausportal.example/portal/registrieren' },
  'neighbour-invitation': { name: '', inviterName: 'Kristina Maiblume', propertyName: 'Max-Planck-Straße 12', contactName: 'Kristina Maiblume', code: 'ABCD-EFGH-JKLM', validUntil: new Date('2026-12-31T12:00:00Z'), link: 'https://hausportal.example/portal/registrieren' },
  'document-digest': {
    name: 'Dr. Heinrich Eigner',
    day: '2026-12-14',
    count: 2,
    documents: [
      { title: 'Protokoll Eigentümerversammlung', typeName: 'Eigentümerversammlung', propertyName: 'Rosenweg 24', link: 'https://hausportal.example/d/1', folderLink: 'https://hausportal.example/f/1' },
      { title: 'Wartung Aufzug', typeName: 'Technik', propertyName: 'Rosenweg 24', link: 'https://hausportal.example/d/2', folderLink: 'https://hausportal.example/f/2' },
    ],
    link: 'https://hausportal.example/portal/liegenschaften/p1/dokumente',
  },
  'password-reset': { name: 'Max Verwalter', link: 'https://hausportal.example/verwaltung/passwort/neu?token=t' },
  'staff-invitation': { name: 'Paula Neu', invitedBy: 'Max Verwalter', link: 'https://hausportal.example/verwaltung/einladung/t' },
  'ticket-new': { name: 'Max Verwalter', reporterName: 'Kristina Maiblume', propertyName: 'Max-Planck-Straße 12', reference: 'Nr. 2026-00004', title: 'Heizung fällt aus', categoryName: 'Schaden/Reparatur', description: 'Seit heute Morgen kalt.\nThermostat zeigt Fehler.', link: 'https://hausportal.example/verwaltung/vorgaenge/t1' },
  'ticket-update': { name: 'Kristina Maiblume', kind: 'status', authorName: 'Max Verwalter', reference: '2026-00004', title: 'Heizung fällt aus', toStatus: 'in_progress', body: '', link: 'https://hausportal.example/portal/v/t1' },
  'ticket-update-joined': { name: 'Nina Nachbarin', kind: 'comment', authorName: 'Max Verwalter', reference: '2026-00004', title: 'Licht im Treppenhaus', toStatus: null, body: 'Der Elektriker kommt morgen.', link: 'https://hausportal.example/portal/v/t1' },
  'ticket-resident-activity': { name: 'Max Verwalter', kind: 'comment', authorName: 'Kristina Maiblume', reference: '2026-00004', propertyName: 'Max-Planck-Straße 12', title: 'Heizung fällt aus', body: 'Danke, bis morgen.', link: 'https://hausportal.example/verwaltung/vorgaenge/t1' },
  'ticket-forward': {
    reference: '2026-00004',
    title: 'Heizung fällt aus',
    propertyName: 'Max-Planck-Straße 12',
    unitNumber: 'Wohnung 002',
    commonArea: null,
    categoryName: 'Schaden/Reparatur',
    description: 'Seit heute Morgen kalt.',
    message: 'Bitte morgen vorbeischauen.',
    staffName: 'Max Verwalter',
    staffEmail: 'verwalter@sonnenschein-hv.de',
    reporter: { name: 'Kristina Maiblume', phone: '0151 2345678', email: 'kristina.maiblume@example.de' },
    photoCount: 1,
  },
};

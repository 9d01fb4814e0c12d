import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';

/** A Verwaltung: the management company, and the hard tenant boundary of the system. */
export const Organization = defineEntity({
  name: 'Organization',
  properties: {
    id: id(),
    name: p.string().length(200),
    street: p.string().length(200).nullable(),
    postalCode: p.string().length(10).nullable(),
    city: p.string().length(100).nullable(),
    email: p.string().length(254).nullable(),
    phone: p.string().length(50).nullable(),
    // Administration > Kundenportal > Einstellungen (seed 001).
    faqEnabled: p.boolean().default(true),
    /** "Service - Buchungen": residents book rooms and resources, on the properties chosen (Property.bookingsEnabled). */
    bookingsEnabled: p.boolean().default(false),
    /** "Community - Direktnachrichten (Chatfunktion)": registered neighbours write to each other. */
    directMessagesEnabled: p.boolean().default(false),
    /** "Community - Community-Bereich": the community tab, on the properties chosen (Property.communityEnabled). */
    communityEnabled: p.boolean().default(false),
    /** "Community - Zugriff für Gewerbemitarbeiter auf die Schwarze-Brett-Funktionalität". */
    commercialBulletinEnabled: p.boolean().default(false),
    /** "Community - Nachbarschaftsprofil": residents may show a profile to their neighbours. */
    neighbourProfileEnabled: p.boolean().default(false),
    /** Registered residents may invite neighbours as Bewohner ("Nachbarn einladen"). */
    neighbourInvitesEnabled: p.boolean().default(false),
    /** Registration asks for a contract number that must match one of the contact's contracts. */
    confirmContractNumber: p.boolean().default(false),
    /** New contacts get the contact preference Online ("Standard Kontaktweg Online"). */
    defaultContactPreferenceOnline: p.boolean().default(true),
    /** Residents choose their contact preference at registration and may change it later. */
    askContactPreference: p.boolean().default(true),
    /** First login asks "Wohnen Sie in der Liegenschaft?" (Bewohnerfrage). */
    askResidentQuestion: p.boolean().default(false),
    /** First login asks to complete and confirm phone and address (Kontaktdaten bestätigen). */
    askContactDataConfirmation: p.boolean().default(false),
    /** Registered residents may add a second login to their contact ("Nutzer zum Kontakt hinzufügen"). */
    residentsMayAddUsers: p.boolean().default(false),
    /** How long an invitation code stays valid. */
    invitationValidDays: p.integer().default(30),
    // Administration > Kundenportal > Rollen & Zugriffsrechte (seed 002). Read by
    // src/features/access only.
    preContractAccessEnabled: p.boolean().default(false),
    preContractAccessDays: p.integer().default(30),
    postContractAccessEnabled: p.boolean().default(false),
    postContractAccessDays: p.integer().default(30),
    createdAt: createdAt(),
  },
});
export type Organization = InferEntity<typeof Organization>;

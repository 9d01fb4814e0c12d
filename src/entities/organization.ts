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
    /** Every staff member without company sign-in must use a second factor (TOTP). */
    requireSecondFactor: p.boolean().default(false),
    // Administration > Kundenportal > Erscheinungsbild (issue 20, src/features/branding).
    /** The portal's name shown in the portal, on its login page, in mails and PDFs; null: the Verwaltung's name. */
    portalName: p.string().length(100).nullable(),
    /** The primary colour, #rrggbb, with at least 4.5:1 contrast to white text; null: Hausportal's. */
    brandColor: p.string().length(7).nullable(),
    /** 'png' or 'svg' (sanitised); the logo as uploaded is at logoKey, a PNG copy for mails and PDFs at logoPngKey. */
    logoType: p.string().length(4).nullable(),
    logoKey: p.string().length(300).nullable(),
    logoPngKey: p.string().length(300).nullable(),
    /** Counts up with every change of the Erscheinungsbild: the version in the brand URLs (cached long). */
    brandVersion: p.integer().default(0),
    /**
     * Impressum (§ 5 DDG) and Datenschutzerklärung, plain text with paragraphs and links; shown at public pages.
     * Up to 20,000 characters each: loaded only where they are shown or edited (`populate: LEGAL_TEXTS`),
     * not with every Verwaltung (every cached login holds one, src/auth/session.ts).
     */
    imprint: p.text().nullable().lazy(),
    privacyPolicy: p.text().nullable().lazy(),
    /** Whether there is an Impressum / a Datenschutzerklärung: the footer links need no more. */
    hasImprint: p.boolean().formula((columns) => `${columns.imprint} is not null`),
    hasPrivacyPolicy: p.boolean().formula((columns) => `${columns.privacyPolicy} is not null`),
    createdAt: createdAt(),
  },
});
export type Organization = InferEntity<typeof Organization>;

/** The lazy texts of a Verwaltung, for `populate` where they are shown or edited. */
export const LEGAL_TEXTS = ['imprint', 'privacyPolicy'] as const;

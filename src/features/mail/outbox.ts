import { randomUUID } from 'node:crypto';
import type { TFunction } from 'i18next';
import type { Em } from '../../db/orm.ts';
import { OutboxMail, type MailAttachment, type Organization } from '../../entities/index.ts';
import { translator, type Language, isLanguage } from '../../http/i18n.ts';
import { renderTemplate } from '../../http/views.ts';
import { brandOf, mailBaseUrl, type BrandSource } from '../branding/service.ts';
import { mailText } from './text.ts';

export type MailRequest = {
  organization: Organization | null;
  to: string;
  /** Name of the template views/mail/<template>.html.eta (the text part is derived from it, ./text.ts), and of the subject key mail:<template>.subject. */
  template: string;
  locale?: string;
  data: Record<string, unknown>;
  /** Stored files sent along (src/features/mail/deliver.ts streams them from the file storage). */
  attachments?: MailAttachment[];
  /** Extra header lines (List-Unsubscribe of notification mails, src/features/notifications/notify.ts). */
  headers?: Record<string, string>;
  /** Links under a notification mail: its kind's unsubscribe link and the settings page. */
  notificationFooter?: NotificationFooter;
  /**
   * The text part's body, written directly by a sender of many mails (the digest), instead of
   * derived from the HTML body (./text.ts), which costs as much as rendering the mail. It must
   * say exactly what the derivation would; test/unit/mail-text.test.ts compares the two.
   */
  text?: (t: TFunction) => string;
};

/** What every notification mail ends with (issue 19): unsubscribe from its kind, and the settings. */
export type NotificationFooter = { unsubscribeLink: string; settingsLink: string; kindLabel: string };

/** What a mail says: the subject and both bodies, as they go out. */
export type RenderedMail = { subject: string; text: string; html: string };

/** Host part of generated Message-IDs. */
const MESSAGE_ID_HOST = 'hausportal.mail';

/** One translator per language (translator() keeps them too; kept for the mail code's own map). */
const translators = new Map<Language, TFunction>();
function translatorOf(lang: Language): TFunction {
  let t = translators.get(lang);
  if (!t) {
    t = translator(lang);
    translators.set(lang, t);
  }
  return t;
}

/**
 * For many mails rendered in a row (the digest): the layout around the body depends only on
 * the language, the Verwaltung and the subject, so it is rendered once per combination and
 * the body is put between its two halves. Create one per run, not per process, so a changed
 * layout template is picked up (development re-reads templates).
 */
export type LayoutCache = Map<string, readonly [string, string]>;
export const newLayoutCache = (): LayoutCache => new Map();

/** Stands in for the body while the layout is rendered once; cannot occur in escaped output. */
const BODY_MARK = '\u0000<hausportal-mail-body>\u0000';

function layoutAround(data: Record<string, unknown>, subject: string, body: string, cache: LayoutCache | undefined): string {
  if (!cache) return renderTemplate('mail/layout.html.eta', { ...data, subject, body });
  const key = `${data.lang}\u0000${data.organizationId}\u0000${data.organizationName}\u0000${subject}`;
  let halves = cache.get(key);
  if (!halves) {
    const whole = renderTemplate('mail/layout.html.eta', { ...data, subject, body: BODY_MARK });
    const at = whole.indexOf(BODY_MARK);
    // The layout shows the body exactly once; otherwise render it the plain way.
    if (at < 0 || whole.indexOf(BODY_MARK, at + 1) >= 0) return renderTemplate('mail/layout.html.eta', { ...data, subject, body });
    halves = [whole.slice(0, at), whole.slice(at + BODY_MARK.length)] as const;
    cache.set(key, halves);
  }
  return halves[0] + body + halves[1];
}

/** Renders a mail (subject, text, HTML in the layout) in the recipient's language; pure. */
export function renderMail(
  mail: Omit<MailRequest, 'to' | 'organization' | 'headers'> & { organization: (Pick<Organization, 'name'> & Partial<BrandSource>) | null },
  layouts?: LayoutCache,
): RenderedMail {
  const lang: Language = isLanguage(mail.locale) ? mail.locale : 'de';
  const t = translatorOf(lang);
  // The Verwaltung's Erscheinungsbild (portal name, logo, colour, Impressum and Datenschutz) in the layout's header and footer.
  const brand = mail.organization?.id ? brandOf(mail.organization as BrandSource) : null;
  const data = {
    ...mail.data,
    t,
    lang,
    organizationName: mail.organization?.name ?? 'Hausportal',
    organizationId: mail.organization?.id ?? '',
    brand,
    baseUrl: brand ? mailBaseUrl() : '',
  };
  const subject = t(`mail:${mail.template}.subject`, data);
  let body = renderTemplate(`mail/${mail.template}.html.eta`, data);
  // Part of the body (not the layout), so that the text part carries the links too.
  if (mail.notificationFooter) body += renderTemplate('mail/_notification-footer.html.eta', { ...data, ...mail.notificationFooter });
  // One template for both parts: the text is the HTML body's blocks and lines (./text.ts),
  // signed off like the HTML layout's footer.
  const legal = [
    brand?.imprint && `${t('branding:footer.imprint')}: ${data.baseUrl}${brand.imprint}`,
    brand?.privacy && `${t('branding:footer.privacy')}: ${data.baseUrl}${brand.privacy}`,
  ].filter(Boolean);
  const bodyText = mail.text
    ? [mail.text(t), mail.notificationFooter && notificationFooterText(t, mail.notificationFooter)].filter(Boolean).join('\n\n')
    : mailText(body);
  const text = `${bodyText}\n\n-- \n${t('mail:footer', { organizationName: data.organizationName })}\n${legal.map((line) => `${line}\n`).join('')}`;
  const html = layoutAround(data, subject, body, layouts);
  return { subject, text, html };
}

/** The text of views/mail/_notification-footer.html.eta, as ./text.ts derives it. */
function notificationFooterText(t: TFunction, footer: NotificationFooter): string {
  return [
    t('mail:notificationFooter.why', { kind: footer.kindLabel }),
    `${t('mail:notificationFooter.unsubscribe', { kind: footer.kindLabel })}: ${footer.unsubscribeLink}`,
    `${t('mail:notificationFooter.settings')}: ${footer.settingsLink}`,
  ].join('\n');
}

const newMessageId = () => `<${randomUUID()}@${MESSAGE_ID_HOST}>`;

/**
 * Puts an e-mail into the outbox. It is persisted with the caller's next flush, so the
 * change that causes a mail and the mail itself commit together or not at all.
 */
export function enqueueMail(em: Em, mail: MailRequest, now: Date): OutboxMail {
  const { subject, text, html } = renderMail(mail);
  return em.create(OutboxMail, {
    organization: mail.organization,
    messageId: newMessageId(),
    fromName: mail.organization?.name ?? null,
    to: mail.to,
    subject,
    text,
    html,
    attachments: mail.attachments?.length ? mail.attachments : null,
    headers: mail.headers ?? null,
    nextAttemptAt: now,
    createdAt: now,
  });
}

/** A rendered mail for `insertOutboxMails`. */
export type OutboxInsert = RenderedMail & { organization: Pick<Organization, 'id' | 'name'> | null; to: string; headers?: Record<string, string> };

/** Rows per INSERT statement (13 parameters each, well below PostgreSQL's 65,535). */
const INSERT_CHUNK = 1000;

/**
 * Puts many rendered mails into the outbox with one multi-row INSERT (per 1,000), in the
 * transaction `em` is in: for bulk senders (the digest) that must not build an entity per
 * mail. Same rows as `enqueueMail` writes; returns how many were written.
 */
export async function insertOutboxMails(em: Em, mails: readonly OutboxInsert[], now: Date): Promise<number> {
  const db = em.getKysely();
  for (let start = 0; start < mails.length; start += INSERT_CHUNK) {
    const rows = mails.slice(start, start + INSERT_CHUNK).map((mail) => ({
      id: randomUUID(),
      organization_id: mail.organization?.id ?? null,
      message_id: newMessageId(),
      from_name: mail.organization?.name ?? null,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: mail.headers ? JSON.stringify(mail.headers) : null,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
    }));
    // biome-ignore lint/suspicious/noExplicitAny: the outbox table is not in a Kysely schema type
    await (db as any).insertInto('outbox_mail').values(rows).execute();
  }
  return mails.length;
}

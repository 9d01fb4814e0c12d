import { randomUUID } from 'node:crypto';
import type { Em } from '../../db/orm.ts';
import { OutboxMail, type Organization } from '../../entities/index.ts';
import { translator, type Language, isLanguage } from '../../http/i18n.ts';
import { renderTemplate } from '../../http/views.ts';

export type MailRequest = {
  organization: Organization | null;
  to: string;
  /** Name of the templates views/mail/<template>.html.eta and .text.eta, and of the subject key mail:<template>.subject. */
  template: string;
  locale?: string;
  data: Record<string, unknown>;
};

/** Host part of generated Message-IDs. */
const MESSAGE_ID_HOST = 'hausportal.mail';

/**
 * Puts an e-mail into the outbox. It is persisted with the caller's next flush, so the
 * change that causes a mail and the mail itself commit together or not at all.
 */
export function enqueueMail(em: Em, mail: MailRequest, now: Date): OutboxMail {
  const lang: Language = isLanguage(mail.locale) ? mail.locale : 'de';
  const t = translator(lang);
  const data = { ...mail.data, t, lang, organizationName: mail.organization?.name ?? 'Hausportal' };
  const subject = t(`mail:${mail.template}.subject`, data);
  const text = renderTemplate(`mail/${mail.template}.text.eta`, data);
  const html = renderTemplate('mail/layout.html.eta', { ...data, subject, body: renderTemplate(`mail/${mail.template}.html.eta`, data) });
  return em.create(OutboxMail, {
    organization: mail.organization,
    messageId: `<${randomUUID()}@${MESSAGE_ID_HOST}>`,
    fromName: mail.organization?.name ?? null,
    to: mail.to,
    subject,
    text,
    html,
    nextAttemptAt: now,
    createdAt: now,
  });
}

import type { Em } from '../../db/orm.ts';
import { NotificationItem, type MailAttachment, type Organization } from '../../entities/index.ts';
import { translator, isLanguage } from '../../http/i18n.ts';
import { enqueueMail, type NotificationFooter } from '../mail/outbox.ts';
import { notificationKind } from './kinds.ts';
import { settingsLink, unsubscribeLink } from './links.ts';
import { choicesOf } from './settings.ts';

/** A resident to be told about one thing; who may be told is decided by the feature's own visibility rule. */
export type Notice = {
  user: { id: string; email: string; name: string; locale: string };
  /** The property the thing is shown in (the digest groups by it); null when not one property. */
  propertyId: string | null;
  /** What the digest lists. */
  title: string;
  link: string;
  /** The mail sent at once ("sofort"): its template and data (name is added). */
  template: string;
  data: Record<string, unknown>;
  /** Sent along with the mail sent at once (a booking's .ics); the digest lists only the title. */
  attachments?: MailAttachment[];
  /**
   * Mailed at once whatever the user chose: a receipt of what they did themselves (the
   * confirmation of one's own booking, issue 22). Still carries the kind's footer.
   */
  always?: boolean;
};

export type NotifyRequest = {
  kind: string;
  organization: Pick<Organization, 'id' | 'name'>;
  baseUrl: string;
  now: Date;
  notices: readonly Notice[];
  /**
   * What a "sofort" choice means for these notices: a mail at once (the default), or
   * 'digest': an item for the next daily digest instead. Content written by a resident
   * (the community board's posts) uses 'digest', so a resident's word never mails the whole
   * house at once; ./digest.ts sends such items with the daily digest.
   */
  immediate?: 'mail' | 'digest';
};

/**
 * The one way a feature tells residents about its content: by each user's choice for the
 * kind (./kinds.ts, ./settings.ts) a mail into the outbox at once ("sofort"), an item for the
 * next daily or weekly digest (./digest.ts), or nothing ("aus"). Written with the caller's
 * next flush, like enqueueMail, so the content and its notifications commit together.
 * Returns how many mails went out at once.
 */
export async function notify(em: Em, request: NotifyRequest): Promise<number> {
  const kind = notificationKind(request.kind);
  if (!kind) throw new Error(`unknown notification kind ${request.kind}`);
  if (request.notices.length === 0) return 0;
  const choices = await choicesOf(
    em,
    request.organization.id,
    request.notices.map((notice) => notice.user.id),
  );
  let immediate = 0;
  for (const notice of request.notices) {
    const frequency = notice.always ? 'immediate' : (choices.get(notice.user.id)?.[kind.key] ?? kind.fallback);
    if (frequency === 'off') continue;
    if (frequency === 'immediate' && request.immediate !== 'digest') {
      enqueueMail(
        em,
        {
          organization: request.organization as Organization,
          to: notice.user.email,
          template: notice.template,
          locale: notice.user.locale,
          data: { ...notice.data, name: notice.user.name },
          attachments: notice.attachments,
          ...notificationMailParts(request.baseUrl, notice.user, kind.key),
        },
        request.now,
      );
      immediate++;
      continue;
    }
    em.create(NotificationItem, {
      organization: request.organization.id,
      portalUser: notice.user.id,
      kind: kind.key,
      property: notice.propertyId,
      title: notice.title.slice(0, 300),
      link: notice.link,
      createdAt: request.now,
      digestedAt: null,
    });
  }
  return immediate;
}

/**
 * The unsubscribe headers (RFC 8058: an https URL answering a POST with
 * "List-Unsubscribe=One-Click", no login) and the footer links of a notification mail.
 */
export function notificationMailParts(
  baseUrl: string,
  user: { id: string; locale: string },
  kindKey: string,
): { headers: Record<string, string>; notificationFooter: NotificationFooter } {
  const link = unsubscribeLink(baseUrl, user.id, kindKey);
  const t = translator(isLanguage(user.locale) ? user.locale : 'de');
  return {
    headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    notificationFooter: { unsubscribeLink: link, settingsLink: settingsLink(baseUrl), kindLabel: String(t(notificationKind(kindKey)!.label)) },
  };
}

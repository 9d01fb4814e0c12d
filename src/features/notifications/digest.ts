import { addDays, berlinDate, berlinTime, startOfBerlinDay } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { AuditLog, Organization, type NotificationFrequency } from '../../entities/index.ts';
import type { TFunction } from 'i18next';
import { isLanguage, translator, type Language } from '../../http/i18n.ts';
import { helpers } from '../../http/view-helpers.ts';
import { log } from '../../log.ts';
import { newlySharedDocuments } from '../documents/visibility.ts';
import { insertOutboxMails, newLayoutCache, renderMail, type OutboxInsert } from '../mail/outbox.ts';
import { notificationKinds } from './kinds.ts';
import { settingsLink, unsubscribeLink } from './links.ts';
import { organizationDefaults, type Choices } from './settings.ts';

/**
 * The one digest job (jobs/notification-digest.ts; it replaced the document digest of seed
 * 003, "am Folgetag … eine Zusammenfassung"). It runs every 15 minutes and acts once Berlin's
 * clock shows DOCUMENT_DIGEST_TIME: every registered, enabled resident gets at most one mail
 * per due period with every kind they chose at that frequency:
 * - daily ("d:<yesterday>"): what was queued before today began, and the documents first
 *   shared with them yesterday;
 * - weekly ("w:<Monday>"): for the last whole week (Monday to Sunday), from the Monday after it
 *   on — what was queued before this week began, and the documents first shared that week.
 * The mail is in the user's language, grouped by property, each kind under its heading.
 *
 * Idempotent per user and period, the document digest's way: users are written in batches,
 * each in one transaction that inserts their notification_digest rows "on conflict do nothing
 * … returning", marks their queued items digested and puts mails into the outbox only for
 * the rows it inserted. A second run, or a second instance, sends nothing; a run that died
 * in the middle left whole batches behind, and the next run does the rest. A marker in the
 * audit log per Verwaltung and period lets later runs skip it cheaply.
 *
 * Documents are not queued (./notify.ts): who a document reaches is asked of
 * documents/visibility.ts at the time of sending, so a share withdrawn since is not announced.
 */

export type DigestOptions = {
  /** Public URL of the portal, for the links in the mails. */
  baseUrl: string;
  /** HH:MM, Europe/Berlin (config DOCUMENT_DIGEST_TIME). */
  digestTime?: string;
  /** Users per transaction. */
  batchSize?: number;
};

export type DigestResult = { periods: string[]; mails: number };

type Period = { frequency: Extract<NotificationFrequency, 'daily' | 'weekly'>; key: string; firstDay: string; from: Date; until: Date };

/** The periods due at `now`: yesterday, and the last whole week (Monday to Sunday). */
export function duePeriods(now: Date): Period[] {
  const today = berlinDate(now);
  const yesterday = addDays(today, -1);
  const weekday = new Date(`${today}T12:00:00Z`).getUTCDay(); // 0 = Sunday
  const thisMonday = addDays(today, -((weekday + 6) % 7));
  const lastMonday = addDays(thisMonday, -7);
  return [
    { frequency: 'daily', key: `d:${yesterday}`, firstDay: yesterday, from: startOfBerlinDay(yesterday), until: startOfBerlinDay(today) },
    { frequency: 'weekly', key: `w:${lastMonday}`, firstDay: lastMonday, from: startOfBerlinDay(lastMonday), until: startOfBerlinDay(thisMonday) },
  ];
}

/** Mails rendered between two turns of the event loop (about 10 ms of rendering). */
const YIELD_EVERY = 25;

/** The same order as String#localeCompare(…, 'de'), without looking the locale up per call. */
const german = new Intl.Collator('de');

/** Sends the due digests once the configured time has come; see the top comment. */
export async function sendNotificationDigests(em: Em, now: Date, options: DigestOptions): Promise<DigestResult> {
  if (berlinTime(now) < (options.digestTime ?? '07:00')) return { periods: [], mails: 0 };
  const periods = duePeriods(now);
  const organizations = await em.find(Organization, {}, { fields: ['id'], orderBy: { id: 'asc' } });
  let mails = 0;
  for (const organization of organizations) {
    for (const period of periods) {
      // One Verwaltung's problem (a broken template, a bad row) must not hold back the others;
      // the next run tries it again.
      try {
        mails += await digestOfOrganization(em, organization.id, period, now, options);
      } catch (error) {
        log.error(`notification digest ${period.key} for organization ${organization.id} failed`, error);
      }
    }
  }
  return { periods: periods.map((period) => period.key), mails };
}

const DIGEST_COMPLETED = 'notification_digest.completed';

async function digestOfOrganization(em: Em, organizationId: string, period: Period, now: Date, options: DigestOptions): Promise<number> {
  // Most runs find nothing to tell: two cheap looks before the recipient queries.
  const anything = await em.execute<unknown[]>(
    `select 1 where exists (select 1 from document_share where organization_id = ? and created_at >= ? and created_at < ?)
       or exists (select 1 from notification_item where organization_id = ? and digested_at is null and created_at < ?)`,
    [organizationId, period.from, period.until, organizationId, period.until],
    'all',
  );
  if (anything.length === 0) return 0;
  if (await digestCompleted(em, organizationId, period.key, period.until)) return 0;
  const mails = await mailDigests(em, organizationId, period, now, options);
  const marker = em.fork();
  marker.create(AuditLog, {
    organization: organizationId,
    actorType: 'system',
    actorId: null,
    action: DIGEST_COMPLETED,
    subjectType: 'Organization',
    subjectId: organizationId,
    data: { period: period.key, mails },
    createdAt: now,
  });
  await marker.flush();
  return mails;
}

/** Whether a run already finished the period for the Verwaltung (written after it ended, hence `since`). */
async function digestCompleted(em: Em, organizationId: string, period: string, since: Date): Promise<boolean> {
  const rows = await em.execute<unknown[]>(
    `select 1 from audit_log where organization_id = ? and created_at >= ? and action = ? and data->>'period' = ? limit 1`,
    [organizationId, since, DIGEST_COMPLETED, period],
    'all',
  );
  return rows.length > 0;
}

type Recipient = { id: string; email: string; name: string; locale: string };
type DocumentInfo = { id: string; title: string; type_id: string; type_name: string; published_at: Date };
type Item = { id: string; portal_user_id: string; kind: string; property_id: string | null; title: string; link: string; created_at: Date };
type Entry = { kind: string; propertyId: string | null; title: string; link: string; detail: string | null; at: number };

/** The user's choices at this Verwaltung: its defaults, then every changed row (few users change them). */
async function choiceLookup(em: Em, organizationId: string) {
  const defaults = await organizationDefaults(em, organizationId);
  const rows = await em.execute<Array<{ portal_user_id: string; kind: string; frequency: NotificationFrequency }>>(
    `select portal_user_id, kind, frequency from notification_setting where organization_id = ?`,
    [organizationId],
    'all',
  );
  const own = new Map<string, Choices>();
  for (const row of rows) {
    const choices = orCreate(own, row.portal_user_id, (): Choices => ({}));
    choices[row.kind] = row.frequency;
  }
  const offered = new Map(notificationKinds().map((kind) => [kind.key, kind.offered]));
  return (userId: string, kind: string): NotificationFrequency => {
    const chosen = own.get(userId)?.[kind];
    return chosen && offered.get(kind)?.includes(chosen) ? chosen : defaults[kind];
  };
}

/** The map's value for the key, created first when missing. */
function orCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

const uuids = (ids: Iterable<string>) => `{${[...ids].join(',')}}`;

/** The mails of one Verwaltung's digest for one period. */
async function mailDigests(em: Em, organizationId: string, period: Period, now: Date, options: DigestOptions): Promise<number> {
  const frequencyOf = await choiceLookup(em, organizationId);
  const due = (userId: string, kind: string) => frequencyOf(userId, kind) === period.frequency;
  // A queued item of a user who chose "sofort" was queued on purpose (notify's `immediate:
  // 'digest'`, resident posts) or before the user changed their choice: the daily digest takes it.
  const itemDue = (userId: string, kind: string) => {
    const frequency = frequencyOf(userId, kind);
    return frequency === period.frequency || (frequency === 'immediate' && period.frequency === 'daily');
  };

  // Documents: the rule of documents/visibility.ts at the moment of sending.
  const documentsOf = new Map<string, Map<string, string>>(); // user → document → property
  for (const row of await newlySharedDocuments(em, organizationId, now, period.from, period.until, period.key)) {
    if (!due(row.portalUserId, 'documents')) continue;
    const documents = orCreate(documentsOf, row.portalUserId, () => new Map());
    const current = documents.get(row.documentId);
    // When several properties show it, the same one for everybody: the lowest id.
    if (!current || current > row.propertyId) documents.set(row.documentId, row.propertyId);
  }
  // Queued items: which users have any of a kind due in this period.
  const queued = await em.execute<Array<{ portal_user_id: string; kind: string }>>(
    `select distinct portal_user_id, kind from notification_item where organization_id = ? and digested_at is null and created_at < ?`,
    [organizationId, period.until],
    'all',
  );
  const userIds = new Set(documentsOf.keys());
  for (const row of queued) if (itemDue(row.portal_user_id, row.kind)) userIds.add(row.portal_user_id);
  if (userIds.size === 0) return 0;

  const recipients = new Map(
    (
      await em.execute<Recipient[]>(
        `select id, email, name, locale from portal_user
         where organization_id = ? and id = any(?::uuid[]) and password_hash is not null and disabled_at is null`,
        [organizationId, uuids(userIds)],
        'all',
      )
    ).map((user) => [user.id, user]),
  );
  const documentIds = new Set<string>();
  for (const documents of documentsOf.values()) for (const id of documents.keys()) documentIds.add(id);
  const documents = new Map(
    documentIds.size === 0
      ? []
      : (
          await em.execute<DocumentInfo[]>(
            `select d.id, d.title, d.type_id, t.name as type_name, d.published_at from document d join document_type t on t.id = d.type_id
             where d.organization_id = ? and d.id = any(?::uuid[])`,
            [organizationId, uuids(documentIds)],
            'all',
          )
        ).map((d) => [d.id, d]),
  );
  const properties = new Map(
    (await em.execute<Array<{ id: string; name: string }>>(`select id, name from property where organization_id = ?`, [organizationId], 'all')).map((p) => [
      p.id,
      p.name,
    ]),
  );
  const [organization] = await em.execute<Array<{ id: string; name: string }>>(
    `select id, name, portal_name as "portalName", brand_color as "brandColor", logo_png_key as "logoPngKey", brand_version as "brandVersion", case when imprint is null then null else '1' end as imprint, case when privacy_policy is null then null else '1' end as "privacyPolicy" from organization where id = ?`,
    [organizationId],
    'all',
  );
  const portal = `${options.baseUrl.replace(/\/$/, '')}/portal/liegenschaften`;
  const layouts = newLayoutCache();
  const labels = kindLabels();
  const ordered = [...recipients.keys()].sort();
  const batchSize = options.batchSize ?? 500;
  let mails = 0;
  for (let start = 0; start < ordered.length; start += batchSize) {
    const batch = ordered.slice(start, start + batchSize);
    // Markers, item marks and mails for exactly the users whose marker this run inserted, in
    // one transaction: plain SQL, no entities (100,000 mails must not pile up in an identity map).
    mails += await em.fork().transactional(async (tx) => {
      // What each user of the batch is told, read before the markers so that their counts go
      // in with them. The items end before the period did, so none can join meanwhile; a
      // concurrent run that inserted a user's marker first takes that user's items instead.
      const items = await tx.execute<Item[]>(
        `select id, portal_user_id, kind, property_id, title, link, created_at from notification_item
         where portal_user_id = any(?::uuid[]) and digested_at is null and created_at < ?`,
        [uuids(batch), period.until],
        'all',
      );
      const entriesOf = new Map<string, Entry[]>();
      const itemIdsOf = new Map<string, string[]>();
      for (const item of items) {
        if (!itemDue(item.portal_user_id, item.kind)) continue;
        orCreate(itemIdsOf, item.portal_user_id, (): string[] => []).push(item.id);
        orCreate(entriesOf, item.portal_user_id, (): Entry[] => []).push({
          kind: item.kind,
          propertyId: item.property_id,
          title: item.title,
          link: item.link,
          detail: null,
          at: new Date(item.created_at).getTime(),
        });
      }
      for (const userId of batch) {
        for (const [documentId, propertyId] of documentsOf.get(userId) ?? []) {
          const document = documents.get(documentId);
          if (!document) continue;
          orCreate(entriesOf, userId, (): Entry[] => []).push({
            kind: 'documents',
            propertyId,
            title: document.title,
            link: `${portal}/${propertyId}/dokumente/${document.id}/datei`,
            detail: document.type_name,
            at: new Date(document.published_at).getTime(),
          });
        }
      }
      const inserted = await tx.execute<Array<{ portal_user_id: string }>>(
        `insert into notification_digest (portal_user_id, period, organization_id, item_count, created_at)
         select u.id, ?, ?, u.n, ? from unnest(?::uuid[], ?::int[]) as u(id, n)
         on conflict do nothing
         returning portal_user_id`,
        [period.key, organizationId, now, uuids(batch), `{${batch.map((id) => entriesOf.get(id)?.length ?? 0).join(',')}}`],
        'all',
      );
      if (inserted.length === 0) return 0;
      const insertedIds = inserted.map((row) => row.portal_user_id);
      const taken = insertedIds.flatMap((id) => itemIdsOf.get(id) ?? []);
      if (taken.length > 0) await tx.execute(`update notification_item set digested_at = ? where id = any(?::uuid[])`, [now, uuids(taken)]);

      const outbox: OutboxInsert[] = [];
      for (const [index, userId] of insertedIds.entries()) {
        // Rendering a batch takes a tenth of a second or more on the thread that answers
        // requests (the jobs run in the server process): let them in every few mails.
        if (index > 0 && index % YIELD_EVERY === 0) await new Promise(setImmediate);
        const user = recipients.get(userId)!;
        const entries = entriesOf.get(userId) ?? [];
        if (entries.length === 0) continue;
        const lang: Language = isLanguage(user.locale) ? user.locale : 'de';
        const unsubscribe = unsubscribeLink(options.baseUrl, user.id, `digest-${period.frequency}`);
        const data: DigestData = {
          name: user.name,
          context: period.frequency,
          day: period.firstDay,
          count: entries.length,
          groups: grouped(entries, properties, labels[lang]),
          link: `${portal}`.replace(/\/liegenschaften$/, ''),
        };
        const rendered = renderMail(
          {
            organization,
            template: 'notification-digest',
            locale: lang,
            data,
            text: (t) => digestText(t, data, organization.name),
            notificationFooter: {
              unsubscribeLink: unsubscribe,
              settingsLink: settingsLink(options.baseUrl),
              kindLabel: labels[lang][`digest-${period.frequency}`],
            },
          },
          layouts,
        );
        outbox.push({
          ...rendered,
          organization,
          to: user.email,
          headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
      }
      await insertOutboxMails(tx, outbox, now);
      return outbox.length;
    });
  }
  return mails;
}

type DigestGroup = ReturnType<typeof grouped>[number];
type DigestData = { name: string; context: Period['frequency']; day: string; count: number; groups: DigestGroup[]; link: string };

/** Whitespace as an HTML reader (and ./text.ts) sees it: runs of it as one space. */
const collapsed = (value: string) => value.replace(/\s+/g, ' ').trim();

/**
 * The text part of views/mail/notification-digest.html.eta, written directly: deriving it from
 * the HTML (mail/text.ts) cost as much as the rest of a digest mail. The same lines the
 * derivation gives, which test/unit/mail-text.test.ts checks.
 */
export function digestText(t: TFunction, data: DigestData, organizationName: string): string {
  const lines = [
    collapsed(t('mail:greeting', { name: data.name })),
    '',
    collapsed(t('mail:notification-digest.intro', { organizationName, date: helpers.formatDate(data.day), context: data.context })),
  ];
  for (const group of data.groups) {
    lines.push('', collapsed(group.propertyName ?? t('mail:notification-digest.otherProperty')));
    for (const kind of group.kinds) {
      lines.push('', collapsed(kind.label));
      for (const item of kind.items) {
        const title = collapsed(item.title);
        lines.push(title ? `- ${title}: ${item.link}` : `- ${item.link}`);
        if (item.detail && collapsed(item.detail)) lines.push(`  ${collapsed(item.detail)}`);
      }
    }
  }
  lines.push('', `${collapsed(t('mail:notification-digest.button'))}: ${data.link}`);
  return lines.join('\n');
}

/** Kind labels per language, the digest's unsubscribe labels included. */
function kindLabels(): Record<Language, Record<string, string>> {
  const of = (lang: Language) => {
    const t = translator(lang);
    const labels: Record<string, string> = {};
    for (const kind of notificationKinds()) labels[kind.key] = String(t(kind.label));
    labels['digest-daily'] = String(t('notifications:kinds.digest-daily'));
    labels['digest-weekly'] = String(t('notifications:kinds.digest-weekly'));
    return labels;
  };
  return { de: of('de'), en: of('en') };
}

/** Entries by property (by name; "Allgemein" last), each property's kinds in registry order, newest first. */
function grouped(entries: Entry[], properties: Map<string, string>, labels: Record<string, string>) {
  const order = new Map(notificationKinds().map((kind, index) => [kind.key, index]));
  const byProperty = new Map<string | null, Entry[]>();
  for (const entry of entries) {
    const key = entry.propertyId && properties.has(entry.propertyId) ? entry.propertyId : null;
    const list = orCreate(byProperty, key, () => []);
    list.push(entry);
  }
  return [...byProperty]
    .map(([propertyId, list]) => {
      const kinds = new Map<string, Entry[]>();
      for (const entry of list.sort((a, b) => b.at - a.at || german.compare(a.title, b.title))) {
        const ofKind = orCreate(kinds, entry.kind, () => []);
        ofKind.push(entry);
      }
      return {
        propertyName: propertyId ? properties.get(propertyId)! : null,
        kinds: [...kinds]
          .sort(([a], [b]) => (order.get(a) ?? 99) - (order.get(b) ?? 99))
          .map(([kind, items]) => ({ label: labels[kind] ?? kind, items: items.map(({ title, link, detail }) => ({ title, link, detail })) })),
      };
    })
    .sort((a, b) => (a.propertyName === null ? 1 : b.propertyName === null ? -1 : german.compare(a.propertyName, b.propertyName)));
}

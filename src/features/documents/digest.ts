import { addDays, berlinDate, berlinTime, startOfBerlinDay } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { AuditLog, Organization } from '../../entities/index.ts';
import { log } from '../../log.ts';
import { insertOutboxMails, newLayoutCache, renderMail, type OutboxInsert } from '../mail/outbox.ts';
import { newlySharedDocuments } from './visibility.ts';

/**
 * The next-day digest (seed 003: "Die Mieter und Eigentümer werden über ein bereitgestelltes
 * Dokument stets am Folgetag in einer automatischen E-Mail benachrichtigt, die eine
 * Zusammenfassung enthält"). The job (jobs/document-digest.ts) runs every 15 minutes and acts
 * once Berlin's clock shows DOCUMENT_DIGEST_TIME: for the day before, every registered and
 * enabled portal user who was newly reached by a document share that day gets one mail
 * listing those documents; nobody else gets anything.
 *
 * Idempotent per user and day through document_digest (primary key user + day): users are
 * written in batches, each in one transaction that inserts their rows "on conflict do
 * nothing … returning" and puts mails into the outbox only for the rows it inserted. A second
 * run, or a second instance at the same time, inserts nothing and sends nothing; a run that
 * died in the middle left whole batches behind, and the next run does the rest.
 */

export type DigestOptions = {
  /** Public URL of the portal, for the links in the mails. */
  baseUrl: string;
  /** HH:MM, Europe/Berlin (config DOCUMENT_DIGEST_TIME). */
  digestTime?: string;
  /** Users per transaction. */
  batchSize?: number;
};

export type DigestResult = { day: string | null; mails: number };

/** The same order as String#localeCompare(…, 'de'), without looking the locale up per call. */
const german = new Intl.Collator('de');

/** Sends the digests of yesterday (Berlin) once the configured time has come; see the top comment. */
export async function sendDocumentDigests(em: Em, now: Date, options: DigestOptions): Promise<DigestResult> {
  if (berlinTime(now) < (options.digestTime ?? '07:00')) return { day: null, mails: 0 };
  const today = berlinDate(now);
  const day = addDays(today, -1);
  const organizations = await em.find(Organization, {}, { fields: ['id'], orderBy: { id: 'asc' } });
  let mails = 0;
  for (const organization of organizations) {
    // One Verwaltung's problem (a broken template, a bad row) must not hold back the others;
    // the next run tries it again.
    try {
      mails += await digestOfOrganization(em, organization.id, day, now, options);
    } catch (error) {
      log.error(`document digest of ${day} for organization ${organization.id} failed`, error);
    }
  }
  return { day, mails };
}

type Recipient = { id: string; email: string; name: string; locale: string };
type DocumentInfo = { id: string; title: string; type_id: string; type_name: string; published_at: Date };

async function digestOfOrganization(em: Em, organizationId: string, day: string, now: Date, options: DigestOptions): Promise<number> {
  const from = startOfBerlinDay(day);
  const until = startOfBerlinDay(addDays(day, 1));
  // Most days nothing was shared: one cheap look before the recipient query.
  const anyShare = await em.execute<unknown[]>(
    `select 1 from document_share where organization_id = ? and created_at >= ? and created_at < ? limit 1`,
    [organizationId, from, until],
    'all',
  );
  if (anyShare.length === 0) return 0;

  // Later runs of the day find the marker and stop here instead of asking again about every
  // user who had nothing new (the rows of those who got a digest already keep them out).
  if (await digestCompleted(em, organizationId, day, until)) return 0;
  const mails = await mailDigests(em, organizationId, day, from, until, now, options);
  const marker = em.fork();
  marker.create(AuditLog, {
    organization: organizationId,
    actorType: 'system',
    actorId: null,
    action: DIGEST_COMPLETED,
    subjectType: 'Organization',
    subjectId: organizationId,
    data: { day, mails },
    createdAt: now,
  });
  await marker.flush();
  return mails;
}

const DIGEST_COMPLETED = 'document_digest.completed';

/** Whether a run already finished the digest of `day` for the Verwaltung (written on a later day, hence `since`). */
async function digestCompleted(em: Em, organizationId: string, day: string, since: Date): Promise<boolean> {
  const rows = await em.execute<unknown[]>(
    `select 1 from audit_log where organization_id = ? and created_at >= ? and action = ? and data->>'day' = ? limit 1`,
    [organizationId, since, DIGEST_COMPLETED, day],
    'all',
  );
  return rows.length > 0;
}

/** The mails of one Verwaltung's digest: recipients, their documents, batches of digest rows and outbox rows. */
async function mailDigests(em: Em, organizationId: string, day: string, from: Date, until: Date, now: Date, options: DigestOptions): Promise<number> {
  // The rule of ./visibility.ts, at the moment of sending: a share withdrawn or no longer
  // reaching someone since yesterday is not announced. Only registered, enabled users without
  // a digest for the day come back, so later runs of the day are cheap.
  const reached = await newlySharedDocuments(em, organizationId, now, from, until, day);
  if (reached.length === 0) return 0;
  const recipients = new Map(
    (
      await em.execute<Recipient[]>(
        `select id, email, name, locale from portal_user where organization_id = ? and id = any(?::uuid[])`,
        [organizationId, `{${[...new Set(reached.map((row) => row.portalUserId))].join(',')}}`],
        'all',
      )
    ).map((user) => [user.id, user]),
  );

  // user → document → the property it is shown in (when several, the same one for everybody: the lowest id).
  const byUser = new Map<string, Map<string, string>>();
  const documentIds = new Set<string>();
  const propertyIds = new Set<string>();
  for (const row of reached) {
    if (!recipients.has(row.portalUserId)) continue;
    let documents = byUser.get(row.portalUserId);
    if (!documents) {
      documents = new Map();
      byUser.set(row.portalUserId, documents);
    }
    documentIds.add(row.documentId);
    propertyIds.add(row.propertyId);
    const current = documents.get(row.documentId);
    if (!current || current > row.propertyId) documents.set(row.documentId, row.propertyId);
  }
  if (byUser.size === 0) return 0;

  const documents = new Map(
    (
      await em.execute<DocumentInfo[]>(
        `select d.id, d.title, d.type_id, t.name as type_name, d.published_at from document d join document_type t on t.id = d.type_id
         where d.organization_id = ? and d.id = any(?::uuid[])`,
        [organizationId, `{${[...documentIds].join(',')}}`],
        'all',
      )
    ).map((d) => [d.id, d]),
  );
  const properties = new Map(
    (
      await em.execute<Array<{ id: string; name: string }>>(
        `select id, name from property where organization_id = ? and id = any(?::uuid[])`,
        [organizationId, `{${[...propertyIds].join(',')}}`],
        'all',
      )
    ).map((p) => [p.id, p.name]),
  );

  const portal = `${options.baseUrl.replace(/\/$/, '')}/portal/liegenschaften`;
  const [organization] = await em.execute<Array<{ id: string; name: string }>>(`select id, name from organization where id = ?`, [organizationId], 'all');
  // One layout per language for the whole run (see renderMail), one collator for the sort.
  const layouts = newLayoutCache();
  const userIds = [...byUser.keys()].sort();
  const batchSize = options.batchSize ?? 500;
  let mails = 0;
  for (let start = 0; start < userIds.length; start += batchSize) {
    const batch = userIds.slice(start, start + batchSize);
    // The digest rows and the mails for exactly the users whose row this run inserted, in one
    // transaction: plain SQL, no entities (100,000 mails must not pile up in an identity map).
    mails += await em.fork().transactional(async (tx) => {
      const inserted = await tx.execute<Array<{ portal_user_id: string }>>(
        `insert into document_digest (portal_user_id, day, organization_id, document_count, created_at)
         select u.id, ?::date, ?, u.n, ? from unnest(?::uuid[], ?::int[]) as u(id, n)
         on conflict do nothing
         returning portal_user_id`,
        [day, organizationId, now, `{${batch.join(',')}}`, `{${batch.map((id) => byUser.get(id)!.size).join(',')}}`],
        'all',
      );
      if (inserted.length === 0) return 0;
      const outbox: OutboxInsert[] = [];
      for (const { portal_user_id: userId } of inserted) {
        const user = recipients.get(userId)!;
        const listed = [...byUser.get(userId)!]
          .map(([documentId, propertyId]) => ({ document: documents.get(documentId)!, propertyId, propertyName: properties.get(propertyId) ?? '' }))
          .filter((entry) => entry.document)
          .sort(
            (a, b) =>
              german.compare(a.propertyName, b.propertyName) ||
              new Date(b.document.published_at).getTime() - new Date(a.document.published_at).getTime() ||
              german.compare(a.document.title, b.document.title),
          )
          .map(({ document, propertyId, propertyName }) => ({
            title: document.title,
            typeName: document.type_name,
            propertyName,
            link: `${portal}/${propertyId}/dokumente/${document.id}/datei`,
            folderLink: `${portal}/${propertyId}/dokumente?ordner=${document.type_id}`,
            propertyId,
          }));
        if (listed.length === 0) continue;
        const rendered = renderMail(
          {
            organization,
            template: 'document-digest',
            locale: user.locale,
            data: { name: user.name, day, count: listed.length, documents: listed, link: `${portal}/${listed[0].propertyId}/dokumente` },
          },
          layouts,
        );
        outbox.push({ ...rendered, organization, to: user.email });
      }
      await insertOutboxMails(tx, outbox, now);
      return outbox.length;
    });
  }
  return mails;
}

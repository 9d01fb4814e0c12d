import type { Em } from '../../db/orm.ts';
import { choicesOf } from '../notifications/settings.ts';
import { notificationMailParts } from '../notifications/notify.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { Organization } from '../../entities/index.ts';
import { configuredBaseUrl } from '../notifications/links.ts';
import { newlySharedDocuments } from './visibility.ts';

/**
 * "Dokumente: sofort" (issue 19): right after shares were written (`now` is their
 * created_at), the residents they newly reach who chose "sofort" get one mail listing the
 * documents. Who is reached is ./visibility.ts's rule, as for the digest; residents with
 * "täglich" or "wöchentlich" hear of the same shares from the digest
 * (src/features/notifications/digest.ts), which asks the rule itself at its time.
 * Call inside the transaction that wrote the shares, after its flush.
 */
export async function notifyNewDocumentShares(em: Em, organizationId: string, now: Date): Promise<number> {
  const baseUrl = configuredBaseUrl();
  // No digest period is ever called "now": every registered, enabled user is considered.
  const shared = await em.execute<Array<{ document_id: string }>>(
    `select distinct document_id from document_share where organization_id = ? and created_at = ?`,
    [organizationId, now],
    'all',
  );
  if (shared.length === 0) return 0;
  const reached = await newlySharedDocuments(
    em,
    organizationId,
    now,
    now,
    new Date(now.getTime() + 1),
    'now',
    shared.map((row) => row.document_id),
  );
  if (reached.length === 0) return 0;
  const userIds = [...new Set(reached.map((row) => row.portalUserId))];
  const choices = await choicesOf(em, organizationId, userIds);
  const immediate = userIds.filter((id) => choices.get(id)?.documents === 'immediate');
  if (immediate.length === 0) return 0;

  const [users, documents, properties, organization] = await Promise.all([
    em.execute<Array<{ id: string; email: string; name: string; locale: string }>>(
      `select id, email, name, locale from portal_user where organization_id = ? and id = any(?::uuid[])`,
      [organizationId, `{${immediate.join(',')}}`],
      'all',
    ),
    em.execute<Array<{ id: string; title: string; type_name: string }>>(
      `select d.id, d.title, t.name as type_name from document d join document_type t on t.id = d.type_id
       where d.organization_id = ? and d.id = any(?::uuid[])`,
      [organizationId, `{${[...new Set(reached.map((row) => row.documentId))].join(',')}}`],
      'all',
    ),
    em.execute<Array<{ id: string; name: string }>>(
      `select id, name from property where organization_id = ? and id = any(?::uuid[])`,
      [organizationId, `{${[...new Set(reached.map((row) => row.propertyId))].join(',')}}`],
      'all',
    ),
    em.findOneOrFail(Organization, organizationId),
  ]);
  const documentOf = new Map(documents.map((d) => [d.id, d]));
  const propertyOf = new Map(properties.map((p) => [p.id, p.name]));
  const portal = `${baseUrl.replace(/\/$/, '')}/portal/liegenschaften`;
  for (const user of users) {
    const seen = new Set<string>();
    const listed = reached
      .filter((row) => row.portalUserId === user.id && !seen.has(row.documentId) && seen.add(row.documentId))
      .map((row) => ({
        title: documentOf.get(row.documentId)?.title ?? '',
        typeName: documentOf.get(row.documentId)?.type_name ?? '',
        propertyName: propertyOf.get(row.propertyId) ?? '',
        link: `${portal}/${row.propertyId}/dokumente/${row.documentId}/datei`,
      }));
    enqueueMail(
      em,
      {
        organization,
        to: user.email,
        template: 'document-shared',
        locale: user.locale,
        data: {
          name: user.name,
          count: listed.length,
          title: listed[0].title,
          documents: listed,
          link: `${portal}/${reached.find((r) => r.portalUserId === user.id)!.propertyId}/dokumente`,
        },
        ...notificationMailParts(baseUrl, user, 'documents'),
      },
      now,
    );
  }
  await em.flush();
  return users.length;
}

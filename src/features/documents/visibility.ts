import { reachesGeneralContentSql } from '../orders/access.ts';
import type { FilterQuery } from '@mikro-orm/core';
import { sql, type RawBuilder } from 'kysely';
import { berlinDate } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { asEntityFilter, type RowCondition } from '../../db/row-condition.ts';
import { Document, SHARE_GROUPS } from '../../entities/index.ts';
import { accessRowsQuery, contactAccessRowsQuery, type PropertyAccess } from '../access/service.ts';

/**
 * The one rule for "which documents reach whom, in which property" (seed 003, seed 002,
 * SPEC "Access rules"). Portal lists, downloads, the preview, the next-day digest and the
 * console's recipient counts all ask it; nothing else decides.
 *
 * Who may see a property at all, and as what, comes from the access module
 * (src/features/access/service.ts). A published document then reaches a user there through
 * any of its shares ("Geteilt mit"):
 * - property: everyone who sees general content (running contract or membership, Bewohner too);
 * - group: a role held there with a running contract or membership (Mieter, Eigentümer,
 *   Beirat, Bewohner, Gewerbemitarbeiter, Dienstleister) — never a contract inside a window only;
 * - address / unit: a running contract on a unit there (Bewohner have no unit);
 * - contact: one of the user's contacts individually, also inside the access windows;
 *   never a Bewohner or another membership, never the preview.
 * A document that belongs to a property shows only in that property; one shared from a
 * contact's page without property shows wherever the contact has access.
 *
 * The rule is one SQL statement over "access rows" (reader, property, roles, contacts, units,
 * addresses). They come either from the access module's query for many users (digest,
 * recipient counts), from one PropertyAccess already loaded for the request, or — for who is
 * addressed on paper (Lesebestätigung, "Nicht erreicht" letters) — from the access module's
 * rows per contact, with or without a login (addressedContactIds).
 */

/** `reader_id`: the portal user (or contact, contactRowsOf) of the access row; null in the preview. */
type Reach = { reader_id: string | null; property_id: string; document_id: string; first_shared_at: Date };

/** The reach's columns of rows of the access module (`rows`, keyed by `reader`): roles from contract kinds, Beirat and memberships. */
function readerRows(rows: RawBuilder<unknown>, reader: 'portal_user_id' | 'contact_id') {
  return sql`
    select ${sql.ref(`a.${reader}`)} as reader_id, a.property_id, a.contact_ids, a.active_unit_ids as unit_ids, a.active_address_ids as address_ids,
      array_remove(array[
        case when 'rental' = any(a.active_kinds) then 'tenant' end,
        case when 'ownership' = any(a.active_kinds) then 'owner' end,
        case when a.board then 'advisory_board' end
      ], null) || a.member_roles::text[] as roles
    from (${rows}) a`;
}

/** Access rows from the access module's query: every user of the Verwaltung (or one). */
function accessRowsOf(organizationId: string, day: string, narrow: RawBuilder<unknown>) {
  return readerRows(accessRowsQuery(organizationId, day, narrow), 'portal_user_id');
}

/**
 * Access rows of contacts instead of users (the access module's contactAccessRowsQuery): what
 * each contact would see with a login, so that the same matching tells who is addressed on
 * paper. Memberships have no contact: a share with Bewohner, Gewerbemitarbeiter or
 * Dienstleister addresses no contact.
 */
function contactRowsOf(organizationId: string, day: string, narrow: RawBuilder<unknown>) {
  return readerRows(contactAccessRowsQuery(organizationId, day, narrow), 'contact_id');
}

/** One access row from an access already loaded for this request. */
function accessRowFrom(portalUserId: string | null, access: PropertyAccess) {
  const uuids = (ids: string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;
  return sql`
    select ${portalUserId}::uuid as reader_id, ${access.property.id}::uuid as property_id,
      ${uuids(access.contactIds)} as contact_ids, ${uuids(access.unitIds)} as unit_ids, ${uuids(access.addressIds)} as address_ids,
      ${`{${access.activeRoles.join(',')}}`}::text[] as roles`;
}

/**
 * The preview of a property: what a resident sees who holds every group role there but has
 * no unit and no individual share — the property, its addresses, its groups.
 */
function previewRow(organizationId: string, propertyId: string) {
  return sql`
    select null::uuid as reader_id, p.id as property_id, '{}'::uuid[] as contact_ids, '{}'::uuid[] as unit_ids,
      coalesce((select array_agg(ad.id) from address ad where ad.property_id = p.id), '{}') as address_ids,
      ${`{${SHARE_GROUPS.join(',')}}`}::text[] as roles
    from property p where p.id = ${propertyId} and p.organization_id = ${organizationId}`;
}

/**
 * The matching itself. One branch per kind of share, each an equality join so that it
 * stays fast for 100,000 users (the digest); `shareFilter` narrows the shares (a time
 * window, some documents), `documentFilter` the documents (one property, one document).
 */
function reachQuery(organizationId: string, rows: RawBuilder<unknown>, shareFilter: RawBuilder<unknown>, documentFilter: RawBuilder<unknown>) {
  return sql<Reach>`
    with access as (${rows}),
    reach as (
      select a.reader_id, a.property_id, s.document_id, s.created_at
      from access a join document_share s on s.kind = 'property' and s.property_id = a.property_id
      -- Shares with the whole property reach everyone who sees general content: never a Dienstleister.
      where ${reachesGeneralContentSql(sql.ref('a.roles'))} ${shareFilter}
      union all
      select a.reader_id, a.property_id, s.document_id, s.created_at
      from access a join document_share s on s.kind = 'group' and s.property_id = a.property_id
      where s."group" = any(a.roles) ${shareFilter}
      union all
      select a.reader_id, a.property_id, s.document_id, s.created_at
      from access a cross join lateral unnest(a.address_ids) as ad(id) join document_share s on s.kind = 'address' and s.address_id = ad.id
      where true ${shareFilter}
      union all
      select a.reader_id, a.property_id, s.document_id, s.created_at
      from access a cross join lateral unnest(a.unit_ids) as un(id) join document_share s on s.kind = 'unit' and s.unit_id = un.id
      where true ${shareFilter}
      union all
      select a.reader_id, a.property_id, s.document_id, s.created_at
      from access a cross join lateral unnest(a.contact_ids) as ct(id) join document_share s on s.kind = 'contact' and s.contact_id = ct.id
      where true ${shareFilter}
    )
    select r.reader_id, r.property_id, r.document_id, min(r.created_at) as first_shared_at
    from reach r
    join document d on d.id = r.document_id and d.organization_id = ${organizationId} and d.status = 'published'
      and (d.property_id is null or d.property_id = r.property_id)
    where true ${documentFilter}
    group by r.reader_id, r.property_id, r.document_id`;
}

/**
 * Who looks at a property's documents in the portal: a resident with the access of the request
 * (src/scopes/portal.ts), or the read-only preview (no user), which sees what a resident without
 * individual shares sees: shares with the property, its addresses and its groups.
 */
export type DocumentViewer = { user: { id: string } | null; access: PropertyAccess };

/** The viewer as one row of the access CTE. */
function viewerRow(viewer: DocumentViewer) {
  const { property } = viewer.access;
  return viewer.user ? accessRowFrom(viewer.user.id, viewer.access) : previewRow(property.organization.id, property.id);
}

/**
 * The rule as a condition on a document row `d`: a published document the viewer sees in the
 * property of their access. The portal's Dokumente list reads rows with it
 * (./portal-routes.ts), the download's scope loads the entity with it through asEntityFilter
 * (src/scopes/portal.ts): both the same matching (reachQuery), not a second statement of it.
 */
export const documentVisibleTo =
  (viewer: DocumentViewer): RowCondition =>
  (d) =>
    sql`${sql.ref(`${d}.id`)} in (select reached.document_id
      from (${reachQuery(viewer.access.property.organization.id, viewerRow(viewer), sql``, sql``)}) reached)`;

/** Ids of the published documents the viewer sees in the property of their access (documents linked to a Vorgang). */
export async function visibleDocumentIds(em: Em, viewer: DocumentViewer): Promise<string[]> {
  const organizationId = viewer.access.property.organization.id;
  const { rows } = await reachQuery(organizationId, viewerRow(viewer), sql``, sql``).execute(em.getKysely());
  return rows.map((row) => row.document_id);
}

/** The published document of this id if the viewer sees it in this property now (every download asks), else null. */
export function visibleDocument(em: Em, viewer: DocumentViewer, documentId: string): Promise<Document | null> {
  return em.findOne(Document, { $and: [{ id: documentId }, asEntityFilter(em, documentVisibleTo(viewer))] } as FilterQuery<Document>);
}

/**
 * Limits the access rows to users who could be reached at all — a contract or membership in
 * the documents' properties, or a contact the documents are shared with — so that a console
 * page asks about dozens of users, not the whole Verwaltung. Only narrows; the rule decides.
 */
function usersNearDocuments(documentIds: string[]) {
  const ids = sql.join(documentIds);
  return sql`and pu.id in (
    select puc2.portal_user_id from portal_user_contact puc2
      join contract_contact cc2 on cc2.contact_id = puc2.contact_id
      join contract c2 on c2.id = cc2.contract_id
      join unit u2 on u2.id = c2.unit_id
      join document d2 on d2.property_id = u2.property_id and d2.id in (${ids})
    union
    select m2.portal_user_id from portal_membership m2 join document d2 on d2.property_id = m2.property_id and d2.id in (${ids})
    union
    select puc3.portal_user_id from portal_user_contact puc3 join document_share s3 on s3.contact_id = puc3.contact_id and s3.document_id in (${ids}))`;
}

/**
 * Every (portal user, property, document) at `at` for the given documents: the recipients a
 * console page counts and lists ("Geteilt mit" reaches N), and whose read receipts are missing.
 */
export async function documentRecipients(em: Em, organizationId: string, at: Date, documentIds: string[]) {
  if (documentIds.length === 0) return [];
  const { rows } = await reachQuery(
    organizationId,
    accessRowsOf(organizationId, berlinDate(at), usersNearDocuments(documentIds)),
    sql`and s.document_id in (${sql.join(documentIds)})`,
    sql``,
  ).execute(em.getKysely());
  return rows.map((row) => ({ portalUserId: row.reader_id!, propertyId: row.property_id, documentId: row.document_id }));
}

/**
 * Limits contact rows to contacts the document could address at all — a contract or a
 * Hausbesitzer link in its property, or a share with the contact. Only narrows; the rule decides.
 */
function contactsNearDocument(documentId: string) {
  return sql`and ct.id in (
    select cc2.contact_id from contract_contact cc2
      join contract c2 on c2.id = cc2.contract_id
      join unit u2 on u2.id = c2.unit_id
      join document d2 on d2.property_id = u2.property_id and d2.id = ${documentId}
    union
    select po2.contact_id from property_owner_link po2 join document d2 on d2.property_id = po2.property_id and d2.id = ${documentId}
    union
    select s2.contact_id from document_share s2 where s2.document_id = ${documentId} and s2.contact_id is not null)`;
}

/**
 * The contacts a published document addresses (Lesebestätigung and "Nicht erreicht" letters,
 * ./receipts.ts): every contact — with or without a portal login — that the rule above would
 * let see it on the day of its publication, through any of its shares (property, group,
 * address, unit, contact). The same matching as for users, over contact rows (contactRowsOf);
 * a withdrawn document addresses nobody.
 */
export async function addressedContactIds(em: Em, organizationId: string, document: { id: string; publishedAt: Date }): Promise<string[]> {
  const { rows } = await reachQuery(
    organizationId,
    contactRowsOf(organizationId, berlinDate(document.publishedAt), contactsNearDocument(document.id)),
    sql`and s.document_id = ${document.id}`,
    sql``,
  ).execute(em.getKysely());
  return [...new Set(rows.map((row) => row.reader_id!))];
}

/**
 * What the digest of a period tells: each (portal user, property, document) that reaches the
 * user at `at` and first reached them through a share added in [from, until) — a share added
 * to a document they already had (say Mieter next to the whole property) is not news. Only
 * registered, enabled users without a digest row for `period` (notification_digest) are
 * considered, so that a later run asks about the users still to do, not the whole Verwaltung
 * again. Also the "sofort" mail of new shares (src/features/documents/notify.ts).
 */
export async function newlySharedDocuments(em: Em, organizationId: string, at: Date, from: Date, until: Date, period: string, documentIds?: string[]) {
  // With the documents known (the "sofort" mail of one upload), only users near them are asked.
  const near = documentIds ? usersNearDocuments(documentIds) : sql``;
  const stillToDo = sql`and pu.password_hash is not null and pu.disabled_at is null ${near}
    and not exists (select 1 from notification_digest nd where nd.portal_user_id = pu.id and nd.period = ${period})`;
  const documentsSharedThen = sql`and s.document_id in (
    select document_id from document_share where organization_id = ${organizationId} and created_at >= ${from} and created_at < ${until})`;
  const { rows } = await sql<Reach>`
    select * from (${reachQuery(organizationId, accessRowsOf(organizationId, berlinDate(at), stillToDo), documentsSharedThen, sql``)}) reached
    where reached.first_shared_at >= ${from} and reached.first_shared_at < ${until}`.execute(em.getKysely());
  return rows.map((row) => ({ portalUserId: row.reader_id!, propertyId: row.property_id, documentId: row.document_id }));
}

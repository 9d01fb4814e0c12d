import { randomUUID } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import { berlinDate } from '../../clock.ts';
import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { asEntityFilter, type RowCondition } from '../../db/row-condition.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { pageTotal } from '../../http/paging.ts';
import { Announcement, Attachment, Contract, Property, type PortalUser, type StaffUser } from '../../entities/index.ts';
import type { Upload } from '../../http/upload.ts';
import { storeThenWrite, type FileStorage } from '../../storage/files.ts';
import { portalUsersWithAccess, runningContractOn } from '../access/service.ts';
import { announcementMailLink } from '../notifications/links.ts';
import { notify, type Notice } from '../notifications/notify.ts';
import { isUuid } from '../../http/find.ts';
import { germanOrder } from '../../intl.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

export const PORTAL_PAGE_SIZE = 20;
export const CONSOLE_PAGE_SIZE = 50;
export const TITLE_MAX = 200;
export const BODY_MAX = 20000;

/** What the form "Neue Mitteilung" sends, as the handler read it. */
export type AnnouncementForm = {
  title: string;
  body: string;
  allProperties: boolean;
  propertyIds: string[];
  notifyAgain: boolean;
  /** "Im Hausaushang zeigen" (src/features/displays): ticked in the form of a new Mitteilung. */
  showOnDisplay: boolean;
};
/** Field → i18n key of the message shown next to it. */
export type FieldErrors = Partial<Record<'title' | 'body' | 'properties' | 'attachments', string>>;
export type SaveAction = 'draft' | 'publish' | 'save';

const list = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);

/** Reads the form fields of a (urlencoded or multipart) request body. */
export function readForm(body: Record<string, unknown>): AnnouncementForm {
  return {
    title: String(body.title ?? '').trim(),
    body: String(body.body ?? '')
      .replace(/\r\n?/g, '\n')
      .trim(),
    allProperties: body.allProperties === '1' || body.allProperties === 'on',
    propertyIds: [...new Set(list(body.propertyIds).filter(isUuid))],
    notifyAgain: body.notifyAgain === '1' || body.notifyAgain === 'on',
    showOnDisplay: body.showOnDisplay === '1' || body.showOnDisplay === 'on',
  };
}

/** The form of an existing Mitteilung. */
export function formOf(announcement: Announcement): AnnouncementForm {
  return {
    title: announcement.title,
    body: announcement.body,
    allProperties: announcement.allProperties,
    propertyIds: announcement.properties.getItems().map((p) => p.id),
    notifyAgain: false,
    showOnDisplay: announcement.showOnDisplay,
  };
}

/** The Verwaltung's properties a Mitteilung can go to, by name. */
export function targetableProperties(em: Em, q = ''): Promise<Property[]> {
  const term = q.trim().slice(0, 100);
  const where: FilterQuery<Property> = { archivedAt: null };
  if (term) {
    const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    Object.assign(where, {
      $or: [
        { name: { $ilike: pattern } },
        { addresses: { $or: [{ street: { $ilike: pattern } }, { city: { $ilike: pattern } }, { postalCode: { $ilike: pattern } }] } },
      ],
    });
  }
  return em.find(Property, where, { orderBy: { name: 'asc', id: 'asc' } });
}

/** Checks the form; returns the messages and the chosen properties (of this Verwaltung only). */
export async function validateAnnouncement(em: Em, form: AnnouncementForm): Promise<{ errors: FieldErrors; properties: Property[] }> {
  const errors: FieldErrors = {};
  if (!form.title) errors.title = 'announcements:errors.titleRequired';
  else if (form.title.length > TITLE_MAX) errors.title = 'announcements:errors.titleTooLong';
  if (form.body.length > BODY_MAX) errors.body = 'announcements:errors.bodyTooLong';
  const properties = form.propertyIds.length ? await em.find(Property, { id: { $in: form.propertyIds }, archivedAt: null }, { orderBy: { name: 'asc' } }) : [];
  if (!form.allProperties && properties.length === 0) errors.properties = 'announcements:errors.propertiesRequired';
  return { errors, properties };
}

/**
 * Saves a new or existing Mitteilung with its new attachments, and on publishing (or when
 * "Empfänger erneut benachrichtigen" is ticked on a published one) queues the mails — all in
 * one flush. The uploads are moved into storage first and removed again if the flush fails.
 */
export async function saveAnnouncement(
  em: Em,
  input: {
    announcement?: Announcement;
    form: AnnouncementForm;
    properties: Property[];
    uploads: Upload[];
    action: SaveAction;
    staff: StaffUser;
    storage: FileStorage;
    baseUrl: string;
    now: Date;
  },
): Promise<Announcement> {
  const { form, now } = input;
  const announcement =
    input.announcement ??
    em.create(Announcement, {
      id: randomUUID(),
      organization: input.staff.organization,
      title: form.title,
      body: form.body,
      createdBy: input.staff,
      createdAt: now,
      updatedAt: now,
    });
  const wasPublished = announcement.status === 'published';
  const everPublished = announcement.publishedAt != null;
  announcement.title = form.title;
  announcement.body = form.body;
  announcement.allProperties = form.allProperties;
  announcement.showOnDisplay = form.showOnDisplay;
  announcement.properties.set(form.allProperties ? [] : input.properties);
  announcement.updatedAt = now;

  let notify = false;
  if (input.action === 'publish' && !wasPublished) {
    announcement.status = 'published';
    announcement.publishedAt = now;
    notify = !everPublished || form.notifyAgain;
  } else if (wasPublished) {
    notify = form.notifyAgain;
  }

  await storeThenWrite(
    input.storage,
    input.uploads.map((u) => u.tempPath),
    async (keys) => {
      input.uploads.forEach((upload, i) => {
        em.create(Attachment, {
          organization: announcement.organization,
          announcement,
          fileName: upload.fileName,
          mimeType: upload.mimeType,
          size: upload.size,
          storageKey: keys[i],
          createdAt: now,
        });
      });
      if (notify) await queueAnnouncementMails(em, announcement, input.properties, input.baseUrl, now);
      await em.flush();
    },
  );
  return announcement;
}

/**
 * One mail per registered portal user who can see a targeted property now, linking to the
 * Mitteilung in the first targeted property (by name) they can see. Persisted with the
 * caller's flush.
 */
async function queueAnnouncementMails(em: Em, announcement: Announcement, properties: Property[], baseUrl: string, now: Date) {
  const targets = announcement.allProperties ? 'all' : properties.map((p) => p.id);
  const recipients = await portalUsersWithAccess(em, targets, now);
  if (recipients.length === 0) return;
  await em.populate(recipients, ['contacts']);
  const usersByContact = new Map<string, PortalUser[]>();
  for (const user of recipients) for (const contact of user.contacts) usersByContact.set(contact.id, [...(usersByContact.get(contact.id) ?? []), user]);

  // Which targeted properties each recipient sees: one query over the running contracts.
  const day = berlinDate(now);
  const contracts = await em.find(
    Contract,
    {
      contacts: { $in: [...usersByContact.keys()] },
      ...runningContractOn(day),
      unit: { archivedAt: null, property: targets === 'all' ? { archivedAt: null } : { id: { $in: targets }, archivedAt: null } },
    },
    { populate: ['unit.property', 'contacts'] },
  );
  const firstProperty = new Map<string, Property>();
  for (const contract of contracts) {
    const property = contract.unit.property;
    for (const contact of contract.contacts) {
      for (const user of usersByContact.get(contact.id) ?? []) {
        const current = firstProperty.get(user.id);
        if (!current || germanOrder(property.name, current.name) < 0) firstProperty.set(user.id, property);
      }
    }
  }
  // Visibility stays here (who may see it, in which property); how and when each hears of it
  // is their choice (src/features/notifications). The mail's link is signed per user, so
  // following it counts as opened (./openings.ts) even before the resident logs in.
  const notices: Notice[] = [];
  for (const user of recipients) {
    const property = firstProperty.get(user.id);
    if (!property) continue;
    const link = announcementMailLink(baseUrl, user.id, announcement.id, property.id);
    notices.push({
      user,
      propertyId: property.id,
      title: announcement.title,
      link,
      template: 'announcement',
      data: { title: announcement.title, body: announcement.body, propertyName: property.name, link },
    });
  }
  await notify(em, { kind: 'announcements', organization: announcement.organization, baseUrl, now, notices });
}

/** Takes a Mitteilung out of the portal (no mail). */
export async function withdrawAnnouncement(em: Em, announcement: Announcement, now: Date) {
  announcement.status = 'withdrawn';
  announcement.updatedAt = now;
  await em.flush();
}

/** Deletes an attachment of a Mitteilung, then its file. */
export async function removeAttachment(em: Em, attachment: Attachment, storage: FileStorage) {
  await em.remove(attachment).flush();
  await storage.remove(attachment.storageKey).catch(() => undefined);
}

/** The console list: newest first, one page, with targets and attachments in one go. */
export async function listAnnouncements(em: Em, page: number) {
  const [items, total] = await em.findAndCount(
    Announcement,
    {},
    { populate: ['properties'], orderBy: { createdAt: 'desc', id: 'desc' }, limit: CONSOLE_PAGE_SIZE, offset: (page - 1) * CONSOLE_PAGE_SIZE },
  );
  return { items, total, page, pages: Math.max(1, Math.ceil(total / CONSOLE_PAGE_SIZE)) };
}

/**
 * Published Mitteilungen that residents of this property see: sent to all properties or to
 * this one. The one statement of the rule, as SQL (the portal start page reads rows with it,
 * src/features/portal/service.ts) and, through asEntityFilter, for the entity queries below.
 */
export const announcementVisibleIn =
  (propertyId: string): RowCondition =>
  (a) =>
    sql`${sql.ref(`${a}.status`)} = 'published' and (${sql.ref(`${a}.all_properties`)}
      or exists (select 1 from announcement_property shared where shared.announcement_id = ${sql.ref(`${a}.id`)} and shared.property_id = ${propertyId}))`;

const visibleIn = (em: Em, propertyId: string): FilterQuery<Announcement> => asEntityFilter(em, announcementVisibleIn(propertyId));

/** A Mitteilung of the portal list, as plain row (views/announcements/_portal-item.eta). */
export type PortalAnnouncementRow = {
  id: string;
  title: string;
  body: string;
  publishedAt: Date;
  attachments: Array<{ id: string; fileName: string; size: number }>;
};

/**
 * The portal's Mitteilungen of a property: newest first, 20 a page, with attachments. ONE
 * statement of plain rows through Kysely (attachments as JSON, the total as a window count:
 * a property has dozens of Mitteilungen, not thousands), visible by announcementVisibleIn.
 * The Verwaltung is the session's (scopedOrganization): plain SQL is not reached by the tenant filter.
 * Attachments in the order they were uploaded (one insert, same created_at: then the row order).
 */
export async function portalAnnouncements(em: Em, propertyId: string, page: number) {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<Omit<PortalAnnouncementRow, 'publishedAt'> & { publishedAt: string; total: string }>`
    select an.id, an.title, an.body, an.published_at as "publishedAt",
      coalesce((select json_agg(json_build_object('id', f.id, 'fileName', f.file_name, 'size', f.size) order by f.created_at, f.ctid)
                from attachment f where f.announcement_id = an.id), '[]'::json) as attachments,
      count(*) over () as total
    from announcement an
    where an.organization_id = ${organizationId} and ${announcementVisibleIn(propertyId)('an')}
    order by an.published_at desc, an.id desc
    limit ${sql.lit(PORTAL_PAGE_SIZE)} ${offsetSql((page - 1) * PORTAL_PAGE_SIZE)}`.execute(em.getKysely());
  const total = await pageTotal(
    rows,
    async () =>
      (
        await sql<{
          n: string;
        }>`select count(*) as n from announcement an where an.organization_id = ${organizationId} and ${announcementVisibleIn(propertyId)('an')}`.execute(
          em.getKysely(),
        )
      ).rows[0].n,
  );
  // Timestamps come as text from the driver (MikroORM's type parsers).
  const items: PortalAnnouncementRow[] = rows.map(({ total: _total, publishedAt, ...row }) => ({ ...row, publishedAt: new Date(publishedAt) }));
  return { items, total, page, pages: Math.max(1, Math.ceil(total / PORTAL_PAGE_SIZE)) };
}

/** One Mitteilung as residents of the property see it, or null. */
export function visibleAnnouncement(em: Em, propertyId: string, announcementId: string): Promise<Announcement | null> {
  if (!isUuid(announcementId)) return Promise.resolve(null);
  return em.findOne(Announcement, { $and: [{ id: announcementId }, visibleIn(em, propertyId)] }, { populate: ['attachments'] });
}

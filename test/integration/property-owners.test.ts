import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, Contact, Property, PropertyOwnerLink } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';

/**
 * Hausbesitzer in the console (issue 18): on the property's Berichte tab staff find a contact
 * with the search field, link it as owner of the whole property and remove the link again;
 * links the ERP keeps are read-only. Any member of staff may, as for other Stammdaten edits;
 * another Verwaltung's contact or property is a 404.
 */

const texts = JSON.parse(readFileSync(new URL('../../locales/de/properties-edit.json', import.meta.url), 'utf8')).owners;
const all = { filters: { tenant: false } } as const;

let app: TestApp;
let clerk: Client; // Sachbearbeitung, not an administrator
let nordAdmin: Client;
let rosenweg: Property;
let hafen: Property;
let kristina: Contact;

const tab = (property: Property) => `/verwaltung/liegenschaften/${property.id}/berichte`;
const linkUrl = (property: Property, contact: { id: string }) => `/verwaltung/liegenschaften/${property.id}/hausbesitzer/kontakte/${contact.id}`;
const removeUrl = (property: Property, link: { id: string }) => `/verwaltung/liegenschaften/${property.id}/hausbesitzer/${link.id}/entfernen`;
const linksOf = (property: Property) => app.em().find(PropertyOwnerLink, { property: property.id }, { ...all, orderBy: { createdAt: 'asc' } });

beforeAll(async () => {
  app = await startTestApp();
  rosenweg = app.world.properties.rosenweg;
  hafen = await app.em().findOneOrFail(Property, { name: 'Gewerbehof Am Hafen 3' }, all);
  kristina = app.world.contacts.kristina;
  clerk = app.client();
  await clerk.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
  nordAdmin = app.client();
  await nordAdmin.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
}, 120_000);
afterAll(() => app?.close());

describe('Hausbesitzer on the property’s Berichte tab', () => {
  it('shows the ERP’s link read-only and refuses to remove it', async () => {
    const page = await clerk.get(tab(hafen));
    expect(page.status).toBe(200);
    const item = page.$('#owner-links li');
    expect(item.text()).toContain('Hausmann');
    expect(item.find('.erp-badge').length).toBe(1);
    expect(item.find('form').length).toBe(0);
    const [link] = await linksOf(hafen);
    const refused = await clerk.post(removeUrl(hafen, link));
    expect(refused.status).toBe(409);
    expect((await linksOf(hafen)).map((l) => l.archivedAt)).toEqual([null]);
  });

  it('finds a contact with the search field (no list of all contacts) and links it, audited, as a clerk', async () => {
    const empty = await clerk.get(tab(rosenweg));
    expect(empty.$('#owner-candidates li').length).toBe(0);
    expect(empty.$('#hausbesitzer').text()).toContain(texts.none);

    const found = await clerk.get(`${tab(rosenweg)}?kontaktsuche=Maiblume`);
    const form = found.$('#owner-candidates form');
    expect(form.length).toBe(1);
    expect(form.attr('action')).toBe(linkUrl(rosenweg, kristina));
    expect(found.$('#owner-search').val()).toBe('Maiblume');

    const linked = await clerk.post(linkUrl(rosenweg, kristina), { kontaktsuche: 'Maiblume' });
    expect(linked.status).toBe(303);
    expect(linked.location).toContain('hausbesitzer=verknuepft');
    const after = await clerk.get(linked.location!);
    expect(after.$('#owner-links li').text()).toContain('Maiblume');
    expect(after.$('#hausbesitzer [role=status]').text()).toBe(texts.linked);

    const [link] = await linksOf(rosenweg);
    expect(link.contact.id).toBe(kristina.id);
    expect(link.erpSyncedAt).toBeNull();
    const audit = await app.em().find(AuditLog, { action: 'property-owner.created', subjectId: link.id }, all);
    expect(audit.map((entry) => entry.actorId)).toEqual([app.world.staff.clerk.id]);
  });

  it('refuses the same contact twice, with the message at the search field and the search kept', async () => {
    const again = await clerk.post(linkUrl(rosenweg, kristina), { kontaktsuche: 'Maiblume' });
    expect(again.status).toBe(422);
    expect(again.$('#owner-search-error').text()).toBe(texts.alreadyLinked);
    expect(again.$('#owner-search').attr('aria-invalid')).toBe('true');
    expect(again.$('#owner-search').val()).toBe('Maiblume');
    expect(await linksOf(rosenweg)).toHaveLength(1);
  });

  it('refuses an archived contact at the field, writing nothing', async () => {
    const em = app.em();
    const schulz = await em.findOneOrFail(Contact, { id: app.world.contacts.schulz.id }, all);
    schulz.archivedAt = app.clock.now();
    await em.flush();
    const refused = await clerk.post(linkUrl(rosenweg, schulz));
    expect(refused.status).toBe(422);
    expect(refused.$('#owner-search-error').text()).toBe(texts.contactArchived);
    schulz.archivedAt = null;
    await em.flush();
    expect(await linksOf(rosenweg)).toHaveLength(1);
  });

  it('gives another Verwaltung’s contact, property or link a 404', async () => {
    const nordContact = await app.em().findOneOrFail(Contact, { organization: app.world.organizations.nordhaus.id }, all);
    expect((await clerk.post(linkUrl(rosenweg, nordContact))).status).toBe(404);
    expect((await nordAdmin.post(linkUrl(rosenweg, kristina))).status).toBe(404);
    const [link] = await linksOf(rosenweg);
    expect((await nordAdmin.post(removeUrl(rosenweg, link))).status).toBe(404);
    // A link of another property through this one's URL.
    expect((await clerk.post(removeUrl(hafen, link))).status).toBe(404);
    expect((await nordAdmin.get(`${tab(rosenweg)}?kontaktsuche=Maiblume`)).status).toBe(404);
    expect(await linksOf(rosenweg)).toHaveLength(1);
    expect((await linksOf(rosenweg))[0].archivedAt).toBeNull();
  });

  it('removes a link by archiving it (audited), and restores it when linked again', async () => {
    const [link] = await linksOf(rosenweg);
    const removed = await clerk.post(removeUrl(rosenweg, link));
    expect(removed.status).toBe(303);
    const page = await clerk.get(removed.location!);
    expect(page.$('#owner-links').length).toBe(0);
    expect(page.$('#hausbesitzer [role=status]').text()).toBe(texts.removed);
    expect((await app.em().find(AuditLog, { action: 'property-owner.archived', subjectId: link.id }, all)).length).toBe(1);
    // Removed already: the link is out of scope now.
    expect((await clerk.post(removeUrl(rosenweg, link))).status).toBe(404);

    expect((await clerk.post(linkUrl(rosenweg, kristina))).status).toBe(303);
    const links = await linksOf(rosenweg);
    expect(links).toHaveLength(1);
    expect(links[0].archivedAt).toBeNull();
  });
});

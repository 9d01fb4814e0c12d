import { openOrm } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { searchProperties, propertyUnits, propertyContacts } from '../../src/features/properties/service.ts';
import { searchContacts } from '../../src/features/contacts/service.ts';
import { accessibleProperties } from '../../src/features/access/service.ts';
import { portalStartPage } from '../../src/features/portal/service.ts';
import { Property, PortalUser } from '../../src/entities/index.ts';

const orm = await openOrm({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/hausportal_bench' }, process.env.DEBUG === '1');
const [{ id: org }] = await orm.em.fork().execute(`select id from organization where name = 'Hausverwaltung Sonnenschein GmbH'`);
const [{ id: big }] = await orm.em.fork().execute(`select p.id from property p join unit u on u.property_id=p.id group by p.id order by count(*) desc, p.name limit 1`);
const [{ id: pp }] = await orm.em.fork().execute(`select id from property where external_id='LG-B00010'`);
const fork = () => { const em = orm.em.fork(); scopeToOrganization(em, org); return em as any; };
async function time(name: string, f: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await f();
  const t = performance.now(); const n = 10;
  for (let i = 0; i < n; i++) await f();
  console.log(name, ((performance.now() - t) / n).toFixed(1), 'ms');
}
const only = process.env.ONLY;
const run = (name: string, f: () => Promise<unknown>) => (!only || only === name) ? time(name, f) : undefined;
await run('list', () => searchProperties(fork(), '', 1));
await run('listq', () => searchProperties(fork(), 'Lindenstraße', 1));
await run('units', async () => { const em = fork(); const p = await em.findOneOrFail(Property, { id: big }); return propertyUnits(em, p); });
await run('kontakte-tab', async () => { const em = fork(); const p = await em.findOneOrFail(Property, { id: big }); return propertyContacts(em, p); });
await run('contacts', () => searchContacts(fork(), 'Schwarz', 1));
await run('contacts-noq', () => searchContacts(fork(), '', 1));
await run('portal', async () => {
  const em = fork();
  const u = await em.findOneOrFail(PortalUser, { email: 'benchmark.bewohnerin@example.de' });
  const acc = await accessibleProperties(em, u, new Date());
  const a = acc.find((x: any) => x.property.id === pp);
  return portalStartPage(em, a!.property, u);
});
await orm.close();

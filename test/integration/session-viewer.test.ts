import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginOfToken } from '../../src/auth/session.ts';
import { StaffUser } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

/**
 * A login answered from the session cache (src/auth/session.ts) gives who it is as plain
 * values (the viewer, what guards and layouts read) and maps the user entity into the
 * request's EntityManager only when a handler reads it; then it must be the entity the
 * request already holds, with the handler's unsaved changes, never a copy of the cached row
 * written over them.
 */
let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp();
  const client = app.client();
  await client.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  token = client.cookies.get('hp_staff_session')!;
});
afterAll(() => app?.close());

/** The login of the token as the next request gets it, after one request cached it. */
async function cachedLogin() {
  // The login's own flush evicts the session through NOTIFY: hear that before caching it again.
  await app.cachesCaughtUp();
  expect(await loginOfToken(app.em(), token, 'staff', app.clock.now())).not.toBeNull();
  const em = app.em();
  const login = (await loginOfToken(em, token, 'staff', app.clock.now()))!;
  return { em, login };
}

describe('a login answered from the session cache', () => {
  it('is plain, frozen values and maps no entity until one is read', async () => {
    const { em, login } = await cachedLogin();
    expect(login.viewer).toMatchObject({ area: 'staff', email: 'verwalter@sonnenschein-hv.de', role: 'admin', organization: { id: login.organizationId } });
    expect(Object.isFrozen(login.viewer) && Object.isFrozen(login.viewer.organization)).toBe(true);
    // Only the fields named: no secret of the login travels to every template as currentUser.
    expect(Object.keys(login.viewer).sort()).toEqual(['area', 'email', 'id', 'name', 'oidcSubject', 'organization', 'role', 'totpEnabledAt']);
    // The footer's Impressum and Datenschutz links come from the flags the login's row carries.
    expect(typeof login.viewer.organization.hasImprint).toBe('boolean');
    expect(typeof login.viewer.organization.hasPrivacyPolicy).toBe('boolean');
    expect(JSON.stringify(login.viewer)).not.toMatch(/password|totpSecret|\$argon2|\$scrypt/i);
    expect(em.getUnitOfWork().getIdentityMap().values()).toHaveLength(0);

    const user = login.user() as StaffUser;
    expect(em.getUnitOfWork().getById(StaffUser, login.viewer.id)).toBe(user);
    expect(user.name).toBe(login.viewer.name);
    expect(user.organization.name).toBe(login.viewer.organization.name);
    expect(login.user()).toBe(user);
    // The session refers to that same user entity.
    expect(login.session().staffUser).toBe(user);
  });

  it('gives the entity the request loaded and changed already, with the change', async () => {
    const { em, login } = await cachedLogin();
    const loaded = await em.findOneOrFail(StaffUser, { id: login.viewer.id }, { filters: { tenant: false }, populate: ['organization'] });
    loaded.name = 'Noch nicht gespeichert';
    loaded.organization.name = 'Auch nicht gespeichert';

    const user = login.user() as StaffUser;
    expect(user).toBe(loaded);
    expect(user.name).toBe('Noch nicht gespeichert');
    expect(user.organization.name).toBe('Auch nicht gespeichert');
    // The cached values stay as read.
    expect(login.viewer.name).not.toBe('Noch nicht gespeichert');
  });

  it('is refused for the other area and a wrong secret, from the cache as from the database', async () => {
    const { login } = await cachedLogin();
    expect(login).not.toBeNull();
    const [id] = token.split('.');
    expect(await loginOfToken(app.em(), token, 'portal', app.clock.now())).toBeNull();
    expect(await loginOfToken(app.em(), `${id}.wrongsecretwrongsecretwrongsecre`, 'staff', app.clock.now())).toBeNull();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../src/entities/index.ts';
import { DEMO_API_KEY } from '../../src/features/demo/seed.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

type ApiError = { error: { code: string; message: string } };

const status = (key?: string) => fetch(`${app.baseUrl}/api/v1/status`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('machine API (Hono under /api)', () => {
  it('answers with the Verwaltung of the API key', async () => {
    const response = await status(DEMO_API_KEY);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      organization: { id: app.world.organizations.sonnenschein.id, name: 'Hausverwaltung Sonnenschein GmbH' },
      apiKey: { name: 'Demo-ERP' },
    });
  });

  it('refuses a missing or wrong key with a JSON error', async () => {
    for (const response of [await status(), await status('hp_demo_wrong')]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await response.json()) as ApiError).error.code).toBe('unauthorized');
    }
  });

  it('refuses a revoked key', async () => {
    const em = app.em();
    const key = await em.findOneOrFail(ApiKey, { name: 'Demo-ERP' }, { filters: { tenant: false } });
    key.revokedAt = new Date();
    await em.flush();
    try {
      expect((await status(DEMO_API_KEY)).status).toBe(401);
    } finally {
      key.revokedAt = null;
      await em.flush();
    }
  });

  it('answers unknown endpoints with JSON 404, not the HTML error page', async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/gibt-es-nicht`, { headers: { authorization: `Bearer ${DEMO_API_KEY}` } });
    expect(response.status).toBe(404);
    expect(((await response.json()) as ApiError).error.code).toBe('not_found');
  });

  it('ignores session cookies and needs no CSRF token (it is not a browser API)', async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/status`, { method: 'GET', headers: { cookie: 'hp_staff_session=abc.def' } });
    expect(response.status).toBe(401);
  });
});

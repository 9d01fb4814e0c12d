import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { Em } from '../db/orm.ts';
import { scopeToOrganization } from '../db/tenant.ts';
import { ApiKey, Organization } from '../entities/index.ts';
import { hashApiKey } from '../features/api-keys/service.ts';
import { documentsApi, documentsOpenApi } from '../features/documents/api.ts';
import { masterDataApi } from '../features/masterdata/api.ts';
import { openApiDocument } from '../features/masterdata/openapi.ts';
import type { AppDeps } from '../http/context.ts';
import { apiInputGuard, InvalidCharacterError, invalidCharactersBody } from '../http/input.ts';
import { log } from '../log.ts';
import { apiError, type ApiEnv } from './common.ts';

/** lastUsedAt is written at most this often per key, not on every request. */
const LAST_USED_PRECISION_MS = 60_000;

/**
 * The machine API (ERP sync, later a mobile app), mounted at /api inside the Express
 * server. Authenticated by API key (Authorization: Bearer <key>), scoped to the key's
 * Verwaltung through the same tenant filter as the console. Answers JSON only.
 */
export function createApi(deps: AppDeps) {
  const api = new Hono<ApiEnv>();

  // Registered before the key check so it answers without a key. Other API modules add
  // their paths here as extensions, e.g. documentsOpenApi from src/features/documents/api.ts.
  // Control characters and undecodable paths (src/http/input.ts), before any route.
  api.use('*', apiInputGuard);
  const openApi = openApiDocument([documentsOpenApi]);
  api.get('/v1/openapi.json', (c) => c.json(openApi));

  api.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!key) return c.json(apiError('unauthorized', 'Missing API key (Authorization: Bearer <key>).'), 401);
    const em = deps.orm.em.fork() as Em;
    // Looked up by its hash before any Verwaltung is known.
    const apiKey = await em.findOne(ApiKey, { keyHash: hashApiKey(key), revokedAt: null }, { filters: { tenant: false } });
    if (!apiKey) return c.json(apiError('unauthorized', 'Invalid or revoked API key.'), 401);
    scopeToOrganization(em, apiKey.organization.id);
    const now = deps.clock.now();
    if (!apiKey.lastUsedAt || now.getTime() - apiKey.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS) {
      await em.nativeUpdate(ApiKey, { id: apiKey.id }, { lastUsedAt: now });
    }
    c.set('em', em);
    c.set('apiKey', apiKey);
    await next();
  });

  api.get('/v1/status', async (c) => {
    const organization = await c.var.em.findOneOrFail(Organization, { id: c.var.apiKey.organization.id });
    return c.json({ organization: { id: organization.id, name: organization.name }, apiKey: { name: c.var.apiKey.name } });
  });
  api.route('/v1/documents', documentsApi(deps));
  api.route('/v1', masterDataApi(deps));

  api.notFound((c) => c.json(apiError('not_found', 'No such endpoint.'), 404));
  api.onError((error, c) => {
    // Thrown where a JSON body (readJson) or a multipart upload (receiveUploads) is read.
    if (error instanceof InvalidCharacterError) return c.json(invalidCharactersBody(error), 422);
    log.error(`API ${c.req.method} ${c.req.path}`, error);
    return c.json(apiError('internal', 'Internal error.'), 500);
  });
  return api;
}

/** Express middleware handing /api/* to the Hono app (Express strips the /api prefix). */
export function apiRequestListener(deps: AppDeps) {
  return getRequestListener(createApi(deps).fetch);
}

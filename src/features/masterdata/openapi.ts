import { z } from 'zod';
import { errorResponse, MAX_JSON_BODY_BYTES } from '../../api/common.ts';
import { ROW_OUTCOMES } from '../../entities/index.ts';
import { i18n, translator } from '../../http/i18n.ts';
import { MAX_BATCH } from './api.ts';
import { KINDS, type MasterDataKind } from './kinds/index.ts';
import { EXTERNAL_ID_MAX } from './fields.ts';
import { ARCHIVE_OUTCOMES, itemSchema } from './sync.ts';

// The OpenAPI 3.1 description served at /api/v1/openapi.json, generated from KINDS and the
// items' zod schemas, so it cannot drift from what the API accepts.

/** Paths and schemas another API module adds to the description (src/api/app.ts lists them). */
export type OpenApiExtension = { paths: Record<string, object>; schemas?: Record<string, object> };

type JsonSchema = Record<string, unknown> & { properties?: Record<string, Record<string, unknown>>; required?: string[] };

const english = translator('en');
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });

/** "service-providers" → "ServiceProviders" (a schema name). */
function schemaName(kind: MasterDataKind) {
  return kind.name.replace(/(^|-)(\w)/g, (_, _dash, letter: string) => letter.toUpperCase());
}

/** The JSON schema of one item of a kind (what PUT accepts), with each field's English label. */
function itemJsonSchema(kind: MasterDataKind): JsonSchema {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(itemSchema(kind), { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const field = kind.fields.find((f) => f.name === name);
    property.title = String(english(`masterdata:fields.${name}`));
    if (name === 'externalId') property.description = "Your (the ERP's) id of the record, unique per kind; the key of the upsert.";
    else if (field?.ref) property.description = `External id${field.many ? 's' : ''} of ${field.ref} records sent earlier (same or an earlier batch).`;
    if (field && !field.required)
      property.description = `${property.description ? `${property.description} ` : ''}Absent: keep the stored value; null: clear it.`;
  }
  return schema;
}

/** A stored record as GET answers it: the item's fields (all present, null when empty) and its state. */
function recordJsonSchema(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    properties: {
      ...item.properties,
      id: { type: 'string', format: 'uuid', description: "Hausportal's id of the record." },
      archived: { type: 'boolean', description: 'Deleted in the ERP (DELETE) or archived in the console. A PUT of the same external id restores it.' },
      erpSyncedAt: {
        anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }],
        description: 'When the API last took or confirmed ownership; null when the console owns the record.',
      },
      updatedAt: { type: 'string', format: 'date-time' },
    },
    required: [...Object.keys(item.properties ?? {}), 'id', 'archived', 'erpSyncedAt', 'updatedAt'],
  };
}

function kindPaths(kind: MasterDataKind) {
  const name = schemaName(kind);
  const label = String(english(`masterdata:kinds.${kind.name}`));
  const externalId = {
    name: 'externalId',
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1, maxLength: EXTERNAL_ID_MAX },
    description: 'The external id (URL-encoded).',
  };
  const tags = [label];
  return {
    [`/${kind.name}`]: {
      put: {
        tags,
        operationId: `upsert${name}`,
        summary: `Create or update ${kind.name} by external id (1 to ${MAX_BATCH} per batch)`,
        description:
          `Each item is created, updated, found unchanged or refused with its reasons; the others land regardless. ` +
          `The batch runs in one transaction. Sending the same batch again changes nothing (all unchanged). ` +
          `An absent optional field keeps the stored value, null clears it. The API takes ownership of every record it sends (erpSyncedAt): ` +
          `its fields become read-only in the console. An archived record is restored (changes include "archived").`,
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            properties: { items: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: ref(`${name}Item`) } },
            required: ['items'],
            additionalProperties: false,
          }),
        },
        responses: {
          200: { description: 'One result per item, in the order sent.', ...json(ref('BatchResult')) },
          400: errorResponse('invalid_json, invalid_body or batch_too_large.'),
          401: errorResponse('Missing, wrong or revoked API key.'),
          409: errorResponse(
            'conflict: another request created some of the same records at the same moment; nothing was written, send the batch again (Retry-After).',
          ),
          413: errorResponse(`payload_too_large: the body is over ${MAX_JSON_BODY_BYTES / 1024 / 1024} MB.`),
          415: errorResponse('unsupported_media_type: send application/json; unsupported_encoding: send the body uncompressed.'),
          422: errorResponse('invalid_characters: a string or key holds a control character; `field` names it (e.g. items[0].name).'),
        },
      },
    },
    [`/${kind.name}/archive`]: {
      post: {
        tags,
        operationId: `archive${name}`,
        summary: `Archive several ${kind.name} (delete in the ERP) in one transaction`,
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            properties: {
              externalIds: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: { type: 'string', minLength: 1, maxLength: EXTERNAL_ID_MAX } },
            },
            required: ['externalIds'],
          }),
        },
        responses: {
          200: { description: 'One result per external id; unknown ones are not_found.', ...json(ref('ArchiveBatchResult')) },
          400: errorResponse('invalid_json, invalid_body or batch_too_large.'),
          401: errorResponse('Missing, wrong or revoked API key.'),
          413: errorResponse('payload_too_large.'),
          415: errorResponse('unsupported_media_type: send application/json; unsupported_encoding: send the body uncompressed.'),
          422: errorResponse('invalid_characters: a string or key holds a control character; `field` names it (e.g. items[0].name).'),
        },
      },
    },
    [`/${kind.name}/{externalId}`]: {
      parameters: [externalId],
      get: {
        tags,
        operationId: `get${name}`,
        summary: `One ${kind.name} record by external id`,
        responses: {
          200: { description: 'The record, references as external ids.', ...json(ref(`${name}Record`)) },
          401: errorResponse('Missing, wrong or revoked API key.'),
          404: errorResponse('not_found: no such external id in this Verwaltung.'),
          422: errorResponse('invalid_characters: the external id holds a control character.'),
        },
      },
      delete: {
        tags,
        operationId: `delete${name}`,
        summary: `Delete = archive one ${kind.name} record`,
        description: 'Nothing with history is deleted: the record is archived (an archived contract grants no portal access). A later PUT restores it.',
        responses: {
          200: { description: 'archived, or unchanged when it already was.', ...json(ref('ArchiveResult')) },
          401: errorResponse('Missing, wrong or revoked API key.'),
          404: errorResponse('not_found: no such external id in this Verwaltung.'),
          422: errorResponse('invalid_characters: the external id holds a control character.'),
        },
      },
    },
  };
}

function sharedSchemas() {
  const problemCodes = Object.keys((i18n.getResourceBundle('en', 'masterdata') as { problems: Record<string, string> }).problems);
  const counts = (statuses: readonly string[]) => ({
    type: 'object',
    properties: Object.fromEntries(statuses.map((s) => [s, { type: 'integer', minimum: 0 }])),
    required: statuses,
  });
  return {
    Error: {
      type: 'object',
      properties: {
        error: {
          type: 'object',
          properties: {
            code: {
              type: 'string',
              enum: [
                'unauthorized',
                'not_found',
                'invalid_json',
                'invalid_body',
                'batch_too_large',
                'conflict',
                'payload_too_large',
                'unsupported_media_type',
                'unsupported_encoding',
                'invalid_characters',
                'invalid_path',
                'internal',
              ],
            },
            message: { type: 'string', description: 'English, for people.' },
            field: { type: 'string', description: 'The field it concerns, where there is one (e.g. "items[0].name" with invalid_characters).' },
          },
          required: ['code', 'message'],
        },
      },
      required: ['error'],
    },
    ItemError: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: problemCodes },
        field: { anyOf: [{ type: 'string' }, { type: 'null' }], description: 'The item field it concerns (JSON name), null for the whole item.' },
        message: { type: 'string', description: 'English, for people.' },
      },
      required: ['code', 'field', 'message'],
    },
    ItemResult: {
      type: 'object',
      properties: {
        index: { type: 'integer', minimum: 0, description: 'Position of the item in the batch.' },
        externalId: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        status: { type: 'string', enum: ROW_OUTCOMES },
        id: { type: 'string', format: 'uuid', description: "Hausportal's id (absent when a new item was refused)." },
        changes: { type: 'array', items: { type: 'string' }, description: 'With updated: the fields that changed ("archived" when the record was restored).' },
        errors: { type: 'array', items: ref('ItemError'), description: 'With refused: why. Nothing of a refused item is written.' },
      },
      required: ['index', 'externalId', 'status'],
    },
    BatchResult: {
      type: 'object',
      properties: { results: { type: 'array', items: ref('ItemResult') }, summary: counts(ROW_OUTCOMES) },
      required: ['results', 'summary'],
    },
    ArchiveResult: {
      type: 'object',
      properties: { externalId: { type: 'string' }, id: { type: 'string', format: 'uuid' }, status: { type: 'string', enum: ['archived', 'unchanged'] } },
      required: ['externalId', 'status'],
    },
    ArchiveBatchResult: {
      type: 'object',
      properties: {
        results: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              index: { type: 'integer' },
              externalId: { type: 'string' },
              id: { type: 'string', format: 'uuid' },
              status: { type: 'string', enum: ARCHIVE_OUTCOMES },
            },
            required: ['index', 'externalId', 'status'],
          },
        },
        summary: counts(ARCHIVE_OUTCOMES),
      },
      required: ['results', 'summary'],
    },
  };
}

/** The whole OpenAPI document: every kind of KINDS, plus the paths other API modules add. */
export function openApiDocument(extensions: OpenApiExtension[] = []) {
  const schemas: Record<string, object> = sharedSchemas();
  const paths: Record<string, object> = {};
  for (const kind of KINDS) {
    const item = itemJsonSchema(kind);
    schemas[`${schemaName(kind)}Item`] = item;
    schemas[`${schemaName(kind)}Record`] = recordJsonSchema(item);
    Object.assign(paths, kindPaths(kind));
  }
  for (const extension of extensions) {
    Object.assign(paths, extension.paths);
    Object.assign(schemas, extension.schemas);
  }
  paths['/status'] = {
    get: {
      tags: ['API'],
      operationId: 'status',
      summary: 'The Verwaltung and name of the API key',
      responses: { 200: { description: 'The key works.' }, 401: errorResponse('Missing, wrong or revoked API key.') },
    },
  };
  paths['/openapi.json'] = {
    get: { tags: ['API'], operationId: 'openapi', summary: 'This description', security: [], responses: { 200: { description: 'OpenAPI 3.1 document.' } } },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hausportal API',
      version: '1',
      description:
        "Keeps Hausportal's master data in sync with an ERP. Authenticate with an API key of your Verwaltung (Administration › API-Schlüssel) " +
        "as `Authorization: Bearer <key>`; every request sees only that Verwaltung's records, so another Verwaltung's external ids are unknown (404 / unknown_reference). " +
        `Upsert by external id with PUT /{kind} in batches of 1 to ${MAX_BATCH} items, each batch in one transaction, answered per item; ` +
        'absent field = keep, null = clear; the API takes ownership of what it sends (read-only in the console until released there). ' +
        'DELETE archives (nothing with history is deleted). Send parents first: properties, addresses, units, contacts, contracts. ' +
        `Bodies are JSON (application/json), at most ${MAX_JSON_BODY_BYTES / 1024 / 1024} MB. Every error is JSON: {"error": {"code", "message"}}. ` +
        'No string, key or path may hold a control character (U+0000 to U+001F, U+007F; tab, CR and LF are allowed in strings): 422 invalid_characters with the `field`. ' +
        'A body with a Content-Encoding is refused (415 unsupported_encoding); a path that is no valid percent-encoded UTF-8 is 400 invalid_path.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key, e.g. hp_…' } },
      schemas,
    },
  };
}

import type { Request, Response } from 'express';
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { apiError, conflictOnUniqueViolation, errorResponse, type ApiEnv } from '../../api/common.ts';
import { Document } from '../../entities/index.ts';
import type { AppDeps } from '../../http/context.ts';
import { discard, DOCUMENT_TYPES, DOCUMENT_UPLOADS, MAX_UPLOAD_BYTES, receiveUploads } from '../../http/upload.ts';
import { fileStorageFor } from '../../storage/configured.ts';
import { EXTERNAL_ID_MAX } from '../masterdata/fields.ts';
import { documentAnswer, documentMetadata, parseMetadata, pushDocument, resolveMetadata, withdrawPushed, type PushProblem } from './push.ts';

// Documents pushed by the ERP: POST /documents (multipart/form-data: `file` and a JSON field
// `metadata`), GET and DELETE /documents/{externalId}. Mounted at /api/v1/documents by
// src/api/app.ts behind the API-key middleware; its OpenAPI paths are `documentsOpenApi`.
//
// The file is streamed to disk by the console's own upload pipeline (src/http/upload.ts:
// multer on the raw Node request, at most 50 MB, checked by its content), never through
// Hono's body parser, which would hold it in memory.

type Env = ApiEnv & { Bindings: HttpBindings };

const FILE_FIELD = 'file';

/** The upload pipeline's problems (i18n keys) as API errors. */
const UPLOAD_PROBLEMS: Record<string, { status: 400 | 413 | 415; code: string; message: string }> = {
  'common:upload.tooLarge': { status: 413, code: 'too_large', message: `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.` },
  'common:upload.wrongType': {
    status: 415,
    code: 'unsupported_type',
    message: `The file's content is none of ${[...DOCUMENT_TYPES.keys()].join(', ')} (the type is read from the bytes, not the name).`,
  },
  'common:upload.heic': { status: 415, code: 'unsupported_type', message: 'HEIC/HEIF images are not accepted: send a JPEG, PNG or PDF.' },
  'common:upload.empty': { status: 400, code: 'invalid_file', message: 'The file is empty.' },
  'common:upload.tooMany': { status: 400, code: 'invalid_file', message: 'Send exactly one file in the field "file".' },
};
const UPLOAD_FAILED = {
  status: 400 as const,
  code: 'invalid_upload',
  message: 'The multipart body could not be read: send one file in the field "file" and the JSON field "metadata" (at most 200 KB).',
};

function problemAnswer(c: Context<Env>, problem: PushProblem) {
  return c.json({ error: { ...apiError(problem.code, problem.message).error, ...(problem.field && { field: problem.field }) } }, problem.status);
}

export function documentsApi(deps: AppDeps) {
  const api = new Hono<Env>();
  const storage = fileStorageFor(deps.config);

  api.post('/', async (c) => {
    if (!/^multipart\/form-data\s*;/i.test(c.req.header('content-type') ?? '')) {
      return c.json(apiError('unsupported_media_type', 'Send the document as multipart/form-data with the fields "file" and "metadata".'), 415);
    }
    // The raw Node request, not yet read (Hono reads a body only when asked).
    const { incoming, outgoing } = c.env;
    const received = await receiveUploads(incoming as unknown as Request, outgoing as unknown as Response, storage, FILE_FIELD, DOCUMENT_UPLOADS);
    if (received.error) {
      const problem = UPLOAD_PROBLEMS[received.error] ?? UPLOAD_FAILED;
      return c.json(apiError(problem.code, problem.message), problem.status);
    }
    const files = received.files;
    try {
      if (files.length !== 1) {
        await discard(files.map((f) => f.tempPath));
        return c.json(apiError(files.length === 0 ? 'missing_file' : 'invalid_file', 'Send exactly one file in the field "file".'), 400);
      }
      const body = (incoming as unknown as Request).body as Record<string, unknown>;
      const parsed = parseMetadata(body.metadata);
      if ('problem' in parsed) {
        await discard([files[0].tempPath]);
        return problemAnswer(c, parsed.problem);
      }
      const resolved = await resolveMetadata(c.var.em, parsed.metadata);
      if ('problem' in resolved) {
        await discard([files[0].tempPath]);
        return problemAnswer(c, resolved.problem);
      }
      const { document, status } = await pushDocument(c.var.em, storage, c.var.apiKey, parsed.metadata, resolved, files[0], deps.clock.now());
      return c.json({ id: document.id, externalId: document.externalId, status, version: document.version }, status === 'created' ? 201 : 200);
    } catch (error) {
      await discard(files.map((f) => f.tempPath));
      // Two first pushes of the same external id at once: the later one is rolled back.
      return conflictOnUniqueViolation(
        c,
        error,
        'Another request created a document with this external id at the same time; send it again (it will then replace the file).',
      );
    }
  });

  api.get('/:externalId', async (c) => {
    const document = await c.var.em.findOne(Document, { externalId: c.req.param('externalId') });
    if (!document) return c.json(apiError('not_found', 'No document with this external id.'), 404);
    return c.json(await documentAnswer(c.var.em, document));
  });

  api.delete('/:externalId', async (c) => {
    const result = await withdrawPushed(c.var.em, c.var.apiKey, c.req.param('externalId'), deps.clock.now());
    if (!result) return c.json(apiError('not_found', 'No document with this external id.'), 404);
    return c.json({ id: result.document.id, externalId: result.document.externalId, status: result.changed ? 'withdrawn' : 'unchanged' });
  });

  return api;
}

const externalIdParameter = {
  name: 'externalId',
  in: 'path',
  required: true,
  schema: { type: 'string', minLength: 1, maxLength: EXTERNAL_ID_MAX },
  description: "The document's external id (URL-encoded).",
};
const { $schema: _ignored, ...metadataSchema } = z.toJSONSchema(documentMetadata, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;

/** The documents paths of /api/v1/openapi.json (src/features/masterdata/openapi.ts adds them). */
export const documentsOpenApi = {
  schemas: {
    DocumentMetadata: {
      ...metadataSchema,
      description:
        'The JSON in the form field "metadata". Either propertyExternalId with shareWith, or contactExternalId alone. Example: {"externalId": "DMS-4711", "title": "Hausordnung 2026", "type": "Objektunterlagen/Hausordnung", "propertyExternalId": "LG-0001", "shareWith": {"groups": ["tenant", "owner"]}}',
    },
    DocumentPushResult: {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        externalId: { type: 'string' },
        status: { type: 'string', enum: ['created', 'updated'] },
        version: { type: 'integer', description: '1 for a new document; each push of the same external id adds one.' },
      },
      required: ['id', 'externalId', 'status', 'version'],
    },
  },
  paths: {
    '/documents': {
      post: {
        tags: ['Documents'],
        operationId: 'pushDocument',
        summary: 'Publish a document, or replace it by external id',
        description:
          'multipart/form-data with one file in the field `file` (PDF, Word .docx/.doc, JPEG or PNG, recognised by its content, at most ' +
          `${MAX_UPLOAD_BYTES / 1024 / 1024} MB, streamed to disk) and the JSON field \`metadata\` (DocumentMetadata). ` +
          'A new external id publishes a new document at once (201); a known one replaces the file as a new version and sets title, type and sharing (200), ' +
          "publishing it again if it was withdrawn. Residents it reaches are told by the next morning's e-mail digest, as for an upload in the console.",
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: {
                  metadata: { $ref: '#/components/schemas/DocumentMetadata' },
                  file: { type: 'string', contentMediaType: 'application/octet-stream' },
                },
                required: ['metadata', 'file'],
              },
              encoding: { metadata: { contentType: 'application/json' } },
            },
          },
        },
        responses: {
          200: {
            description: 'Updated: the file replaced (version + 1).',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/DocumentPushResult' } } },
          },
          201: { description: 'Created and published.', content: { 'application/json': { schema: { $ref: '#/components/schemas/DocumentPushResult' } } } },
          400: errorResponse('invalid_metadata (with `field`), missing_file, invalid_file, invalid_upload.'),
          401: errorResponse('Missing, wrong or revoked API key.'),
          409: errorResponse('conflict: the same external id was pushed twice at the same moment; send it again.'),
          413: errorResponse(`too_large: the file is over ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`),
          415: errorResponse('unsupported_type: the content is not an accepted type; unsupported_media_type: the body is not multipart/form-data.'),
          422: errorResponse(
            'unknown_type (no such Dokumententyp), unknown_reference (an external id not found in your Verwaltung), archived_reference (a record archived there), invalid_share (an address, unit or contact not of the property), invalid_characters (a control character in the file name or the metadata); with `field`.',
          ),
        },
      },
    },
    '/documents/{externalId}': {
      parameters: [externalIdParameter],
      get: {
        tags: ['Documents'],
        operationId: 'getDocument',
        summary: 'A pushed document: title, type, property, status, version, file',
        responses: { 200: { description: 'The document.' }, 401: errorResponse('Missing, wrong or revoked API key.'), 404: errorResponse('not_found') },
      },
      delete: {
        tags: ['Documents'],
        operationId: 'withdrawDocument',
        summary: 'Withdraw a document ("Zurückziehen"): residents no longer see it; the file and its versions are kept',
        responses: {
          200: { description: '{"id", "externalId", "status": "withdrawn" | "unchanged"}' },
          401: errorResponse('Missing, wrong or revoked API key.'),
          404: errorResponse('not_found'),
        },
      },
    },
  },
};

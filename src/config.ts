import { readFileSync } from 'node:fs';
import { secretsKey } from './auth/secrets.ts';
import path from 'node:path';
import { z } from 'zod';

/**
 * All configuration, read once from the environment and validated at start.
 * Secrets may also come from a file named by `<NAME>_FILE` (Docker/Kubernetes secrets).
 * Development-only defaults exist for secrets so that `npm start` works on a fresh
 * clone; with NODE_ENV=production they must be set.
 */
const DEV_SECRET = 'development-only-secret-do-not-use-in-production';

const onOff = z.enum(['on', 'off', 'true', 'false', '1', '0']).transform((v) => v === 'on' || v === 'true' || v === '1');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    BASE_URL: z.url().optional(),
    DATABASE_URL: z.url().optional(),
    DATA_DIR: z.string().default('data'),
    STORAGE_DIR: z.string().optional(),
    STORAGE_URL: z
      .string()
      .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/, 'must be s3://bucket or s3://bucket/prefix')
      .optional(),
    AWS_ENDPOINT_URL: z.url().optional(),
    AWS_REGION: z.string().optional(),
    AWS_ACCESS_KEY_ID: z.string().optional(),
    AWS_SECRET_ACCESS_KEY: z.string().optional(),
    AWS_S3_FORCE_PATH_STYLE: onOff.optional(),
    AWS_REQUEST_CHECKSUM_CALCULATION: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).default('WHEN_SUPPORTED'),
    AWS_RESPONSE_CHECKSUM_VALIDATION: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).default('WHEN_SUPPORTED'),
    TRUST_PROXY: z.string().default('loopback'),
    SMTP_URL: z.url().optional(),
    MAIL_FROM: z.string().default('Hausportal <postbote@hausportal.localhost>'),
    SESSION_SECRET: z.string().min(32).optional(),
    /** Seals stored secrets (OIDC client secrets, TOTP keys); derived from SESSION_SECRET when unset (src/auth/secrets.ts). */
    SECRETS_KEY: z.string().min(32).optional(),
    JOBS: onOff.default(true),
    SEED_DEMO: onOff.default(true),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    DOCUMENT_DIGEST_TIME: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM (24 hours, Europe/Berlin)')
      .default('07:00'),
    PDF_JOB_SECONDS: z.coerce.number().positive().max(3600).default(60),
    PDF_JOB_MEMORY_MB: z.coerce.number().int().min(8).max(65536).default(1024),
    SQL_STATEMENT_COUNT: onOff.default(false),
    PREPARED_STATEMENTS: onOff.default(true),
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required in production (at least 32 characters)' });
    }
    if (env.NODE_ENV === 'production' && !env.BASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['BASE_URL'], message: 'is required in production' });
    }
    if (env.STORAGE_URL && !env.AWS_ENDPOINT_URL && !env.AWS_REGION) {
      ctx.addIssue({ code: 'custom', path: ['AWS_REGION'], message: 'is required with STORAGE_URL (or AWS_ENDPOINT_URL for another S3-compatible service)' });
    }
    if (Boolean(env.AWS_ACCESS_KEY_ID) !== Boolean(env.AWS_SECRET_ACCESS_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['AWS_SECRET_ACCESS_KEY'], message: 'and AWS_ACCESS_KEY_ID must be set together' });
    }
    if (env.WEB_CONCURRENCY > 1 && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['WEB_CONCURRENCY'], message: 'above 1 needs DATABASE_URL (the embedded database opens in one process only)' });
    }
    if (env.NODE_ENV === 'production' && !env.SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required in production' });
    }
  });

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  baseUrl: string;
  /** Real PostgreSQL when set, else the embedded database under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Local file store, and with S3 the local directory for uploads in progress (its tmp/). */
  storageDir: string;
  /** Uploaded files in S3-compatible object storage (STORAGE_URL=s3://bucket/prefix); undefined keeps them in storageDir. */
  s3: S3Config | undefined;
  /** Express's `trust proxy`: whose X-Forwarded-* headers count (the reverse proxy's addresses only). */
  trustProxy: string | number | boolean;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Key for HMACs (CSRF tokens). */
  secret: string;
  /** The key that seals stored secrets (src/auth/secrets.ts). */
  secretsKey: Buffer;
  jobs: boolean;
  seedDemo: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** When the daily and weekly notification digests go out, HH:MM in Europe/Berlin (src/features/notifications/digest.ts). */
  documentDigestTime: string;
  /** Bounds of one job of the PDF workers (src/pdf/workers.ts): running time and heap. */
  pdfJobs: { seconds: number; memoryMb: number };
  /** Cookies get the Secure flag when the public URL is https. */
  secureCookies: boolean;
  /** Parameterized SQL goes to PostgreSQL as named prepared statements (src/db/prepared-statements.ts); off behind a transaction-mode pooler that cannot keep them. */
  preparedStatements: boolean;
  /** Each response names the SQL statements it cost in `X-SQL-Statements` (test/bench, src/db/statement-count.ts). */
  sqlStatementCount: boolean;
  /** Worker processes serving HTTP (node:cluster, src/server.ts); 1 is a single process. */
  webConcurrency: number;
};

export type S3Config = {
  bucket: string;
  /** Key prefix without leading or trailing slash ('' for the bucket's root). */
  prefix: string;
  /** Another S3-compatible service (MinIO, Ceph, a cloud's object storage); undefined is AWS. */
  endpoint: string | undefined;
  region: string;
  /** Path-style URLs (endpoint/bucket/key), which most S3-compatible services need. */
  forcePathStyle: boolean;
  /** undefined: the SDK's default chain (instance role, ~/.aws, web identity). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  requestChecksumCalculation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  responseChecksumValidation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
};

/** TRUST_PROXY as Express reads it: a hop count, true/false, or addresses and names (loopback, uniquelocal, CIDRs). */
function parseTrustProxy(value: string): string | number | boolean {
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

function s3Config(e: z.infer<typeof schema>): S3Config | undefined {
  if (!e.STORAGE_URL) return undefined;
  const url = new URL(e.STORAGE_URL);
  return {
    bucket: url.hostname,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
    endpoint: e.AWS_ENDPOINT_URL,
    region: e.AWS_REGION ?? 'us-east-1',
    forcePathStyle: e.AWS_S3_FORCE_PATH_STYLE ?? Boolean(e.AWS_ENDPOINT_URL),
    credentials: e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY } : undefined,
    requestChecksumCalculation: e.AWS_REQUEST_CHECKSUM_CALCULATION,
    responseChecksumValidation: e.AWS_RESPONSE_CHECKSUM_VALIDATION,
  };
}

export class ConfigError extends Error {}

/** Reads and validates the configuration; throws ConfigError with one readable line. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = { ...source };
  for (const name of ['SESSION_SECRET', 'SECRETS_KEY', 'DATABASE_URL', 'SMTP_URL', 'AWS_SECRET_ACCESS_KEY']) {
    const file = env[`${name}_FILE`];
    if (file && !env[name]) env[name] = readFileSync(file, 'utf8').trim();
  }
  for (const [key, value] of Object.entries(env)) if (value === '') delete env[key];

  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    baseUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    storageDir: path.resolve(e.STORAGE_DIR ?? path.join(e.DATA_DIR, 'storage')),
    s3: s3Config(e),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    secret: e.SESSION_SECRET ?? DEV_SECRET,
    secretsKey: secretsKey(e.SECRETS_KEY, e.SESSION_SECRET ?? DEV_SECRET),
    jobs: e.JOBS,
    seedDemo: e.SEED_DEMO,
    logLevel: e.LOG_LEVEL,
    documentDigestTime: e.DOCUMENT_DIGEST_TIME,
    pdfJobs: { seconds: e.PDF_JOB_SECONDS, memoryMb: e.PDF_JOB_MEMORY_MB },
    secureCookies: baseUrl.startsWith('https://'),
    sqlStatementCount: e.SQL_STATEMENT_COUNT,
    preparedStatements: e.PREPARED_STATEMENTS,
    webConcurrency: e.WEB_CONCURRENCY,
  };
}

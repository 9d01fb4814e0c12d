import { readFileSync } from 'node:fs';
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
    SMTP_URL: z.url().optional(),
    MAIL_FROM: z.string().default('Hausportal <postbote@hausportal.localhost>'),
    SESSION_SECRET: z.string().min(32).optional(),
    JOBS: onOff.default(true),
    SEED_DEMO: onOff.default(true),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    DOCUMENT_DIGEST_TIME: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM (24 hours, Europe/Berlin)')
      .default('07:00'),
    PDF_JOB_SECONDS: z.coerce.number().positive().max(3600).default(60),
    PDF_JOB_MEMORY_MB: z.coerce.number().int().min(8).max(65536).default(1024),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required in production (at least 32 characters)' });
    }
    if (env.NODE_ENV === 'production' && !env.BASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['BASE_URL'], message: 'is required in production' });
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
  storageDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Key for HMACs (CSRF tokens). */
  secret: string;
  jobs: boolean;
  seedDemo: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** When the daily and weekly notification digests go out, HH:MM in Europe/Berlin (src/features/notifications/digest.ts). */
  documentDigestTime: string;
  /** Bounds of one job of the PDF workers (src/pdf/workers.ts): running time and heap. */
  pdfJobs: { seconds: number; memoryMb: number };
  /** Cookies get the Secure flag when the public URL is https. */
  secureCookies: boolean;
};

export class ConfigError extends Error {}

/** Reads and validates the configuration; throws ConfigError with one readable line. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = { ...source };
  for (const name of ['SESSION_SECRET', 'DATABASE_URL', 'SMTP_URL']) {
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
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    secret: e.SESSION_SECRET ?? DEV_SECRET,
    jobs: e.JOBS,
    seedDemo: e.SEED_DEMO,
    logLevel: e.LOG_LEVEL,
    documentDigestTime: e.DOCUMENT_DIGEST_TIME,
    pdfJobs: { seconds: e.PDF_JOB_SECONDS, memoryMb: e.PDF_JOB_MEMORY_MB },
    secureCookies: baseUrl.startsWith('https://'),
  };
}

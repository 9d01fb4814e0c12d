import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('has working defaults for development', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.baseUrl).toBe('http://localhost:3000');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(config.storageDir).toBe(path.resolve('data/storage'));
    expect(config.jobs).toBe(true);
    expect(config.secureCookies).toBe(false);
    expect(config.pdfJobs).toEqual({ seconds: 60, memoryMb: 1024 });
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '8080',
      BASE_URL: 'https://portal.example.de/',
      DATABASE_URL: 'postgres://u@db:5432/hp',
      DATA_DIR: '/var/lib/hp',
      STORAGE_DIR: '/srv/files',
      SMTP_URL: 'smtp://mail:25',
      MAIL_FROM: 'Verwaltung <post@example.de>',
      SESSION_SECRET: 'x'.repeat(40),
      JOBS: 'off',
      PDF_JOB_SECONDS: '90',
      PDF_JOB_MEMORY_MB: '512',
    });
    expect(config).toMatchObject({
      port: 8080,
      baseUrl: 'https://portal.example.de',
      databaseUrl: 'postgres://u@db:5432/hp',
      dataDir: '/var/lib/hp',
      storageDir: '/srv/files',
      smtpUrl: 'smtp://mail:25',
      mailFrom: 'Verwaltung <post@example.de>',
      secret: 'x'.repeat(40),
      jobs: false,
      secureCookies: true,
      pdfJobs: { seconds: 90, memoryMb: 512 },
    });
  });

  it('refuses to start in production without secrets, in one line', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (error) {
      expect((error as Error).message).toMatch(/^Invalid configuration: .*SESSION_SECRET.*BASE_URL/);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ JOBS: 'maybe' })).toThrow(/JOBS/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ PDF_JOB_SECONDS: '0' })).toThrow(/PDF_JOB_SECONDS/);
    expect(() => loadConfig({ PDF_JOB_MEMORY_MB: 'viel' })).toThrow(/PDF_JOB_MEMORY_MB/);
  });

  it('keeps files on the local disk unless STORAGE_URL names an S3 bucket', () => {
    expect(loadConfig({}).s3).toBeUndefined();
    expect(loadConfig({}).trustProxy).toBe('loopback');
    const config = loadConfig({
      STORAGE_URL: 's3://hausportal-dateien/produktion/',
      AWS_ENDPOINT_URL: 'https://s3.example.net',
      AWS_ACCESS_KEY_ID: 'key',
      AWS_SECRET_ACCESS_KEY: 'secret',
      TRUST_PROXY: '10.0.0.0/8',
    });
    expect(config.s3).toEqual({
      bucket: 'hausportal-dateien',
      prefix: 'produktion',
      endpoint: 'https://s3.example.net',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
      requestChecksumCalculation: 'WHEN_SUPPORTED',
      responseChecksumValidation: 'WHEN_SUPPORTED',
    });
    expect(config.trustProxy).toBe('10.0.0.0/8');
    // On AWS itself: the region, and credentials from the SDK's own chain (an instance role).
    expect(loadConfig({ STORAGE_URL: 's3://b-1', AWS_REGION: 'eu-central-1' }).s3).toMatchObject({
      bucket: 'b-1',
      prefix: '',
      forcePathStyle: false,
      credentials: undefined,
    });
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
  });

  it('names what is wrong with the object storage settings', () => {
    expect(() => loadConfig({ STORAGE_URL: 'https://bucket.example.net' })).toThrow(/STORAGE_URL must be s3:\/\/bucket/);
    expect(() => loadConfig({ STORAGE_URL: 's3://bucket' })).toThrow(/AWS_REGION is required with STORAGE_URL/);
    expect(() => loadConfig({ STORAGE_URL: 's3://bucket', AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'key' })).toThrow(/AWS_SECRET_ACCESS_KEY/);
  });
});

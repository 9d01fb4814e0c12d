import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Document, DocumentType } from '../../src/entities/index.ts';
import { brotliQuality } from '../../src/http/compression.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';
import { compressiblePdf, rawGet } from '../support/raw.ts';

const STATIC = path.resolve(import.meta.dirname, '../../static');
const all = { filters: { tenant: false } } as const;

let app: TestApp;
let manager: Client;

beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});
afterAll(async () => {
  await app?.close();
});

const url = (p: string) => new URL(p, app.baseUrl).toString();
const varyOf = (headers: Record<string, unknown>) => String(headers.vary ?? '').toLowerCase();

describe('brotli quality of rendered bodies', () => {
  it("is the fastest up to 32 KB and 1 up to 64 KB, which fit into TCP's first window compressed, and 4 above, where bytes cost round trips", () => {
    expect(brotliQuality(6 * 1024)).toBe(0);
    expect(brotliQuality(32 * 1024)).toBe(0);
    expect(brotliQuality(32 * 1024 + 1)).toBe(1);
    expect(brotliQuality(64 * 1024)).toBe(1);
    expect(brotliQuality(64 * 1024 + 1)).toBe(4);
    expect(brotliQuality(400 * 1024)).toBe(4);
  });
});

describe('rendered pages', () => {
  it('go out brotli-compressed when accepted, gzip when only that is, and as they are otherwise, always with Vary: Accept-Encoding', async () => {
    const plain = await rawGet(url('/verwaltung/anmelden'));
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(1024);
    expect(varyOf(plain.headers)).toContain('accept-encoding');
    const html = plain.body.toString('utf8');

    const br = await rawGet(url('/verwaltung/anmelden'), { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(varyOf(br.headers)).toContain('accept-encoding');
    // A 2 KB page goes out at brotli's quality 0 (it fits TCP's first window either way, src/http/compression.ts): about half.
    expect(br.body.length).toBeLessThan(plain.body.length * 0.6);
    // The same page (the CSRF cookie differs per visitor, so compare the stable part).
    const unpacked = brotliDecompressSync(br.body).toString('utf8');
    expect(unpacked.slice(0, 200)).toBe(html.slice(0, 200));
    expect(unpacked).toContain('</html>');

    const gz = await rawGet(url('/verwaltung/anmelden'), { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString('utf8')).toContain('</html>');

    const refused = await rawGet(url('/verwaltung/anmelden'), { 'accept-encoding': 'br;q=0, gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('sends a rendered page compressed whole, with the compressed length (no chunked stream)', async () => {
    for (const encoding of ['br', 'gzip']) {
      const page = await rawGet(url('/verwaltung/anmelden'), { 'accept-encoding': encoding });
      expect(page.headers['content-encoding']).toBe(encoding);
      expect(page.headers['transfer-encoding']).toBeUndefined();
      expect(Number(page.headers['content-length'])).toBe(page.body.length);
      const html = (encoding === 'br' ? brotliDecompressSync(page.body) : gunzipSync(page.body)).toString('utf8');
      expect(html).toContain('</html>');
    }
    // HEAD: the headers of the page as it is, no body.
    const head = await rawGet(url('/verwaltung/anmelden'), { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('sends a page no one may store without an ETag (it is never revalidated), with its length; a public page keeps its ETag', async () => {
    const page = await rawGet(url('/verwaltung/kontakte/neu'), manager.browserHeaders());
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers.etag).toBeUndefined();
    expect(page.headers['transfer-encoding']).toBeUndefined();
    expect(Number(page.headers['content-length'])).toBe(page.body.length);
    expect(page.body.toString('utf8')).toContain('</html>');

    // The start page may be kept and revalidated: its ETag answers 304.
    const home = await rawGet(url('/'));
    expect(home.status).toBe(200);
    expect(home.headers['cache-control']).toBeUndefined();
    expect(home.headers.etag).toMatch(/^W\/"/);
    // The same browser (its CSRF cookie, which the page's token is made from) asks again.
    const cookie = ([] as string[])
      .concat(home.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ');
    const again = await rawGet(url('/'), { cookie, 'if-none-match': String(home.headers.etag) });
    expect(again.status).toBe(304);
  });

  it('compresses the pages behind the login too, and leaves small answers alone', async () => {
    const page = await rawGet(url('/verwaltung/kontakte'), { ...manager.browserHeaders(), 'accept-encoding': 'br' });
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(page.body).toString('utf8')).toContain('Kontakte');

    // A redirect's few bytes are below the 1 KB threshold.
    const redirect = await rawGet(url('/verwaltung/kontakte'), { 'accept-encoding': 'br' });
    expect(redirect.status).toBe(303);
    expect(redirect.headers['content-encoding']).toBeUndefined();
  });
});

describe('static files', () => {
  it.each([
    ['/static/app.css', 'app.css', 'text/css'],
    ['/static/vendor/htmx-2.0.11.min.js', 'vendor/htmx-2.0.11.min.js', 'javascript'],
  ])('%s is served from its precompressed copies with the right length, and plain without Accept-Encoding', async (at, file, type) => {
    const original = readFileSync(path.join(STATIC, file));

    const br = await rawGet(url(at), { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toContain(type);
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(original.length / 2);
    expect(brotliDecompressSync(br.body).equals(original)).toBe(true);
    expect(varyOf(br.headers)).toContain('accept-encoding');
    expect(br.headers['cache-control']).toBe('public, max-age=0');
    expect(br.headers.etag).toMatch(/^W\/".+-br"$/);

    const gz = await rawGet(url(at), { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    expect(gunzipSync(gz.body).equals(original)).toBe(true);
    expect(gz.headers.etag).not.toBe(br.headers.etag);

    const plain = await rawGet(url(at));
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(original.length);
    expect(plain.body.equals(original)).toBe(true);
    expect(varyOf(plain.headers)).toContain('accept-encoding');
  });

  it('answers a revalidation of the compressed copy with 304, and HEAD with the headers only', async () => {
    const first = await rawGet(url('/static/app.css'), { 'accept-encoding': 'br' });
    const again = await rawGet(url('/static/app.css'), { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // The br ETag does not validate the gzip copy.
    const other = await rawGet(url('/static/app.css'), { 'accept-encoding': 'gzip', 'if-none-match': String(first.headers.etag) });
    expect(other.status).toBe(200);
    const head = await rawGet(url('/static/app.css'), { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(first.headers['content-length']);
    expect(head.body.length).toBe(0);
  });

  it('leaves small files as they are', async () => {
    const icon = await rawGet(url('/static/favicon.svg'), { 'accept-encoding': 'br' });
    expect(icon.status).toBe(200);
    expect(icon.headers['content-encoding']).toBeUndefined();
  });
});

describe('downloads', () => {
  it('stream a stored PDF as it is, with its own length, even when the browser accepts brotli', async () => {
    const type = await app.em().findOneOrFail(DocumentType, { organization: app.world.organizations.sonnenschein, name: 'Hausordnung' }, all);
    const pdf = compressiblePdf();
    const answer = await manager.postMultipart(
      `/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/dokumente`,
      { title: 'Komprimierbar', type: type.id, share: 'property' },
      [{ name: 'komprimierbar.pdf', type: 'application/pdf', content: pdf }],
      'files',
    );
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    const document = await app.em().findOneOrFail(Document, { title: 'Komprimierbar' }, all);

    const download = await rawGet(url(`/verwaltung/dokumente/${document.id}/datei`), { ...manager.browserHeaders(), 'accept-encoding': 'gzip, deflate, br' });
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-encoding']).toBeUndefined();
    expect(Number(download.headers['content-length'])).toBe(pdf.length);
    expect(download.body.equals(pdf)).toBe(true);
  });
});

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from 'node:zlib';
import compression from 'compression';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Below this a compressed body saves less than the headers and the CPU cost. */
const THRESHOLD_BYTES = 1024;

/** Whole bodies up to this size are compressed on the request's thread; larger ones stream through the thread pool. */
const WHOLE_BODY_MAX_BYTES = 512 * 1024;
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;

/** What may be compressed at all: no files sent as such, no event streams, compressible types only. */
function compressible(req: Request, res: Response): boolean {
  if (res.getHeader('Content-Disposition')) return false;
  if (/^text\/event-stream/i.test(String(res.getHeader('Content-Type') ?? ''))) return false;
  return compression.filter(req, res);
}

/**
 * Compresses what the app renders (HTML pages and fragments, JSON, CSV previews): brotli when
 * the browser accepts it (quality 0 up to 32 KB, 1 up to 64 KB, 4 above: brotliQuality), else gzip,
 * from 1 KB on, with `Vary: Accept-Encoding`. Left as they are: anything sent as a file
 * (Content-Disposition: stored documents, PDFs, CSV exports, which stream with their
 * Content-Length), types that are compressed already (PDF, images; the library's
 * `compressible` list), event streams (they must not wait for a compressor's buffer), and
 * `Cache-Control: no-transform`. Static files are precompressed (`precompressedStatic`).
 *
 * A body sent whole (`res.send`, `res.end(body)`: every rendered page) is compressed at once,
 * synchronously, with its size known (`compressWhole`): a compression stream per response
 * (the library's way, kept for bodies written in parts) cost several times the compression
 * itself in stream and thread-pool overhead on a 6 KB page (~0.4 against ~0.1 ms CPU).
 */
export function compressResponses(): RequestHandler {
  const streaming = compression({ threshold: THRESHOLD_BYTES, filter: compressible });
  return (req, res, next) => {
    streaming(req, res, (error?: unknown) => {
      if (error) return next(error);
      compressWholeBodies(req, res);
      next();
    });
  };
}

/** Wraps `res.end` (over the library's) so that a body ended in one piece, with nothing written before, is compressed whole. */
function compressWholeBodies(req: Request, res: Response) {
  const write = res.write;
  const end = res.end as (this: Response, ...args: unknown[]) => Response;
  let written = false;
  res.write = function (this: Response, ...args: Parameters<Response['write']>) {
    written = true;
    return write.apply(this, args);
  } as Response['write'];
  res.end = function (this: Response, chunk?: unknown, encoding?: unknown, callback?: unknown) {
    if (!written && !this.headersSent && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
      const body = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : chunk;
      const compressed = compressWhole(req, this, body);
      if (compressed) return end.call(this, compressed, typeof encoding === 'function' ? encoding : callback);
    }
    return end.call(this, chunk, encoding, callback);
  } as Response['end'];
}

/**
 * The body compressed as the request accepts it, with Content-Encoding, Content-Length and
 * Vary set; undefined to send it as it is (the library then finds nothing to do either:
 * too small, not compressible, or already encoded).
 */
function compressWhole(req: Request, res: Response, body: Buffer): Buffer | undefined {
  if (req.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304) return undefined;
  if (!compressible(req, res) || NO_TRANSFORM.test(String(res.getHeader('Cache-Control') ?? ''))) return undefined;
  res.vary('Accept-Encoding');
  if (body.length < THRESHOLD_BYTES || body.length > WHOLE_BODY_MAX_BYTES) return undefined;
  if (res.getHeader('Content-Encoding') && res.getHeader('Content-Encoding') !== 'identity') return undefined;
  // Brotli wherever the browser accepts it at all (browsers list gzip first, br after), as for static files.
  const encoding = req.acceptsEncodings('br') === 'br' ? 'br' : req.acceptsEncodings('gzip') === 'gzip' ? 'gzip' : undefined;
  if (!encoding) return undefined;
  const compressed =
    encoding === 'br'
      ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality(body.length), [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
      : gzipSync(body, { level: 6 });
  res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', compressed.length);
  return compressed;
}

/** Up to this size a page compresses, even at brotli's fastest qualities, to under TCP's first window. */
const FIRST_WINDOW_BODY_BYTES = 64 * 1024;
/** Up to this size even quality 0 (about fourfold on HTML) stays well under it. */
const SMALL_BODY_BYTES = 32 * 1024;

/**
 * Brotli's quality for a rendered body. A response that fits into TCP's initial congestion
 * window (10 segments, ~14 KB with the headers) arrives in one round trip however many bytes
 * of it there are, so for pages up to 64 KB a fast quality costs the phone nothing. Up to 32 KB
 * quality 0: it costs a third less CPU than quality 1 for 2–5 % more bytes (the 6 KB console
 * form: 19 against 26 µs, 2,149 against 2,097 bytes; the 17 KB Einheiten list: 34 against
 * 45 µs, 3.8 against 3.6 KB). Up to 64 KB quality 1, which compresses HTML six- to sevenfold
 * (the Einheiten tab of 80 units, 61 KB, as 8.6 KiB) at a third to half of quality 4's CPU.
 * Larger bodies take more round trips, where every byte counts: quality 4.
 */
export function brotliQuality(size: number): number {
  if (size <= SMALL_BODY_BYTES) return 0;
  return size <= FIRST_WINDOW_BODY_BYTES ? 1 : 4;
}

/** Static file types worth compressing; fonts, images and the like are compressed already. */
const COMPRESSIBLE_FILE = /\.(css|js|mjs|svg|json|webmanifest|txt|html|map)$/i;

type Variant = { encoding: 'br' | 'gzip'; body: Buffer };
type Entry = { size: number; mtimeMs: number; variants: Variant[] };

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** Built once per directory and process (test files start many apps in one process). */
const tables = new Map<string, Promise<Map<string, Entry>>>();

async function filesBelow(dir: string, base = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, base), { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesBelow(dir, path.posix.join(base, e.name)) : [path.posix.join(base, e.name)])));
  return nested.flat();
}

/** Brotli at its best quality and gzip at level 9, each kept only where it is smaller. */
async function compressFile(file: string): Promise<Entry> {
  const [bytes, info] = await Promise.all([readFile(file), stat(file)]);
  const [br, gz] = await Promise.all([
    brotli(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
    gzipped(bytes, { level: 9 }),
  ]);
  const variants: Variant[] = [];
  if (br.length < bytes.length) variants.push({ encoding: 'br', body: br });
  if (gz.length < bytes.length) variants.push({ encoding: 'gzip', body: gz });
  return { size: info.size, mtimeMs: info.mtimeMs, variants };
}

async function buildTable(dir: string): Promise<Map<string, Entry>> {
  const table = new Map<string, Entry>();
  for (const relative of await filesBelow(dir)) {
    if (!COMPRESSIBLE_FILE.test(relative)) continue;
    const entry = await compressFile(path.join(dir, relative));
    if (entry.size >= THRESHOLD_BYTES && entry.variants.length > 0) table.set(`/${relative}`, entry);
  }
  return table;
}

/** Starts building the brotli and gzip copies of a directory's files (in memory; the static folder is small). */
function precompressed(dir: string): Promise<Map<string, Entry>> {
  let table = tables.get(dir);
  if (!table) {
    table = buildTable(dir);
    tables.set(dir, table);
  }
  return table;
}

/**
 * Serves the brotli or gzip copy of a static file built once at start (`precompressed`),
 * with the headers express.static gives the plain file (Cache-Control, Last-Modified, an
 * ETag per encoding) plus Content-Encoding, its Content-Length and `Vary: Accept-Encoding`.
 * Anything else (no copy, identity accepted only, a file edited since start with `watch`)
 * falls through to express.static, which serves the file as it is.
 */
export function precompressedStatic(dir: string, options: { maxAgeSeconds: number; watch: boolean }): RequestHandler {
  const ready = precompressed(dir);
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const entry = (await ready).get(req.path);
    if (!entry) return next();
    res.vary('Accept-Encoding');
    // Brotli wherever the browser accepts it at all (every browser lists gzip first, br after).
    const variant = entry.variants.find((v) => req.acceptsEncodings(v.encoding) === v.encoding);
    if (!variant) return next();
    // In development a file may be edited while the server runs; in production the copies stand.
    if (options.watch) {
      const info = await stat(path.join(dir, req.path)).catch(() => undefined);
      if (!info || info.size !== entry.size || info.mtimeMs !== entry.mtimeMs) return next();
    }

    res.type(path.extname(req.path));
    res.set({
      'Content-Encoding': variant.encoding,
      'Content-Length': String(variant.body.length),
      'Cache-Control': `public, max-age=${options.maxAgeSeconds}`,
      'Last-Modified': new Date(entry.mtimeMs).toUTCString(),
      ETag: `W/"${entry.size.toString(16)}-${Math.floor(entry.mtimeMs).toString(16)}-${variant.encoding}"`,
    });
    if (req.fresh) {
      res.removeHeader('Content-Length');
      res.status(304).end();
      return;
    }
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.end(variant.body);
  };
}

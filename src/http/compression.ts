import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import compression from 'compression';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Below this a compressed body saves less than the headers and the CPU cost. */
const THRESHOLD_BYTES = 1024;

/**
 * Compresses what the app renders (HTML pages and fragments, JSON, CSV previews): brotli when
 * the browser accepts it (quality 4: fast enough per request, smaller than gzip), else gzip,
 * from 1 KB on, with `Vary: Accept-Encoding`. Left as they are: anything sent as a file
 * (Content-Disposition: stored documents, PDFs, CSV exports, which stream with their
 * Content-Length), types that are compressed already (PDF, images; the library's
 * `compressible` list), event streams (they must not wait for a compressor's buffer), and
 * `Cache-Control: no-transform`. Static files are precompressed (`precompressedStatic`).
 */
export function compressResponses(): RequestHandler {
  return compression({
    threshold: THRESHOLD_BYTES,
    filter: (req, res) => {
      if (res.getHeader('Content-Disposition')) return false;
      if (/^text\/event-stream/i.test(String(res.getHeader('Content-Type') ?? ''))) return false;
      return compression.filter(req, res);
    },
  });
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
